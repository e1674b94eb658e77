import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SVD, Matrix as MlMatrix } from 'ml-matrix';
import { init, DenseMatrix, pivotedQr, PivotedQr, ShapeError, InputError, rng } from '../../src/index.js';
import { withBackend } from '../support/backends.js';
import { fcParams, announceSeed } from '../support/fc.js';
import {
  matrixCase, matrixOfKind, rankDeficient, withSpectrum, kahan, rotatedKahan, gaussian, mul, gram, frob, distanceFromIdentity, EPS, UNIT_ROUNDOFF,
} from '../support/matrices.js';

announceSeed('test/linalg/pivoted-qr.test.ts');
await init();

// LAPACK's xQPT01/xQRT11 ratios for A·P = Q·R, threshold 30 (see qr.test.ts for the norms and N).
const THRESH = 30;
// The downdated column norms that choose the pivots carry a relative error up to about u/tol3z = √u
// (LAPACK recomputes a norm once the downdate has cancelled below tol3z = √u; Drmač & Bujanović 2008),
// so the greedy inequalities hold up to that factor; 10·√u leaves room for the ≤ 10 downdates between
// recomputations. The absolute term is the backward error of the factorisation itself.
const NORM_REL = 10 * Math.sqrt(2 ** -53);

function permuted(a: DenseMatrix<'f64'>, p: Int32Array): Float64Array {
  const m = a.rows, n = a.cols, out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = a.data[i * n + p[j]];
  return out;
}

function checkFactorisation(label: string, a: DenseMatrix<'f64'>, f: PivotedQr): void {
  const m = a.rows, n = a.cols, k = Math.min(m, n), N = Math.max(m, n);
  const p = f.pivotPermutationVector;
  assert.deepEqual(Array.from(p).sort((x, y) => x - y), Array.from({ length: n }, (_, j) => j), `${label}: not a permutation`);
  const q = f.orthogonalMatrix, r = f.upperTriangularMatrix;
  const normA = frob(a.data);
  const ap = permuted(a, p);
  const residual = normA === 0 ? frob(mul(q.data, r.data, m, k, n)) : frob(ap, mul(q.data, r.data, m, k, n)) / (normA * N * UNIT_ROUNDOFF);
  const orthogonality = distanceFromIdentity(gram(q.data, m, k), k) / (N * UNIT_ROUNDOFF);
  assert.ok(residual < THRESH, `${label}: residual ratio ${residual}`);
  assert.ok(orthogonality < THRESH, `${label}: orthogonality ratio ${orthogonality}`);
  // geqp3's greedy property: |R_kk| ≥ ‖R[k:j+1, j]‖ for every j > k (hence |R_kk| non-increasing).
  const rd = r.data, slack = THRESH * N * UNIT_ROUNDOFF * normA;
  for (let kk = 0; kk < k; kk++) {
    const rkk = Math.abs(rd[kk * n + kk]);
    if (kk + 1 < k) {
      const next = Math.abs(rd[(kk + 1) * n + kk + 1]);
      assert.ok(next <= rkk * (1 + NORM_REL) + slack, `${label}: |R_${kk + 1}${kk + 1}| = ${next} > |R_${kk}${kk}| = ${rkk}`);
    }
    for (let j = kk + 1; j < n; j++) {
      let s = 0;
      for (let i = kk; i <= Math.min(j, k - 1); i++) s += rd[i * n + j] ** 2;
      assert.ok(Math.sqrt(s) <= rkk * (1 + NORM_REL) + slack, `${label}: ‖R[${kk}:, ${j}]‖ = ${Math.sqrt(s)} > |R_${kk}${kk}| = ${rkk}`);
    }
  }
  q.free(); r.free();
}

test('A·P = Q·R with LAPACK ratios < 30, |R_kk| non-increasing and |R_kk| ≥ ‖R[k:j+1, j]‖, over shapes and kinds, on both backends', async () => {
  await fc.assert(fc.asyncProperty(matrixCase(48), async ({ shape: [m, n], kind, seed }) => {
    const a = matrixOfKind(kind, seed, m, n);
    for (const which of ['wasm-simd', 'js'] as const) {
      const f = await withBackend(which, () => pivotedQr(a));
      await withBackend(which, () => checkFactorisation(`${which} ${kind} ${m}×${n}`, a, f));
      f.free();
    }
    a.free();
  }), fcParams(80));
});

test('blocked panels (dlaqps) with early panel ends: the same properties on 150×100, 70×150, 97×97 graded, 160×120 rank 40, 300×70 ill-conditioned, a turned Kahan matrix', async () => {
  const cases: [string, DenseMatrix<'f64'>][] = [
    ['random 150×100', matrixOfKind('random', 1, 150, 100)],
    ['random 70×150', matrixOfKind('random', 2, 70, 150)],
    ['graded 97×97', matrixOfKind('graded', 3, 97, 97)],
    ['rank-40 160×120', rankDeficient(rng(4), 160, 120, 40)],
    ['ill-conditioned 300×70', matrixOfKind('ill-conditioned', 5, 300, 70)],
    ['Kahan 90 turned by Q₀ (110×90)', rotatedKahan(rng(6), 110, 90, 1.2, 25)],
  ];
  for (const [name, a] of cases) {
    for (const which of ['wasm-simd', 'js'] as const) {
      const f = await withBackend(which, () => pivotedQr(a));
      await withBackend(which, () => checkFactorisation(`${which} ${name}`, a, f));
      f.free();
    }
    a.free();
  }
});

test('numerical rank is exact on exactly rank-r inputs (Gaussian products and known spectra with a 1e-6 gap), every shape', async () => {
  const cases = fc.record({
    m: fc.integer({ min: 1, max: 90 }),
    n: fc.integer({ min: 1, max: 90 }),
    frac: fc.double({ min: 0, max: 1, noNaN: true }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    spectrum: fc.boolean(),
  });
  await fc.assert(fc.asyncProperty(cases, async ({ m, n, frac, seed, spectrum }) => {
    const r = Math.max(1, Math.round(frac * Math.min(m, n)));
    const g = rng(seed);
    const a = spectrum
      ? withSpectrum(g, m, n, Array.from({ length: r }, (_, i) => (r > 1 ? 1e-6 ** (i / (r - 1)) : 1))).a
      : rankDeficient(g, m, n, r);
    for (const which of ['wasm-simd', 'js'] as const) {
      const f = await withBackend(which, () => pivotedQr(a));
      assert.equal(f.rank, r, `${which} ${m}×${n} rank ${r} (${spectrum ? 'spectrum' : 'product'}): got ${f.rank}; |R_kk| = ${Array.from(f.diagonalMagnitudes.slice(Math.max(0, r - 2), r + 2))}`);
      f.free();
    }
    a.free();
  }), fcParams(60));
});

test('the blocked kernel and the unblocked twin choose the same pivots and agree on R to 1e-12 on full-rank Gaussian matrices', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 120 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    async (m, n, seed) => {
      const a = gaussian(rng(seed), m, n);
      const fw = await withBackend('wasm-simd', () => pivotedQr(a)), fj = await withBackend('js', () => pivotedQr(a));
      assert.deepEqual(fw.pivotPermutationVector, fj.pivotPermutationVector);
      const rw = fw.upperTriangularMatrix, rj = fj.upperTriangularMatrix;
      assert.ok(frob(rw.data, rj.data) <= 1e-12 * frob(rj.data), `R differs by ${frob(rw.data, rj.data) / frob(rj.data)} relative`);
      for (const x of [fw, fj, rw, rj, a]) x.free();
    }), fcParams(25));
});

test("Kahan's matrix with MATLAB's perturbation (n = 90, θ = 1.2, pert = 25): no interchanges, R = K, and CPQR reports full rank although σ_min/σ_max ≈ 4.5e-16", async () => {
  // gallery('kahan') is built so that column pivoting makes no interchange in floating point (MATLAB docs);
  // its trailing |R_kk| = sin(θ)^k stays far above σ_min: the classical failure of CPQR to reveal rank.
  const n = 90, theta = 1.2;
  const a = kahan(n, theta, 25);
  const sv = new SVD(new MlMatrix(a.toRows())).diagonal;
  const defaultTol = n * EPS;
  assert.ok(sv[n - 1] / sv[0] < defaultTol, `σ_min/σ_max = ${sv[n - 1] / sv[0]} is not below the default tolerance`);
  for (const which of ['wasm-simd', 'js'] as const) {
    const f = await withBackend(which, () => pivotedQr(a));
    assert.deepEqual(Array.from(f.pivotPermutationVector), Array.from({ length: n }, (_, j) => j), `${which}: pivots moved`);
    const r = f.upperTriangularMatrix;
    assert.deepEqual(r.data, a.data, `${which}: R ≠ K`);
    assert.equal(f.rank, n);
    f.free(); r.free();
  }
});

test('rankAt recounts at another tolerance; pivotedQr rejects bad input and options with typed errors naming the argument', () => {
  const g = rng(3);
  const a = withSpectrum(g, 30, 20, [1, 1e-3, 1e-6, 1e-9, 1e-12]).a;
  const f = pivotedQr(a, { tol: 1e-4 });
  assert.equal(f.rank, 2);
  assert.equal(f.rankAt(1e-7), 3);
  assert.equal(f.rankAt(1e-10), 4);
  assert.equal(f.tol, 1e-4);
  assert.throws(() => f.rankAt(-1), (e: unknown) => e instanceof RangeError && /^PivotedQr\.rankAt: options\.tol must be ≥ 0/.test(e.message));
  f.free();
  assert.throws(() => f.pivotPermutationVector, (e: unknown) => e instanceof InputError && /^PivotedQr\.pivotPermutationVector: the factorisation was freed/.test(e.message));
  assert.throws(() => pivotedQr({} as never), (e: unknown) => e instanceof InputError && /^pivotedQr: a must be a DenseMatrix/.test(e.message));
  assert.throws(() => pivotedQr(DenseMatrix.zeros(2, 2, 'f32') as never), (e: unknown) => e instanceof InputError && /^pivotedQr: a is f32/.test(e.message));
  assert.throws(() => pivotedQr(DenseMatrix.zeros(0, 0, 'f64')), ShapeError);
  assert.throws(() => pivotedQr(a, { tol: Number.NaN }), (e: unknown) => e instanceof TypeError && /^pivotedQr: options\.tol must be a finite number/.test(e.message));
  assert.throws(() => pivotedQr(a, { tol: -0.5 }), RangeError);
  const bad = a.clone();
  bad.set(29, 19, Number.NaN);
  assert.throws(() => pivotedQr(bad), (e: unknown) => e instanceof InputError && /^pivotedQr: a has a non-finite value \(NaN\) at index 599/.test(e.message));
});

test('a zero matrix has rank 0, the identity permutation and R = 0', () => {
  const f = pivotedQr(DenseMatrix.zeros(4, 6, 'f64'));
  assert.equal(f.rank, 0);
  assert.deepEqual(Array.from(f.pivotPermutationVector), [0, 1, 2, 3, 4, 5]);
  assert.ok(f.upperTriangularMatrix.data.every((x) => x === 0));
});
