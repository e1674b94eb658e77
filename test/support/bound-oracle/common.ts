// What every construction's oracle shares (docs/theory.md §2, §3, §16): the measured quantities a certificate
// records, α and β (√logitScale folded into W_Q and W_K, A1/A2), the framework's own checks (N(i) ≠ ∅, L1, finite
// measurements), and the lemmas L1–L4 in their corrected form (the β factors of App. C restored).
import type { Certificate } from '../../../src/compress/framework/types.js';
import type { GraphTransformer } from '../../../src/model/graph-transformer.js';
import { BoundOracle } from './oracle.js';

/** The measured quantities of one layer, as the certificate recorded them (null: no decoder for that stage). */
export interface RecordedLayer {
  /** e^(ℓ). */
  e: number | null;
  /** e_{1/2}. */
  eHalf: number | null;
  /** e_{3/4}. */
  e34: number | null;
  /** e^(ℓ+1). */
  eNext: number | null;
  /** ε_a^(ℓ). */
  epsA: number;
  /** max |log â/a|. */
  logRatio: number;
  /** The construction's per-layer measured numbers (η, ε_34, τ …). */
  extra: { [key: string]: number };
}

/** Everything measured that a certificate records — never its bounds. */
export interface Recorded {
  alpha: number;
  beta: number;
  outputError: number;
  outputScale: number;
  depth: number;
  layers: RecordedLayer[];
}

/** The measured quantities of `cert` (the tests compare these with their own re-measurements separately). */
export function recordedQuantities(cert: Certificate): Recorded {
  return {
    alpha: cert.alpha, beta: cert.beta, outputError: cert.outputError, outputScale: cert.outputScale, depth: cert.depth,
    layers: cert.layers.map((l) => ({
      e: l.inputError, eHalf: l.halfError, e34: l.threeQuarterError, eNext: l.outputError,
      epsA: l.logitError, logRatio: l.maxLogRatio, extra: { ...l.extra },
    })),
  };
}

/**
 * β of (A2), docs/theory.md §2 and §17: the largest spectral norm over W_Q, W_K, W_V, W_1, W_2 of every layer, with
 * the logits' scale s folded into the bilinear form: s·(W_Qh)·(W_Kh) = (√s W_Qh)·(√s W_Kh), so √s·‖W_Q‖ and √s·‖W_K‖.
 * `norm` is the test's own spectral norm.
 */
export function betaOf(model: GraphTransformer, norm: (m: GraphTransformer['layers'][number]['wQ']) => number): number {
  let b = 0;
  for (const l of model.layers) {
    const root = Math.sqrt(l.logitScale ?? 1);
    b = Math.max(b, root * norm(l.wQ), root * norm(l.wK), norm(l.wV), norm(l.w1), norm(l.w2));
  }
  return b;
}

/** Σ_{k<L} c^k, i.e. (c^L − 1)/(c − 1) without the cancellation at c ≈ 1. */
export function geometricSum(c: number, layers: number): number {
  let s = 0, p = 1;
  for (let k = 0; k < layers; k++) { s += p; p *= c; }
  return s;
}

/** L1 (App. C.1): |log(â/a)| ≤ 2ε_a. */
export function l1LogRatioBound(epsA: number): number {
  return 2 * epsA;
}

/** L2 (corrected, §16): ε_a ≤ β²(2√α + e)e; the same bound holds for the value Gram error τ_v. */
export function l2Bound(alpha: number, beta: number, e: number): number {
  return beta * beta * e * (2 * Math.sqrt(alpha) + e);
}

/** L3 (§16): e_{1/2} ≤ βe + (e^{2ε_a} − 1)·β√α (‖v_j‖ ≤ β√α). */
export function l3Bound(alpha: number, beta: number, e: number, epsA: number): number {
  return beta * (e + Math.expm1(2 * epsA) * Math.sqrt(alpha));
}

/** L4 (corrected Lemma C.4, §16): τ ≤ τ_v + (e^{4ε_a} − 1)·B_v². */
export function l4Bound(tauV: number, epsA: number, bv: number): number {
  return tauV + Math.expm1(4 * epsA) * bv * bv;
}

/** The framework's checks that every certificate carries (docs/theory.md §3): N(i) ≠ ∅, L1 per layer, finite measurements. */
export function frameworkBounds(r: Recorded): BoundOracle {
  const o = new BoundOracle();
  o.add({ kind: 'hypothesis', layer: null, name: 'every node attends to someone (N(i) ≠ ∅)', bound: 0 });
  r.layers.forEach((l, i) => o.add({ kind: 'inequality', layer: i, name: 'L1: max|log â/a| ≤ 2ε_a', bound: l1LogRatioBound(l.epsA) }));
  o.add({ kind: 'hypothesis', layer: null, name: 'measured quantities are finite', bound: 0 });
  return o;
}

/** The U-based attention checks of Thm 4.2 / Prop 4.3 / Thm 4.4 at layer l: L2 on ε_a and L3 on e_{1/2}. */
export function attentionBounds(r: Recorded, l: number): BoundOracle {
  const o = new BoundOracle(), lc = r.layers[l];
  const e = lc.e ?? 0;
  o.add({ kind: 'inequality', layer: l, name: 'L2: ε_a ≤ β²(2√α+e)e', bound: l2Bound(r.alpha, r.beta, e) });
  o.add({ kind: 'inequality', layer: l, name: 'L3: e_{1/2} ≤ βe + (e^{2ε_a}−1)β√α', bound: l3Bound(r.alpha, r.beta, e, lc.epsA) });
  return o;
}
