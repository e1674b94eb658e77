// The practical variant (skips, folded batch norms, biases; docs/theory.md §17, App. D.2) compressed by
// compressPractical: Thm 4.2 / 4.4 restated with one decoder per D-wide intermediate. Per layer, with g = ‖N‖₂,
// s = ‖S‖₂ and the Lemma C.1 residuals ε½ = dist(h½, col U½), ε′ = dist(h^(ℓ+1), col U′) of the reference:
//   (L2)  ε_a ≤ β²(2√α+e)e
//   (P½)  e½ ≤ ε½ + g₁[s₁e + ‖W_V‖e + (e^{2ε_a} − 1)B_v]
//   (P¾)  full: ‖W_1‖e½;   select: ‖U_σ‖‖W_1[S]‖e½ + ε_σ
//   (P1)  e′ ≤ ε′ + g₂[s₂e½ + ‖W_2‖e¾]   (clusters: ε′ + g₂[s₂e½ + Δ·max‖f_a‖ + ‖W_2‖‖W_1‖·max‖h½ − c‖])
//   head ≤ ‖W_head‖e^(L), and the a-priori chain: the same recursion with the realised e's replaced by their bounds.
import { BoundOracle, ORACLE_RTOL } from './oracle.js';
import { frameworkBounds, l2Bound, type Recorded } from './common.js';
import { oneHotOracle } from './clusters.js';

export interface PracticalLayer {
  g1: number; g2: number; s1: number; s2: number;
  /** ‖W_V‖, ‖W_1‖, ‖W_2‖. */
  nV: number; n1: number; n2: number;
  /** B_v = max_j ‖W_V h_j‖ on the reference. */
  valueNorm: number;
  /** ε½ and ε′ (Lemma C.1 residuals on the reference). */
  epsHalf: number; epsOut: number;
  /** hidden 'select': ‖U_σ‖, ‖W_1[S]‖, ε_σ. */
  select?: { nU: number; nS: number; epsSelect: number };
  /** hidden 'clusters': the cluster statistics of H½ and max‖f_a‖. */
  clusters?: { clusters: number; epsilon: number; kappa: number; s: number; gamma1: number; tau: number; maxDistance: number; fMax: number };
}

export interface PracticalInputs {
  d: number;
  hidden: 'full' | 'select' | 'clusters';
  layers: PracticalLayer[];
  /** e^(L) through the final decoder (the layer extra finalError, or e^(L) of the last layer). */
  finalError: number;
  headNorm: number | null;
}

/** Every check of a compressPractical certificate. */
export function practicalBounds(r: Recorded, p: PracticalInputs): BoundOracle {
  const o = frameworkBounds(r);
  const { alpha, beta } = r, L = r.depth;
  let pe = r.layers[0].e ?? 0; // the a-priori chain starts at e^(0) = ε_0
  let valid = true;
  let amplification = 1; // Π_l (1 + 4ε̃_a^(ℓ)): how e^{2ε̃_a} magnifies a relative error of the inputs (norms, B_v) along the chain
  r.layers.forEach((lc, l) => {
    const q = p.layers[l];
    const e = lc.e ?? Infinity, eHalf = lc.eHalf ?? Infinity, e34 = lc.e34 ?? Infinity;
    o.add({ kind: 'inequality', layer: l, name: 'L2: ε_a ≤ β²(2√α+e)e', bound: l2Bound(alpha, beta, e) });
    o.add({ kind: 'inequality', layer: l, name: '(P½) e½ ≤ ε½ + g₁[s₁e + ‖W_V‖e + (e^{2ε_a}−1)B_v]',
      bound: q.epsHalf + q.g1 * ((q.s1 + q.nV) * e + Math.expm1(2 * lc.epsA) * q.valueNorm) });
    const pEpsA = l2Bound(alpha, beta, pe);
    amplification *= 1 + 4 * pEpsA;
    const pHalf = q.epsHalf + q.g1 * ((q.s1 + q.nV) * pe + Math.expm1(2 * pEpsA) * q.valueNorm);
    if (p.hidden !== 'clusters') {
      let p34: number;
      if (p.hidden === 'full') {
        o.add({ kind: 'inequality', layer: l, name: '(P¾) e¾ ≤ ‖W_1‖e½', bound: q.n1 * eHalf });
        p34 = q.n1 * pHalf;
      } else {
        const s = q.select!;
        o.add({ kind: 'inequality', layer: l, name: '(P¾) e¾ ≤ ‖U_σ‖‖W_1[S]‖e½ + ε_σ', bound: s.nU * s.nS * eHalf + s.epsSelect });
        p34 = s.nU * s.nS * pHalf + s.epsSelect;
      }
      o.add({ kind: 'inequality', layer: l, name: '(P1) e′ ≤ ε′ + g₂[s₂e½ + ‖W_2‖e¾]', bound: q.epsOut + q.g2 * (q.s2 * eHalf + q.n2 * e34), applicable: true });
      pe = q.epsOut + q.g2 * (q.s2 * pHalf + q.n2 * p34);
    } else {
      const c = q.clusters!;
      const h = oneHotOracle(c);
      const oneHot = h.certified && h.deltaValid;
      o.add({ kind: 'hypothesis', layer: l, name: 'hypothesis (Thm 4.4): ρ_x < 3/4', bound: 0.75, measured: h.rhoX, applicable: !h.singleCluster });
      o.add({ kind: 'hypothesis', layer: l, name: 'hypothesis (Thm 4.4): cluster spread ε < 1 (Lemmas C.7–C.10)', bound: 1, measured: c.epsilon });
      o.add({ kind: 'hypothesis', layer: l, name: 'hypothesis (Thm 4.4): Δ < 1 (nodes close to their centres)', bound: 1, measured: h.delta });
      o.add({ kind: 'identity', layer: l, name: 'one-hot: off-cluster z exactly 0', bound: 0, applicable: h.certified });
      o.add({ kind: 'inequality', layer: l, name: 'one-hot: |z_{i,a(i)} − 1| ≤ Δ', bound: h.delta, applicable: h.deltaValid });
      const ffn = h.delta * c.fMax + q.n2 * q.n1 * c.maxDistance;
      const bound = oneHot ? q.epsOut + q.g2 * (q.s2 * eHalf + ffn) : Infinity;
      o.add({ kind: 'inequality', layer: l, name: '(P1) e′ ≤ ε′ + g₂[s₂e½ + Δ max‖f_a‖ + ‖W_2‖‖W_1‖ max‖h½ − c‖]', bound, applicable: Number.isFinite(bound) });
      if (!oneHot) valid = false;
      pe = q.epsOut + q.g2 * (q.s2 * pHalf + ffn);
    }
    o.add({ kind: 'shape', layer: l, name: `narrow widths ≤ d${p.hidden === 'full' ? ' (the FFN hidden layer stays D_h wide)' : ''}`, bound: p.d });
  });
  let chain = pe;
  if (p.headNorm !== null) {
    o.add({ kind: 'inequality', layer: null, name: 'head: ‖T(X) − T̂(X)‖ ≤ ‖W_head‖e^(L)', bound: p.headNorm * p.finalError });
    chain = p.headNorm * pe;
  }
  o.add({ kind: 'closed-form', layer: null, name: 'a-priori chain: ‖T(X) − T̂(X)‖ ≤ the recursion from the reference residuals alone',
    bound: chain, applicable: valid && Number.isFinite(chain), rtol: ORACLE_RTOL * amplification });
  return o;
}
