// Independent measurements for the Theorem 4.2 / 4.3 / 4.4 tests: plain loops over the two traces and
// linalg's power iteration, ml-matrix's QR and the tests' own Jacobi SVD (test/support/jacobi-svd.ts; ml-matrix's SVD
// loops forever on some inputs, issue 16) for norms and subspaces, so that no number the tests assert on comes from the
// certificate code under test.
import assert from 'node:assert/strict';
import { QrDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { jacobiNorm2, jacobiSvd } from './jacobi-svd.js';
import {
  forwardCompressed, operatorNorm, type CompressedModel, type DenseMatrix, type GraphTransformer, type CsrGraph, type Decoder,
} from '../../src/index.js';

/** The relative tolerance on inequalities of docs/theory.md §19 (our protocol, not the paper's) on inequalities, plus a rounding floor of 64 ulps of the compared scale. */
export const RTOL = 1e-9;
const ATOL_FACTOR = 64 * 2 ** -52;

/** Asserts measured ≤ bound·(1 + RTOL) + 64·2⁻⁵²·scale, naming the inequality and the layer; returns measured/(bound + floor). */
export function assertLeq(measured: number, bound: number, scale: number, what: string): number {
  assert.ok(Number.isFinite(measured), `${what}: measured ${measured}`);
  assert.ok(measured <= bound * (1 + RTOL) + ATOL_FACTOR * scale, `${what}: ${measured} > ${bound}`);
  return measured / (bound + ATOL_FACTOR * scale + 1e-300);
}

/** Row i of m as a plain array. */
function row(m: DenseMatrix, i: number): Float64Array {
  return Float64Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
}

/** Rows of h·Uᵀ (plain loops), or h itself for the identity decoder. */
export function lift(h: DenseMatrix, u: Decoder): Float64Array[] {
  if (u === 'identity') return Array.from({ length: h.rows }, (_, i) => row(h, i));
  if (u === 'none') throw new Error('lift: no decoder');
  const ud = Float64Array.from(u.data), hd = Float64Array.from(h.data), p = u.rows, q = u.cols;
  return Array.from({ length: h.rows }, (_, i) => {
    const y = new Float64Array(p);
    for (let j = 0; j < p; j++) { let s = 0; for (let t = 0; t < q; t++) s += ud[j * q + t] * hd[i * q + t]; y[j] = s; }
    return y;
  });
}

/** max_i ‖a_i − b_i‖ for rows given as arrays vs a matrix. */
export function maxRowDistance(a: Float64Array[], b: DenseMatrix): number {
  let w = 0;
  const bd = Float64Array.from(b.data), c = b.cols;
  a.forEach((r, i) => { let s = 0; for (let j = 0; j < c; j++) s += (r[j] - bd[i * c + j]) ** 2; w = Math.max(w, Math.sqrt(s)); });
  return w;
}

export function maxRowNorm(m: DenseMatrix): number {
  let w = 0;
  const d = Float64Array.from(m.data), c = m.cols;
  for (let i = 0; i < m.rows; i++) { let s = 0; for (let j = 0; j < c; j++) s += d[i * c + j] ** 2; w = Math.max(w, Math.sqrt(s)); }
  return w;
}

export function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let w = 0;
  for (let e = 0; e < a.length; e++) w = Math.max(w, Math.abs(a[e] - b[e]));
  return w;
}

/** ‖A‖₂ by the tests' Jacobi SVD (exact to rounding, independent of the library's Lanczos and power iteration). */
export function spectralNormOf(a: DenseMatrix): number {
  return jacobiNorm2(Float64Array.from(a.data), a.rows, a.cols);
}

/**
 * ‖A‖₂ by linalg's power iteration (tol 1e-13, below the rtol of docs/theory.md §19; it never overestimates), falling back
 * to spectralNormOf when it stalls on σ₁ ≈ σ₂. Not the Lanczos the certificate uses.
 */
export function operatorNormOf(a: DenseMatrix): number {
  try {
    return operatorNorm(a as DenseMatrix<'f64'>, { tol: 1e-13 });
  } catch {
    return spectralNormOf(a);
  }
}

/** α = max_{ℓ<L, i} ‖h_i^(ℓ)‖² and β = max over maps of ‖·‖₂ (√logitScale folded into W_Q, W_K), by operatorNormOf. */
export function alphaBeta(model: GraphTransformer, inputs: DenseMatrix[]): { alpha: number; beta: number } {
  const alpha = Math.max(...inputs.map((h) => maxRowNorm(h) ** 2));
  let beta = 0;
  for (const l of model.layers) {
    const root = Math.sqrt(l.logitScale ?? 1);
    for (const [m, f] of [[l.wQ, root], [l.wK, root], [l.wV, 1], [l.w1, 1], [l.w2, 1]] as const) beta = Math.max(beta, f * operatorNormOf(m));
  }
  return { alpha, beta };
}

/**
 * dist of every row of h (n×D) to its top-d right singular subspace, independently of the library: ml-matrix's
 * QR reduces h (or hᵀ when n < D) to a square triangular factor, whose SVD (test/support/jacobi-svd.ts) gives the
 * subspace (a basis column for σ = 0 may be 0 when n < D; the rows lie in the span of the others, so dist is unchanged).
 */
export function topSubspaceResiduals(h: DenseMatrix, d: number): Float64Array {
  const n = h.rows, D = h.cols, rowsOf = Array.from({ length: n }, (_, i) => row(h, i));
  const m = new MlMatrix(rowsOf.map((r) => Array.from(r)));
  const square = (r: MlMatrix) => Float64Array.from(r.to1DArray());
  let V: MlMatrix, s: Float64Array;
  if (n >= D) {
    const r = new QrDecomposition(m).upperTriangularMatrix; // D×D, same right singular vectors as h
    const sv = jacobiSvd(square(r), D, D);
    V = new MlMatrix(Array.from({ length: D }, (_, i) => Array.from(sv.v.subarray(i * D, (i + 1) * D))));
    s = sv.s;
  } else {
    const qr = new QrDecomposition(m.transpose()); // hᵀ = Q·R, Q D×n
    const sv = jacobiSvd(square(qr.upperTriangularMatrix), n, n);
    V = qr.orthogonalMatrix.mmul(new MlMatrix(Array.from({ length: n }, (_, i) => Array.from(sv.u.subarray(i * n, (i + 1) * n)))));
    s = sv.s;
  }
  // The Jacobi leaves columns of norm ≤ u·‖A‖_F unrotated, so their singular vectors need not be orthogonal to the
  // others (issue 16: with rank(H) = 4 < d = 6 two such columns made the "projection" overshoot, ε_34 = 0.38 for a true
  // 1e-15). Dropping a direction with σ_t ≤ 2u·‖A‖_F moves every residual by at most σ_t: rounding level.
  const frob = Math.sqrt(s.reduce((a, v) => a + v * v, 0));
  let keep = Math.min(d, V.columns);
  while (keep > 0 && !(s[keep - 1] > 2 * 2 ** -52 * frob)) keep--;
  return Float64Array.from(rowsOf, (x) => {
    const c = new Float64Array(keep);
    for (let t = 0; t < keep; t++) for (let j = 0; j < D; j++) c[t] += V.get(j, t) * x[j];
    let s = 0;
    for (let j = 0; j < D; j++) { let p = 0; for (let t = 0; t < keep; t++) p += V.get(j, t) * c[t]; s += (x[j] - p) ** 2; }
    return Math.sqrt(s);
  });
}

/** max_i of topSubspaceResiduals: ε of Lemma C.1 for the exact topd. */
export function topSubspaceResidual(h: DenseMatrix, d: number): number {
  return Math.max(...topSubspaceResiduals(h, d));
}

/** The traces of T and of the twin, f64. */
export function traces(model: GraphTransformer, compressed: CompressedModel, x: DenseMatrix, pattern: CsrGraph) {
  const ref = model.forward(x, pattern, { trace: true });
  const nar = forwardCompressed(compressed, x, pattern, { trace: true });
  return { ref: ref.trace!, nar: nar.trace!, refOut: ref.output, narOut: nar.output };
}

/** Least-squares slope of log y against log x. */
export function logLogSlope(xs: number[], ys: number[]): number {
  const lx = xs.map(Math.log), ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length, my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let num = 0, den = 0;
  for (let i = 0; i < lx.length; i++) { num += (lx[i] - mx) * (ly[i] - my); den += (lx[i] - mx) ** 2; }
  return num / den;
}
