// Proposition 4.3 (leverage-score row sampling, Lemma C.3; docs/theory.md §10, App. C.4) inside the network: Thm 4.2's
// attention checks, the sampling event (fraction of nodes beyond C·r_i), S 0/1 with k_eff ≤ k, exactness on col(P_34),
// e¾ ≤ ‖U‖βe½ + max‖USh − h‖ and Thm 4.2's bounds on e^(ℓ+1). k = ceil(12·d·ln(2d/δ₀)), C = 1 + 2/√((1−η)δ₁), η = 1/2.
import { BoundOracle } from './oracle.js';
import { attentionBounds, frameworkBounds, type Recorded } from './common.js';
import { nextBasisBounds } from './low-rank.js';

/** k = ceil(12·d·ln(2d/δ₀)) (matrix Chernoff with η = 1/2, §10). */
export function leverageSamplesOracle(d: number, delta0: number): number {
  return Math.ceil(12 * d * Math.log((2 * d) / delta0));
}

/** C = 1 + 2/√((1 − η)δ₁) with η = 1/2 (§10): δ₁ = 0.005 gives 41. */
export function leverageConstantOracle(delta1: number): number {
  return 1 + 2 / Math.sqrt(delta1 / 2);
}

export interface LeverageLayer {
  /** ‖U‖₂ of the sampling decoder (measured by the test). */
  decoderNorm: number;
  /** max_i ‖U·S·h_i − h_i‖ on the reference H^(ℓ+3/4). */
  maxSamplingError: number;
  eps34: number;
  dist: number;
}

export interface LeverageInputs {
  d: number;
  /** k, the number of draws. */
  samples: number;
  /** The fraction of nodes that must be within C·r_i (default 0.99). */
  fraction: number;
  layers: LeverageLayer[];
}

/** Every check of a Proposition 4.3 certificate. */
export function leverageBounds(r: Recorded, p: LeverageInputs): BoundOracle {
  const o = frameworkBounds(r);
  const { beta } = r;
  r.layers.forEach((lc, l) => {
    const q = p.layers[l];
    const eHalf = lc.eHalf ?? Infinity, e34 = lc.e34 ?? Infinity;
    o.merge(attentionBounds(r, l));
    o.add({ kind: 'hypothesis', layer: l, name: `Lemma C.3: fraction of nodes with ‖USh_i − h_i‖ > C·r_i ≤ ${+(1 - p.fraction).toFixed(6)}`, bound: 1 - p.fraction });
    o.add({ kind: 'shape', layer: l, name: 'S is 0/1 with k_eff ≤ k distinct rows', bound: p.samples });
    o.add({ kind: 'identity', layer: l, name: 'U·S·a = a on col(P_34) (unit a)', bound: 1e-9 });
    // Uĥ¾ − h¾ = U·S(σ(Ŵ_1ĥ½) − h¾) + (USh¾ − h¾), and ‖S(σ(·) − h¾)‖ ≤ βe½.
    o.add({ kind: 'inequality', layer: l, name: 'e_{3/4} ≤ ‖U‖βe_{1/2} + max_i‖USh_i − h_i‖', bound: q.decoderNorm * beta * eHalf + q.maxSamplingError });
    o.add({ kind: 'inequality', layer: l, name: 'e^(ℓ+1) ≤ βe_{3/4} + dist(W_2H^(ℓ+3/4), col U^(ℓ+1))', bound: beta * e34 + q.dist });
    nextBasisBounds(o, l, beta, e34, q.eps34, q.dist);
    o.add({ kind: 'shape', layer: l, name: 'narrow widths ≤ d (w1, w2 may be D wide)', bound: p.d });
  });
  return o;
}
