import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { init, readNpz, IndexError, InputError, type CsrGraph, type LoadedGraph } from '../../src/index.js';
import { loadGraphFile, bundledGraphPath } from '../../src/node/index.js';
import { requireSharedData, repoRoot } from '../support/shared-data.js';

await init();

// Expected counts: the table in the shared data's README.md (nodes, undirected edges or, for cora, directed
// adjacency entries, features, classes, metric, layout). Split sizes: Platonov et al. ship ten fixed
// 50/25/25 splits (Sec. 5 and App. D; docs/theory.md §18).
const TABLE = {
  minesweeper: { nodes: 10_000, rawEdges: 39_402, features: 7, classes: 2, metric: 'roc_auc', layout: 'heterophilous', splits: 10 },
  tolokers: { nodes: 11_758, rawEdges: 519_000, features: 10, classes: 2, metric: 'roc_auc', layout: 'heterophilous', splits: 10 },
  cora: { nodes: 2_708, rawEdges: 5_429, features: 1_433, classes: 7, metric: 'accuracy', layout: 'shchur', splits: 1 },
} as const;

/** Raw endpoint pairs as the file stores them (edges [m, 2], or the adjacency's CSR entries). */
function rawPairs(bytes: Uint8Array, layout: string): [Int32Array, Int32Array] {
  if (layout === 'heterophilous') {
    const e = readNpz(bytes, { members: ['edges'] }).get('edges')!;
    const d = e.data as BigInt64Array, m = e.shape[0];
    return [Int32Array.from({ length: m }, (_, t) => Number(d[2 * t])), Int32Array.from({ length: m }, (_, t) => Number(d[2 * t + 1]))];
  }
  const z = readNpz(bytes, { members: ['adj_indices', 'adj_indptr'] });
  const ind = z.get('adj_indices')!.data as Int32Array, ptr = z.get('adj_indptr')!.data as Int32Array;
  const rows = new Int32Array(ind.length);
  for (let i = 0; i + 1 < ptr.length; i++) rows.fill(i, ptr[i], ptr[i + 1]);
  return [rows, Int32Array.from(ind)];
}

function hasEntry(g: CsrGraph, i: number, j: number): boolean {
  const rp = g.rowPtr.array, ci = g.colIdx.array;
  let lo = rp[i], hi = rp[i + 1];
  while (lo < hi) { const mid = (lo + hi) >> 1; if (ci[mid] < j) lo = mid + 1; else hi = mid; }
  return lo < rp[i + 1] && ci[lo] === j;
}

/** Everything the README table and the paper's assumptions say about a loaded real graph. */
function checkRealGraph(name: keyof typeof TABLE, bytes: Uint8Array, g: LoadedGraph): void {
  const want = TABLE[name];
  assert.equal(g.numNodes, want.nodes); assert.equal(g.numFeatures, want.features); assert.equal(g.numClasses, want.classes);
  assert.equal(g.metric, want.metric); assert.equal(g.layout, want.layout); assert.equal(g.splits.length, want.splits);
  assert.equal(g.features.rows, want.nodes); assert.equal(g.features.cols, want.features);
  const n = g.numNodes, graph = g.graph;
  // every class occurs
  const seen = new Set(g.labels);
  assert.equal(seen.size, want.classes);
  // the masks of every split are disjoint; the shipped splits are 50/25/25
  for (const [s, { train, val, test }] of g.splits.entries()) {
    let nt = 0, nv = 0, ne = 0;
    for (let i = 0; i < n; i++) {
      if (train[i] + val[i] + test[i] > 1) assert.fail(`split ${s}: node ${i} is in two parts`);
      nt += train[i]; nv += val[i]; ne += test[i];
    }
    if (want.layout === 'heterophilous') {
      assert.equal(nt, n / 2, `split ${s} train size`);
      assert.equal(nv + ne, n / 2);
      assert.ok(Math.abs(nv - ne) <= 1, `split ${s}: val ${nv}, test ${ne}`);
    }
  }
  // the CSR: columns strictly increasing (sorted, no duplicates), a self loop in every row, symmetric
  const rp = graph.rowPtr.array, ci = graph.colIdx.array;
  for (let i = 0; i < n; i++) {
    for (let e = rp[i] + 1; e < rp[i + 1]; e++) if (!(ci[e] > ci[e - 1])) assert.fail(`row ${i} not strictly increasing at ${e}`);
    if (!hasEntry(graph, i, i)) assert.fail(`row ${i} has no self loop`);
  }
  const t = graph.transpose();
  assert.deepEqual(t.rowPtr.array, graph.rowPtr.array, 'symmetric: the transpose has the same row pointers');
  assert.deepEqual(t.colIdx.array, graph.colIdx.array, 'symmetric: and the same columns');
  t.free();
  // it holds exactly the file's edges both ways plus the diagonal
  const [r, c] = rawPairs(bytes, want.layout);
  assert.equal(r.length, want.rawEdges);
  const undirected = new Set<number>();
  for (let e = 0; e < r.length; e++) {
    if (!hasEntry(graph, r[e], c[e]) || !hasEntry(graph, c[e], r[e])) assert.fail(`edge ${e} (${r[e]}, ${c[e]}) is not in the CSR both ways`);
    if (r[e] !== c[e]) undirected.add(Math.min(r[e], c[e]) * n + Math.max(r[e], c[e]));
  }
  assert.equal(graph.numEdges, 2 * undirected.size + n);
}

for (const name of Object.keys(TABLE) as (keyof typeof TABLE)[]) {
  test(`${name}.npz from ../shared/data matches the data README (counts, metric), has disjoint masks and a symmetric CSR with self loops holding exactly its edges`, (t: TestContext) => {
    const path = requireSharedData(t, `${name}.npz`);
    if (!path) return;
    const g = loadGraphFile(path);
    assert.equal(g.name, name);
    checkRealGraph(name, readFileSync(path), g);
    if (name === 'cora') {
      // dense features are the attr CSR summed: same total, and bag-of-words rows of 0/1
      const z = readNpz(readFileSync(path), { members: ['attr_data'] });
      const total = (z.get('attr_data')!.data as Float32Array).reduce((a, b) => a + b, 0);
      assert.equal(g.features.data.reduce((a, b) => a + b, 0), total);
      assert.ok(g.features.data.every((x) => x === 0 || x === 1));
    }
    g.free();
  });
}

test('the bundled data/minesweeper.npz: bundledGraphPath finds it, its SHA-256 is the one data/README.md records, and it loads like the shared copy', () => {
  const path = bundledGraphPath();
  assert.equal(path, join(repoRoot, 'data', 'minesweeper.npz'));
  const bytes = readFileSync(path);
  const recorded = /SHA-256 `([0-9a-f]{64})`/.exec(readFileSync(join(repoRoot, 'data', 'README.md'), 'utf8'));
  assert.ok(recorded, 'data/README.md records a SHA-256');
  assert.equal(createHash('sha256').update(bytes).digest('hex'), recorded[1]);
  const g = loadGraphFile(path);
  assert.equal(g.name, 'minesweeper');
  checkRealGraph('minesweeper', bytes, g);
  g.free();
  const licence = readFileSync(join(repoRoot, 'data', 'LICENSE-heterophilous-graphs.txt'), 'utf8');
  assert.match(licence, /MIT License/);
  assert.match(licence, /Copyright \(c\) 2023 Yandex Research/);
});

test('loadGraphFile names itself in errors: an unreadable path, a bad option, a bad file', () => {
  assert.throws(() => loadGraphFile(join(repoRoot, 'data', 'no-such.npz')), (e: unknown) => e instanceof InputError && /^loadGraphFile: cannot read path '.*no-such\.npz': ENOENT/.test(e.message));
  assert.throws(() => loadGraphFile(''), (e: unknown) => e instanceof InputError && /^loadGraphFile: path must be a non-empty string/.test(e.message));
  assert.throws(() => loadGraphFile(bundledGraphPath(), { split: 10 }), (e: unknown) => e instanceof IndexError && /^loadGraphFile: options\.split = 10 but the file has 10 splits/.test(e.message));
  assert.throws(() => loadGraphFile(join(repoRoot, 'package.json')), (e: unknown) => e instanceof Error && /^loadGraphFile: not a zip archive/.test(e.message));
  const named = loadGraphFile(bundledGraphPath(), { name: 'grid', split: 9, selfLoops: false });
  assert.equal(named.name, 'grid');
  assert.equal(named.graph.numEdges, 2 * TABLE.minesweeper.rawEdges); // no self loops added, none in the file
  named.free();
});

test('a missing shared graph fails the test under CI (it must never pass by skipping there)', (t: TestContext) => {
  const before = process.env.CI;
  process.env.CI = 'true';
  try {
    assert.throws(() => requireSharedData(t, 'no-such-graph.npz'), /no-such-graph\.npz is missing: CI must run the real-graph tests/);
  } finally {
    if (before === undefined) delete process.env.CI; else process.env.CI = before;
  }
});
