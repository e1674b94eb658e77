import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { init, csrFromEdges, loadGraph, InputError, type CsrGraph } from '../../src/index.js';
import {
  buildAttentionPattern, checkAttentionPattern, formatAttentionPattern, parseAttentionPattern, sameAttentionPattern, type AttentionPattern,
} from '../../src/graph/attention-pattern.js';
import { announceSeed, fcParams } from '../support/fc.js';

await init();
announceSeed('test/graph/attention-pattern.test.ts');

function pairs(g: CsrGraph): Set<string> {
  const out = new Set<string>(), rp = g.rowPtr.array, ci = g.colIdx.array;
  for (let i = 0; i < g.numRows; i++) for (let e = rp[i]; e < rp[i + 1]; e++) out.add(`${i},${ci[e]}`);
  return out;
}

const patternArb: fc.Arbitrary<AttentionPattern> = fc.oneof(
  fc.record({ kind: fc.constant('graph' as const), selfLoops: fc.boolean() }),
  fc.constant({ kind: 'full' as const }),
  fc.record({ kind: fc.constant('expander' as const), degree: fc.integer({ min: 1, max: 512 }).map((k) => 2 * k), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }), selfLoops: fc.boolean() }),
);

test('parseAttentionPattern inverts formatAttentionPattern, and a JSON round trip through checkAttentionPattern keeps the pattern', () => {
  fc.assert(fc.property(patternArb, (p) => {
    const back = parseAttentionPattern('t', 'p', formatAttentionPattern(p));
    assert.ok(sameAttentionPattern(back, p), `${formatAttentionPattern(p)} read back as ${JSON.stringify(back)}`);
    assert.deepEqual(checkAttentionPattern('t', 'p', JSON.parse(JSON.stringify(p))), { ...p }); // fast-check's records have a null prototype
  }), fcParams(300));
});

test('parse and check reject what is not a pattern with an InputError naming the function and the argument', () => {
  for (const text of ['', 'graphs', 'self-loops', 'graph+expander', 'graph+expander:3', 'graph+expander:0', 'graph+self-loops+self-loops', 'full+self-loops',
    'graph+expander:4+self-loops', 'graph+expander:2048']) {
    assert.throws(() => parseAttentionPattern('train', '--pattern', text), (e: unknown) => e instanceof InputError && /^train: --pattern/.test((e as Error).message), text);
  }
  for (const v of [null, 1, 'graph', [], { kind: 'graph' }, { kind: 'graph', selfLoops: 'false' }, { kind: 'expander', degree: 4, seed: -1, selfLoops: true },
    { kind: 'expander', degree: 4.5, seed: 0, selfLoops: true }, { kind: 'ring' }]) {
    assert.throws(() => checkAttentionPattern('f', 'options.pattern', v), (e: unknown) => e instanceof InputError && /^f: options\.pattern/.test((e as Error).message), JSON.stringify(v));
  }
});

test("'graph+self-loops' on the loaded edges is the CSR loadGraph builds by default (bundled Minesweeper), 'graph' is the edges themselves", () => {
  const bytes = new Uint8Array(readFileSync(new URL('../../../data/minesweeper.npz', import.meta.url)));
  const withLoops = loadGraph(bytes), raw = loadGraph(bytes, { selfLoops: false });
  const built = buildAttentionPattern(raw.graph, { kind: 'graph', selfLoops: true });
  const plain = buildAttentionPattern(raw.graph, { kind: 'graph', selfLoops: false });
  assert.deepEqual(Array.from(built.rowPtr.array), Array.from(withLoops.graph.rowPtr.array));
  assert.deepEqual(Array.from(built.colIdx.array), Array.from(withLoops.graph.colIdx.array));
  assert.deepEqual(Array.from(plain.colIdx.array), Array.from(raw.graph.colIdx.array));
  assert.notEqual(plain, raw.graph, 'a new CsrGraph the caller owns');
  for (const g of [built, plain]) g.free();
  withLoops.free(); raw.free();
});

test('full is every pair; expander contains the graph (and the loops when asked), adds only pairs of its own seed, and is symmetric', () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 3 }), fc.boolean(), (n, seed, half, loops) => {
    const rows: number[] = [], cols: number[] = [];
    for (let i = 0; i < n; i++) if ((i * 7 + seed) % 3 === 0) { rows.push(i); cols.push((i + 1) % n); }
    const g = csrFromEdges(rows, cols, { numNodes: n, symmetrize: true });
    const full = buildAttentionPattern(g, { kind: 'full' });
    assert.equal(full.numEdges, n * n);
    const ex = buildAttentionPattern(g, { kind: 'expander', degree: 2 * half, seed, selfLoops: loops });
    const again = buildAttentionPattern(g, { kind: 'expander', degree: 2 * half, seed, selfLoops: loops });
    const p = pairs(ex);
    for (const e of pairs(g)) assert.ok(p.has(e), `graph edge ${e} kept`);
    for (let i = 0; i < n; i++) assert.equal(p.has(`${i},${i}`), loops || pairs(g).has(`${i},${i}`), `self loop ${i}`);
    for (const e of p) { const [i, j] = e.split(','); assert.ok(p.has(`${j},${i}`), `symmetric ${e}`); }
    assert.deepEqual(Array.from(again.colIdx.array), Array.from(ex.colIdx.array), 'deterministic in the seed');
    for (const m of [g, full, ex, again]) m.free();
  }), fcParams(60));
});

test('buildAttentionPattern refuses a graph that is not a square CsrGraph and a bad pattern before any work', () => {
  const g = csrFromEdges([0], [1], { numNodes: 2, numCols: 3 });
  assert.throws(() => buildAttentionPattern(g, { kind: 'full' }), { name: 'InputError', message: /^buildAttentionPattern: graph must be square/ });
  assert.throws(() => buildAttentionPattern({} as CsrGraph, { kind: 'full' }), { name: 'InputError', message: /^buildAttentionPattern: graph must be a CsrGraph/ });
  const sq = csrFromEdges([0], [1], { numNodes: 2 });
  assert.throws(() => buildAttentionPattern(sq, { kind: 'expander', degree: 3, seed: 0, selfLoops: true }), { name: 'InputError', message: /^buildAttentionPattern: pattern\.degree/ });
  g.free(); sq.free();
});
