// The dense SVD of src/linalg: one-sided Jacobi (Hestenes 1958), which cannot loop forever — every sweep
// is a fixed amount of work and the number of sweeps is capped — and which is scaled first, so that neither
// subnormal entries (where ml-matrix's Golub–Kahan iteration never met its test: issue 13) nor entries
// near the overflow threshold change the arithmetic. Used by randomizedSvd (the small SVD of Alg. 5.1),
// leverageScores (the rank-revealing SVD of R) and the constructions' orth/topd, topRightSingularVectors
// and leverage-sampling decoder (src/compress/shared/, prop-4.3-leverage/row-sampling.ts); see
// docs/architecture.md, "Limits on input and work".
// Reference: Demmel & Veselić, "Jacobi's method is more accurate than QR", SIAM J. Matrix Anal. Appl.
// 13 (1992) — one-sided Jacobi computes every singular value to high relative accuracy for a well-scaled A.
import { ConvergenceError } from '../runtime/errors.js';
import { checkOptionsObject, requireInt } from '../runtime/validate.js';
import { DenseMatrix, requireF64Matrix } from './dense.js';

export interface SvdOptions {
  /** The most Jacobi sweeps (default 60; quadratic convergence needs ~log₂ n + 5 in practice). ConvergenceError beyond. */
  maxSweeps?: number;
}

/** A = u·diag(s)·vᵀ, the thin SVD: p = min(m, n). */
export interface SvdResult {
  /** m×p, orthonormal columns. */
  u: DenseMatrix<'f64'>;
  /** p singular values, non-increasing, ≥ 0. */
  s: Float64Array;
  /** n×p, orthonormal columns. */
  v: DenseMatrix<'f64'>;
}

/** The same factorisation on plain arrays: u m×p and v n×p row-major. */
export interface SvdArrays {
  u: Float64Array;
  s: Float64Array;
  v: Float64Array;
}

const EPS = 2 ** -52;

/**
 * The thin SVD of a finite f64 matrix, A = u·diag(s)·vᵀ, by one-sided Jacobi: the columns of A (of Aᵀ
 * when A is wide) are rotated pairwise until every pair is orthogonal to |w_pᵀw_q| ≤ √m·ε·‖w_p‖·‖w_q‖ (m the long
 * side: the default tolerance of LAPACK's dgesvj; with ε alone, rounding-level columns that each rotation against
 * a large column refills with noise can keep the sweeps going, test/linalg/svd-convergence.test.ts); then
 * s_j = ‖w_j‖, u_j = w_j / s_j, and v accumulates the rotations. A is first divided by its largest
 * |entry|, so subnormal and huge inputs run in the normal range (s is scaled back). Columns of u for a
 * zero singular value are completed to an orthonormal set.
 * Cost: O(sweeps · m · n²) with m ≥ n the long side; sweeps ≤ options.maxSweeps (default 60).
 * Accuracy: ‖A − u·diag(s)·vᵀ‖ ≲ ε·‖A‖; vᵀv within ~n·ε of I, uᵀu within ~√m·n·ε (the stopping tolerance; Demmel & Veselić 1992).
 * Throws InputError / ShapeError (a not a non-empty finite f64 DenseMatrix), ArgumentRangeError (bad
 * maxSweeps), ConvergenceError when the sweeps run out — all but the last before any work.
 */
export function svd(a: DenseMatrix<'f64'>, options: SvdOptions = {}): SvdResult {
  const fn = 'svd';
  requireF64Matrix(fn, 'a', a);
  checkOptionsObject(fn, options);
  const maxSweeps = options.maxSweeps ?? 60;
  requireInt(fn, 'options.maxSweeps', maxSweeps, 1, 10_000);
  const m = a.rows, n = a.cols, p = Math.min(m, n);
  const r = svdArrays(fn, a.data, m, n, maxSweeps);
  return { u: DenseMatrix.from(r.u, m, p, 'f64'), s: r.s, v: DenseMatrix.from(r.v, n, p, 'f64') };
}

/**
 * svd on a row-major m×n array (finite, unchecked), for the routines of src/linalg that hold one;
 * `fn` names the public function in a ConvergenceError.
 */
export function svdArrays(fn: string, data: ArrayLike<number>, m: number, n: number, maxSweeps = 60): SvdArrays {
  const wide = m < n;
  const rows = wide ? n : m, cols = wide ? m : n; // work on the tall orientation: rows ≥ cols
  let scale = 0;
  for (let i = 0; i < m * n; i++) scale = Math.max(scale, Math.abs(data[i]));
  // w: the columns of the tall matrix, column-major (column j at j·rows), divided by the largest |entry|
  const w = new Float64Array(rows * cols);
  if (scale > 0) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const x = data[i * n + j] / scale;
        if (wide) w[i * rows + j] = x; else w[j * rows + i] = x;
      }
    }
  }
  const v = new Float64Array(cols * cols); // column-major too
  for (let j = 0; j < cols; j++) v[j * cols + j] = 1;
  const norms = new Float64Array(cols);
  let frob2 = 0;
  for (let j = 0; j < cols; j++) { norms[j] = dot(w, j * rows, j * rows, rows); frob2 += norms[j]; }
  // A column whose norm falls below u·‖A‖_F carries only rounding noise: it is set to zero (its singular value
  // is reported as 0, a backward error ≤ u·‖A‖_F per column), because rotating it against others can go on
  // forever — its squared norm underflows while its dot products do not, so a rotation changes nothing.
  const tiny = (EPS * EPS) * frob2;
  const dropIfTiny = (j: number): void => {
    if (norms[j] > tiny || norms[j] === 0) return;
    w.fill(0, j * rows, (j + 1) * rows);
    norms[j] = 0;
  };
  for (let j = 0; j < cols; j++) dropIfTiny(j);
  const tol = Math.sqrt(rows) * EPS; // the orthogonality at which a pair counts as done (see svd's doc)
  let converged = scale === 0 || cols === 1;
  for (let sweep = 0; sweep < maxSweeps && !converged; sweep++) {
    let rotated = false;
    for (let pCol = 0; pCol < cols - 1; pCol++) {
      for (let q = pCol + 1; q < cols; q++) {
        const alpha = norms[pCol], beta = norms[q];
        if (alpha === 0 || beta === 0) continue;
        const gamma = dot(w, pCol * rows, q * rows, rows);
        if (!(Math.abs(gamma) > tol * Math.sqrt(alpha) * Math.sqrt(beta))) continue;
        rotated = true;
        // the rotation that zeroes the (p, q) entry of WᵀW (Golub & Van Loan, §8.5.2 sym.schur2)
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.hypot(1, zeta));
        const c = 1 / Math.hypot(1, t), s = c * t;
        rotate(w, pCol * rows, q * rows, rows, c, s);
        rotate(v, pCol * cols, q * cols, cols, c, s);
        norms[pCol] = dot(w, pCol * rows, pCol * rows, rows);
        norms[q] = dot(w, q * rows, q * rows, rows);
        dropIfTiny(pCol);
        dropIfTiny(q);
      }
    }
    converged = !rotated;
  }
  if (!converged) throw new ConvergenceError(`${fn}: the Jacobi SVD did not converge in ${maxSweeps} sweeps`);
  // order by singular value, descending
  const sv = Array.from(norms, (x) => Math.sqrt(x));
  const order = Array.from({ length: cols }, (_, j) => j).sort((x, y) => sv[y] - sv[x] || x - y);
  const uT = new Float64Array(rows * cols), vT = new Float64Array(cols * cols), s = new Float64Array(cols);
  const zero: number[] = [];
  order.forEach((j, k) => {
    s[k] = sv[j] * scale;
    for (let i = 0; i < cols; i++) vT[i * cols + k] = v[j * cols + i];
    if (sv[j] > 0) for (let i = 0; i < rows; i++) uT[i * cols + k] = w[j * rows + i] / sv[j];
    else zero.push(k);
  });
  completeColumns(uT, rows, cols, zero);
  // A = W·Vᵀ for the tall orientation; for a wide A (= tallᵀ) the roles of u and v swap
  return wide ? { u: vT, s, v: uT } : { u: uT, s, v: vT };
}

function dot(a: Float64Array, i: number, j: number, len: number): number {
  let s = 0;
  for (let t = 0; t < len; t++) s += a[i + t] * a[j + t];
  return s;
}

function rotate(a: Float64Array, i: number, j: number, len: number, c: number, s: number): void {
  for (let t = 0; t < len; t++) {
    const x = a[i + t], y = a[j + t];
    a[i + t] = c * x - s * y;
    a[j + t] = s * x + c * y;
  }
}

/** Fills the listed columns of row-major u (rows×cols) with unit vectors orthogonal to all the others (two Gram–Schmidt passes). */
function completeColumns(u: Float64Array, rows: number, cols: number, missing: number[]): void {
  let candidate = 0;
  for (const k of missing) {
    for (; candidate < rows; candidate++) {
      const x = new Float64Array(rows);
      x[candidate] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < cols; j++) {
          if (j === k) continue;
          let d = 0;
          for (let i = 0; i < rows; i++) d += u[i * cols + j] * x[i];
          for (let i = 0; i < rows; i++) x[i] -= d * u[i * cols + j];
        }
      }
      let nrm = 0;
      for (let i = 0; i < rows; i++) nrm += x[i] * x[i];
      nrm = Math.sqrt(nrm);
      if (nrm > 0.5) {
        for (let i = 0; i < rows; i++) u[i * cols + k] = x[i] / nrm;
        candidate++;
        break;
      }
    }
  }
}
