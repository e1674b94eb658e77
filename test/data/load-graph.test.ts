import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { init, loadGraph, randomSplit, FormatError, IndexError, InputError, type CsrGraph } from '../../src/index.js';
import { encodeNpz, npy } from '../support/npy-encode.js';
import { fcParams, announceSeed } from '../support/fc.js';

announceSeed('test/data/load-graph.test.ts');
await init();

/** The CSR as a sorted list of "i,j" pairs. */
function pairs(g: CsrGraph): string[] {
  const rp = g.rowPtr.array, ci = g.colIdx.array, out: string[] = [];
  for (let i = 0; i < g.numRows; i++) for (let e = rp[i]; e < rp[i + 1]; e++) out.push(`${i},${ci[e]}`);
  return out;
}

// A 5-node path 0–1–2–3 plus an isolated node 4, two splits.
const N = 5;
const HETERO = {
  node_features: npy.f4([N, 2], [0, 1, 1, 0, 2, 2, 3, 3, 4, -4]),
  node_labels: npy.i8([N], [0, 1, 2, 1, 0]),
  edges: npy.i8([3, 2], [0, 1, 1, 2, 3, 2]),
  train_masks: npy.b1([2, N], [1, 1, 0, 0, 0, 0, 0, 1, 1, 0]),
  val_masks: npy.b1([2, N], [0, 0, 1, 0, 0, 1, 0, 0, 0, 0]),
  test_masks: npy.b1([2, N], [0, 0, 0, 1, 1, 0, 1, 0, 0, 1]),
};
const archive = (overrides: Record<string, Uint8Array | null> = {}, base: Record<string, Uint8Array> = HETERO) => {
  const m: Record<string, Uint8Array> = { ...base };
  for (const [k, v] of Object.entries(overrides)) if (v === null) delete m[k]; else m[k] = v;
  return encodeNpz(m, 6);
};

test('loadGraph reads the heterophilous layout: features, labels, classes, masks of the chosen split, symmetric CSR with self loops', () => {
  const g = loadGraph(archive(), { name: 'path5' });
  assert.equal(g.name, 'path5');
  assert.equal(g.layout, 'heterophilous');
  assert.equal(g.numNodes, N); assert.equal(g.numFeatures, 2); assert.equal(g.numClasses, 3);
  assert.deepEqual(Array.from(g.features.data), [0, 1, 1, 0, 2, 2, 3, 3, 4, -4]);
  assert.deepEqual(Array.from(g.labels), [0, 1, 2, 1, 0]);
  assert.equal(g.metric, 'accuracy'); // three classes
  assert.equal(g.splits.length, 2);
  assert.deepEqual([Array.from(g.masks.train), Array.from(g.masks.val), Array.from(g.masks.test)], [[1, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 1]]);
  // expected pattern: each edge both ways plus (i, i) for every node, by the definition of the options
  assert.deepEqual(pairs(g.graph), ['0,0', '0,1', '1,0', '1,1', '1,2', '2,1', '2,2', '2,3', '3,2', '3,3', '4,4']);
  g.free();
  const second = loadGraph(archive(), { split: 1 });
  assert.deepEqual(Array.from(second.masks.train), [0, 0, 1, 1, 0]);
  assert.equal(second.masks, second.splits[1]);
  second.free();
});

test('loadGraph honours symmetrize: false and selfLoops: false (edge (u, v) lets u attend to v), and metric', () => {
  const g = loadGraph(archive(), { symmetrize: false, selfLoops: false, metric: 'roc_auc' });
  assert.deepEqual(pairs(g.graph), ['0,1', '1,2', '3,2']);
  assert.equal(g.metric, 'roc_auc');
  g.free();
});

test('loadGraph picks roc_auc for two classes, reads int32 edges, float64 features and 1-d masks', () => {
  const g = loadGraph(archive({
    node_labels: npy.i4([N], [0, 1, 1, 0, 0]), edges: npy.i4([1, 2], [4, 0]), node_features: npy.f8([N, 1], [0.1, 0.2, 0.3, 0.4, 0.5]),
    train_masks: npy.b1([N], [1, 0, 0, 0, 0]), val_masks: npy.b1([N], [0, 1, 0, 0, 0]), test_masks: npy.b1([N], [0, 0, 1, 1, 1]),
  }));
  assert.equal(g.metric, 'roc_auc');
  assert.equal(g.splits.length, 1);
  assert.deepEqual(Array.from(g.features.data), Array.from(Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.5)));
  assert.deepEqual(pairs(g.graph), ['0,0', '0,4', '1,1', '2,2', '3,3', '4,0', '4,4']);
  g.free();
});

/** Asserts that `fn` throws `type` and the message starts with 'loadGraph: ' and matches `pattern`. */
function rejects(fn: () => unknown, type: new (...a: never[]) => Error, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${String(e)}`);
    assert.match(e.message, /^loadGraph: /);
    assert.match(e.message, pattern);
    return true;
  });
}

test('loadGraph names the member and position of every bad index, dtype, shape or mask', () => {
  rejects(() => loadGraph(archive({ edges: npy.i8([2, 2], [0, 1, 9, 2]) })), IndexError, /edges\[1, 0\] = 9 is outside \[0, 5\)/);
  rejects(() => loadGraph(archive({ edges: npy.i8([1, 2], [0, 2n ** 32n + 1n]) })), IndexError, /edges\[0, 1\] = 4294967297 is outside/);
  rejects(() => loadGraph(archive({ edges: npy.i8([1, 2], [-1, 0]) })), IndexError, /edges\[0, 0\] = -1/);
  rejects(() => loadGraph(archive({ edges: npy.i8([2, 3], [0, 1, 2, 1, 2, 3]) })), FormatError, /member 'edges' has shape \(2, 3\), expected \(edges, 2\)/);
  rejects(() => loadGraph(archive({ edges: npy.f4([1, 2], [0, 1]) })), FormatError, /member 'edges' must hold integers, got float32/);
  rejects(() => loadGraph(archive({ node_labels: npy.i8([N], [0, 1, -1, 0, 0]) })), IndexError, /node_labels\[2\] = -1 is outside/);
  rejects(() => loadGraph(archive({ node_labels: npy.i8([4], [0, 1, 1, 0]) })), FormatError, /member 'node_labels' has shape \(4\), expected \(5,\)/);
  rejects(() => loadGraph(archive({ node_features: npy.f4([N, 1], [0, 1, Number.NaN, 3, 4]) })), InputError, /member 'node_features' has a non-finite value \(NaN\) at index 2/);
  rejects(() => loadGraph(archive({ node_features: npy.f8([N, 1], [0, 1, 1e300, 3, 4]) })), InputError, /non-finite value \(1e\+300\) at index 2/);
  rejects(() => loadGraph(archive({ node_features: npy.i4([N, 1], [0, 1, 2, 3, 4]) })), FormatError, /'node_features' must hold float32 or float64, got int32/);
  rejects(() => loadGraph(archive({ val_masks: npy.b1([2, N], [1, 0, 1, 0, 0, 1, 0, 0, 0, 0]) })), FormatError, /split 0 puts node 0 in both train and val/);
  rejects(() => loadGraph(archive({ test_masks: npy.b1([1, N], [0, 0, 0, 1, 1]) })), FormatError, /hold 2, 2 and 1 splits/);
  rejects(() => loadGraph(archive({ train_masks: npy.b1([2, 4], [0, 0, 0, 0, 0, 0, 0, 0]) })), FormatError, /'train_masks' has shape \(2, 4\), expected \(splits, 5\)/);
  rejects(() => loadGraph(archive({ train_masks: npy.f4([2, N], Array(10).fill(0)) })), FormatError, /'train_masks' must be a bool mask, got float32/);
  rejects(() => loadGraph(archive({ test_masks: null })), FormatError, /no member 'test_masks' \(it holds 'node_features', 'node_labels', 'edges', 'train_masks', 'val_masks'\)/);
  rejects(() => loadGraph(archive({ node_features: null })), FormatError, /no member 'node_features'/);
  rejects(() => loadGraph(encodeNpz({ x: npy.f4([1], [1]) }, 0)), FormatError, /neither layout recognised.*holds 'x'/);
  rejects(() => loadGraph(new Uint8Array(10)), FormatError, /not a zip archive/);
});

test('loadGraph checks its options before reading', () => {
  rejects(() => loadGraph(archive(), { split: 2 }), IndexError, /options\.split = 2 but the file has 2 splits/);
  rejects(() => loadGraph(archive(), { split: -1 }), InputError, /options\.split must be a non-negative integer/);
  rejects(() => loadGraph(archive(), { symmetrize: 'yes' as never }), InputError, /options\.symmetrize must be a boolean/);
  rejects(() => loadGraph(archive(), { selfLoops: 1 as never }), InputError, /options\.selfLoops must be a boolean/);
  rejects(() => loadGraph(archive(), { metric: 'f1' as never }), InputError, /options\.metric must be 'roc_auc' or 'accuracy'/);
  rejects(() => loadGraph([1, 2] as never), InputError, /bytes must be a Uint8Array/);
  rejects(() => loadGraph(archive(), { randomSplit: { train: 2 } }), InputError, /^loadGraph: options\.randomSplit: train must be a fraction in \[0, 1\], got 2$/);
});

// Shchur layout: a 4-node graph stored as scipy CSR parts, one directed entry with data 0 (dropped),
// features as CSR with a repeated entry (summed, as scipy does).
const SHCHUR = {
  adj_data: npy.f4([4], [1, 1, 0, 1]),
  adj_indices: npy.i4([4], [1, 2, 3, 0]),
  adj_indptr: npy.i4([5], [0, 2, 3, 3, 4]),
  adj_shape: npy.i8([2], [4, 4]),
  attr_data: npy.f4([4], [1, 2, 0.5, 3]),
  attr_indices: npy.i4([4], [0, 2, 2, 1]),
  attr_indptr: npy.i4([5], [0, 1, 3, 3, 4]),
  attr_shape: npy.i8([2], [4, 3]),
  labels: npy.i1([4], [0, 1, 2, 1]),
  node_names: npy.u([4], ['a', 'b', 'c', 'd'], 1),
};

test('loadGraph reads the Shchur layout: dense features from the CSR parts, dropped zero entries, a seeded random split', () => {
  const g = loadGraph(archive({}, SHCHUR), { randomSplit: { train: 0.5, val: 0.25, seed: 3 } });
  assert.equal(g.layout, 'shchur');
  assert.equal(g.numNodes, 4); assert.equal(g.numFeatures, 3); assert.equal(g.numClasses, 3); assert.equal(g.metric, 'accuracy');
  assert.deepEqual(Array.from(g.features.data), [1, 0, 0, 0, 0, 2.5, 0, 0, 0, 0, 3, 0]);
  // adjacency entries kept: 0→1, 0→2, 3→0 (1→3 has data 0); symmetrized with self loops
  assert.deepEqual(pairs(g.graph), ['0,0', '0,1', '0,2', '0,3', '1,0', '1,1', '2,0', '2,2', '3,0', '3,3']);
  assert.equal(g.splits.length, 1);
  const expected = randomSplit(4, { train: 0.5, val: 0.25, seed: 3 });
  assert.deepEqual(g.masks, expected);
  g.free();
  const dense = loadGraph(archive({ attr_data: null, attr_indices: null, attr_indptr: null, attr_shape: null, attr_matrix: npy.f4([4, 1], [1, 2, 3, 4]) }, SHCHUR));
  assert.deepEqual(Array.from(dense.features.data), [1, 2, 3, 4]);
  dense.free();
});

test('loadGraph validates the Shchur CSR parts', () => {
  const bad = (o: Record<string, Uint8Array | null>) => () => loadGraph(archive(o, SHCHUR));
  rejects(bad({ adj_indices: npy.i4([4], [1, 2, 4, 0]) }), IndexError, /adj_indices\[2\] = 4 is outside \[0, 4\)/);
  rejects(bad({ adj_indptr: npy.i4([5], [0, 3, 2, 3, 4]) }), IndexError, /adj_indptr decreases at 2/);
  rejects(bad({ adj_indptr: npy.i4([5], [1, 2, 3, 3, 4]) }), IndexError, /adj_indptr\[0\] = 1, must be 0/);
  rejects(bad({ adj_indptr: npy.i4([4], [0, 2, 3, 3]) }), FormatError, /'adj_indptr' has shape \(4\), expected \(5,\) for 4 rows/);
  rejects(bad({ adj_data: npy.f4([3], [1, 1, 1]) }), FormatError, /'adj_data' has shape \(3\), expected \(4,\) = adj_indptr\[-1\]/);
  rejects(bad({ adj_shape: npy.i8([2], [4, 5]) }), FormatError, /adjacency matrix must be square/);
  rejects(bad({ attr_shape: npy.i8([2], [3, 3]), attr_indptr: npy.i4([4], [0, 1, 3, 3]), attr_data: npy.f4([3], [1, 2, 3]), attr_indices: npy.i4([3], [0, 2, 2]) }),
    FormatError, /'attr_shape' has 3 rows but the adjacency has 4 nodes/);
  rejects(bad({ attr_data: npy.f4([4], [1, Infinity, 0.5, 3]) }), InputError, /'attr_data' has a non-finite value \(Infinity\) at index 1/);
  rejects(bad({ labels: null }), FormatError, /no member 'labels'/);
  rejects(() => loadGraph(archive({}, SHCHUR), { split: 1 }), IndexError, /options\.split = 1 but the file has 1 split$/);
});

test('randomSplit: disjoint parts covering all n nodes, of sizes round(0.6n), round(0.2n) and the rest, the same for the same seed', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }),
    (n, seed, a, b) => {
      const train = Math.min(a, b), val = Math.abs(a - b); // train + val = max(a, b) ≤ 1
      const s = randomSplit(n, { train, val, seed });
      let nTrain = 0, nVal = 0, nTest = 0;
      for (let i = 0; i < n; i++) {
        assert.equal(s.train[i] + s.val[i] + s.test[i], 1, `node ${i} is in exactly one part`);
        nTrain += s.train[i]; nVal += s.val[i]; nTest += s.test[i];
      }
      assert.equal(nTrain, Math.round(train * n));
      assert.equal(nVal, Math.min(Math.round(val * n), n - nTrain));
      assert.equal(nTest, n - nTrain - nVal);
      assert.deepEqual(randomSplit(n, { train, val, seed }), s);
    }), fcParams(200));
  const d = randomSplit(1000);
  assert.deepEqual([d.train, d.val, d.test].map((m) => m.reduce((x, y) => x + y, 0)), [600, 200, 200]); // the documented defaults
  assert.notDeepEqual(randomSplit(1000, { seed: 1 }).train, d.train);
});

test('randomSplit rejects bad arguments with InputError naming them', () => {
  const r = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (e: unknown) => e instanceof InputError && pattern.test(e.message));
  r(() => randomSplit(-1), /^randomSplit: n must be a non-negative integer, got -1/);
  r(() => randomSplit(2.5), /^randomSplit: n must be/);
  r(() => randomSplit(10, { train: 1.5 }), /^randomSplit: options\.train must be a fraction in \[0, 1\], got 1\.5/);
  r(() => randomSplit(10, { val: Number.NaN }), /^randomSplit: options\.val must be a fraction/);
  r(() => randomSplit(10, { train: 0.7, val: 0.4 }), /^randomSplit: options\.train \+ options\.val = 1\.1 exceeds 1/);
  r(() => randomSplit(10, { seed: 0.5 }), /^randomSplit: options\.seed must be an integer/);
  assert.equal(randomSplit(10, { train: 0.7, val: 0.3 }).test.reduce((x, y) => x + y, 0), 0); // 0.7 + 0.3 is accepted
});
