// Measured quantities that certificates do not record but whose bounds use them (‖W_V‖, ‖BN‖, ‖skip‖, ‖U‖, B_v …),
// computed by the tests' own means: the one-sided Jacobi SVD of test/support (exact to rounding) up to 64 rows or
// columns, ml-matrix's Golub–Kahan SVD above (a power iteration is not enough: at FC_SEED=11 it stopped at
// 1 + 9e-12 on a 69×69 W_1 whose norm is 1 + 6.5e-7, σ₁ ≈ σ₂); a diagonal matrix's norm is its largest |entry|.
import type { DenseMatrix } from '../../../src/linalg/dense.js';
import type { GraphTransformer } from '../../../src/model/graph-transformer.js';
import { jacobiNorm2 } from '../jacobi-svd.js';
import { Matrix as MlMatrix, SVD } from 'ml-matrix';
import { betaOf } from './common.js';
import assert from 'node:assert/strict';

function isDiagonal(m: DenseMatrix): boolean {
  if (m.rows !== m.cols) return false;
  const d = m.data, n = m.cols;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j && d[i * n + j] !== 0) return false;
  return true;
}

/** ‖m‖₂, independently of src/compress. */
export function spectral(m: DenseMatrix): number {
  if (isDiagonal(m)) { let w = 0; for (let i = 0; i < m.rows; i++) w = Math.max(w, Math.abs(m.data[i * m.cols + i])); return w; }
  if (Math.min(m.rows, m.cols) <= 64) return jacobiNorm2(Float64Array.from(m.data), m.rows, m.cols);
  const a = new MlMatrix(Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols))));
  return new SVD(a, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true }).diagonal[0];
}

/** ‖S‖₂ of a skip map: 0 for none, 1 for the identity. */
export function skipNorm(s: DenseMatrix | 'identity' | null | undefined): number {
  return !s ? 0 : s === 'identity' ? 1 : spectral(s);
}

/** The practical variant's per-layer ‖N₁‖, ‖N₂‖, ‖S₁‖, ‖S₂‖ (docs/theory.md §17). */
export function normsAndSkips(model: GraphTransformer): { g1: number; g2: number; s1: number; s2: number }[] {
  return model.layers.map((l) => ({
    g1: l.attentionNorm ? spectral(l.attentionNorm.weight) : 1, g2: l.ffnNorm ? spectral(l.ffnNorm.weight) : 1,
    s1: skipNorm(l.attentionSkip), s2: skipNorm(l.ffnSkip),
  }));
}

/** max_i ‖row_i(A·Wᵀ)‖ in plain loops (e.g. B_v = max_j ‖W_V h_j‖). */
export function maxRowNormTimesT(a: DenseMatrix, w: DenseMatrix): number {
  let best = 0;
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let o = 0; o < w.rows; o++) { let t = 0; for (let k = 0; k < w.cols; k++) t += w.data[o * w.cols + k] * a.data[i * a.cols + k]; s += t * t; }
    best = Math.max(best, s);
  }
  return Math.sqrt(best);
}

/** max_j ‖column_j(m)‖. */
export function maxColumnNorm(m: DenseMatrix): number {
  let best = 0;
  for (let j = 0; j < m.cols; j++) { let s = 0; for (let i = 0; i < m.rows; i++) s += m.data[i * m.cols + j] ** 2; best = Math.max(best, s); }
  return Math.sqrt(best);
}

/**
 * The certificate's β against β of (A2) measured here (betaOf with the Jacobi / power-iteration norm), relative 1e-10
 * (two independent spectral norms agree to ~1e-13); a β without √logitScale is off by √s, far outside.
 */
export function assertBeta(certBeta: number, model: GraphTransformer, where: string): void {
  const b = betaOf(model, spectral);
  assert.ok(Math.abs(certBeta - b) <= 1e-10 * b, `${where}: certificate β = ${certBeta}, β of (A2) with √logitScale folded into W_Q, W_K = ${b}`);
}

/** Cluster statistics of Thm 4.4 (docs/theory.md §11) on n×D rows h with labels 0..k−1, in plain loops. */
export function clusterStats(h: DenseMatrix, labels: ArrayLike<number>): {
  clusters: number; centres: Float64Array[]; epsilon: number; maxDistance: number; gamma1: number; gamma2: number; kappa: number; s: number; separation: number;
} {
  const n = h.rows, D = h.cols;
  let k = 0;
  for (let i = 0; i < n; i++) k = Math.max(k, labels[i] + 1);
  const centres = Array.from({ length: k }, () => new Float64Array(D)), count = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) { count[labels[i]]++; for (let j = 0; j < D; j++) centres[labels[i]][j] += h.data[i * D + j]; }
  centres.forEach((c, a) => { for (let j = 0; j < D; j++) c[j] /= count[a]; });
  const dot = (x: Float64Array, y: Float64Array) => { let t = 0; for (let j = 0; j < D; j++) t += x[j] * y[j]; return t; };
  const norms = centres.map((c) => Math.sqrt(dot(c, c)));
  let epsilon = 0, maxDistance = 0;
  for (let i = 0; i < n; i++) {
    const c = centres[labels[i]];
    let t = 0;
    for (let j = 0; j < D; j++) t += (h.data[i * D + j] - c[j]) ** 2;
    maxDistance = Math.max(maxDistance, Math.sqrt(t));
    epsilon = Math.max(epsilon, Math.sqrt(t) / norms[labels[i]]);
  }
  let s = -Infinity, separation = -Infinity;
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) if (a !== b) {
    const ab = dot(centres[a], centres[b]);
    separation = Math.max(separation, ab);
    s = Math.max(s, ab / norms[b] ** 2);
  }
  const gamma1 = Math.min(...norms), gamma2 = Math.max(...norms);
  return { clusters: k, centres, epsilon, maxDistance, gamma1, gamma2, kappa: gamma2 / gamma1, s, separation };
}

/** max_j ‖column_j(W·G)‖ in plain loops (max_a ‖f_a‖ with f_a = W_2 g_a). */
export function maxColumnNormOfProduct(w: DenseMatrix, g: DenseMatrix): number {
  let best = 0;
  for (let a = 0; a < g.cols; a++) {
    let s = 0;
    for (let o = 0; o < w.rows; o++) { let t = 0; for (let k = 0; k < w.cols; k++) t += w.data[o * w.cols + k] * g.data[k * g.cols + a]; s += t * t; }
    best = Math.max(best, s);
  }
  return Math.sqrt(best);
}
