// Compressing a trained network (the paper's future work, Sec. 6): construct the narrow network with a
// certificate on the actual graph (compressPractical), then optionally fine-tune it briefly from its constructed
// weights, and report the graph's metric of both. docs/compression.md has the results and the commands.
import { InputError, NarrowgtError } from '../../runtime/errors.js';
import { scope } from '../../runtime/storage.js';
import { GraphTransformer, layerMatrices } from '../../model/graph-transformer.js';
import { evaluateMetric } from '../../train/metrics.js';
import type { NodeClassificationData } from '../../train/fit.js';
import type { CertifyOptions } from '../framework/check.js';
import { requireWidth } from '../framework/arguments.js';
import { checkOptionsObject, requireSeed } from '../../runtime/validate.js';
import type { Certificate, CompressedModel } from '../framework/types.js';
import { fineTune, type FineTuneOptions, type FineTuneResult } from '../../train/fine-tune.js';
import { compressPractical, type HiddenCompression } from './practical.js';

/** How far the reference is from the rank-d hypothesis at each stage (Lemma C.1 residuals, read off a certificate). */
export interface RankResiduals {
  /** ε_0 = max_i dist(h_i^(0), col U^(0)) (the encoder output). */
  input: number;
  /** max_i dist(h½_i, col U½) per layer. */
  half: number[];
  /** max_i dist(h_i^(ℓ+1), col U′) per layer. */
  output: number[];
  /** √α = max_i ‖h_i^(ℓ)‖ over the layer inputs: the scale the residuals compare with. */
  scale: number;
  /** max of all residuals / scale. */
  relative: number;
}

/** The residuals of the rank-d hypothesis recorded by a compressPractical certificate (layer extras epsilonHalf, epsilonOut). */
export function rankResiduals(cert: Certificate): RankResiduals {
  const input = cert.layers[0]?.inputError ?? 0;
  const half = cert.layers.map((l) => l.extra.epsilonHalf ?? NaN), output = cert.layers.map((l) => l.extra.epsilonOut ?? NaN);
  const scale = Math.sqrt(cert.alpha);
  return { input, half, output, scale, relative: Math.max(input, ...half, ...output) / scale };
}

/** Metrics of a model on the three masks of a graph. */
export interface SplitMetrics {
  train: number;
  val: number;
  test: number;
}

/**
 * The graph's metric (ROC AUC or accuracy) of `model` on the train, validation and test masks, from one f32
 * forward (inference precision). Cost: one forward. Throws as GraphTransformer.forward.
 */
export function evaluateModel(model: GraphTransformer, data: NodeClassificationData): SplitMetrics {
  return scope(() => {
    const logits = model.forward(data.features, data.graph, { dtype: 'f32', caller: 'evaluateModel' }).output;
    const m = (mask: Uint8Array): number => evaluateMetric(data.metric, logits, data.labels, mask);
    return { train: m(data.masks.train), val: m(data.masks.val), test: m(data.masks.test) };
  });
}

/** Number of scalars in the model's weights (identity skips count 0; biases count). */
export function countModelParameters(model: GraphTransformer): number {
  let n = 0;
  for (const l of model.layers) {
    for (const m of layerMatrices(l)) n += m.rows * m.cols;
    for (const v of [l.b1, l.b2, l.attentionNorm?.bias, l.ffnNorm?.bias]) n += v?.length ?? 0;
  }
  for (const a of [model.encoder, model.head]) if (a) n += a.weight.rows * a.weight.cols + (a.bias?.length ?? 0);
  return n;
}

export interface CompressTrainedOptions extends CertifyOptions {
  /** The width d (integer ≥ 1). */
  d: number;
  /** How the FFN hidden layer is narrowed (compressPractical's option; default 'full'). */
  hidden?: HiddenCompression;
  /** Seed of k-means for hidden 'clusters' (default 0). */
  seed?: number;
  /** Fine-tune the constructed network (default: no fine-tune). */
  fineTune?: FineTuneOptions | false;
}

export interface CompressTrainedResult {
  /** The constructed narrow network with its decoders and certificate. */
  compressed: CompressedModel;
  /** Its metric before any fine-tuning. */
  constructed: SplitMetrics;
  /** The fine-tune, when asked for (its model is no longer covered by the certificate). */
  fineTuned: FineTuneResult | null;
  /** Weights of the narrow network (and of the reference, for the ratio). */
  parameters: { narrow: number; reference: number };
  /** Seconds spent constructing and certifying. */
  seconds: number;
}

/** f(), with a NarrowgtError raised under `inner`'s name restated under `outer`'s (the function the user called). */
function renamed<R>(outer: string, inner: string, f: () => R): R {
  try {
    return f();
  } catch (e) {
    const prefix = `${inner}: `;
    if (!(e instanceof NarrowgtError) || !(e as Error).message.startsWith(prefix)) throw e;
    const Kind = (e as Error).constructor as new (message: string) => Error;
    throw new Kind(`${outer}: ${(e as Error).message.slice(prefix.length)}`);
  }
}

/**
 * Compresses a trained practical-variant network to width d on its own graph: compressPractical (the
 * restated Theorem 4.2 / 4.4 construction with its certificate), the metric of the constructed network, and,
 * when options.fineTune is given, a short fine-tune from the constructed weights (fineTune). The fine-tuned
 * network is a new function of X: its certificate is not the constructed one's (docs/compression.md).
 * Cost: compressPractical + one forward + the fine-tune. Throws as compressPractical and fineTune.
 */
export function compressTrained(model: GraphTransformer, data: NodeClassificationData, options: CompressTrainedOptions): CompressTrainedResult {
  const fn = 'compressTrained';
  if (!(model instanceof GraphTransformer)) throw new InputError(`${fn}: model must be a GraphTransformer`);
  requireWidth(fn, options);
  if (options.seed !== undefined) requireSeed(fn, options.seed);
  if (options.fineTune !== undefined && options.fineTune !== false) checkOptionsObject(fn, options.fineTune, 'options.fineTune');
  const t0 = performance.now();
  const compressed = renamed(fn, 'compressPractical', () =>
    compressPractical(model, data.features, data.graph, { d: options.d, hidden: options.hidden, seed: options.seed, tolerances: options.tolerances }));
  const seconds = (performance.now() - t0) / 1000;
  const constructed = evaluateModel(compressed.narrow, data);
  const fineTuned = options.fineTune ? fineTune(compressed.narrow, data, options.fineTune) : null;
  return {
    compressed, constructed, fineTuned, seconds,
    parameters: { narrow: countModelParameters(compressed.narrow), reference: countModelParameters(model) },
  };
}
