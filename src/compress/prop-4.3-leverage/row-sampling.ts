// Lemma C.3 of Shirzad et al. (2024) with the constants derived in Prop. 4.3, App. C.4; docs/theory.md#10-proposition-43--leverage-score-row-sampling (bounds checked): keep k = O(d log d)
// of the D feature rows, drawn by the leverage scores of a D×d column basis A, and rebuild every node from
// the kept rows by a weighted least-squares fit in col(A). Used by compressByLeverage (Prop. 4.3), where
// the rows are FFN hidden units. Nodes are rows here: H is n×D.
import { InputError, ShapeError } from '../../runtime/errors.js';
import { assertFiniteStorage } from '../../runtime/validate.js';
import type { DType, Storage } from '../../runtime/storage.js';
import { DenseMatrix } from '../../linalg/dense.js';
import { matmul } from '../../linalg/matmul.js';
import { qr } from '../../linalg/qr.js';
import { leverageSample } from '../../linalg/leverage.js';
import { svdArrays } from '../../linalg/svd.js';

/** η of the subspace embedding in Prop. 4.3, App. C.4; docs/theory.md#10-proposition-43--leverage-score-row-sampling (bounds checked): the sampled Gram matrix has eigenvalues in [1 − η, 1 + η]. */
export const EMBEDDING_ETA = 0.5;

/** k = ceil(12·d·ln(2d/δ₀)): enough iid leverage draws for a (1 ± 1/2) subspace embedding w.p. ≥ 1 − δ₀ (matrix Chernoff, Prop. 4.3, App. C.4; docs/theory.md#10-proposition-43--leverage-score-row-sampling (bounds checked)). */
export function leverageSampleSize(d: number, delta0: number): number {
  return Math.ceil(12 * d * Math.log((2 * d) / delta0));
}

/** C = 1 + 2/√((1 − η)δ₁) with η = 1/2: the per-node factor of Lemma C.3 (Prop. 4.3, App. C.4; docs/theory.md#10-proposition-43--leverage-score-row-sampling (bounds checked); δ₁ = 0.005 gives C = 41). */
export function leverageConstant(delta1: number): number {
  return 1 + 2 / Math.sqrt((1 - EMBEDDING_ETA) * delta1);
}

export interface RowSamplingOptions {
  /** δ₀, failure probability of the subspace embedding; sets the default k (default 0.005). */
  delta0?: number;
  /** δ₁, per-node failure probability of the Markov step; sets C (default 0.005). */
  delta1?: number;
  /** Number of iid draws k (default leverageSampleSize(d, δ₀)). */
  samples?: number;
  /** Sampling distribution over rows: 'leverage' (default, p_r = ℓ_r/d) or 'uniform' (p_r = 1/D, the negative control). */
  distribution?: 'leverage' | 'uniform';
  /** Seed of the first draw; draw t uses rng(seed + t), all recorded (default 0). */
  seed?: number;
  /** Draws before giving up (default 10). */
  maxTries?: number;
  /** Required fraction of nodes with ‖U·S·h_i − h_i‖ ≤ C·r_i (default 0.99). */
  fraction?: number;
}

/** One draw of the verify-and-resample loop. */
export interface SamplingTry {
  seed: number;
  /** Fraction of nodes with ‖U·S·h_i − h_i‖ ≤ C·r_i. */
  fraction: number;
}

/** S = I_D[rows, :] and the decoder U with U·S·h_i = A·x'_i, x'_i the weighted least-squares fit on the kept rows. */
export interface RowSampling {
  /** The kept rows R, distinct and increasing: S = I_D[R, :] (0/1 entries, one 1 a row). */
  rows: Int32Array;
  /** w_r = √(c_r/(k·p_r)) for each kept row (c_r = times drawn). */
  weights: Float64Array;
  /** U = Q·(diag(w)·Q_R)⁺·diag(w), D×k_eff, with Q an orthonormal basis of col(A). */
  decoder: DenseMatrix<'f64'>;
  /** k, the number of iid draws (k_eff = rows.length ≤ k). */
  samples: number;
  /** C = 1 + 2/√((1 − η)δ₁). */
  constant: number;
  /** ‖U·S·h_i − h_i‖ per node. */
  errors: Float64Array;
  /** r_i = ‖(I − QQᵀ)h_i‖ per node. */
  residuals: Float64Array;
  /** Fraction of nodes with errors[i] ≤ C·r_i. */
  fractionWithin: number;
  /** Fraction of nodes with errors[i] ≤ C·ε, ε = max_i r_i. */
  fractionWithinEpsilon: number;
  /** Extreme eigenvalues of (diag(w)Q_R)ᵀ(diag(w)Q_R); the embedding event is both in [1 − η, 1 + η]. */
  embeddingEigenvalues: [number, number];
  /** The seed of the returned draw. */
  seed: number;
  /** Every draw made, in order. */
  tries: SamplingTry[];
  /** True when the returned draw reaches the required fraction. */
  accepted: boolean;
}

function checkProbability(fn: string, name: string, v: number): void {
  if (typeof v !== 'number' || !(v > 0 && v < 1)) throw new RangeError(`${fn}: ${name} must lie in (0, 1), got ${String(v)}`);
}

/** Rounding slack of the test ‖USh − h‖ ≤ C·r: the relative 1e-9 of docs/theory.md#19-tolerances-and-the-testing-protocol, on the node's norm so that r_i = 0 is usable. */
const SLACK = 1e-9;

/**
 * Leverage-score row sampling with verification (Lemma C.3; Prop. 4.3, App. C.4; docs/theory.md#10-proposition-43--leverage-score-row-sampling (construction) steps 1–5).
 * Draws k iid rows r_t ~ p (p_r = ℓ_r/d, the leverage scores of `basis` over its D rows) with
 * leverageSample (duplicates merged into weights √(c_r/(k·p_r))), builds U = Q·(diag(w)Q_R)⁺·diag(w), and counts the nodes with
 * ‖U·S·h_i − h_i‖ ≤ C·r_i. Redraws (up to maxTries, seeds recorded) until the fraction is reached; returns
 * the first draw that reaches it, else the best one with accepted = false.
 * Accuracy: per node, ‖U·S·h_i − h_i‖ ≤ C·r_i with probability ≥ 1 − δ₀ − δ₁ (Lemma C.3); U·S·h = h exactly
 * (to rounding) for h ∈ col(A) whenever diag(w)Q_R has full column rank.
 * Cost per try O(D·d² + k + n·k_eff·D); the QR of A is done once.
 * @param h n×D, one node per row.
 * @param basis D×d of full column rank (need not be orthonormal).
 * Throws InputError (not f64 DenseMatrices, non-finite entries, bad seed or distribution, rank-deficient
 * basis), ShapeError (h.cols ≠ basis.rows, d > D) and RangeError (δ's, fraction, samples, maxTries) before any work.
 */
export function leverageRowSampling(h: DenseMatrix<'f64'>, basis: DenseMatrix<'f64'>, options: RowSamplingOptions = {}): RowSampling {
  const fn = 'leverageRowSampling';
  for (const [name, m] of [['h', h], ['basis', basis]] as const) {
    if (!(m instanceof DenseMatrix) || m.dtype !== 'f64') throw new InputError(`${fn}: ${name} must be an f64 DenseMatrix`);
    assertFiniteStorage(fn, name, m.storage as Storage<DType>);
  }
  const n = h.rows, D = h.cols, d = basis.cols;
  if (basis.rows !== D) throw new ShapeError(`${fn}: basis has ${basis.rows} rows but h has ${D} columns (features)`);
  if (d < 1 || d > D) throw new ShapeError(`${fn}: basis has ${d} columns; need 1 ≤ d ≤ D = ${D}`);
  if (n < 1) throw new ShapeError(`${fn}: h has no rows (nodes)`);
  const delta0 = options.delta0 ?? 0.005, delta1 = options.delta1 ?? 0.005, fraction = options.fraction ?? 0.99;
  checkProbability(fn, 'options.delta0', delta0);
  checkProbability(fn, 'options.delta1', delta1);
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction <= 1)) throw new RangeError(`${fn}: options.fraction must lie in (0, 1], got ${String(fraction)}`);
  const samples = options.samples ?? leverageSampleSize(d, delta0);
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`${fn}: options.samples must be a positive integer, got ${String(samples)}`);
  const maxTries = options.maxTries ?? 10;
  if (!Number.isInteger(maxTries) || maxTries < 1) throw new RangeError(`${fn}: options.maxTries must be a positive integer, got ${String(maxTries)}`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new InputError(`${fn}: options.seed must be an integer, got ${String(seed)}`);
  const distribution = options.distribution ?? 'leverage';
  if (distribution !== 'leverage' && distribution !== 'uniform') throw new InputError(`${fn}: options.distribution must be 'leverage' or 'uniform', got ${String(distribution)}`);

  const q = orthonormalBasis(fn, basis);
  const residuals = residualNorms(h, q);
  const nodeNorms = rowNorms(h.data, n, D);
  // ℓ_r = ‖Q_r‖² = a_r(AᵀA)⁻¹a_rᵀ (Def. C.2 with the inverse restored, Prop. 4.3, App. C.4; docs/theory.md#10-proposition-43--leverage-score-row-sampling (notes)); uniform: all equal.
  const scores = new Float64Array(D).fill(1);
  if (distribution === 'leverage') {
    const qd = q.data;
    for (let r = 0; r < D; r++) { let s = 0; for (let t = 0; t < d; t++) s += qd[r * d + t] ** 2; scores[r] = s; }
  }
  const constant = leverageConstant(delta1);
  let eps = 0;
  for (const r of residuals) eps = Math.max(eps, r);
  const tries: SamplingTry[] = [];
  let best: Omit<RowSampling, 'tries' | 'accepted'> | null = null;
  for (let t = 0; t < maxTries; t++) {
    const draw = leverageSample(q, { samples, seed: seed + t, scores });
    const decoder = sampledDecoder(q, draw.rows, draw.weights);
    const errors = reconstructionErrors(h, draw.rows, decoder.u);
    let within = 0, withinEps = 0;
    for (let i = 0; i < n; i++) {
      const slack = SLACK * nodeNorms[i];
      if (errors[i] <= constant * residuals[i] + slack) within++;
      if (errors[i] <= constant * eps + slack) withinEps++;
    }
    const cand = {
      rows: draw.rows, weights: draw.weights, decoder: decoder.u, samples, constant, errors, residuals,
      fractionWithin: within / n, fractionWithinEpsilon: withinEps / n, embeddingEigenvalues: decoder.eigenvalues, seed: seed + t,
    };
    tries.push({ seed: seed + t, fraction: cand.fractionWithin });
    if (!best || cand.fractionWithin > best.fractionWithin) { best?.decoder.free(); best = cand; } else decoder.u.free();
    if (cand.fractionWithin >= fraction) break;
  }
  q.free();
  const chosen = best as Omit<RowSampling, 'tries' | 'accepted'>;
  return { ...chosen, tries, accepted: chosen.fractionWithin >= fraction };
}

/** Q with orthonormal columns spanning col(A); throws when A is numerically rank-deficient. */
function orthonormalBasis(fn: string, a: DenseMatrix<'f64'>): DenseMatrix<'f64'> {
  const f = qr(a);
  try {
    const r = f.upperTriangularMatrix, d = a.cols;
    const r11 = Math.abs(r.data[0]);
    for (let j = 0; j < d; j++) {
      if (!(Math.abs(r.data[j * d + j]) > 1e-10 * r11)) {
        r.free();
        throw new InputError(`${fn}: basis is numerically rank-deficient (|R_${j}${j}| ≤ 1e-10·|R_00|); pass a full-rank D×d basis`);
      }
    }
    r.free();
    return f.orthogonalMatrix;
  } finally {
    f.free();
  }
}

function rowNorms(data: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += data[i * cols + j] ** 2;
    out[i] = Math.sqrt(s);
  }
  return out;
}

/** ‖(I − QQᵀ)h_i‖ for every row h_i of H. */
function residualNorms(h: DenseMatrix<'f64'>, q: DenseMatrix<'f64'>): Float64Array {
  const c = matmul(h, q);
  const p = matmul(c, q, { transB: true });
  const pd = p.data, hd = h.data;
  for (let t = 0; t < pd.length; t++) pd[t] = hd[t] - pd[t];
  const out = rowNorms(pd, h.rows, h.cols);
  c.free(); p.free();
  return out;
}

/** U = Q·(diag(w)Q_R)⁺·diag(w) and the extreme eigenvalues of (diag(w)Q_R)ᵀ(diag(w)Q_R). */
function sampledDecoder(q: DenseMatrix<'f64'>, rows: Int32Array, w: Float64Array): { u: DenseMatrix<'f64'>; eigenvalues: [number, number] } {
  const d = q.cols, ke = rows.length, qd = q.data;
  const b = new Float64Array(ke * d);
  for (let s = 0; s < ke; s++) for (let t = 0; t < d; t++) b[s * d + t] = w[s] * qd[rows[s] * d + t];
  const svd = svdArrays('leverageRowSampling', b, ke, d); // src/linalg/svd.ts: one-sided Jacobi, capped sweeps
  const sv = svd.s, p = sv.length; // p = min(ke, d); U ke×p, V d×p row-major
  const smax = sv[0];
  const sq = Array.from({ length: d }, (_, t) => (t < p ? sv[t] ** 2 : 0));
  // pinv with the LAPACK-style cutoff max(ke, d)·ε·σ₁: below it a direction counts as not sampled
  const cutoff = Math.max(ke, d) * 2.220446049250313e-16 * smax;
  const U = svd.u, V = svd.v;
  const pinv = new Float64Array(d * ke); // d×ke = V Σ⁺ Uᵀ, then · diag(w)
  for (let j = 0; j < p; j++) {
    if (!(sv[j] > cutoff)) continue;
    const inv = 1 / sv[j];
    for (let a = 0; a < d; a++) {
      const va = V[a * p + j] * inv;
      if (va === 0) continue;
      for (let s = 0; s < ke; s++) pinv[a * ke + s] += va * U[s * p + j] * w[s];
    }
  }
  const pm = DenseMatrix.from(pinv, d, ke, 'f64');
  const u = matmul(q, pm);
  pm.free();
  return { u, eigenvalues: [Math.min(...sq), Math.max(...sq)] };
}

/** ‖U·h_i[R] − h_i‖ for every node. */
function reconstructionErrors(h: DenseMatrix<'f64'>, rows: Int32Array, u: DenseMatrix<'f64'>): Float64Array {
  const n = h.rows, D = h.cols, ke = rows.length;
  const sel = DenseMatrix.zeros(n, ke, 'f64');
  const sd = sel.data, hd = h.data; // views read after the allocation (memory.grow detaches older ones)
  for (let i = 0; i < n; i++) for (let s = 0; s < ke; s++) sd[i * ke + s] = hd[i * D + rows[s]];
  const rec = matmul(sel, u, { transB: true });
  const rd = rec.data, hd2 = h.data;
  for (let t = 0; t < rd.length; t++) rd[t] -= hd2[t];
  const out = rowNorms(rd, n, D);
  sel.free(); rec.free();
  return out;
}
