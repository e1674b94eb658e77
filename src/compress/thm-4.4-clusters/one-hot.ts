// The cluster statistics and the one-hot feed-forward block of Theorem 4.4 (Shirzad et al. 2024, App. C,
// Lemmas C.7–C.10), with the explicit constants of App. C.5 (docs/theory.md#11-theorem-44--clustering: hypotheses to bounds checked). Nodes are rows: H is n×D.
import { InputError, ShapeError } from '../../runtime/errors.js';
import { assertFiniteStorage } from '../../runtime/validate.js';
import type { DType, Storage } from '../../runtime/storage.js';
import { DenseMatrix } from '../../linalg/dense.js';

/** The cluster hypotheses of Theorem 4.4 measured on the reference H^(ℓ+1/2) (docs/theory.md#11-theorem-44--clustering (hypotheses)). */
export interface ClusterStatistics {
  /** Number of clusters k. */
  clusters: number;
  /** The cluster of every node, 0..k−1. */
  labels: Int32Array;
  /** c_a, the cluster means, k×D. */
  centres: DenseMatrix<'f64'>;
  /** ‖c_a‖. */
  centreNorms: Float64Array;
  /** ε = max_i ‖h_i − c_{a(i)}‖/‖c_{a(i)}‖. */
  epsilon: number;
  /** max_i ‖h_i − c_{a(i)}‖. */
  maxDistance: number;
  /** γ₁ = min_a ‖c_a‖, γ₂ = max_a ‖c_a‖, κ = γ₂/γ₁. */
  gamma1: number;
  gamma2: number;
  kappa: number;
  /** max_{a≠b} c_a·c_b (−∞ for one cluster). */
  separation: number;
  /** The paper's condition max_{a≠b} c_a·c_b ≤ γ₁²/2. */
  separated: boolean;
  /** s = max_{a≠b} c_a·c_b/‖c_b‖², the quantity the construction needs (≤ 1/2 under the paper's condition). */
  s: number;
  /** r_a = argmin_{i ∈ a} ‖h_i − c_a‖, the representative node of each cluster. */
  representatives: Int32Array;
}

function checkF64(fn: string, name: string, m: unknown): asserts m is DenseMatrix<'f64'> {
  if (!(m instanceof DenseMatrix) || m.dtype !== 'f64') throw new InputError(`${fn}: ${name} must be an f64 DenseMatrix`);
  assertFiniteStorage(fn, name, m.storage as Storage<DType>);
}

/**
 * Cluster means, ε, γ₁, γ₂, κ, the separation tests and the representatives (Thm 4.4, App. C.5; docs/theory.md#11-theorem-44--clustering (hypotheses)).
 * Cost O(n·D + k²·D). Throws InputError (h not an f64 DenseMatrix or non-finite; a label outside 0..k−1
 * or an empty cluster; a zero centre) and ShapeError (labels.length ≠ n) before any work.
 * @param h n×D reference H^(ℓ+1/2), nodes as rows.
 * @param labels the cluster of each node; clusters must be numbered 0..k−1, all non-empty.
 */
export function clusterStatistics(h: DenseMatrix<'f64'>, labels: Int32Array): ClusterStatistics {
  const fn = 'clusterStatistics';
  checkF64(fn, 'h', h);
  if (!(labels instanceof Int32Array)) throw new InputError(`${fn}: labels must be an Int32Array`);
  const n = h.rows, D = h.cols;
  if (labels.length !== n) throw new ShapeError(`${fn}: labels has ${labels.length} entries but h has ${n} rows (nodes)`);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (!(labels[i] >= 0)) throw new InputError(`${fn}: labels[${i}] = ${labels[i]} is negative`);
    k = Math.max(k, labels[i] + 1);
  }
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) counts[labels[i]]++;
  for (let a = 0; a < k; a++) if (counts[a] === 0) throw new InputError(`${fn}: labels: cluster ${a} is empty; number clusters 0..k−1 without gaps`);
  const centres = DenseMatrix.zeros(k, D, 'f64');
  const hd = h.data, cd = centres.data; // views read after the allocation (memory.grow detaches older ones)
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) cd[labels[i] * D + j] += hd[i * D + j];
  for (let a = 0; a < k; a++) for (let j = 0; j < D; j++) cd[a * D + j] /= counts[a];
  const centreNorms = new Float64Array(k);
  for (let a = 0; a < k; a++) centreNorms[a] = Math.sqrt(dot(cd, a * D, cd, a * D, D));
  for (let a = 0; a < k; a++) if (!(centreNorms[a] > 0)) { centres.free(); throw new InputError(`${fn}: cluster ${a} has a zero centre; Theorem 4.4 needs ‖c_a‖ > 0`); }
  let epsilon = 0, maxDistance = 0;
  const representatives = new Int32Array(k).fill(-1), best = new Float64Array(k).fill(Infinity);
  for (let i = 0; i < n; i++) {
    const a = labels[i];
    let s = 0;
    for (let j = 0; j < D; j++) s += (hd[i * D + j] - cd[a * D + j]) ** 2;
    const dist = Math.sqrt(s);
    maxDistance = Math.max(maxDistance, dist);
    epsilon = Math.max(epsilon, dist / centreNorms[a]);
    if (dist < best[a]) { best[a] = dist; representatives[a] = i; }
  }
  const gamma1 = Math.min(...centreNorms), gamma2 = Math.max(...centreNorms);
  let separation = -Infinity, s = -Infinity;
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
    if (a === b) continue;
    const c = dot(cd, a * D, cd, b * D, D);
    separation = Math.max(separation, c);
    s = Math.max(s, c / centreNorms[b] ** 2);
  }
  return {
    clusters: k, labels, centres, centreNorms, epsilon, maxDistance, gamma1, gamma2, kappa: gamma2 / gamma1,
    separation, separated: separation <= gamma1 * gamma1 / 2, s, representatives,
  };
}

function dot(x: Float64Array, xo: number, y: Float64Array, yo: number, len: number): number {
  let s = 0;
  for (let t = 0; t < len; t++) s += x[xo + t] * y[yo + t];
  return s;
}

/** Ŵ_1 (k×d) and b̂_1 = −3·𝟙 of the one-hot block. */
export interface OneHotFfn {
  /** Row a is 4ĉ_aᵀ/‖ĉ_a‖², ĉ_a = ĥ_{r_a}. */
  w1: DenseMatrix<'f64'>;
  /** −3 in every entry. */
  b1: Float64Array;
}

/**
 * The one-hot hidden layer of Theorem 4.4 (docs/theory.md#11-theorem-44--clustering (construction) FFN step 2): z_i = ReLU(Ŵ_1ĥ_i − 3·𝟙) with row a of
 * Ŵ_1 equal to 4ĉ_aᵀ/‖ĉ_a‖², so z_ia = ReLU(4ρ_ia − 3) with ρ_ia = ĥ_i·ĉ_a/‖ĉ_a‖². Under the hypotheses
 * z_i = (1 + δ_i)e_{a(i)} exactly off-cluster (oneHotBounds gives |δ_i| ≤ Δ). Cost O(k·d).
 * Throws InputError (hHalf not an f64 DenseMatrix or non-finite; a representative outside 0..n−1; a zero ĉ_a).
 * @param hHalf n×d compressed Ĥ^(ℓ+1/2), nodes as rows.
 * @param representatives r_a for each cluster a.
 */
export function oneHotFfn(hHalf: DenseMatrix<'f64'>, representatives: Int32Array): OneHotFfn {
  const fn = 'oneHotFfn';
  checkF64(fn, 'hHalf', hHalf);
  const n = hHalf.rows, d = hHalf.cols, k = representatives.length;
  for (let a = 0; a < k; a++) {
    const r = representatives[a];
    if (!Number.isInteger(r) || r < 0 || r >= n) throw new InputError(`${fn}: representatives[${a}] = ${r} is outside [0, ${n})`);
  }
  const w1 = DenseMatrix.zeros(k, d, 'f64');
  const hd = hHalf.data, wd = w1.data;
  for (let a = 0; a < k; a++) {
    const o = representatives[a] * d;
    const nn = dot(hd, o, hd, o, d);
    if (!(nn > 0)) { w1.free(); throw new InputError(`${fn}: the representative of cluster ${a} (node ${representatives[a]}) has ĉ_a = 0`); }
    for (let t = 0; t < d; t++) wd[a * d + t] = (4 * hd[o + t]) / nn;
  }
  return { w1, b1: new Float64Array(k).fill(-3) };
}

/** The sufficient condition and the deviation bound of the one-hot step (Thm 4.4, App. C.5; docs/theory.md#11-theorem-44--clustering (bounds checked)). */
export interface OneHotBounds {
  /** τ' = τ/γ₁². */
  tauRelative: number;
  /** ρ_x = [s + (2ε+ε²)κ + τ'] / [(1−ε)² − τ']: every off-cluster ratio ρ_ib is ≤ ρ_x (∞ when the denominator is ≤ 0). */
  rhoX: number;
  /** Δ = 4(4ε + 2ε² + 2τ')/((1−ε)² − τ'): |z_{i,a(i)} − 1| ≤ Δ (∞ when the denominator is ≤ 0). */
  delta: number;
  /** ρ_x < 3/4 (or k = 1, no off-cluster pair): then every off-cluster z_ib is exactly 0. */
  certified: boolean;
  /** ε < 1 and (1−ε)² > τ′: the lemma behind Δ applies (‖ĉ_a‖ ≥ (1−ε)‖c_a‖ − … needs 1 − ε > 0; Lemmas C.7/C.8). */
  deltaValid: boolean;
  /** k = 1 (s = −∞): there is no off-cluster pair, so the off-cluster condition is vacuous, not "ρ_x = −∞ < 3/4". */
  singleCluster: boolean;
  /** Why Δ (and ρ_x) are or are not bounds here, for the checks' details. */
  reason: string;
}

/**
 * ρ_x and Δ of Lemmas C.7–C.10 in the generalised form of docs/theory.md#11-theorem-44--clustering (hypotheses, bounds checked), from the measured ε, κ, s, γ₁
 * and τ = max_{i,b} |ĥ_i·ĉ_b − h_i·h_{r_b}| (the Gram error at stage ℓ+1/2). Pure arithmetic, O(1).
 */
export function oneHotBounds(q: { epsilon: number; kappa: number; s: number; gamma1: number; tau: number }): OneHotBounds {
  const { epsilon: e, kappa, s, gamma1, tau } = q;
  const tauRelative = tau / (gamma1 * gamma1);
  const den = (1 - e) ** 2 - tauRelative;
  const singleCluster = s === -Infinity;
  // Both ratios divide by a lower bound of ‖ĉ_a‖²/‖c_a‖²: ‖h_r‖ ≥ ‖c_a‖ − ‖h_r − c_a‖ ≥ (1−ε)‖c_a‖ squares to
  // (1−ε)²‖c_a‖² only when 1 − ε ≥ 0 (Lemma C.7's 1 − 3ε lower bound likewise), so for ε ≥ 1 neither is a bound.
  if (!(e < 1)) {
    const reason = `not applicable: cluster spread ε = ${e} ≥ 1, and Lemmas C.7/C.8 (Thm 4.4, App. C.5) need ε < 1 for ‖ĉ_a‖ ≥ (1−ε)‖c_a‖ > 0`;
    return { tauRelative, rhoX: singleCluster ? -Infinity : Infinity, delta: Infinity, certified: singleCluster, deltaValid: false, singleCluster, reason };
  }
  if (!(den > 0)) {
    return { tauRelative, rhoX: singleCluster ? -Infinity : Infinity, delta: Infinity, certified: singleCluster, deltaValid: false, singleCluster,
      reason: `not applicable: (1−ε)² − τ′ = ${den} ≤ 0 (ε = ${e}, τ′ = ${tauRelative})` };
  }
  const rhoX = singleCluster ? -Infinity : (s + (2 * e + e * e) * kappa + tauRelative) / den;
  const delta = (4 * (4 * e + 2 * e * e + 2 * tauRelative)) / den;
  return { tauRelative, rhoX, delta, certified: singleCluster || rhoX < 0.75, deltaValid: true, singleCluster,
    reason: `ε = ${e} < 1 and (1−ε)² − τ′ = ${den} > 0: Lemmas C.7/C.8 give |ρ_{i,a(i)} − 1| ≤ Δ/4` };
}
