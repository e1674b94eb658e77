import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SVD, Matrix as MlMatrix } from 'ml-matrix';
import {
  init, DenseMatrix, randomizedSvd, randomizedRangeFinder, defaultPowerIters, ShapeError, InputError, rng,
  type PowerIterationNormalizer,
} from '../../src/index.js';
import { withBackend } from '../support/backends.js';
import { fcParams, announceSeed } from '../support/fc.js';
import { withSpectrum, rankDeficient, gaussian, gram, frob, distanceFromIdentity, UNIT_ROUNDOFF } from '../support/matrices.js';

announceSeed('test/linalg/randomized-svd.test.ts');
await init();

/**
 * The HMT deviation bound for the power scheme with target rank k, p ≥ 4 oversamples and q power
 * iterations: with probability ≥ 1 − 3·p^{−p} (≤ 3e-10 at p = 10),
 *   ‖(I − QQᵀ)A‖ ≤ [(1 + 6√((k+p)·p·log p))·σ_{k+1}^{2q+1} + 3√(k+p)·(Σ_{j>k} σ_j^{2(2q+1)})^{1/2}]^{1/(2q+1)}.
 * Source: Halko, Martinsson & Tropp, SIAM Review 53 (2011), §10.3 (Thm. 10.8 with t = p, u = √(2p·log p))
 * applied to (AAᵀ)^q·A, whose singular values are σ_j^{2q+1}, through Thm. 9.2 — the tail form of Cor. 10.10.
 * No safety factor: the failure probability itself is the margin, and the seeds are fixed.
 */
function hmtBound(sigma: ArrayLike<number>, k: number, p: number, q: number): number {
  const e = 2 * q + 1;
  let tail = 0;
  for (let j = k; j < sigma.length; j++) tail += sigma[j] ** (2 * e);
  const sk1 = k < sigma.length ? sigma[k] : 0;
  const inner = (1 + 6 * Math.sqrt((k + p) * p * Math.log(p))) * sk1 ** e + 3 * Math.sqrt(k + p) * Math.sqrt(tail);
  return inner ** (1 / e);
}

/** ‖A − U·diag(s)·Vᵀ‖₂ by ml-matrix's full SVD of the residual (an independent implementation). */
function spectralResidual(a: DenseMatrix<'f64'>, u: DenseMatrix<'f64'>, s: Float64Array, v: DenseMatrix<'f64'>): number {
  const m = a.rows, n = a.cols, k = s.length;
  const r = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let t = 0;
    for (let c = 0; c < k; c++) t += u.data[i * k + c] * s[c] * v.data[j * k + c];
    r[i * n + j] = a.data[i * n + j] - t;
  }
  const rows = Array.from({ length: m }, (_, i) => Array.from(r.subarray(i * n, i * n + n)));
  return new SVD(new MlMatrix(rows), { autoTranspose: true, computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal[0];
}

function checkShapeAndSigns(label: string, res: ReturnType<typeof randomizedSvd>, m: number, n: number, k: number): void {
  const { u, s, v } = res;
  assert.equal(u.rows, m); assert.equal(u.cols, k); assert.equal(v.rows, n); assert.equal(v.cols, k);
  assert.equal(s.length, k);
  for (let i = 1; i < k; i++) assert.ok(s[i] <= s[i - 1], `${label}: s not descending at ${i}`);
  assert.ok(s[k - 1] >= 0, `${label}: negative singular value`);
  const N = Math.max(m, n);
  assert.ok(distanceFromIdentity(gram(u.data, m, k), k) <= 100 * N * UNIT_ROUNDOFF, `${label}: UᵀU ≠ I`);
  assert.ok(distanceFromIdentity(gram(v.data, n, k), k) <= 100 * N * UNIT_ROUNDOFF, `${label}: VᵀV ≠ I`);
  // svd_flip: the entry of largest magnitude of each column of u is positive.
  for (let c = 0; c < k; c++) {
    let best = 0;
    for (let i = 0; i < m; i++) if (Math.abs(u.data[i * k + c]) > Math.abs(best)) best = u.data[i * k + c];
    assert.ok(best > 0, `${label}: column ${c} of u has a negative largest entry`);
  }
}

test('known spectrum: ‖A − U·S·Vᵀ‖₂ ≤ σ_{k+1} + the HMT deviation bound, σ_i − ‖(I−QQᵀ)A‖ ≤ s_i ≤ σ_i, over shapes, k, p, q and normalizers', async () => {
  const cases = fc.record({
    m: fc.integer({ min: 20, max: 90 }),
    n: fc.integer({ min: 20, max: 90 }),
    k: fc.integer({ min: 1, max: 8 }),
    p: fc.integer({ min: 4, max: 10 }),
    q: fc.integer({ min: 0, max: 3 }),
    decay: fc.double({ min: 0.3, max: 0.97, noNaN: true }),
    normalizer: fc.constantFrom<PowerIterationNormalizer>('qr', 'lu'),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
  let runs = 0, informative = 0;
  await fc.assert(fc.asyncProperty(cases, async ({ m, n, k, p, q, decay, normalizer, seed }) => {
    const r = Math.min(m, n);
    const sigma = Array.from({ length: r }, (_, i) => decay ** i);
    const { a } = withSpectrum(rng(seed), m, n, sigma);
    const bound = hmtBound(sigma, k, p, q);
    runs++;
    if (sigma[k] + bound < 0.5 * sigma[0]) informative++;
    const rounding = 100 * (m + n) * UNIT_ROUNDOFF * sigma[0];
    for (const which of ['wasm-simd', 'js'] as const) {
      const res = await withBackend(which, () => randomizedSvd(a, k, { oversamples: p, powerIters: q, normalizer, seed: seed + 1 }));
      const label = `${which} ${m}×${n} k=${k} p=${p} q=${q} decay=${decay} ${normalizer}`;
      checkShapeAndSigns(label, res, m, n, k);
      const err = spectralResidual(a, res.u, res.s, res.v);
      assert.ok(err <= sigma[k] + bound + rounding, `${label}: ‖A − USVᵀ‖ = ${err} > σ_{k+1} + bound = ${sigma[k]} + ${bound}`);
      for (let i = 0; i < k; i++) {
        assert.ok(res.s[i] <= sigma[i] * (1 + 1e-13) + rounding, `${label}: s_${i} = ${res.s[i]} > σ_${i} = ${sigma[i]} (interlacing)`);
        assert.ok(res.s[i] >= sigma[i] - bound - rounding, `${label}: s_${i} = ${res.s[i]} < σ_${i} − bound (Weyl)`);
      }
      res.u.free(); res.v.free();
    }
    a.free();
  }), fcParams(25));
  // The bound is loose for slow decay; make sure enough cases would catch a wrong subspace (error ≈ σ₁).
  assert.ok(informative >= 0.3 * runs, `only ${informative} of ${runs} cases have σ_{k+1} + bound < σ₁/2`);
});

test('singular values match ml-matrix\'s full SVD to 1e-12·σ₁ when the sketch captures the whole range (rank ≤ k + p), tall and wide', async () => {
  for (const [m, n, rank, k] of [[60, 40, 12, 8], [40, 70, 15, 10], [30, 30, 5, 5]] as const) {
    const a = rankDeficient(rng(m + n), m, n, rank);
    const full = new SVD(new MlMatrix(a.toRows()), { autoTranspose: true }).diagonal;
    for (const which of ['wasm-simd', 'js'] as const) {
      const res = await withBackend(which, () => randomizedSvd(a, k, { seed: 3 }));
      checkShapeAndSigns(`${which} ${m}×${n}`, res, m, n, k);
      for (let i = 0; i < k; i++) {
        assert.ok(Math.abs(res.s[i] - full[i]) <= 1e-12 * full[0], `${which} ${m}×${n}: s_${i} = ${res.s[i]} vs ml-matrix ${full[i]}`);
      }
      // rank ≤ ℓ: the range finder is exact, so the rank-k error is exactly σ_{k+1}
      const err = spectralResidual(a, res.u, res.s, res.v);
      assert.ok(Math.abs(err - full[k]) <= 1e-12 * full[0], `${which}: residual ${err} vs σ_{k+1} = ${full[k]}`);
    }
    a.free();
  }
});

test('the same seed gives bit-identical results on each backend; WASM and TS agree to 1e-10 on a gapped spectrum; another seed gives another sketch', async () => {
  const sigma = Array.from({ length: 50 }, (_, i) => (i < 6 ? 10 - i : 0.01 * 0.9 ** i));
  const { a } = withSpectrum(rng(21), 120, 50, sigma);
  const run = (which: 'wasm-simd' | 'js', seed: number) => withBackend(which, () => randomizedSvd(a, 6, { seed, powerIters: 1 }));
  const w1 = await run('wasm-simd', 5), w2 = await run('wasm-simd', 5), j1 = await run('js', 5), j2 = await run('js', 5);
  assert.deepEqual(w1.u.data, w2.u.data); assert.deepEqual(w1.s, w2.s); assert.deepEqual(w1.v.data, w2.v.data);
  assert.deepEqual(j1.u.data, j2.u.data); assert.deepEqual(j1.s, j2.s); assert.deepEqual(j1.v.data, j2.v.data);
  // Gap σ₆/σ₇ ≈ 5/0.005: the computed subspaces differ from the exact ones by ~ε·σ₁/gap, far below 1e-10.
  assert.ok(frob(w1.s, j1.s) <= 1e-10 * sigma[0]);
  assert.ok(frob(w1.u.data, j1.u.data) <= 1e-10, `u differs by ${frob(w1.u.data, j1.u.data)}`);
  assert.ok(frob(w1.v.data, j1.v.data) <= 1e-10, `v differs by ${frob(w1.v.data, j1.v.data)}`);
  const q1 = randomizedRangeFinder(a, 8, { seed: 5 }), q2 = randomizedRangeFinder(a, 8, { seed: 6 });
  assert.notDeepEqual(q1.data, q2.data);
});

test('randomizedRangeFinder: orthonormal Q with ‖A − QQᵀA‖ ≤ 1e-12·‖A‖ when size ≥ rank(A), for every normalizer', async () => {
  const m = 80, n = 50, rank = 7;
  const a = rankDeficient(rng(2), m, n, rank);
  for (const normalizer of ['qr', 'lu', 'none'] as const) {
    for (const which of ['wasm-simd', 'js'] as const) {
      const q = await withBackend(which, () => randomizedRangeFinder(a, 9, { powerIters: 2, normalizer, seed: 1 }));
      assert.equal(q.rows, m); assert.equal(q.cols, 9);
      assert.ok(distanceFromIdentity(gram(q.data, m, 9), 9) <= 100 * m * UNIT_ROUNDOFF, `${which} ${normalizer}: QᵀQ ≠ I`);
      // QQᵀA by plain loops
      const qta = new Float64Array(9 * n);
      for (let i = 0; i < m; i++) for (let c = 0; c < 9; c++) for (let j = 0; j < n; j++) qta[c * n + j] += q.data[i * 9 + c] * a.data[i * n + j];
      const proj = new Float64Array(m * n);
      for (let i = 0; i < m; i++) for (let c = 0; c < 9; c++) for (let j = 0; j < n; j++) proj[i * n + j] += q.data[i * 9 + c] * qta[c * n + j];
      assert.ok(frob(a.data, proj) <= 1e-12 * frob(a.data), `${which} ${normalizer}: ‖A − QQᵀA‖ = ${frob(a.data, proj)}`);
    }
  }
});

test("powerIters 'auto' follows scikit-learn: 7 when k < 0.1·min(m, n), else 4", () => {
  // scikit-learn randomized_svd docstring: n_iter='auto' is 7 if n_components < .1 * min(X.shape), else 4.
  assert.equal(defaultPowerIters(16, 20000, 256), 7);
  assert.equal(defaultPowerIters(26, 256, 20000), 4);
  assert.equal(defaultPowerIters(10, 100, 100), 4);
  assert.equal(defaultPowerIters(9, 100, 100), 7);
});

test('randomizedSvd rejects bad input and options with typed errors before any work', () => {
  const a = gaussian(rng(1), 6, 4);
  assert.throws(() => randomizedSvd([[1]] as never, 1), (e: unknown) => e instanceof InputError && /^randomizedSvd: a must be a DenseMatrix/.test(e.message));
  assert.throws(() => randomizedSvd(DenseMatrix.zeros(6, 4, 'f32') as never, 1), (e: unknown) => e instanceof InputError && /^randomizedSvd: a is f32/.test(e.message));
  assert.throws(() => randomizedSvd(DenseMatrix.zeros(0, 4, 'f64'), 1), (e: unknown) => e instanceof ShapeError && /^randomizedSvd: a is 0×4/.test(e.message));
  assert.throws(() => randomizedSvd(a, 5), (e: unknown) => e instanceof RangeError && /^randomizedSvd: k must be ≤ min\(m, n\) = 4, got 5/.test(e.message));
  assert.throws(() => randomizedSvd(a, 0), (e: unknown) => e instanceof RangeError && /^randomizedSvd: k must be ≥ 1/.test(e.message));
  assert.throws(() => randomizedSvd(a, 1.5), (e: unknown) => e instanceof TypeError && /^randomizedSvd: k must be an integer/.test(e.message));
  assert.throws(() => randomizedSvd(a, 2, { oversamples: -1 }), (e: unknown) => e instanceof RangeError && /options\.oversamples/.test(e.message));
  assert.throws(() => randomizedSvd(a, 2, { powerIters: 'many' as never }), (e: unknown) => e instanceof TypeError && /options\.powerIters/.test(e.message));
  assert.throws(() => randomizedSvd(a, 2, { seed: 0.5 }), (e: unknown) => e instanceof TypeError && /options\.seed/.test(e.message));
  assert.throws(() => randomizedSvd(a, 2, { normalizer: 'QR' as never }), (e: unknown) => e instanceof RangeError && /options\.normalizer/.test(e.message));
  const bad = a.clone();
  bad.set(5, 3, Number.NaN);
  assert.throws(() => randomizedSvd(bad, 2), (e: unknown) => e instanceof InputError && /^randomizedSvd: a has a non-finite value \(NaN\) at index 23/.test(e.message));
  assert.throws(() => randomizedRangeFinder(a, 5), (e: unknown) => e instanceof RangeError && /^randomizedRangeFinder: size must be ≤ min\(m, n\) = 4/.test(e.message));
});

test('k = min(m, n) and 1×n / m×1 inputs: the full SVD is recovered (σ of a rank-1 row is its norm)', () => {
  const row = DenseMatrix.fromRows([[3, 4, 0, 0, 0]]);
  const r = randomizedSvd(row, 1);
  assert.ok(Math.abs(r.s[0] - 5) <= 1e-14, `s = ${r.s[0]}`); // ‖(3, 4, 0, 0, 0)‖ = 5
  assert.equal(r.u.get(0, 0), 1);
  const col = DenseMatrix.fromRows([[0], [-12], [5]]);
  const c = randomizedSvd(col, 1);
  assert.ok(Math.abs(c.s[0] - 13) <= 1e-14, `s = ${c.s[0]}`); // ‖(0, −12, 5)‖ = 13
  assert.ok(c.u.get(1, 0) > 0, 'svd_flip makes the largest entry (−12) positive');
  assert.ok(Math.abs(c.v.get(0, 0) + 1) <= 1e-15, 'and v carries the sign: u·s·v = col');
});
