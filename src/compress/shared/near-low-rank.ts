// Lemma C.1 of Shirzad et al. (2024) as a numerical certificate (Lemma C.1, App. C.3; docs/theory.md#16-shared-lemmas-l1-to-l7 (L6)): project every node onto
// the top-d right singular subspace of H (n×D, nodes as rows) and measure each node's distance to it.
import { InputError, ShapeError } from '../../runtime/errors.js';
import { assertFiniteStorage } from '../../runtime/validate.js';
import type { DType, Storage } from '../../runtime/storage.js';
import { DenseMatrix } from '../../linalg/dense.js';
import { matmul } from '../../linalg/matmul.js';
import { qr } from '../../linalg/qr.js';
import { svdArrays } from '../../linalg/svd.js';

/** P = topd(H, d) with the per-node distances r_i = ‖(I − PPᵀ)h_i‖. */
export interface NearLowRankCertificate {
  /** D×d' with orthonormal columns, d' = min(d, n, D): the top right singular vectors of H (= topd of the paper's D×n). */
  basis: DenseMatrix<'f64'>;
  /** r_i per node. */
  residuals: Float64Array;
  /** ε̂ = max_i r_i. If ε̂ ≤ ε the hypothesis "∃ rank-d H̃ with ‖h_i − h̃_i‖ ≤ ε" is certified (L6). */
  epsilon: number;
}

/**
 * Lemma C.1 (App. C.3; L6 of docs/theory.md#16-shared-lemmas-l1-to-l7): P = topd(H, d) and ε̂ = colmax((I − PPᵀ)H), the distance of the worst node to
 * col(P). The SVD minimises the Frobenius error, so ε̂ is an upper bound on the best achievable max-node
 * error, and ε̂ ≤ ε is a sufficient test of the rank-d hypothesis.
 * Cost: one thin SVD of the n×D matrix (O(n·D·min(n, D))) plus O(n·D·d) for the residuals.
 * Accuracy: P orthonormal to ~1e-15; r_i exact to rounding (~1e-16·‖h_i‖).
 * Throws InputError (not an f64 DenseMatrix, non-finite entry) and ShapeError/RangeError (empty h, d not a
 * positive integer) before any work.
 */
export function nearLowRankCertificate(h: DenseMatrix<'f64'>, d: number): NearLowRankCertificate {
  const fn = 'nearLowRankCertificate';
  if (!(h instanceof DenseMatrix) || h.dtype !== 'f64') throw new InputError(`${fn}: h must be an f64 DenseMatrix`);
  if (h.rows < 1 || h.cols < 1) throw new ShapeError(`${fn}: h is ${h.rows}×${h.cols}; it needs at least one node and one feature`);
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`${fn}: d must be a positive integer, got ${String(d)}`);
  assertFiniteStorage(fn, 'h', h.storage as Storage<DType>);
  const basis = topRightSingularVectors(h, d);
  return { basis, ...residualsTo(h, basis) };
}

/** r_i = ‖h_i − PPᵀh_i‖ and their maximum, for P with orthonormal columns. */
export function residualsTo(h: DenseMatrix<'f64'>, basis: DenseMatrix<'f64'>): { residuals: Float64Array; epsilon: number } {
  const c = matmul(h, basis);
  const p = matmul(c, basis, { transB: true });
  const pd = p.data, hd = h.data, D = h.cols;
  const residuals = new Float64Array(h.rows);
  let epsilon = 0;
  for (let i = 0; i < h.rows; i++) {
    let s = 0;
    for (let j = 0; j < D; j++) s += (hd[i * D + j] - pd[i * D + j]) ** 2;
    residuals[i] = Math.sqrt(s);
    epsilon = Math.max(epsilon, residuals[i]);
  }
  c.free(); p.free();
  return { residuals, epsilon };
}

/**
 * topd (docs/theory.md#1-conventions) in the row convention: the top min(d, n, D) right singular vectors of H (n×D), D×d'.
 * A Householder QR first reduces H to its square triangular factor (n ≥ D: H = QR, and R has H's right
 * singular vectors; n < D: Hᵀ = QR, and Q times R's left singular vectors are H's right ones), so the
 * SVD (src/linalg/svd.ts: one-sided Jacobi, capped sweeps) only ever sees a min(n, D)-square matrix.
 * Backward stable like a direct SVD: the subspace is accurate to ~ε·σ₁/gap (no squaring of the matrix).
 * Cost O(n·D·min(n, D)) in the blocked QR kernel + O(min(n, D)³).
 */
export function topRightSingularVectors(h: DenseMatrix<'f64'>, d: number): DenseMatrix<'f64'> {
  const n = h.rows, D = h.cols, keep = Math.min(d, n, D);
  const tall = n >= D;
  const t = tall ? null : h.transpose();
  const f = qr(tall ? h : t!);
  t?.free();
  try {
    const r = f.upperTriangularMatrix;
    const k = r.rows; // R is k×k, k = min(n, D)
    const svd = svdArrays('topRightSingularVectors', r.data, k, k);
    r.free();
    const vecs = tall ? svd.v : svd.u; // k×k row-major, columns in descending σ
    const small = DenseMatrix.zeros(k, keep, 'f64'), sd = small.data;
    for (let i = 0; i < k; i++) for (let c = 0; c < keep; c++) sd[i * keep + c] = vecs[i * k + c];
    let out = small;
    if (!tall) { out = f.applyQ(small); small.free(); }
    // Deterministic signs: the entry of largest magnitude in each column is positive (svd_flip).
    const od = out.data;
    for (let c = 0; c < keep; c++) {
      let big = 0;
      for (let j = 0; j < D; j++) if (Math.abs(od[j * keep + c]) > Math.abs(big)) big = od[j * keep + c];
      if (big < 0) for (let j = 0; j < D; j++) od[j * keep + c] = -od[j * keep + c];
    }
    return out;
  } finally {
    f.free();
  }
}
