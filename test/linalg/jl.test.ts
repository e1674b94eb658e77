import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  init, DenseMatrix, rng, matmul, jlMatrix, jlTransform, jlMinDim, InputError, ShapeError,
  type JlOptions,
} from '../../src/index.js';
import * as twin from '../../src/twin/hadamard.js';
import { withBackend, worstRelative } from '../support/backends.js';
import { fcParams, announceSeed } from '../support/fc.js';
import { binomialUpperLimit } from '../support/binomial.js';

announceSeed('test/linalg/jl.test.ts');
await init();

const KINDS: [string, JlOptions][] = [
  ['gaussian', { kind: 'gaussian' }],
  ['Rademacher (sparse-sign, s = 1)', { kind: 'sparse-sign', density: 1 }],
  ['Achlioptas (sparse-sign, s = 1/3)', { kind: 'sparse-sign' }],
  ['very sparse (s = 1/√D)', { kind: 'sparse-sign', density: 'auto' }],
  ['srht', { kind: 'srht' }],
];

test('jlMinDim: the Lemma L5 example (docs/theory.md §16), hand-computed values, and the counting conventions', () => {
  // Lemma L5 (docs/theory.md §16): m = 1000, δ = 0.01, ε = 0.1 gives d = 5529 (m pairs, N = 2m)
  assert.equal(jlMinDim(1000, 0.1, 0.01), 5529);
  // by hand: N = 10 vectors, ε = 1/2, δ = 1/10: 4·ln(200)/(1/4 − 1/12) = 24·ln 200 = 127.16… → 128
  assert.equal(jlMinDim(10, 0.5, 0.1, { count: 'vectors' }), 128);
  assert.equal(jlMinDim(5, 0.5, 0.1, { count: 'pairs' }), 128); // 5 pairs = 10 vectors x ± y
  assert.equal(jlMinDim(5, 0.5, 0.1, { count: 'points' }), 128); // 5 points = 10 differences
  fc.assert(fc.property(fc.integer({ min: 1, max: 1e6 }), fc.double({ min: 0.01, max: 0.99, noNaN: true }),
    fc.double({ min: 1e-6, max: 0.5, noNaN: true }), (m, eps, delta) => {
      const d = jlMinDim(m, eps, delta);
      assert.ok(jlMinDim(m + 1, eps, delta) >= d, 'more pairs never need fewer dimensions');
      assert.ok(jlMinDim(m, eps, delta / 2) >= d, 'a smaller δ never needs fewer dimensions');
      assert.ok(jlMinDim(m, Math.min(0.999, eps * 1.1), delta) <= d, 'a larger ε never needs more dimensions');
      assert.equal(jlMinDim(2 * m, eps, delta, { count: 'vectors' }), d);
    }), fcParams(100));
});

test('jlMinDim and jlMatrix reject ε, δ outside (0, 1), bad counts, sizes and options before any work', () => {
  for (const eps of [0, 1, -0.1, 1.5, Number.NaN]) {
    assert.throws(() => jlMinDim(10, eps, 0.1), (e: unknown) => e instanceof RangeError && /^jlMinDim: eps must lie in \(0, 1\)/.test(e.message));
  }
  for (const delta of [0, 1, Number.NaN]) assert.throws(() => jlMinDim(10, 0.1, delta), /^RangeError: jlMinDim: delta must lie in \(0, 1\)/);
  assert.throws(() => jlMinDim(0, 0.1, 0.1), /jlMinDim: m must be an integer ≥ 1/);
  assert.throws(() => jlMinDim(1, 0.1, 0.1, { count: 'points' }), /jlMinDim: m must be an integer ≥ 2/);
  assert.throws(() => jlMinDim(3, 0.1, 0.1, { count: 'edges' as never }), InputError);
  assert.throws(() => jlMatrix(0, 4), /jlMatrix: d must be an integer ≥ 1/);
  assert.throws(() => jlMatrix(2, 2.5), RangeError);
  assert.throws(() => jlMatrix(2, 4, { kind: 'fjlt' as never }), InputError);
  assert.throws(() => jlMatrix(2, 4, { kind: 'sparse-sign', density: 0 }), /density must lie in \(0, 1\]/);
  assert.throws(() => jlMatrix(2, 4, { density: 0.5 }), (e: unknown) => e instanceof InputError && /only to kind 'sparse-sign'/.test(e.message));
  assert.throws(() => jlMatrix(9, 5, { kind: 'srht' }), /at most 2\^⌈log₂ D⌉ = 8 distinct rows/);
  assert.throws(() => jlMatrix(2, 4, { seed: 1.5 }), InputError);
  const x = DenseMatrix.zeros(3, 4, 'f64');
  x.set(2, 1, Number.NaN);
  assert.throws(() => jlTransform(x, 2), (e: unknown) => e instanceof InputError && /^jlTransform: x has a non-finite value \(NaN\) at index 9/.test(e.message));
  assert.throws(() => jlTransform(DenseMatrix.zeros(0, 4, 'f64'), 2), ShapeError);
  assert.throws(() => jlTransform(DenseMatrix.zeros(3, 4, 'f32') as never, 2), InputError);
  assert.throws(() => jlTransform(DenseMatrix.zeros(3, 4, 'f64'), 2, { vectors: 'both' as never }), InputError);
});

test('jlMatrix entries: Gaussian variance 1/d, sparse sign values and density, SRHT ±1/√d with M·Mᵀ = (D/d)·I', () => {
  const d = 64, D = 512;
  const g = jlMatrix(d, D, { kind: 'gaussian', seed: 1 }).data;
  let sum = 0, sq = 0;
  for (const v of g) { sum += v; sq += v * v; }
  const N = d * D, varHat = sq / N;
  // mean of N iid N(0, 1/d): sd √(1/(d·N)); sample variance: sd ≈ (1/d)·√(2/N). Six standard deviations.
  assert.ok(Math.abs(sum / N) < 6 * Math.sqrt(1 / (d * N)), `mean ${sum / N}`);
  assert.ok(Math.abs(varHat * d - 1) < 6 * Math.sqrt(2 / N), `variance·d ${varHat * d}`);
  for (const s of [1, 1 / 3, 0.05]) {
    const m = jlMatrix(d, D, { kind: 'sparse-sign', density: s, seed: 2 }).data, v = 1 / Math.sqrt(s * d);
    let nz = 0, pos = 0;
    for (const x of m) {
      assert.ok(x === 0 || Math.abs(Math.abs(x) - v) < 1e-15, `entry ${x} not in {0, ±${v}}`);
      if (x !== 0) nz++;
      if (x > 0) pos++;
    }
    assert.ok(Math.abs(nz / N - s) <= 6 * Math.sqrt(s * (1 - s) / N), `density ${nz / N} vs ${s}`);
    assert.ok(Math.abs(pos / nz - 0.5) < 6 * Math.sqrt(0.25 / nz), `sign balance ${pos / nz}`);
  }
  // SRHT with D a power of two: distinct rows of an orthogonal-up-to-scale H·diag(σ), so M·Mᵀ = (D/d)·I exactly
  const h = jlMatrix(d, D, { kind: 'srht', seed: 3 });
  for (const x of h.data) assert.equal(Math.abs(x), 1 / Math.sqrt(d));
  const mmT = matmul(h, h, { transB: true });
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    assert.ok(Math.abs(mmT.get(i, j) - (i === j ? D / d : 0)) < 1e-12, `(M·Mᵀ)[${i},${j}] = ${mmT.get(i, j)}`);
  }
  assert.deepEqual(jlMatrix(5, 7, { seed: 9 }).data, jlMatrix(5, 7, { seed: 9 }).data, 'same seed, same matrix');
  assert.notDeepEqual(jlMatrix(5, 7, { seed: 9 }).data, jlMatrix(5, 7, { seed: 10 }).data);
});

/** Unnormalised Sylvester–Hadamard matrix H[r, c] = (−1)^popcount(r & c), written out independently. */
function hadamard(n: number): Float64Array {
  const h = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
    let bits = r & c, parity = 0;
    while (bits) { parity ^= bits & 1; bits >>>= 1; }
    h[r * n + c] = parity ? -1 : 1;
  }
  return h;
}

test('fwht_f64 kernel: bit-identical to its twin, equal to H·x, and H·H·x = n·x', async () => {
  const k = (await import('../../src/runtime/init.js')).wasmKernels();
  assert.ok(k, 'the WASM kernels are loaded');
  await fc.assert(fc.asyncProperty(fc.record({
    logN: fc.integer({ min: 0, max: 7 }), width: fc.integer({ min: 1, max: 5 }), count: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  }), async ({ logN, width, count, seed }) => {
    const n = 2 ** logN, len = count * n * width;
    const x = rng(seed).fillNormal(new Float64Array(len));
    const ref = x.slice();
    twin.fwht_f64(ref, count, n, width);
    const ptr = k.alloc(len * 8);
    try {
      new Float64Array(k.memory.buffer, ptr, len).set(x);
      k.fwht_f64(ptr, count, n, width);
      assert.deepEqual(new Float64Array(k.memory.buffer, ptr, len).slice(), ref, 'kernel and twin differ');
    } finally {
      k.free(ptr);
    }
    const h = hadamard(n);
    for (let b = 0; b < count; b++) for (let r = 0; r < n; r++) for (let c = 0; c < width; c++) {
      let s = 0, abs = 0;
      for (let t = 0; t < n; t++) { const v = x[b * n * width + t * width + c]; s += h[r * n + t] * v; abs += Math.abs(v); }
      assert.ok(Math.abs(ref[b * n * width + r * width + c] - s) <= (logN + 1) * 2 ** -52 * abs, 'H·x');
    }
    const twice = ref.slice();
    twin.fwht_f64(twice, count, n, width);
    assert.ok(worstRelative(twice, x.map((v) => n * v), 0, 1e-12 * n) <= 1, 'H·H = n·I');
  }), fcParams(40));
});

test('jlTransform equals x·Mᵀ (rows) and M·x (columns) with M = jlMatrix(same seed), every kind, D not a power of 2', async () => {
  await fc.assert(fc.asyncProperty(fc.record({
    n: fc.integer({ min: 1, max: 9 }), D: fc.integer({ min: 1, max: 40 }), dFrac: fc.double({ min: 0.01, max: 1, noNaN: true }),
    kind: fc.constantFrom(...KINDS.map(([, o]) => o)), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  }), async ({ n, D, dFrac, kind, seed }) => {
    const d = Math.max(1, Math.round(dFrac * D));
    const opts = { ...kind, seed };
    const x = DenseMatrix.from(rng(seed ^ 0x5bd1).fillNormal(new Float64Array(n * D)), n, D, 'f64');
    const xt = x.transpose();
    const m = jlMatrix(d, D, opts);
    const expectRows = matmul(x, m, { transB: true }), expectCols = matmul(m, xt);
    for (const which of ['wasm-simd', 'js'] as const) {
      const rows = await withBackend(which, () => jlTransform(x, d, opts));
      const cols = await withBackend(which, () => jlTransform(xt, d, { ...opts, vectors: 'columns' }));
      assert.equal(rows.rows, n); assert.equal(rows.cols, d); assert.equal(cols.rows, d); assert.equal(cols.cols, n);
      assert.ok(worstRelative(rows.data, expectRows.data, 1e-12, 1e-12 * Math.sqrt(D)) <= 1, `${which} rows`);
      assert.ok(worstRelative(cols.data, expectCols.data, 1e-12, 1e-12 * Math.sqrt(D)) <= 1, `${which} columns`);
    }
    if (kind.kind === 'srht') {
      const a = await withBackend('wasm-simd', () => jlTransform(x, d, opts));
      const b = await withBackend('js', () => jlTransform(x, d, opts));
      assert.deepEqual(a.data, b.data, 'SRHT: bit-identical across backends');
    }
  }), fcParams(60));
});

/** Realised distortion of the pairs: max |(Mx)·(My) − x·y| / ((‖x‖² + ‖y‖²)/2) (Lemma L5, docs/theory.md §16). */
function distortion(mx: DenseMatrix<'f64'>, x: DenseMatrix<'f64'>, pairs: number): number {
  const D = x.cols, d = mx.cols;
  let worst = 0;
  for (let p = 0; p < pairs; p++) {
    const i = 2 * p, j = 2 * p + 1;
    let dot = 0, xx = 0, yy = 0, sk = 0;
    for (let t = 0; t < D; t++) { dot += x.data[i * D + t] * x.data[j * D + t]; xx += x.data[i * D + t] ** 2; yy += x.data[j * D + t] ** 2; }
    for (let t = 0; t < d; t++) sk += mx.data[i * d + t] * mx.data[j * d + t];
    worst = Math.max(worst, Math.abs(sk - dot) / ((xx + yy) / 2));
  }
  return worst;
}

test('JL at d = jlMinDim(m, ε, δ): m pairs keep their dot products within (ε/2)(‖x‖²+‖y‖²) in all but ≤ a binomial limit for δ of 200 seeds', () => {
  // Gaussian, Rademacher and Achlioptas carry this bound (Dasgupta & Gupta; Achlioptas 2003, Thm 1.1). For the
  // very sparse map and the SRHT it is not proven at these constants: the test records that they meet it here.
  const pairs = 8, eps = 0.6, delta = 0.2, D = 100, trials = 200;
  const d = jlMinDim(pairs, eps, delta), dSmall = Math.floor(d / 16);
  assert.equal(d, 94); // 4·ln(2·16/0.2)/(0.36 − 2·0.216/3) = 20.30/0.216 = 93.98 → 94, by hand
  const limit = binomialUpperLimit(trials, delta, 1e-3);
  for (const [label, kind] of KINDS) {
    let failures = 0, failuresSmall = 0;
    for (let seed = 0; seed < trials; seed++) {
      const g = rng(1_000_003 * seed + 17);
      const vals = g.fillNormal(new Float64Array(2 * pairs * D));
      // vary the norms so the additive form is exercised, not just unit vectors
      for (let i = 0; i < 2 * pairs; i++) { const f = 0.5 + 2 * g.float(); for (let t = 0; t < D; t++) vals[i * D + t] *= f; }
      const x = DenseMatrix.from(vals, 2 * pairs, D, 'f64');
      const full = jlTransform(x, d, { ...kind, seed });
      if (distortion(full, x, pairs) > eps) failures++;
      // negative control: a map ~16 times too narrow must fail often, or the check could not detect anything
      const small = jlTransform(x, dSmall, { ...kind, seed });
      if (distortion(small, x, pairs) > eps) failuresSmall++;
      x.free(); full.free(); small.free();
    }
    console.log(`# ${label}: d = ${d}: ${failures}/${trials} failures (limit ${limit}); d = ${dSmall}: ${failuresSmall}/${trials}`);
    assert.ok(failures <= limit, `${label}: ${failures} failures of ${trials} > ${limit}, the 99.9% binomial limit for δ = ${delta}`);
    assert.ok(failuresSmall > limit, `${label}: the too-narrow control failed only ${failuresSmall} times`);
  }
});
