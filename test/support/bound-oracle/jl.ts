// Theorem 3.3 (JL on W_Q, W_K; docs/theory.md §4, App. C.1): the per-layer inequalities (3.1)–(3.4) in realised
// quantities, the §17 recursion of the practical variant, the head, and the closed form with the β powers that the
// paper's printed constants drop (c1 = β³ + 4β⁵√α(2√α+1), c2 = 4β⁵√α(1+√α)²; the paper's β³ + 8βα + 4β²√α and
// 4β²(α√α + 2α + √α) agree only at β = 1).
import { BoundOracle } from './oracle.js';
import { frameworkBounds, geometricSum, type Recorded } from './common.js';

/** The closed form of Thm 3.3: e^(L) ≤ c2·ε·(c1^L − 1)/(c1 − 1). */
export function jlClosedFormOracle(alpha: number, beta: number, eps: number, layers: number): { c1: number; c2: number; bound: number } {
  const ra = Math.sqrt(alpha);
  const c1 = beta ** 3 + 4 * beta ** 5 * ra * (2 * ra + 1);
  const c2 = 4 * beta ** 5 * ra * (1 + ra) ** 2;
  return { c1, c2, bound: c2 * eps * geometricSum(c1, layers) };
}

/** The practical variant's per-layer norms (§17): g = ‖BN‖₂, s = ‖skip‖₂ (1: identity, 0: none). */
export interface JlPracticalLayer { g1: number; g2: number; s1: number; s2: number }

export interface JlInputs {
  /** The sketch width d. */
  d: number;
  /** The ε the construction was asked for (null: only d was given; then the closed form uses max η). */
  eps: number | null;
  /** Per layer, for the practical variant; absent for the §1.1 model. */
  practical?: JlPracticalLayer[];
  /** ‖W_head‖ when the model has a head. */
  headNorm?: number | null;
}

/** Every check of a Theorem 3.3 certificate. η^(ℓ) is the recorded layer extra `eta` (the tests re-measure it). */
export function jlBounds(r: Recorded, p: JlInputs): BoundOracle {
  const o = frameworkBounds(r);
  const { alpha, beta } = r, ra = Math.sqrt(alpha), L = r.depth;
  const etas = r.layers.map((l) => l.extra.eta);
  r.layers.forEach((lc, l) => {
    const e = lc.e ?? Infinity, eHalf = lc.eHalf ?? Infinity, eta = etas[l];
    o.add({ kind: 'identity', layer: l, name: 'W_V, W_1, W_2 and the logit scale unchanged', bound: 0 });
    o.add({ kind: 'shape', layer: l, name: 'Ŵ_Q, Ŵ_K have d rows', bound: 0 });
    if (p.eps !== null) o.add({ kind: 'hypothesis', layer: l, name: 'JL event η^(ℓ) ≤ ε', bound: p.eps, measured: eta });
    // (3.1): |q̂·k̂ − q·k| ≤ |q̄·k̄ − q·k| + |q̂·k̂ − q̄·k̄| with ‖q̄ − q‖ ≤ βe, ‖q̄‖ ≤ β(√α + e), and L5's additive form.
    o.add({ kind: 'inequality', layer: l, name: '(3.1) ε_a ≤ β²(2√α+e)e + ηβ²(√α+e)²',
      bound: beta * beta * ((2 * ra + e) * e + eta * (ra + e) * (ra + e)) });
    const grow = Math.expm1(2 * lc.epsA) * beta * ra; // Σ_j |â_ij − a_ij|·‖v_j‖ ≤ (e^{2ε_a} − 1)β√α
    if (!p.practical) {
      o.add({ kind: 'inequality', layer: l, name: '(3.3) e_{1/2} ≤ βe + (e^{2ε_a} − 1)β√α', bound: beta * e + grow });
      o.add({ kind: 'inequality', layer: l, name: '(3.4) e^(ℓ+1) ≤ β² e_{1/2}', bound: beta * beta * eHalf });
    } else {
      const { g1, g2, s1, s2 } = p.practical[l];
      o.add({ kind: 'inequality', layer: l, name: '(3.3, §1.3) e_{1/2} ≤ g₁[(s₁+β)e + (e^{2ε_a} − 1)β√α]', bound: g1 * ((s1 + beta) * e + grow) });
      o.add({ kind: 'inequality', layer: l, name: '(3.4, §1.3) e^(ℓ+1) ≤ g₂(s₂ + β²)e_{1/2}', bound: g2 * (s2 + beta * beta) * eHalf });
    }
  });
  if (p.headNorm !== undefined && p.headNorm !== null) {
    o.add({ kind: 'inequality', layer: null, name: 'head: ‖T(X) − T̂(X)‖ ≤ ‖W_head‖ e^(L)', bound: p.headNorm * (r.layers[L - 1].eNext ?? Infinity) });
  }
  const eps = p.eps ?? Math.max(...etas);
  const applicable = !p.practical && r.layers.every((lc, l) => (lc.e ?? Infinity) <= 1 && 2 * lc.epsA <= 1 && etas[l] <= eps);
  o.add({ kind: 'closed-form', layer: null, name: 'closed form e^(L) ≤ c2·ε·(c1^L − 1)/(c1 − 1)',
    bound: jlClosedFormOracle(alpha, beta, eps, L).bound, applicable });
  return o;
}
