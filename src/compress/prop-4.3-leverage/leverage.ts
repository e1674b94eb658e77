// Proposition 4.3 of Shirzad et al. (2024) — leverage-score row sampling (docs/theory.md#10-proposition-43--leverage-score-row-sampling): Theorem 4.2's
// network with its D-wide FFN hidden layer cut to the k_eff = O(d log d) hidden units drawn by the leverage
// scores of P_34 = topd(H^(ℓ+3/4), d) (Lemma C.3), the rescaling folded into the decoder U. Randomised,
// verified on the actual graph and redrawn until ≥ 99 % of nodes meet ‖U·S·h_i − h_i‖ ≤ C·r_i.
import { InputError } from '../../runtime/errors.js';
import { scope } from '../../runtime/storage.js';
import { DenseMatrix } from '../../linalg/dense.js';
import type { CsrGraph } from '../../graph/csr.js';
import { rng } from '../../random/rng.js';
import { GraphTransformer } from '../../model/graph-transformer.js';
import type { LayerWeights } from '../../model/layer.js';
import { checkCompressArguments, requireHalfOpen, requireTheoryModel, requireWidth } from '../framework/arguments.js';
import { LIMITS, requireInt, requireOpen, requireSeed } from '../../runtime/validate.js';
import { certifyWith } from '../framework/certificate.js';
import type { CertifyOptions } from '../framework/check.js';
import type { CompressedModel, LayerDecoders } from '../framework/types.js';
import { mul, orthAtLeastOne, takeRows } from '../shared/basis.js';
import { topRightSingularVectors } from '../shared/near-low-rank.js';
import { uBasedAttention } from '../shared/u-attention.js';
import { leverageRowSampling, leverageSampleSize } from './row-sampling.js';
import { leverageVerifier } from './leverage-verifier.js';

export interface CompressByLeverageOptions extends CertifyOptions {
  /** The rank d of P_34 and the width of every map except the sampled FFN (integer ≥ 1). */
  d: number;
  /** δ₀ of the subspace embedding; sets k = ceil(12·d·ln(2d/δ₀)) (default 0.005). */
  delta0?: number;
  /** δ₁ of the Markov step; sets C = 1 + 2/√((1−η)δ₁) (default 0.005, C = 41). */
  delta1?: number;
  /** Number of iid draws k per layer (default from δ₀). */
  samples?: number;
  /** Master seed; layer ℓ's first draw uses the ℓ-th uint32 of rng(seed), later draws that plus 1, 2, … (default 0). */
  seed?: number;
  /** Draws per layer before keeping the best (default 10). */
  maxTries?: number;
  /** Required fraction of nodes within C·r_i (default 0.99). */
  fraction?: number;
}

/**
 * Proposition 4.3 (Shirzad et al. 2024, Lemma C.3; docs/theory.md#10-proposition-43--leverage-score-row-sampling (construction)), theory-variant models: the attention of
 * Theorem 4.2 (Ŵ_Q = I, Ŵ_K = UᵀW_QᵀW_K U, Ŵ_V = P_VᵀW_V U), then per layer the rows R drawn by
 * leverageRowSampling on the reference H^(ℓ+3/4) with basis P_34 = topd(H^(ℓ+3/4), d):
 * Ŵ_1 = W_1[R, :]·P_V (k_eff×d, b̂_1 = b_1[R]), U^(ℓ+1) = orth(W_2 P_34), Ŵ_2 = U^(ℓ+1)ᵀ W_2 U (d×k_eff),
 * with U (D×k_eff) the sampling decoder; U_out = U^(L). Since S is 0/1, S·σ(z) = σ(S·z).
 * Cost: one traced reference forward, per layer an SVD of H^(ℓ+3/4) and O(tries·n·k_eff·D) verification.
 * Accuracy: per node ‖U·S·h_i − h_i‖ ≤ C·r_i w.p. ≥ 1 − δ₀ − δ₁; the draw is verified (fraction ≥ 0.99) and
 * the certificate checks e_{3/4} ≤ ‖U‖βe_{1/2} + max_i‖USh_i − h_i‖ and e^(ℓ+1) ≤ βe_{3/4} + βε_34.
 * A layer where no draw reaches the fraction keeps its best draw, and the certificate fails naming it.
 * Throws InputError (practical-variant model, bad options), ShapeError or RangeError before any work.
 */
export function compressByLeverage(model: GraphTransformer, x: DenseMatrix, pattern: CsrGraph, options: CompressByLeverageOptions): CompressedModel {
  const fn = 'compressByLeverage';
  checkCompressArguments(fn, model, x, pattern);
  const d = requireWidth(fn, options);
  const delta0 = options.delta0 ?? 0.005, delta1 = options.delta1 ?? 0.005, fraction = options.fraction ?? 0.99;
  requireOpen(fn, 'options.delta0', delta0, 0, 1);
  requireOpen(fn, 'options.delta1', delta1, 0, 1);
  requireHalfOpen(fn, 'options.fraction', fraction, 0, 1);
  const samples = options.samples ?? leverageSampleSize(d, delta0);
  requireInt(fn, 'options.samples', samples, 1, LIMITS.samples);
  const maxTries = options.maxTries ?? 10;
  requireInt(fn, 'options.maxTries', maxTries, 1, LIMITS.restarts);
  const seed = options.seed ?? 0;
  requireSeed(fn, seed);
  requireTheoryModel(fn, model);
  const master = rng(seed);
  const layerSeeds = model.layers.map(() => master.nextUint32());
  const built = scope(() => {
    const x64 = (x.dtype === 'f64' ? x : x.clone('f64')) as DenseMatrix<'f64'>;
    const ref = model.forward(x64, pattern, { trace: true, caller: fn }).trace!;
    const u0 = model.inputDim <= d ? null : topRightSingularVectors(x64, d);
    let u = u0;
    const layers: LayerWeights[] = [];
    const decoders: LayerDecoders[] = [];
    const sampling: { rows: number[]; tries: number[]; fractions: number[]; keptSeed: number; accepted: boolean; fraction: number }[] = [];
    model.layers.forEach((layer, l) => {
      const att = uBasedAttention(layer, u);
      const h34 = ref.layers[l].threeQuarter;
      const p34 = topRightSingularVectors(h34, d);
      const s = leverageRowSampling(h34, p34, { delta0, delta1, samples, seed: layerSeeds[l], maxTries, fraction });
      const rows = Array.from(s.rows);
      const w1 = mul(takeRows(layer.w1, rows), att.valueBasis);
      const b1 = layer.b1 ? Float64Array.from(rows, (r) => layer.b1![r]) : null;
      const next = orthAtLeastOne(mul(layer.w2, p34));
      const w2 = mul(mul(next, layer.w2, true, false), s.decoder);
      layers.push({ wQ: att.wQ, wK: att.wK, wV: att.wV, w1, w2, b1, logitScale: layer.logitScale ?? 1 });
      decoders.push({ input: u ?? 'identity', half: att.valueBasis, threeQuarter: s.decoder });
      sampling.push({
        rows, tries: s.tries.map((t) => t.seed), fractions: s.tries.map((t) => t.fraction), keptSeed: s.seed,
        accepted: s.accepted, fraction: s.fractionWithin,
      });
      u = next;
    });
    const narrow = new GraphTransformer({ layers, activation: model.activation });
    return { narrow, inputAdapter: u0 ? u0.transpose() : null, uOut: u!, decoders, sampling };
  });
  const compressed: Omit<CompressedModel, 'certificate'> = {
    construction: 'leverage', narrow: built.narrow, inputAdapter: built.inputAdapter, uOut: built.uOut, decoders: built.decoders,
    details: { d, delta0, delta1, samples, seed, maxTries, fraction, layerSeeds, sampling: built.sampling },
  };
  return { ...compressed, certificate: certifyWith(leverageVerifier, model, compressed, x, pattern, options) };
}
