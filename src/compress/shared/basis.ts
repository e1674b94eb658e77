// Bases and selections the constructions share (docs/theory.md#1-conventions; L7 of docs/theory.md#16-shared-lemmas-l1-to-l7): orth(B), topd(B, d), CPQR row
// selection with its decoder U_σ = Y·(Y_S)⁺, the spectral norm, and row-wise distances.
//
// Every SVD here is linalg's one-sided Jacobi (src/linalg/svd.ts: capped sweeps, ConvergenceError instead of a
// loop that cannot end), and the decoder's least squares is linalg's Householder QR.
import { DenseMatrix } from '../../linalg/dense.js';
import { matmul } from '../../linalg/matmul.js';
import { qr } from '../../linalg/qr.js';
import { solveLeftUpper } from '../../linalg/cholesky-qr.js';
import { svdArrays } from '../../linalg/svd.js';

/** An orthonormal basis with the singular values that decided its rank. */
export interface Basis {
  /** p×r with orthonormal columns. */
  basis: DenseMatrix<'f64'>;
  rank: number;
  /** All singular values of B, descending. */
  singularValues: number[];
}

/** Thin SVD factors: σ descending and, when asked, the matching left singular vectors (p×k, column j = u_j). */
interface ThinSvd {
  s: number[];
  u: Float64Array;
  rows: number;
}

/**
 * The thin SVD of B (p×q) by src/linalg/svd.ts (one-sided Jacobi, Hestenes 1958; Demmel & Veselić 1992: high
 * relative accuracy, at most 60 sweeps, ConvergenceError naming `fn` beyond): σ descending and the p×min(p, q)
 * left singular vectors (row-major). Cost O(sweeps·min(p, q)²·max(p, q)).
 */
function thinSvd(fn: string, b: DenseMatrix<'f64'>): ThinSvd {
  const r = svdArrays(fn, b.data, b.rows, b.cols);
  return { s: Array.from(r.s), u: r.u, rows: b.rows };
}

/** Number of singular values above rtol·s₁ (0 for the zero matrix). */
export function rankFromSingularValues(s: ArrayLike<number>, rtol: number): number {
  if (s.length === 0 || !(s[0] > 0)) return 0;
  let r = 0;
  for (let i = 0; i < s.length; i++) if (s[i] > rtol * s[0]) r++;
  return r;
}

function leftColumns(svd: ThinSvd, count: number): DenseMatrix<'f64'> {
  const k = svd.s.length, rows = svd.rows;
  const out = DenseMatrix.zeros(rows, count, 'f64');
  const d = out.data, u = svd.u;
  for (let i = 0; i < rows; i++) for (let j = 0; j < count; j++) d[i * count + j] = u[i * k + j];
  return out;
}

/**
 * orth(B) (notation of Sec. 2; docs/theory.md#1-conventions): an orthonormal basis of range(B) from the thin SVD, keeping the left singular
 * vectors with s_k > rtol·s₁ (at most maxRank of them). B is p×q; the basis is p×r. Cost O(p·q·min(p, q)).
 */
export function orth(b: DenseMatrix<'f64'>, options: { rtol?: number; maxRank?: number } = {}): Basis {
  const rtol = options.rtol ?? 1e-10;
  const svd = thinSvd('orth', b);
  const rank = Math.min(rankFromSingularValues(svd.s, rtol), options.maxRank ?? Infinity);
  return { basis: leftColumns(svd, rank), rank, singularValues: svd.s };
}

/**
 * orth(B) with at least one column: a zero map (rank 0) gets one arbitrary unit direction instead, so that every
 * narrow width is ≥ 1 (its range is empty, so any direction spans it). Options as orth.
 */
export function orthAtLeastOne(b: DenseMatrix<'f64'>, options: { rtol?: number; maxRank?: number } = {}): DenseMatrix<'f64'> {
  const o = orth(b, options);
  if (o.rank > 0) return o.basis;
  o.basis.free();
  const e = DenseMatrix.zeros(b.rows, 1, 'f64');
  e.data[0] = 1;
  return e;
}

/** topd(B, d): the top-d left singular vectors (fewer when min(p, q) < d). Cost as orth. */
export function topd(b: DenseMatrix<'f64'>, d: number): Basis {
  const svd = thinSvd('topd', b);
  const count = Math.min(d, svd.s.length);
  return { basis: leftColumns(svd, count), rank: count, singularValues: svd.s };
}

/** Singular values of B, descending (one-sided Jacobi, high relative accuracy). */
export function singularValues(b: DenseMatrix<'f64'>): number[] {
  return thinSvd('singularValues', b).s;
}

function norm2(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/** A row-feature selection (Prop. 4.1, App. C.2; docs/theory.md#16-shared-lemmas-l1-to-l7 (L7)) of Y (rows: n×p, features = columns) and its decoder. */
export interface FeatureSelection {
  /** S: the r selected feature indices, in pivot order. */
  indices: number[];
  rank: number;
  /** |R_kk| of the pivoted factorisation, in pivot order. */
  pivotNorms: number[];
  /** U_σ (p×r) with Y_row = Y_row[:, S] · U_σᵀ, i.e. U_σ = Y·(Y_S)⁺ in the paper's column convention. */
  decoder: DenseMatrix<'f64'>;
}

/**
 * L7 / Prop. 4.1 row selection: column-pivoted Gram–Schmidt on the n×p matrix y (one node per row), which
 * picks the features (columns here, rows of the paper's Y) that CPQR on Yᵀ would pick, with rank
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
    // U_σᵀ = argmin ‖y[:, S]·X − y‖_F (r×p) by Householder QR: y[:, S] = Q·R, X = R⁻¹·(Qᵀy)[:r] (full column rank by the pivot test)
    const ys = takeColumns(y, indices);
    const f = qr(ys);
    ys.free();
    try {
      const qty = f.applyQt(y), rr = f.upperTriangularMatrix;
      const sol = qty.data.slice(0, r * p), rd = rr.data.slice(0, r * r);
      qty.free(); rr.free();
      solveLeftUpper(rd, sol, r, p);
      const dd = decoder.data; // read after the allocations above (memory.grow detaches older views)
      for (let j = 0; j < p; j++) for (let k = 0; k < r; k++) dd[j * r + k] = sol[k * p + j];
    } finally {
      f.free();
    }
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
