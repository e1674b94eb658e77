import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Matrix as MlMatrix, QrDecomposition } from 'ml-matrix';
import { jacobiNorm2 } from '../support/jacobi-svd.js';
import {
  init, DenseMatrix, rng, rowNorms, columnNorms, operatorNorm, ConvergenceError, InputError, ShapeError,
} from '../../src/index.js';
import { withBackend } from '../support/backends.js';
import { fcParams, announceSeed } from '../support/fc.js';

announceSeed('test/linalg/norms.test.ts');
await init();

const EPS = 2 ** -52;

/** Σx² with one accumulator, in row order: an independent reference for the kernel's lane order. */
function naiveSq(x: ArrayLike<number>, start: number, stride: number, n: number): number {
  let s = 0;
  for (let t = 0; t < n; t++) s += x[start + t * stride] ** 2;
  return s;
}

/** A = U·diag(σ)·Vᵀ with U, V the orthogonal factors of ml-matrix QR of Gaussian matrices. */
function withSpectrum(seed: number, m: number, n: number, sigma: number[]): DenseMatrix<'f64'> {
  const g = rng(seed);
  const gauss = (r: number, c: number) => new MlMatrix(Array.from({ length: r }, () => Array.from({ length: c }, () => g.normal())));
  const u = new QrDecomposition(gauss(m, m)).orthogonalMatrix.subMatrix(0, m - 1, 0, sigma.length - 1);
  const v = new QrDecomposition(gauss(n, n)).orthogonalMatrix.subMatrix(0, n - 1, 0, sigma.length - 1);
  return DenseMatrix.fromMl(u.mmul(MlMatrix.diag(sigma)).mmul(v.transpose()));
}

const shape = fc.record({
  m: fc.integer({ min: 0, max: 23 }),
  n: fc.integer({ min: 0, max: 23 }), // crosses the 4- and 2-wide SIMD steps and their tails
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

test('rowNorms and columnNorms: WASM and twin give the same bits, within (n+2)·ε of a one-accumulator sum', async () => {
  await fc.assert(fc.asyncProperty(shape, async ({ m, n, seed }) => {
    const a = DenseMatrix.from(rng(seed).fillNormal(new Float64Array(m * n)), m, n, 'f64');
    for (const squared of [false, true]) {
      const rw = await withBackend('wasm-simd', () => rowNorms(a, { squared }));
      const rj = await withBackend('js', () => rowNorms(a, { squared }));
      const cw = await withBackend('wasm-simd', () => columnNorms(a, { squared }));
      const cj = await withBackend('js', () => columnNorms(a, { squared }));
      assert.deepEqual(rw, rj, 'row norms: bit-identical across backends');
      assert.deepEqual(cw, cj, 'column norms: bit-identical across backends');
      assert.equal(rw.length, m); assert.equal(cw.length, n);
      for (let i = 0; i < m; i++) {
        const ref = naiveSq(a.data, i * n, 1, n), got = squared ? rw[i] : rw[i] ** 2;
        assert.ok(Math.abs(got - ref) <= (n + 4) * EPS * ref, `row ${i}: ${got} vs ${ref}`);
      }
      for (let j = 0; j < n; j++) {
        const ref = naiveSq(a.data, j, n, m), got = squared ? cw[j] : cw[j] ** 2;
        assert.ok(Math.abs(got - ref) <= (m + 4) * EPS * ref, `column ${j}: ${got} vs ${ref}`);
      }
    }
    a.free();
  }), fcParams(60));
});

test('rowNorms and columnNorms rescale rows whose squares overflow or underflow (3-4-5 triangle at 1e±200)', async () => {
  // expected values: ‖(3, 4)‖ = 5 exactly, scaled by 10^±200; the zero row stays 0
  const a = DenseMatrix.fromRows([[3e200, 4e200, 0], [3e-200, 4e-200, 0], [0, 0, 0]]);
  for (const which of ['wasm-simd', 'js'] as const) {
    const r = await withBackend(which, () => rowNorms(a));
    assert.ok(Math.abs(r[0] / 5e200 - 1) < 4 * EPS, `${which}: ${r[0]}`);
    assert.ok(Math.abs(r[1] / 5e-200 - 1) < 4 * EPS, `${which}: ${r[1]}`);
    assert.equal(r[2], 0);
    const c = await withBackend(which, () => columnNorms(a));
    assert.ok(Math.abs(c[0] / 3e200 - 1) < 4 * EPS && Math.abs(c[1] / 4e200 - 1) < 4 * EPS && c[2] === 0, `${which}: ${c}`);
  }
  const tiny = DenseMatrix.fromRows([[3e-200, 4e-200]]);
  assert.ok(Math.abs(columnNorms(tiny)[0] / 3e-200 - 1) < 4 * EPS);
});

test('rowNorms and columnNorms accept empty matrices and reject non-f64 or non-finite input', () => {
  assert.deepEqual(rowNorms(DenseMatrix.zeros(0, 3, 'f64')), new Float64Array(0));
  assert.deepEqual(columnNorms(DenseMatrix.zeros(0, 3, 'f64')), new Float64Array(3));
  assert.deepEqual(rowNorms(DenseMatrix.zeros(2, 0, 'f64')), new Float64Array(2));
  const bad = DenseMatrix.zeros(3, 3, 'f64');
  bad.set(1, 2, Number.POSITIVE_INFINITY);
  assert.throws(() => rowNorms(bad), (e: unknown) => e instanceof InputError && /^rowNorms: a has a non-finite value \(Infinity\) at index 5/.test(e.message));
  assert.throws(() => columnNorms(DenseMatrix.zeros(2, 2, 'f32') as never), (e: unknown) => e instanceof InputError && /^columnNorms: a is f32/.test(e.message));
  assert.throws(() => rowNorms([[1]] as never), InputError);
});

test('operatorNorm equals the reference (Jacobi) SVD σ₁ within tol·σ₁ and never exceeds it, on random shapes and both backends', async () => {
  const tol = 1e-10;
  await fc.assert(fc.asyncProperty(fc.record({
    m: fc.integer({ min: 1, max: 40 }), n: fc.integer({ min: 1, max: 40 }), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  }), async ({ m, n, seed }) => {
    const a = DenseMatrix.from(rng(seed).fillNormal(new Float64Array(m * n)), m, n, 'f64');
    const sigma1 = jacobiNorm2(Float64Array.from(a.data), a.rows, a.cols);
    for (const which of ['wasm-simd', 'js'] as const) {
      const est = await withBackend(which, () => operatorNorm(a, { tol, seed }));
      assert.ok(est <= sigma1 * (1 + 64 * EPS), `${which}: estimate ${est} above σ₁ = ${sigma1}`);
      assert.ok(sigma1 - est <= tol * sigma1, `${which}: σ₁ − estimate = ${sigma1 - est} > tol·σ₁ = ${tol * sigma1}`);
    }
    a.free();
  }), fcParams(40));
});

test('operatorNorm on planted spectra: close gap σ₂/σ₁ = 0.99, a repeated σ₁, rank one, zero and scalar matrices', () => {
  const tol = 1e-10;
  // expected values: the planted σ₁ of A = U·diag(σ)·Vᵀ (U, V orthonormal), up to rounding in building A
  for (const [sigma, label] of [[[5, 4.95, 1, 0.5], 'gap 0.99'], [[2, 2, 1], 'repeated'], [[7], 'rank one']] as [number[], string][]) {
    const a = withSpectrum(11, 30, 20, sigma);
    const est = operatorNorm(a, { tol });
    assert.ok(Math.abs(est - sigma[0]) <= tol * sigma[0] + 1e-13, `${label}: ${est} vs ${sigma[0]}`);
  }
  assert.equal(operatorNorm(DenseMatrix.zeros(4, 3, 'f64')), 0);
  assert.equal(operatorNorm(DenseMatrix.fromRows([[-3]])), 3); // |a| for 1×1
  const e = DenseMatrix.zeros(5, 5, 'f64');
  for (let i = 0; i < 5; i++) e.set(i, i, 1);
  assert.ok(Math.abs(operatorNorm(e) - 1) < 1e-15); // ‖I‖ = 1
});

test('operatorNorm with σ₂/σ₁ = 1 − 1e-7 and 1 − 1e-4 (power iteration alone stalls): Lanczos hand-over reaches tol', () => {
  // Power iteration's error shrinks by ρ = (σ₂/σ₁)⁴ a step: 1 − 4e-7 needs ~10⁷ steps for tol = 1e-10, far past
  // the default 10⁴ (it threw ConvergenceError before the Lanczos hand-over). The planted σ₁ is the reference.
  for (const [gap, tol] of [[1e-7, 1e-10], [1e-4, 1e-12], [0, 1e-12]] as [number, number][]) {
    const sigma = [3, 3 * (1 - gap), 2.9, 1, 0.2];
    const a = withSpectrum(17, 40, 25, sigma);
    const est = operatorNorm(a, { tol });
    assert.ok(est <= sigma[0] * (1 + 1e-13), `gap ${gap}: ${est} exceeds σ₁ = ${sigma[0]}`);
    assert.ok(sigma[0] - est <= tol * sigma[0] + 1e-13, `gap ${gap}: ${est} vs σ₁ = ${sigma[0]} (error ${sigma[0] - est})`);
    a.free();
  }
  // A flat spectrum (every σ equal but one): the Krylov space becomes invariant, Lanczos stops exactly.
  const flat = withSpectrum(5, 30, 30, [...Array(29).fill(1), 1 + 1e-9]);
  assert.ok(Math.abs(operatorNorm(flat, { tol: 1e-12 }) - (1 + 1e-9)) <= 1e-12 * 1.1 + 1e-13);
});

test('operatorNorm throws ConvergenceError when maxIterations is too small, and typed errors before any work', () => {
  const close = withSpectrum(3, 30, 20, [1, 0.999, 0.5]);
  assert.throws(() => operatorNorm(close, { maxIterations: 3, tol: 1e-12 }), (e: unknown) => e instanceof ConvergenceError && /^operatorNorm: power iteration did not reach tol/.test(e.message));
  const a = DenseMatrix.fromRows([[1, 2], [3, 4]]);
  assert.throws(() => operatorNorm(a, { tol: 0 }), (e: unknown) => e instanceof RangeError && /^operatorNorm: options.tol must lie in \(0, 1\)/.test(e.message));
  assert.throws(() => operatorNorm(a, { tol: 1 }), RangeError);
  assert.throws(() => operatorNorm(a, { maxIterations: 0 }), RangeError);
  assert.throws(() => operatorNorm(a, { seed: 0.5 }), InputError);
  assert.throws(() => operatorNorm(DenseMatrix.zeros(0, 2, 'f64')), (e: unknown) => e instanceof ShapeError && /^operatorNorm: a is 0×2/.test(e.message));
  a.set(0, 0, Number.NaN);
  assert.throws(() => operatorNorm(a), (e: unknown) => e instanceof InputError && /^operatorNorm: a has a non-finite value \(NaN\)/.test(e.message));
});
