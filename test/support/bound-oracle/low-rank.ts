// Theorem 4.2 (almost low rank, with Lemma C.1; docs/theory.md §9, App. C.3): L2/L3 attention, e¾ ≤ βe½, the three
// bounds on e^(ℓ+1) through the next basis, the widths, the ε hypothesis and the closed form with the β powers
// restored: c1 = 2β³(1 + 4β²√α(2√α+1)), c2 = β (the paper's printed 2β³(1 + 8α + 4β√α) agrees only at β = 1),
// e^(L) ≤ c1^L ε + c2 ε (c1^L − 1)/(c1 − 1) because e^(0) = ε_X ≤ ε.
import { BoundOracle } from './oracle.js';
import { attentionBounds, frameworkBounds, geometricSum, type Recorded } from './common.js';

/** The closed form of Thm 4.2. */
export function lowRankClosedFormOracle(alpha: number, beta: number, eps: number, layers: number): { c1: number; c2: number; bound: number } {
  const ra = Math.sqrt(alpha);
  const c1 = 2 * beta ** 3 * (1 + 4 * beta * beta * ra * (2 * ra + 1));
  const c2 = beta;
  return { c1, c2, bound: c1 ** layers * eps + c2 * eps * geometricSum(c1, layers) };
}

/** The per-layer bounds on e^(ℓ+1) that Thm 4.2 and Prop 4.3 share (with ε_34 and dist(W_2H¾, col U^(ℓ+1))). */
export function nextBasisBounds(o: BoundOracle, l: number, beta: number, e34: number, eps34: number, dist: number): void {
  o.add({ kind: 'inequality', layer: l, name: 'e^(ℓ+1) ≤ βε_34 + 2βe_{3/4}', bound: beta * eps34 + 2 * beta * e34 });
  o.add({ kind: 'inequality', layer: l, name: 'Lemma C.1 through W_2: dist(W_2H^(ℓ+3/4), col U^(ℓ+1)) ≤ βε_34', bound: beta * eps34 });
}

export interface LowRankInputs {
  d: number;
  /** The ε the construction was given (null: none). */
  epsilon: number | null;
  /** ε_34^(ℓ) = colmax((I − P_34P_34ᵀ)H^(ℓ+3/4)) per layer (Lemma C.1 certificate). */
  eps34: number[];
  /** dist(W_2H^(ℓ+3/4), col U^(ℓ+1)) per layer. */
  dist: number[];
}

/** Every check of a Theorem 4.2 certificate. */
export function lowRankBounds(r: Recorded, p: LowRankInputs): BoundOracle {
  const o = frameworkBounds(r);
  const { beta } = r, L = r.depth;
  r.layers.forEach((lc, l) => {
    o.merge(attentionBounds(r, l));
    const eHalf = lc.eHalf ?? Infinity, e34 = lc.e34 ?? Infinity;
    o.add({ kind: 'inequality', layer: l, name: 'e_{3/4} ≤ βe_{1/2}', bound: beta * eHalf });
    nextBasisBounds(o, l, beta, e34, p.eps34[l], p.dist[l]);
    o.add({ kind: 'inequality', layer: l, name: '[sharper] e^(ℓ+1) ≤ βe_{3/4} + dist(W_2H^(ℓ+3/4), col U^(ℓ+1))', bound: beta * e34 + p.dist[l] });
    o.add({ kind: 'shape', layer: l, name: 'narrow widths ≤ d (w1, w2 may be D wide)', bound: p.d });
  });
  const epsX = r.layers[0].e ?? 0;
  const eps = Math.max(epsX, ...p.eps34);
  if (p.epsilon !== null) {
    o.add({ kind: 'hypothesis', layer: null, name: 'hypothesis: ε = max(ε_X, max_ℓ ε_34) ≤ the given ε', bound: p.epsilon, measured: eps });
  }
  const applicable = r.layers.every((lc) => (lc.e ?? 0) <= 1 && 2 * lc.epsA <= 1);
  o.add({ kind: 'closed-form', layer: null, name: 'closed form e^(L) ≤ c1^L ε + c2 ε (c1^L − 1)/(c1 − 1)',
    bound: lowRankClosedFormOracle(r.alpha, beta, eps, L).bound, applicable });
  return o;
}
