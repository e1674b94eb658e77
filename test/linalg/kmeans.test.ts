import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { kmeans as mlKmeans } from 'ml-kmeans';
import { init, DenseMatrix, rng, kmeans, InputError, ShapeError } from '../../src/index.js';
import { withBackend } from '../support/backends.js';
import { fcParams, announceSeed } from '../support/fc.js';

announceSeed('test/linalg/kmeans.test.ts');
await init();

interface Planted { x: DenseMatrix<'f64'>; labels: Int32Array; k: number }

/** k clusters in R^p: centres N(0, sep²·I), points N(centre, I), sizes between 3 and 80. */
function planted(seed: number, k: number, p: number, sep: number): Planted {
  const g = rng(seed);
  const centres = g.fillNormal(new Float64Array(k * p), sep);
  const sizes = Array.from({ length: k }, () => 3 + g.int(78));
  const n = sizes.reduce((s, v) => s + v, 0);
  const x = new Float64Array(n * p), labels = new Int32Array(n);
  const order = g.permutation(n);
  let t = 0;
  sizes.forEach((size, a) => {
    for (let r = 0; r < size; r++, t++) {
      const i = order[t];
      labels[i] = a;
      for (let j = 0; j < p; j++) x[i * p + j] = centres[a * p + j] + g.normal();
    }
  });
  return { x: DenseMatrix.from(x, n, p, 'f64'), labels, k };
}

/** Smallest distance between planted centre means, over the noise scale: the planted clusters are recoverable when large. */
function separated(pl: Planted): boolean {
  const { x, labels, k } = pl, p = x.cols;
  const means = groupMeans(x, labels, k);
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) {
    let d = 0;
    for (let j = 0; j < p; j++) d += (means[a * p + j] - means[b * p + j]) ** 2;
    // points lie within ~√p + 4 of their centre; 4·(√p + 4) apart leaves no point nearer another centre
    if (Math.sqrt(d) < 4 * (Math.sqrt(p) + 4)) return false;
  }
  return true;
}

function groupMeans(x: DenseMatrix<'f64'>, labels: Int32Array, k: number): Float64Array {
  const p = x.cols, sums = new Float64Array(k * p), counts = new Int32Array(k);
  for (let i = 0; i < x.rows; i++) { counts[labels[i]]++; for (let j = 0; j < p; j++) sums[labels[i] * p + j] += x.data[i * p + j]; }
  for (let a = 0; a < k; a++) for (let j = 0; j < p; j++) sums[a * p + j] /= counts[a];
  return sums;
}

test('kmeans recovers well-separated planted clusters exactly, with centres equal to the planted group means', async () => {
  await fc.assert(fc.asyncProperty(fc.record({
    k: fc.integer({ min: 1, max: 8 }), p: fc.integer({ min: 1, max: 12 }), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  }), async ({ k, p, seed }) => {
    const pl = planted(seed, k, p, 60);
    fc.pre(separated(pl));
    const res = kmeans(pl.x, k, { seed });
    // the partition must equal the planted one up to relabelling: a bijection found ↔ planted
    const map = new Int32Array(k).fill(-1), back = new Int32Array(k).fill(-1);
    for (let i = 0; i < pl.x.rows; i++) {
      const f = res.assignments[i], t = pl.labels[i];
      if (map[f] === -1 && back[t] === -1) { map[f] = t; back[t] = f; }
      assert.equal(map[f], t, `point ${i}: found cluster ${f} mixes planted clusters ${map[f]} and ${t}`);
    }
    const means = groupMeans(pl.x, pl.labels, k), p2 = pl.x.cols;
    for (let a = 0; a < k; a++) for (let j = 0; j < p2; j++) {
      assert.ok(Math.abs(res.centers.get(a, j) - means[map[a] * p2 + j]) < 1e-9 * (1 + Math.abs(means[map[a] * p2 + j])), 'centre = group mean');
    }
    assert.ok(res.converged);
    pl.x.free(); res.centers.free();
  }), fcParams(30));
});

test('kmeans from given initial centres reaches the same fixed point as ml-kmeans (an independent Lloyd implementation)', () => {
  fc.assert(fc.property(fc.record({
    n: fc.integer({ min: 10, max: 120 }), p: fc.integer({ min: 1, max: 6 }), k: fc.integer({ min: 2, max: 6 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  }), ({ n, p, k, seed }) => {
    const g = rng(seed);
    const x = DenseMatrix.from(g.fillNormal(new Float64Array(n * p)), n, p, 'f64');
    const start = DenseMatrix.zeros(k, p, 'f64');
    const perm = g.permutation(n);
    for (let a = 0; a < k; a++) for (let j = 0; j < p; j++) start.set(a, j, x.get(perm[a], j));
    const ours = kmeans(x, k, { initialCenters: start, tol: 0, maxIterations: 1000 });
    const theirs = mlKmeans(x.toRows(), k, { initialization: start.toRows(), tolerance: 0, maxIterations: 1000 });
    assert.ok(ours.converged && theirs.converged);
    // ml-kmeans keeps an empty cluster's old centre where we relocate it; skip the rare runs where that happened
    const sizes = new Int32Array(k);
    for (const a of theirs.clusters) sizes[a]++;
    fc.pre(sizes.every((s) => s > 0));
    assert.deepEqual(Array.from(ours.assignments), theirs.clusters);
    for (let a = 0; a < k; a++) for (let j = 0; j < p; j++) {
      assert.ok(Math.abs(ours.centers.get(a, j) - theirs.centroids[a][j]) < 1e-12, `centre ${a}, ${j}`);
    }
    x.free(); start.free(); ours.centers.free();
  }), fcParams(60));
});

test('kmeans output is a Lloyd fixed point: each point at its nearest centre, each centre its cluster mean, inertia = Σ‖x − c‖²', () => {
  const g = rng(5);
  const n = 300, p = 4, k = 7;
  const x = DenseMatrix.from(g.fillNormal(new Float64Array(n * p)), n, p, 'f64');
  const res = kmeans(x, k, { seed: 3, tol: 0 });
  assert.ok(res.converged);
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const d = (a: number) => { let s = 0; for (let j = 0; j < p; j++) s += (x.get(i, j) - res.centers.get(a, j)) ** 2; return s; };
    const mine = d(res.assignments[i]);
    inertia += mine;
    for (let a = 0; a < k; a++) assert.ok(mine <= d(a) + 1e-12, `point ${i} nearer centre ${a}`);
  }
  assert.ok(Math.abs(inertia - res.inertia) <= 1e-12 * inertia);
  const means = groupMeans(x, res.assignments, k);
  for (let t = 0; t < k * p; t++) assert.ok(Math.abs(means[t] - res.centers.data[t]) < 1e-12);
  // restarts keep the best of the runs: never worse than a single run from the same stream's first seeding
  const single = kmeans(x, k, { seed: 3, tol: 0, restarts: 1 });
  assert.ok(res.inertia <= single.inertia);
});

test('kmeans: same seed gives the same bits on the WASM and TS backends and across calls', async () => {
  const pl = planted(77, 5, 6, 10); // overlapping clusters: a real optimisation, not a trivial one
  const a = await withBackend('wasm-simd', () => kmeans(pl.x, 5, { seed: 9 }));
  const b = await withBackend('js', () => kmeans(pl.x, 5, { seed: 9 }));
  const c = kmeans(pl.x, 5, { seed: 9 });
  assert.deepEqual(a.assignments, b.assignments);
  assert.deepEqual(a.centers.data, b.centers.data);
  assert.equal(a.inertia, b.inertia);
  assert.deepEqual(a.centers.data, c.centers.data);
});

test('kmeans with fewer distinct points than k returns inertia 0 without NaN; typed errors before any work', () => {
  const x = DenseMatrix.fromRows([[0, 0], [0, 0], [1, 1], [1, 1], [5, 5], [5, 5]]);
  const res = kmeans(x, 5, { seed: 1 });
  assert.equal(res.inertia, 0);
  assert.ok(res.centers.data.every(Number.isFinite));
  assert.throws(() => kmeans(x, 7), (e: unknown) => e instanceof RangeError && /^kmeans: k = 7 exceeds the number of points n = 6/.test(e.message));
  assert.throws(() => kmeans(x, 0), /kmeans: k must be an integer ≥ 1/);
  assert.throws(() => kmeans(DenseMatrix.zeros(0, 3, 'f64'), 1), ShapeError);
  assert.throws(() => kmeans(x, 2, { tol: -1 }), /options.tol must be finite and ≥ 0/);
  assert.throws(() => kmeans(x, 2, { restarts: 0 }), RangeError);
  assert.throws(() => kmeans(x, 2, { seed: Number.NaN }), InputError);
  assert.throws(() => kmeans(x, 2, { initialCenters: DenseMatrix.zeros(3, 2, 'f64') }), (e: unknown) => e instanceof ShapeError && /initialCenters is 3×2, expected k×p = 2×2/.test(e.message));
  assert.throws(() => kmeans(x, 2, { initialCenters: DenseMatrix.zeros(2, 2, 'f64'), restarts: 3 }), InputError);
  const bad = x.clone();
  bad.set(3, 1, Number.NaN);
  assert.throws(() => kmeans(bad, 2), (e: unknown) => e instanceof InputError && /^kmeans: x has a non-finite value \(NaN\) at index 7/.test(e.message));
});
