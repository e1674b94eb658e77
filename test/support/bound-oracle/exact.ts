// Proposition 4.1 (exact low rank; docs/theory.md §5, App. C.2): the rank hypotheses (≤ d) and the exactness of every
// stage to identityTol relative to the largest row norm of the compared quantity (the log-weights: relative to
// max(1, max|s_ij|), §5), the widths ≤ d.
import { BoundOracle } from './oracle.js';
import { frameworkBounds, type Recorded } from './common.js';

/** The scales the exactness checks are relative to, measured by the test on the reference trace. */
export interface ExactLayerScales {
  /** max_i ‖h_i^(ℓ)‖, max_i ‖h_i^(ℓ+1/2)‖, max_i ‖h_i^(ℓ+3/4)‖. */
  input: number;
  half: number;
  threeQuarter: number;
  /** max_E |s_ij| of the reference logits. */
  maxLogit: number;
}

export interface ExactInputs {
  d: number;
  /** The identity tolerance (default 1e-9, docs/theory.md §19). */
  identityTol?: number;
  layers: ExactLayerScales[];
}

/** Every check of a Proposition 4.1 certificate. */
export function exactBounds(r: Recorded, p: ExactInputs): BoundOracle {
  const o = frameworkBounds(r);
  const tol = p.identityTol ?? 1e-9;
  o.add({ kind: 'hypothesis', layer: null, name: 'rank(X) ≤ d', bound: p.d });
  p.layers.forEach((s, l) => {
    o.add({ kind: 'hypothesis', layer: l, name: 'rank(H^(ℓ+3/4)) ≤ d', bound: p.d });
    o.add({ kind: 'identity', layer: l, name: 'U^(ℓ)Ĥ^(ℓ) = H^(ℓ)', bound: tol * s.input });
    o.add({ kind: 'identity', layer: l, name: 'U_V Ĥ^(ℓ+1/2) = H^(ℓ+1/2)', bound: tol * s.half });
    o.add({ kind: 'identity', layer: l, name: 'U_σ Ĥ^(ℓ+3/4) = H^(ℓ+3/4)', bound: tol * s.threeQuarter });
    o.add({ kind: 'identity', layer: l, name: 'â = a (max |log â − log a|)', bound: tol * Math.max(1, s.maxLogit) });
    o.add({ kind: 'shape', layer: l, name: 'every compressed weight dimension ≤ d', bound: p.d });
  });
  o.add({ kind: 'identity', layer: null, name: 'T(X) = U_out T̂(X)', bound: tol * r.outputScale });
  return o;
}
