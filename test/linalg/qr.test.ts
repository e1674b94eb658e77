import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Matrix as MlMatrix, QrDecomposition } from 'ml-matrix';
import { init, DenseMatrix, qr, HouseholderQr, ShapeError, InputError, rng, scope } from '../../src/index.js';
import { withBackend, worstRelative } from '../support/backends.js';
import { fcParams, announceSeed } from '../support/fc.js';
import {
  matrixCase, matrixOfKind, kahan, rotatedKahan, gaussian, mul, gram, frob, distanceFromIdentity, UNIT_ROUNDOFF,
} from '../support/matrices.js';

announceSeed('test/linalg/qr.test.ts');
await init();

// The LAPACK test ratios (xQRT01): residual ‖A − Q·R‖ / (‖A‖·N·ε) and orthogonality ‖QᵀQ − I‖ / (N·ε), both
// required below 30 (LAPACK's THRESH in its shipped test inputs). Frobenius norms; N = max(m, n) as
// xQRT01 does, ε = 2⁻⁵³ the unit roundoff (LAPACK's dlamch('E')).
const THRESH = 30;

interface Ratios { residual: number; orthogonality: number }

function lapackRatios(a: DenseMatrix<'f64'>, f: HouseholderQr): Ratios {
  const m = a.rows, n = a.cols, k = Math.min(m, n), N = Math.max(m, n);
  const q = f.orthogonalMatrix, r = f.upperTriangularMatrix;
  assert.equal(q.rows, m); assert.equal(q.cols, k);
  assert.equal(r.rows, k); assert.equal(r.cols, n);
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) assert.equal(r.data[i * n + j], 0, `R[${i}][${j}] below the diagonal`);
  const qr_ = mul(q.data, r.data, m, k, n);
  const normA = frob(a.data);
  const residual = normA === 0 ? frob(qr_) : frob(a.data, qr_) / (normA * N * UNIT_ROUNDOFF);
  const orthogonality = distanceFromIdentity(gram(q.data, m, k), k) / (N * UNIT_ROUNDOFF);
  q.free(); r.free();
  return { residual, orthogonality };
}

test('A = Q·R with ‖A − QR‖/(‖A‖·N·ε) < 30 and ‖QᵀQ − I‖/(N·ε) < 30 on random, rank-deficient, graded and ill-conditioned matrices of every shape, on both backends', async () => {
  await fc.assert(fc.asyncProperty(matrixCase(48), async ({ shape: [m, n], kind, seed }) => {
    const a = matrixOfKind(kind, seed, m, n);
    for (const which of ['wasm-simd', 'js'] as const) {
      const f = await withBackend(which, () => qr(a));
      const { residual, orthogonality } = await withBackend(which, () => lapackRatios(a, f));
      assert.ok(residual < THRESH, `${which} ${kind} ${m}×${n}: residual ratio ${residual}`);
      assert.ok(orthogonality < THRESH, `${which} ${kind} ${m}×${n}: orthogonality ratio ${orthogonality}`);
      f.free();
    }
    a.free();
  }), fcParams(80));
});

test('blocked path (several 32-column panels): LAPACK ratios < 30 for 150×70, 70×150, 97×97 and a 200×64 ill-conditioned matrix', async () => {
  const cases: [string, DenseMatrix<'f64'>][] = [
    ['random 150×70', matrixOfKind('random', 1, 150, 70)],
    ['random 70×150', matrixOfKind('random', 2, 70, 150)],
    ['graded 97×97', matrixOfKind('graded', 3, 97, 97)],
    ['rank-deficient 120×90', matrixOfKind('rank-deficient', 4, 120, 90)],
    ['ill-conditioned 200×64', matrixOfKind('ill-conditioned', 5, 200, 64)],
  ];
  for (const [name, a] of cases) {
    for (const which of ['wasm-simd', 'js'] as const) {
      const f = await withBackend(which, () => qr(a));
      const { residual, orthogonality } = await withBackend(which, () => lapackRatios(a, f));
      assert.ok(residual < THRESH, `${which} ${name}: residual ratio ${residual}`);
      assert.ok(orthogonality < THRESH, `${which} ${name}: orthogonality ratio ${orthogonality}`);
      f.free();
    }
    a.free();
  }
});

test("Kahan's matrix: R = K exactly and Q = I (every reflector is trivial); turned by a random orthogonal Q₀ (120×90, κ ≈ 2e15), LAPACK ratios < 30", async () => {
  // K is upper triangular with a positive diagonal, so each column below the diagonal is already zero:
  // LAPACK's dlarfg then returns τ = 0 (H = I) and R must be K bit for bit.
  const n = 90, theta = 1.2;
  const k = kahan(n, theta);
  const rotated = rotatedKahan(rng(11), 120, n, theta);
  for (const which of ['wasm-simd', 'js'] as const) {
    const f = await withBackend(which, () => qr(k));
    const r = f.upperTriangularMatrix, q = f.orthogonalMatrix;
    assert.deepEqual(r.data, k.data, `${which}: R ≠ K`);
    assert.ok(distanceFromIdentity(q.data, n) === 0, `${which}: Q ≠ I`);
    const g = await withBackend(which, () => qr(rotated));
    const { residual, orthogonality } = await withBackend(which, () => lapackRatios(rotated, g));
    assert.ok(residual < THRESH, `${which}: residual ratio ${residual}`);
    assert.ok(orthogonality < THRESH, `${which}: orthogonality ratio ${orthogonality}`);
    for (const x of [f, r, q, g]) x.free();
  }
});

test('the WASM kernel agrees with its TS twin: R and Q to 1e-12 relative on well-conditioned (tall Gaussian) inputs', async () => {
  // On a full-rank A, R (with LAPACK's sign convention) and Q are unique, and their perturbation is
  // bounded by κ(A)·(backward error); tall Gaussian matrices have κ < 10, so a few hundred ulps suffice.
  await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (n, seed) => {
    const m = 2 * n + 3;
    const a = gaussian(rng(seed), m, n);
    const fw = await withBackend('wasm-simd', () => qr(a)), fj = await withBackend('js', () => qr(a));
    const rw = fw.upperTriangularMatrix, rj = fj.upperTriangularMatrix;
    const qw = fw.orthogonalMatrix, qj = fj.orthogonalMatrix;
    const scaleR = frob(rj.data);
    assert.ok(frob(rw.data, rj.data) <= 1e-12 * scaleR, `R differs by ${frob(rw.data, rj.data) / scaleR} relative`);
    assert.ok(frob(qw.data, qj.data) <= 1e-12 * Math.sqrt(n), `Q differs by ${frob(qw.data, qj.data)}`);
    for (const x of [fw, fj, rw, rj, qw, qj, a]) x.free();
  }), fcParams(30));
});

test('applyQt and applyQ: QᵀA = [R; 0], Q·(Qᵀb) = b, thin Q·c = Q_thin·c, on both backends and wide/tall shapes', async () => {
  const shapes: [number, number][] = [[60, 20], [20, 60], [45, 45], [150, 70], [1, 7], [9, 1]];
  for (const [m, n] of shapes) {
    const g = rng(m * 100 + n);
    const a = gaussian(g, m, n);
    const k = Math.min(m, n);
    for (const which of ['wasm-simd', 'js'] as const) {
      await withBackend(which, () => scope(() => {
        const f = qr(a);
        const r = f.upperTriangularMatrix;
        const qta = f.applyQt(a);
        const normA = frob(a.data);
        // rows 0..k−1 of QᵀA are R, rows k..m−1 are zero (to rounding)
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
          const want = i < k ? r.data[i * n + j] : 0;
          assert.ok(Math.abs(qta.data[i * n + j] - want) <= 30 * m * UNIT_ROUNDOFF * normA, `${which} ${m}×${n}: (QᵀA)[${i}][${j}]`);
        }
        for (const cols of [1, 3, 8, 41]) { // both the one-by-one and the gemm-blocked application
          const b = gaussian(g, m, cols);
          const back = f.applyQ(f.applyQt(b));
          assert.ok(frob(back.data, b.data) <= 30 * m * UNIT_ROUNDOFF * frob(b.data), `${which} ${m}×${n}, ${cols} cols: Q(Qᵀb) ≠ b`);
          const c = gaussian(g, k, cols);
          const viaThin = f.applyQ(c);
          const q = f.orthogonalMatrix;
          const direct = mul(q.data, c.data, m, k, cols);
          assert.ok(frob(viaThin.data, direct) <= 30 * m * UNIT_ROUNDOFF * frob(direct), `${which} ${m}×${n}: thin applyQ`);
        }
      }));
    }
    a.free();
  }
});

test('householder_apply_f64 and householder_form_q_f64 agree with their TS twins on the same factor (1e-13 relative), 1 to 100 columns', async () => {
  for (const [m, n] of [[150, 70], [70, 150], [33, 33], [200, 5]] as const) {
    const g = rng(m + 7 * n);
    const a = gaussian(g, m, n);
    const f = await withBackend('wasm-simd', () => qr(a));
    for (const cols of [1, 7, 8, 100]) {
      const b = gaussian(g, m, cols);
      for (const op of ['applyQt', 'applyQ'] as const) {
        const fast = await withBackend('wasm-simd', () => f[op](b)), slow = await withBackend('js', () => f[op](b));
        assert.ok(frob(fast.data, slow.data) <= 1e-13 * frob(slow.data), `${op} ${m}×${n}, ${cols} cols: ${frob(fast.data, slow.data) / frob(slow.data)}`);
        fast.free(); slow.free();
      }
      b.free();
    }
    const qFast = await withBackend('wasm-simd', () => f.orthogonalMatrix), qSlow = await withBackend('js', () => f.orthogonalMatrix);
    assert.ok(frob(qFast.data, qSlow.data) <= 1e-13 * frob(qSlow.data), `form Q ${m}×${n}`);
    for (const x of [qFast, qSlow, f, a]) x.free();
  }
});

test('R agrees with an independent implementation (ml-matrix QrDecomposition) up to row signs on a 6×4 matrix', () => {
  // R is unique up to the signs of its rows for a full-rank A; ml-matrix may choose other signs than LAPACK's.
  const rows = Array.from({ length: 6 }, (_, i) => Array.from({ length: 4 }, (_, j) => Math.cos(i * 4 + j) + (i === j ? 2 : 0)));
  const a = DenseMatrix.fromRows(rows);
  const ours = qr(a).upperTriangularMatrix.toRows();
  const theirs = new QrDecomposition(new MlMatrix(rows)).upperTriangularMatrix.to2DArray();
  for (let i = 0; i < 4; i++) {
    const sign = Math.sign(ours[i][i]) * Math.sign(theirs[i][i]);
    for (let j = 0; j < 4; j++) assert.ok(Math.abs(ours[i][j] - sign * theirs[i][j]) < 1e-13, `R[${i}][${j}]`);
  }
});

test('qr rejects a wrong type, f32, empty matrices and NaN/Inf with typed errors before any work; a freed factorisation refuses use', () => {
  assert.throws(() => qr([[1]] as never), (e: unknown) => e instanceof InputError && /^qr: a must be a DenseMatrix/.test(e.message));
  assert.throws(() => qr(DenseMatrix.zeros(3, 3, 'f32') as never), (e: unknown) => e instanceof InputError && /^qr: a is f32/.test(e.message));
  assert.throws(() => qr(DenseMatrix.zeros(0, 3, 'f64')), (e: unknown) => e instanceof ShapeError && /^qr: a is 0×3/.test(e.message));
  assert.throws(() => qr(DenseMatrix.zeros(3, 0, 'f64')), ShapeError);
  const bad = DenseMatrix.zeros(4, 3, 'f64');
  bad.set(1, 2, Number.POSITIVE_INFINITY);
  assert.throws(() => qr(bad), (e: unknown) => e instanceof InputError && /^qr: a has a non-finite value \(Infinity\) at index 5/.test(e.message));
  const f = qr(DenseMatrix.fromRows([[1, 2], [3, 4], [5, 6]]));
  assert.throws(() => f.applyQt(DenseMatrix.zeros(2, 1, 'f64')), (e: unknown) => e instanceof ShapeError && /^HouseholderQr\.applyQt: b has 2 rows, expected m = 3/.test(e.message));
  assert.throws(() => f.applyQ(DenseMatrix.zeros(1, 1, 'f64')), ShapeError);
  assert.throws(() => f.applyQt(DenseMatrix.zeros(3, 1, 'f32') as never), InputError);
  const nan = DenseMatrix.zeros(3, 1, 'f64');
  nan.set(0, 0, Number.NaN);
  assert.throws(() => f.applyQ(nan), (e: unknown) => e instanceof InputError && /^HouseholderQr\.applyQ: b has a non-finite value/.test(e.message));
  f.free();
  assert.throws(() => f.upperTriangularMatrix, (e: unknown) => e instanceof InputError && /freed/.test(e.message));
});

test('a zero matrix factors as Q = I-like columns and R = 0 (τ = 0 throughout)', () => {
  const a = DenseMatrix.zeros(5, 3, 'f64');
  const f = qr(a);
  assert.ok(f.upperTriangularMatrix.data.every((x) => x === 0));
  const q = f.orthogonalMatrix;
  assert.ok(worstRelative(q.data, [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0], 0, 1e-300) <= 1);
});
