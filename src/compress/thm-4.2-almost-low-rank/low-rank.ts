// Theorem 4.2 of Shirzad et al. (2024) — almost low rank (docs/theory.md#9-theorem-42--almost-low-rank): when X and every H^(ℓ+3/4) lie
// within ε of rank d, a network whose maps are at most d×d (D×d and d×D for the FFN) reproduces T(X) up to
// O(ε) through orthonormal decoders; the FFN hidden layer stays at width D (App. C.3.1 explains why).
import { scope } from '../../runtime/storage.js';
import { DenseMatrix } from '../../linalg/dense.js';
import type { CsrGraph } from '../../graph/csr.js';
import { GraphTransformer } from '../../model/graph-transformer.js';
import type { LayerWeights } from '../../model/layer.js';
import { checkCompressArguments, requireTheoryModel, requireWidth } from '../framework/arguments.js';
import { requireFinite } from '../../runtime/validate.js';
import { certifyWith } from '../framework/certificate.js';
import type { CertifyOptions } from '../framework/check.js';
import type { CompressedModel, LayerDecoders } from '../framework/types.js';
import { mul, orthAtLeastOne } from '../shared/basis.js';
import { topRightSingularVectors } from '../shared/near-low-rank.js';
import { uBasedAttention } from '../shared/u-attention.js';
import { lowRankVerifier } from './low-rank-verifier.js';

export interface CompressLowRankOptions extends CertifyOptions {
  /** The target width d (integer ≥ 1). */
  d: number;
  /** If given, the certificate also checks the hypothesis ε ≤ epsilon (ε = max(ε_X, max_ℓ ε_34^(ℓ)), Lemma C.1). */
  epsilon?: number;
}

/**
 * Theorem 4.2 (Shirzad et al. 2024, App. C.3; docs/theory.md#9-theorem-42--almost-low-rank (construction)), theory-variant models (b_1 allowed):
 * input adapter A^(0) = U^(0)ᵀ with U^(0) = topd(X, d) (none when d_in ≤ d); per layer, with U = U^(ℓ),
 * Ŵ_Q = I, Ŵ_K = UᵀW_QᵀW_K U, P_V = orth(W_V U), Ŵ_V = P_VᵀW_V U, Ŵ_1 = W_1 P_V (D×d, b̂_1 = b_1),
 * P_34 = topd(H^(ℓ+3/4), d) on the reference, U^(ℓ+1) = orth(W_2 P_34), Ŵ_2 = U^(ℓ+1)ᵀW_2 (d×D);
 * U_out = U^(L). Deterministic.
 * Cost: one traced reference forward, an SVD of X (n×d_in) and of each H^(ℓ+3/4) (n×D), O(D²·d) products.
 * Accuracy (checked by the certificate on realised quantities, Thm 4.2, App. C.3; docs/theory.md#9-theorem-42--almost-low-rank (bounds checked)): ε_a ≤ β²(2√α+e)e,
 * e_{1/2} ≤ βe + (e^{2ε_a}−1)β√α, e_{3/4} ≤ βe_{1/2}, e^(ℓ+1) ≤ βε_34 + 2βe_{3/4}; and the closed form
 * e^(L) ≤ c1^L ε + c2 ε (c1^L−1)/(c1−1) when every e^(ℓ) ≤ 1 and 2ε_a ≤ 1.
 * Throws InputError (practical-variant model, bad options), ShapeError or RangeError before any work.
 */
export function compressLowRank(model: GraphTransformer, x: DenseMatrix, pattern: CsrGraph, options: CompressLowRankOptions): CompressedModel {
  const fn = 'compressLowRank';
  checkCompressArguments(fn, model, x, pattern);
  const d = requireWidth(fn, options);
  const { epsilon } = options;
  if (epsilon !== undefined) requireFinite(fn, 'options.epsilon', epsilon, 0);
  requireTheoryModel(fn, model);
  const built = scope(() => {
    const x64 = (x.dtype === 'f64' ? x : x.clone('f64')) as DenseMatrix<'f64'>;
    const ref = model.forward(x64, pattern, { trace: true, caller: fn }).trace!;
    const u0 = model.inputDim <= d ? null : topRightSingularVectors(x64, d);
    let u = u0;
    const layers: LayerWeights[] = [];
    const decoders: LayerDecoders[] = [];
    model.layers.forEach((layer, l) => {
      const att = uBasedAttention(layer, u);
      const w1 = mul(layer.w1, att.valueBasis);
      const p34 = topRightSingularVectors(ref.layers[l].threeQuarter, d);
      const w2p = mul(layer.w2, p34);
      const next = orthAtLeastOne(w2p);
      const w2 = mul(next, layer.w2, true, false);
      layers.push({ wQ: att.wQ, wK: att.wK, wV: att.wV, w1, w2, b1: layer.b1 ?? null, logitScale: layer.logitScale ?? 1 });
      decoders.push({ input: u ?? 'identity', half: att.valueBasis, threeQuarter: 'identity' });
      u = next;
    });
    const narrow = new GraphTransformer({ layers, activation: model.activation });
    return { narrow, inputAdapter: u0 ? u0.transpose() : null, uOut: u!, decoders };
  });
  const compressed: Omit<CompressedModel, 'certificate'> = {
    construction: 'low-rank', narrow: built.narrow, inputAdapter: built.inputAdapter, uOut: built.uOut, decoders: built.decoders,
    details: { d, epsilon: epsilon ?? null },
  };
  return { ...compressed, certificate: certifyWith(lowRankVerifier, model, compressed, x, pattern, options) };
}
