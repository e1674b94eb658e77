// Theorem 4.4 (clustering, case (2); docs/theory.md §11, App. C.5, Lemmas C.4–C.11): the cluster hypotheses, L2 on
// the values, L4 on the Gram matrix, the one-hot step (ρ_x < 3/4 ⇒ exact off-cluster zeros; |z − 1| ≤ Δ), the bounds on
// e¾ and e^(ℓ+1) and the per-step closed form c1 = 16β⁴γ₂(2√α+1)(1+8β²α)/γ₁², c2 = 41β²γ₂.
//   ρ_x = [s + (2ε+ε²)κ + τ′] / [(1−ε)² − τ′],   Δ = 4(4ε + 2ε² + 2τ′) / ((1−ε)² − τ′),   τ′ = τ/γ₁²
// Both divide by a lower bound of ‖ĉ_a‖²/‖c_a‖², which needs ε < 1 (and a positive denominator); otherwise neither is
// a bound (Δ = ∞, ρ_x = ∞). With one cluster there is no off-cluster pair: ρ_x = −∞ and the zeros are vacuous.
import { BoundOracle } from './oracle.js';
import { attentionBounds, frameworkBounds, l2Bound, l4Bound, type Recorded } from './common.js';

/** The one-hot step of Lemmas C.7–C.10 from the measured cluster statistics and τ. */
export interface OneHotOracle { tauRelative: number; rhoX: number; delta: number; singleCluster: boolean; deltaValid: boolean; certified: boolean }

export function oneHotOracle(q: { clusters: number; epsilon: number; kappa: number; s: number; gamma1: number; tau: number }): OneHotOracle {
  const e = q.epsilon, tauRelative = q.tau / (q.gamma1 * q.gamma1);
  const den = (1 - e) * (1 - e) - tauRelative;
  const singleCluster = q.clusters === 1;
  const deltaValid = e < 1 && den > 0;
  const rhoX = singleCluster ? -Infinity : deltaValid ? (q.s + (2 * e + e * e) * q.kappa + tauRelative) / den : Infinity;
  const delta = deltaValid ? (4 * (4 * e + 2 * e * e + 2 * tauRelative)) / den : Infinity;
  return { tauRelative, rhoX, delta, singleCluster, deltaValid, certified: singleCluster || rhoX < 0.75 };
}

/** The per-layer measured numbers: the cluster statistics on the reference H^(ℓ+1/2), τ_v, τ, and the norms of G and F. */
export interface ClusterLayer {
  clusters: number;
  epsilon: number;
  maxDistance: number;
  gamma1: number;
  gamma2: number;
  kappa: number;
  /** max_{a≠b} c_a·c_b. */
  separation: number;
  /** max_{a≠b} c_a·c_b/‖c_b‖². */
  s: number;
  tauV: number;
  tau: number;
  /** B_v = max_u ‖v_u‖ on the reference. */
  valueNorm: number;
  /** max_a ‖ReLU(W_1c_a + b_1)‖ and max_a ‖W_2ReLU(W_1c_a + b_1)‖. */
  gMax: number;
  fMax: number;
  hasBias: boolean;
}

export interface ClustersInputs { d: number; layers: ClusterLayer[] }

/** Every check of a Theorem 4.4 (case 2) certificate. */
export function clustersBounds(r: Recorded, p: ClustersInputs): BoundOracle {
  const o = frameworkBounds(r);
  const { alpha, beta } = r, b2 = beta * beta, ra = Math.sqrt(alpha);
  r.layers.forEach((lc, l) => {
    const q = p.layers[l], e = lc.e ?? 0;
    const h = oneHotOracle(q);
    const oneHot = h.certified && h.deltaValid;
    o.add({ kind: 'shape', layer: l, name: 'k ≤ d clusters', bound: p.d, measured: q.clusters });
    o.add({ kind: 'hypothesis', layer: l, name: "paper's separation max_{a≠b} c_a·c_b ≤ γ₁²/2", bound: q.gamma1 ** 2 / 2, measured: q.separation, applicable: false });
    o.add({ kind: 'hypothesis', layer: l, name: 'one-hot condition ρ_x = [s + (2ε+ε²)κ + τ′]/[(1−ε)² − τ′] < 3/4', bound: 0.75, measured: h.rhoX, applicable: !h.singleCluster });
    o.add({ kind: 'hypothesis', layer: l, name: 'cluster spread ε = max_i‖h_i − c_{a(i)}‖/‖c_{a(i)}‖ < 1 (Lemmas C.7–C.10)', bound: 1, measured: q.epsilon });
    o.merge(attentionBounds(r, l));
    o.add({ kind: 'inequality', layer: l, name: 'L2 (values): τ_v ≤ β²(2√α+e)e', bound: l2Bound(alpha, beta, e) });
    o.add({ kind: 'inequality', layer: l, name: 'L4: τ ≤ τ_v + (e^{4ε_a} − 1)B_v²', bound: l4Bound(q.tauV, lc.epsA, q.valueNorm) });
    o.add({ kind: 'identity', layer: l, name: 'one-hot: off-cluster z_ib = 0 exactly', bound: 0, applicable: h.certified });
    o.add({ kind: 'inequality', layer: l, name: 'one-hot: |z_{i,a(i)} − 1| ≤ Δ = 4(4ε+2ε²+2τ′)/((1−ε)² − τ′)', bound: h.delta, applicable: h.deltaValid });
    // ‖G z_i − h¾_i‖ ≤ |δ_i|‖g_a‖ + ‖ReLU(W_1c_a + b_1) − ReLU(W_1h_i + b_1)‖, and W_2 on top for f_a.
    o.add({ kind: 'inequality', layer: l, name: 'e_{3/4} ≤ β·max_i‖h_i − c_{a(i)}‖ + Δ·max_a‖ReLU(W_1c_a + b_1)‖',
      bound: beta * q.maxDistance + h.delta * q.gMax, applicable: oneHot });
    o.add({ kind: 'inequality', layer: l, name: 'e^(ℓ+1) ≤ β²·max_i‖h_i − c_{a(i)}‖ + Δ·max_a‖f_a‖',
      bound: b2 * q.maxDistance + h.delta * q.fMax, applicable: oneHot });
    o.add({ kind: 'inequality', layer: l, name: 'e^(ℓ+1) ≤ β²γ₂(ε + Δ)', bound: b2 * q.gamma2 * (q.epsilon + h.delta), applicable: oneHot && !q.hasBias });
    o.add({ kind: 'shape', layer: l, name: 'narrow widths ≤ d', bound: p.d });
    const c1 = (16 * beta ** 4 * q.gamma2 * (2 * ra + 1) * (1 + 8 * b2 * alpha)) / (q.gamma1 * q.gamma1);
    const c2 = 41 * b2 * q.gamma2;
    const cond = q.epsilon <= 0.5 && e <= 1 && 4 * lc.epsA <= 1 && (1 - q.epsilon) ** 2 - h.tauRelative >= 0.5 && h.certified && !q.hasBias;
    o.add({ kind: 'closed-form', layer: l, name: 'closed form e^(ℓ+1) ≤ c1·e^(ℓ) + c2·ε', bound: c1 * e + c2 * q.epsilon, applicable: cond });
  });
  return o;
}
