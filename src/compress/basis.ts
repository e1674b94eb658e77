// Bases and selections the constructions share (THEORY §0 and §2 L7): orth(B), topd(B, d), CPQR row
// selection with its decoder U_σ = Y·(Y_S)⁺, the spectral norm, and row-wise distances.
//
// Adapter note: the linear-algebra issue is landing pivotedQr/selectRows/randomizedSvd in src/linalg/.
// Until those are committed this file uses ml-matrix's SVD and a private column-pivoted Gram–Schmidt
// (same pivots and rank rule as CPQR: |R_kk| > rtol·|R_11|). Swap the bodies here; callers do not change.
import { Matrix as MlMatrix, SVD, solve } from 'ml-matrix';
import { DenseMatrix } from '../linalg/dense.js';
import { matmul } from '../linalg/matmul.js';
import { operatorNorm } from '../linalg/norms.js';

/** An orthonormal basis with the singular values that decided its rank. */
export interface Basis {
  /** p×r with orthonormal columns. */
  basis: DenseMatrix<'f64'>;
  rank: number;
  /** All singular values of B, descending. */
  singularValues: number[];
}

function svdOf(b: DenseMatrix<'f64'>): SVD {
  return new SVD(b.toMl(), { computeLeftSingularVectors: true, computeRightSingularVectors: false, autoTranspose: true });
}

/** Number of singular values above rtol·s₁ (0 for the zero matrix). */
export function rankFromSingularValues(s: ArrayLike<number>, rtol: number): number {
  if (s.length === 0 || !(s[0] > 0)) return 0;
  let r = 0;
  for (let i = 0; i < s.length; i++) if (s[i] > rtol * s[0]) r++;
  return r;
}

function leftColumns(svd: SVD, rows: number, count: number): DenseMatrix<'f64'> {
  const u = svd.leftSingularVectors;
  const out = DenseMatrix.zeros(rows, count, 'f64');
  const d = out.data;
  for (let i = 0; i < rows; i++) for (let j = 0; j < count; j++) d[i * count + j] = u.get(i, j);
  return out;
}

/**
 * orth(B) (THEORY §0): an orthonormal basis of range(B) from the thin SVD, keeping the left singular
 * vectors with s_k > rtol·s₁ (at most maxRank of them). B is p×q; the basis is p×r. Cost O(p·q·min(p, q)).
 */
export function orth(b: DenseMatrix<'f64'>, options: { rtol?: number; maxRank?: number } = {}): Basis {
  const rtol = options.rtol ?? 1e-10;
  const svd = svdOf(b);
  const s = Array.from(svd.diagonal);
  const rank = Math.min(rankFromSingularValues(s, rtol), options.maxRank ?? Infinity);
  return { basis: leftColumns(svd, b.rows, rank), rank, singularValues: s };
}

/** topd(B, d): the top-d left singular vectors (fewer when min(p, q) < d). Cost as orth. */
export function topd(b: DenseMatrix<'f64'>, d: number): Basis {
  const svd = svdOf(b);
  const s = Array.from(svd.diagonal);
  const count = Math.min(d, s.length, b.rows);
  return { basis: leftColumns(svd, b.rows, count), rank: count, singularValues: s };
}

/** Singular values of B, descending. */
export function singularValues(b: DenseMatrix<'f64'>): number[] {
  return Array.from(new SVD(b.toMl(), { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true }).diagonal);
}

// Below this many columns and rows a full SVD is cheap and exact to rounding; above, power iteration.
const SVD_NORM_MAX = 64;

/**
 * ‖A‖₂ = σ₁(A) (0 for an empty matrix): the SVD when min(rows, cols) ≤ 64, else operatorNorm's power
 * iteration with tol 1e-12 (an underestimate by at most ~1e-12 relative, below the certificates' rtol).
 */
export function spectralNorm(a: DenseMatrix<'f64'>): number {
  if (a.rows === 0 || a.cols === 0) return 0;
  if (Math.min(a.rows, a.cols) <= SVD_NORM_MAX) return singularValues(a)[0] ?? 0;
  return operatorNorm(a, { tol: 1e-12 });
}

function norm2(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/** A row-feature selection (THEORY §2 L7) of Y (rows: n×p, features = columns) and its decoder. */
export interface FeatureSelection {
  /** S: the r selected feature indices, in pivot order. */
  indices: number[];
  rank: number;
  /** |R_kk| of the pivoted factorisation, in pivot order. */
  pivotNorms: number[];
  /** U_σ (p×r) with Y_row = Y_row[:, S] · U_σᵀ, i.e. U_σ = Y·(Y_S)⁺ in THEORY's column convention. */
  decoder: DenseMatrix<'f64'>;
}

/**
 * L7 / Prop. 4.1 row selection: column-pivoted Gram–Schmidt on the n×p matrix y (one node per row), which
 * picks the features (columns here, rows of THEORY's Y) that CPQR on Yᵀ would pick, with rank
 * r = #{k : |R_kk| > rtol·|R_11|} (capped at maxRank), then U_σ by least squares so that y = y[:, S]·U_σᵀ
 * whenever rank(y) = r. Cost O(n·p·r). A_σ = I_p[S, :] is pure 0/1, so A_σ σ(z) = σ(A_σ z) for elementwise σ.
 */
export function selectFeatures(y: DenseMatrix<'f64'>, options: { rtol?: number; maxRank?: number } = {}): FeatureSelection {
  const rtol = options.rtol ?? 1e-10;
  const n = y.rows, p = y.cols;
  const maxRank = Math.min(options.maxRank ?? Infinity, n, p);
  // Columns of y as contiguous vectors (residuals, updated in place).
  const cols: Float64Array[] = [];
  const yd = y.data;
  for (let j = 0; j < p; j++) {
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = yd[i * p + j];
    cols.push(c);
  }
  const norms = cols.map((c) => norm2(c));
  const used = new Uint8Array(p);
  const qs: Float64Array[] = [];
  const indices: number[] = [], pivotNorms: number[] = [];
  let first = 0;
  while (indices.length < maxRank) {
    let best = -1, bestNorm = -1;
    for (let j = 0; j < p; j++) if (!used[j] && norms[j] > bestNorm) { best = j; bestNorm = norms[j]; }
    if (best < 0) break;
    // Recompute the pivot's residual norm exactly (the running norms are only for choosing).
    const v = Float64Array.from(cols[best]);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of qs) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[i] * v[i];
        for (let i = 0; i < n; i++) v[i] -= dot * q[i];
      }
    }
    const nv = norm2(v);
    if (indices.length === 0) first = nv;
    if (!(nv > rtol * first) || nv === 0) break;
    for (let i = 0; i < n; i++) v[i] /= nv;
    used[best] = 1;
    indices.push(best);
    pivotNorms.push(nv);
    qs.push(v);
    for (let j = 0; j < p; j++) {
      if (used[j]) continue;
      const c = cols[j];
      let dot = 0;
      for (let i = 0; i < n; i++) dot += v[i] * c[i];
      for (let i = 0; i < n; i++) c[i] -= dot * v[i];
      norms[j] = norm2(c);
    }
  }
  const r = indices.length;
  const decoder = DenseMatrix.zeros(p, r, 'f64');
  if (r > 0) {
    const ys = new MlMatrix(n, r);
    for (let i = 0; i < n; i++) for (let k = 0; k < r; k++) ys.set(i, k, yd[i * p + indices[k]]);
    const sol = solve(ys, y.toMl()); // r×p: least-squares U_σᵀ
    const dd = decoder.data;
    for (let j = 0; j < p; j++) for (let k = 0; k < r; k++) dd[j * r + k] = sol.get(k, j);
  }
  return { indices, rank: r, pivotNorms, decoder };
}

/** Rows `indices` of a (|S|×cols). */
export function takeRows(a: DenseMatrix<'f64'>, indices: readonly number[]): DenseMatrix<'f64'> {
  const out = DenseMatrix.zeros(indices.length, a.cols, 'f64');
  indices.forEach((r, k) => out.data.set(a.data.subarray(r * a.cols, (r + 1) * a.cols), k * a.cols));
  return out;
}

/** Columns `indices` of a (rows×|S|). */
export function takeColumns(a: DenseMatrix<'f64'>, indices: readonly number[]): DenseMatrix<'f64'> {
  const out = DenseMatrix.zeros(a.rows, indices.length, 'f64');
  const s = a.data, d = out.data, k = indices.length;
  for (let i = 0; i < a.rows; i++) for (let t = 0; t < k; t++) d[i * k + t] = s[i * a.cols + indices[t]];
  return out;
}

/** The n×n identity. */
export function identity(n: number): DenseMatrix<'f64'> {
  const m = DenseMatrix.zeros(n, n, 'f64');
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** A·B (f64, SIMD GEMM), with optional transposes. */
export function mul(a: DenseMatrix<'f64'>, b: DenseMatrix<'f64'>, transA = false, transB = false): DenseMatrix<'f64'> {
  return matmul(a, b, { transA, transB, checkFinite: false });
}

/** max_i ‖a_i − b_i‖₂ over rows (colmax of THEORY §0 in the row convention). */
export function maxRowDistance(a: DenseMatrix, b: DenseMatrix): number {
  const ad = a.data, bd = b.data, c = a.cols;
  let worst = 0;
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < c; j++) { const t = ad[i * c + j] - bd[i * c + j]; s += t * t; }
    worst = Math.max(worst, Math.sqrt(s));
  }
  return worst;
}

/** max_i ‖a_i‖₂ and mean_i ‖a_i‖₂ over rows. */
export function rowNormStats(a: DenseMatrix): { max: number; mean: number } {
  const d = a.data, c = a.cols;
  let max = 0, sum = 0;
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < c; j++) s += d[i * c + j] * d[i * c + j];
    const r = Math.sqrt(s);
    max = Math.max(max, r);
    sum += r;
  }
  return { max, mean: a.rows ? sum / a.rows : 0 };
}
