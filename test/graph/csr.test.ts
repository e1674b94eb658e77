import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  init, csrFromEdges, CsrGraph, fullPattern, expanderPattern, graphWithExpander, unionPattern,
  IndexError, InputError, ShapeError,
} from '../../src/index.js';
import { fcParams, announceSeed } from '../support/fc.js';

announceSeed('test/graph/csr.test.ts');
await init();

function entries(g: CsrGraph): string[] {
  const rp = g.rowPtr.array, ci = g.colIdx.array, out: string[] = [];
  for (let i = 0; i < g.numRows; i++) for (let e = rp[i]; e < rp[i + 1]; e++) out.push(`${i},${ci[e]}`);
  return out;
}

test('csrFromEdges holds exactly the set of (deduplicated, symmetrized, looped) edges, rows sorted', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 30 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 120 }),
    fc.boolean(), fc.boolean(), (n, raw, symmetrize, selfLoops) => {
      const rows = raw.map((e) => e[0] % n), cols = raw.map((e) => e[1] % n);
      const g = csrFromEdges(rows, cols, { numNodes: n, symmetrize, selfLoops });
      const want = new Set<string>();
      rows.forEach((r, e) => { want.add(`${r},${cols[e]}`); if (symmetrize) want.add(`${cols[e]},${r}`); });
      if (selfLoops) for (let i = 0; i < n; i++) want.add(`${i},${i}`);
      const got = entries(g);
      assert.deepEqual(new Set(got), want);
      assert.equal(got.length, want.size, 'no duplicates');
      const rp = g.rowPtr.array, ci = g.colIdx.array;
      for (let i = 0; i < n; i++) for (let e = rp[i] + 1; e < rp[i + 1]; e++) assert.ok(ci[e - 1] < ci[e]);
      // the transpose holds the reversed edges, and transposing twice gives the same pattern back
      assert.deepEqual(new Set(entries(g.transpose())), new Set(got.map((s) => s.split(',').reverse().join(','))));
      assert.deepEqual(entries(g.transpose().transpose()), got);
    }), fcParams(200));
});

test('csrFromEdges keeps duplicates when dedupe is false', () => {
  const g = csrFromEdges([0, 0, 0, 1], [1, 1, 0, 0], { dedupe: false });
  assert.deepEqual(entries(g), ['0,0', '0,1', '0,1', '1,0']);
  assert.equal(g.maxDegree, 3);
});

test('csrFromEdges rejects bad edge lists with typed errors naming the argument', () => {
  assert.throws(() => csrFromEdges([0, 1], [1]), (e: unknown) => e instanceof ShapeError && /rows has 2 entries but cols has 1/.test(e.message));
  assert.throws(() => csrFromEdges([0, -1], [1, 0]), (e: unknown) => e instanceof IndexError && /rows\[1\] = -1/.test(e.message));
  assert.throws(() => csrFromEdges([0, 1.5], [1, 0]), (e: unknown) => e instanceof InputError && /rows\[1\] = 1.5 is not a finite integer/.test(e.message));
  assert.throws(() => csrFromEdges([0, Number.NaN], [1, 0]), InputError);
  assert.throws(() => csrFromEdges([0, 3], [1, 0], { numNodes: 3 }), (e: unknown) => e instanceof IndexError && /rows\[1\] = 3 is outside \[0, 3\)/.test(e.message));
  assert.throws(() => csrFromEdges([0], [5], { numNodes: 3, numCols: 4 }), /cols\[0\] = 5 is outside \[0, 4\)/);
  assert.throws(() => csrFromEdges([0], [0], { numNodes: 3, numCols: 4, selfLoops: true }), ShapeError);
  assert.throws(() => CsrGraph.fromArrays(2, 2, [0, 2, 1], [0, 1]), (e: unknown) => e instanceof IndexError && /non-decreasing/.test(e.message));
  assert.throws(() => CsrGraph.fromArrays(2, 2, [0, 1, 2], [0, 2]), /colIdx\[1\] = 2 is outside \[0, 2\)/);
});

test('int64 edge arrays (BigInt) are accepted; a 1-edge graph and n = 1 work', () => {
  const g = csrFromEdges(new BigInt64Array([0n]), new BigInt64Array([1n]));
  assert.deepEqual(entries(g), ['0,1']);
  assert.equal(g.numRows, 2);
  assert.deepEqual(entries(csrFromEdges([], [], { numNodes: 1, selfLoops: true })), ['0,0']);
});

test('patterns: full has n² entries; the expander is symmetric with degree ≤ d; graph + expander contains both', () => {
  assert.equal(fullPattern(5).numEdges, 25);
  const ex = expanderPattern(200, 4, { seed: 3 });
  const set = new Set(entries(ex));
  for (const s of set) assert.ok(set.has(s.split(',').reverse().join(',')), `symmetric ${s}`);
  const deg = ex.degrees();
  assert.ok(deg.every((d) => d <= 4), 'degree at most 4');
  // Exphormer's permutation construction: collisions are rare, so most nodes reach the full degree
  assert.ok(deg.filter((d) => d === 4).length > 180, `most nodes have degree 4 (${deg.filter((d) => d === 4).length})`);
  assert.deepEqual(entries(expanderPattern(200, 4, { seed: 3 })), entries(ex), 'same seed, same expander');
  const g = csrFromEdges([0, 1], [1, 2], { numNodes: 200, symmetrize: true });
  const u = graphWithExpander(g, 4, { seed: 3 });
  const us = new Set(entries(u));
  for (const s of [...entries(g), ...set]) assert.ok(us.has(s));
  assert.equal(u.numEdges, new Set([...entries(g), ...set]).size);
  assert.throws(() => expanderPattern(10, 3), InputError);
  assert.throws(() => unionPattern(g, fullPattern(3)), ShapeError);
});
