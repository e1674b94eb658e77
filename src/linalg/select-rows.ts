// Row selection by column-pivoted QR: an interpolative decomposition B ≈ U·B[S, :] (docs/theory.md §16, L7).
import { checkOptionsObject } from '../runtime/validate.js';
import { ArgumentRangeError, ArgumentTypeError } from '../runtime/errors.js';
import { scope } from '../runtime/storage.js';
import { DenseMatrix, requireF64Matrix } from './dense.js';
import { pivotedQr, checkTolerance } from './pivoted-qr.js';

export interface SelectRowsOptions {
  /**
   * Relative tolerance of the numerical rank r = #{k: |R_kk| > tol·|R_00|} of B (R from the pivoted QR of
   * Bᵀ). Default 1e-10, the rank threshold docs/theory.md §5 and §16 (L7) use.
   */
  tol?: number;
}

/** The rows chosen and the interpolation matrix. */
export interface RowSelection {
  /** S: d distinct row indices of B, in pivot order (the first `rank` of them carry the interpolation). */
  rows: Int32Array;
  /** U, D×d, with B ≈ U·B[S, :]; U[S_i, i] = 1 for i < rank, and columns rank..d−1 are zero. */
  u: DenseMatrix<'f64'>;
  /** The numerical rank r of B at `tol` (capped by nothing; min(r, d) rows interpolate). */
  rank: number;
}

/**
 * Chooses d rows S of B (D×n) and U (D×d) with B ≈ U·B[S, :] — Prop. 4.1's encoder A_σ = I[S, :] that
 * commutes with any elementwise σ, and its decoder U_σ.
 * Reference: Shirzad et al. (2024) Prop. 4.1 / docs/theory.md §16, L7 (CPQR on Bᵀ, S = the first r pivots,
 * U = B·(B_S)⁺); the interpolative decomposition of Cheng, Gimbutas, Martinsson & Rokhlin, SISC 26 (2005).
 * With Bᵀ·P = Q·[R11 R12; 0 R22] and k = min(rank, d), U's rows for the rows not chosen are (R11⁻¹R12)ᵀ,
 * which equals B·(B_S)⁺ because Q is orthogonal (the least-squares coefficients).
 * Cost: one pivoted QR of the n×D matrix Bᵀ (2·n·D² − 2D³/3 flops for n ≥ D) plus a k×k triangular solve
 * with D − k right-hand sides.
 * Accuracy: ‖B − U·B[S, :]‖_F = ‖R22‖_F up to rounding, so the reconstruction is exact (to ~ε·κ(R11))
 * when rank(B) ≤ d; |(R11⁻¹R12)_ij| is usually O(1) but not bounded by CPQR in the worst case.
 * Throws InputError / ShapeError (b not a non-empty finite f64 DenseMatrix), TypeError (d not an integer,
 * tol not a number), RangeError (d outside [1, D], tol < 0) — before any work.
 */
export function selectRows(b: DenseMatrix<'f64'>, d: number, options: SelectRowsOptions = {}): RowSelection {
  const fn = 'selectRows';
  requireF64Matrix(fn, 'b', b);
  const D = b.rows, n = b.cols;
  if (typeof d !== 'number' || !Number.isInteger(d)) throw new ArgumentTypeError(`${fn}: d must be an integer, got ${String(d)}`);
  if (d < 1 || d > D) throw new ArgumentRangeError(`${fn}: d must lie in [1, ${D}] (b has ${D} rows), got ${d}`);
  checkOptionsObject(fn, options);
  checkTolerance(fn, options.tol);
  const tol = options.tol ?? 1e-10;
  return scope(() => {
    const f = pivotedQr(b.transpose(), { tol });
    const rank = f.rank, k = Math.min(rank, d);
    const piv = f.pivotPermutationVector;
    const r = f.upperTriangularMatrix; // min(n, D) × D
    const rd = r.data;
    // T = R11⁻¹·R12 (k × (D − k)) by back substitution, one right-hand side column at a time.
    const t = new Float64Array(k * (D - k));
    const x = new Float64Array(k);
    for (let c = 0; c < D - k; c++) {
      for (let i = k - 1; i >= 0; i--) {
        let s = rd[i * D + k + c];
        for (let j = i + 1; j < k; j++) s -= rd[i * D + j] * x[j];
        x[i] = s / rd[i * D + i];
      }
      for (let i = 0; i < k; i++) t[i * (D - k) + c] = x[i];
    }
    const u = DenseMatrix.zeros(D, d, 'f64');
    const ud = u.data;
    for (let i = 0; i < k; i++) ud[piv[i] * d + i] = 1;
    for (let c = 0; c < D - k; c++) {
      const row = piv[k + c];
      for (let i = 0; i < k; i++) ud[row * d + i] = t[i * (D - k) + c];
    }
    return { rows: piv.slice(0, d), u, rank };
  });
}
