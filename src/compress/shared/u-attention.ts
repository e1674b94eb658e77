// The attention step shared by Theorems 4.2, 4.4 and Proposition 4.3 (Shirzad et al. 2024, Lemma C.6;
// App. C.3 and C.5; docs/theory.md#9-theorem-42--almost-low-rank, construction steps 1–2): given an orthonormal decoder U of the layer input, the narrow layer
// reads ĥ = Uᵀh and uses Ŵ_Q = I, Ŵ_K = UᵀW_QᵀW_K U, Ŵ_V = P_VᵀW_V U with P_V = orth(W_V U), so that
// q̂_i·k̂_j = (W_Q Uĥ_i)·(W_K Uĥ_j), P_V v̂ = W_V Uĥ and Ŵ_VᵀŴ_V = UᵀW_VᵀW_V U (the corrected Lemma C.6).
import { DenseMatrix } from '../../linalg/dense.js';
import type { LayerWeights } from '../../model/layer.js';
import { identity, mul, orthAtLeastOne } from './basis.js';

/** The narrow attention weights and the decoder of the values. */
export interface UAttention {
  /** I_d. */
  wQ: DenseMatrix<'f64'>;
  /** UᵀW_QᵀW_K U (d×d). */
  wK: DenseMatrix<'f64'>;
  /** P_VᵀW_V U (r×d, r = rank(W_V U) ≤ d). */
  wV: DenseMatrix<'f64'>;
  /** P_V = orth(W_V U) (dV×r): the decoder of V̂ and of Ĥ^(ℓ+1/2). */
  valueBasis: DenseMatrix<'f64'>;
}

/**
 * Lemma C.6 / Thm 4.2, App. C.3; docs/theory.md#9-theorem-42--almost-low-rank (construction) steps 1–2 for one layer. `u` is the p×d decoder of the layer input (orthonormal
 * columns), or null for the identity (then d = p). The logit scale of the layer is kept unchanged, so the
 * narrow logits equal the reference logits of the lifted input Uĥ exactly.
 * Cost O(D·p·d + D·d²). Accuracy: P_V orthonormal to ~1e-15; the rank rule is orth's (s_k > 1e-10·s_1).
 */
export function uBasedAttention(layer: LayerWeights, u: DenseMatrix<'f64'> | null): UAttention {
  const wqU = u ? mul(layer.wQ, u) : layer.wQ.clone('f64');
  const wkU = u ? mul(layer.wK, u) : layer.wK.clone('f64');
  const wvU = u ? mul(layer.wV, u) : layer.wV.clone('f64');
  const wK = mul(wqU, wkU, true, false);
  // W_V U = 0 (every value 0) keeps one arbitrary direction, so the narrow layer has a width.
  const valueBasis = orthAtLeastOne(wvU);
  const wV = mul(valueBasis, wvU, true, false);
  wqU.free(); wkU.free(); wvU.free();
  return { wQ: identity(wK.rows), wK, wV, valueBasis };
}
