// The network as named parameters: one naming — the .safetensors names of src/io/model-safetensors.ts — for
// training from scratch, fine-tuning a compressed model and writing files, the structure that says how the
// parameters are wired (skips, norms, logit scales), and the training forward on them (the one forward of
// src/model/forward.ts, with batch statistics and dropout).
import { InputError } from '../runtime/errors.js';
import { scope } from '../runtime/storage.js';
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import type { CsrGraph } from '../graph/csr.js';
import type { Rng } from '../random/rng.js';
import { GraphTransformer } from './graph-transformer.js';
import type { Activation, AffineMap, LayerWeights, SkipMap } from './layer.js';
import { BATCH_NORM_EPSILON, foldedBatchNorm, type BatchNormStatistics, type BatchNormWeights } from './batch-norm.js';
import { forwardNetwork, type LinearWeights, type NetworkCache, type NetworkLayer, type NetworkWeights, type NormWeights } from './forward.js';

/**
 * Named parameter matrices (biases and batch-norm vectors are 1×p matrices), under the .safetensors names
 * (docs/compression.md): encoder.{weight, bias}; layers.ℓ.{w_q, w_k, w_v, attention_skip, w_1, b_1, w_2,
 * b_2, ffn_skip}; a batch norm as layers.ℓ.bn1.{weight, bias} / bn2.* (γ, β; the running statistics are
 * not parameters), an affine norm as layers.ℓ.norm1.{weight, bias} / norm2.*; head.{weight, bias}. Weights
 * are out×in (applied as H·Wᵀ). Identity skips and logit scales are structure, not parameters.
 */
export type ParameterSet<T extends FloatDType = FloatDType> = Map<string, DenseMatrix<T>>;

/** How a layer's parts are wired (what the parameter names alone do not say). */
export interface LayerStructure {
  attentionSkip: 'identity' | 'matrix' | 'none';
  /** 'batch': BatchNorm1d (γ, β as bn1.*); 'affine': a general map (norm1.*); 'none'. */
  attentionNorm: 'batch' | 'affine' | 'none';
  ffnSkip: 'identity' | 'matrix' | 'none';
  ffnNorm: 'batch' | 'affine' | 'none';
  /** Multiplies every attention logit. */
  logitScale: number;
}

/** A network's wiring; the parameters give the widths. */
export interface NetworkStructure {
  activation: Activation;
  layers: LayerStructure[];
  /** ε of every batch norm (default 1e-5). */
  batchNormEpsilon?: number;
}

/** The architecture of the practical network src/train trains from scratch (App. D.2). */
export interface NetworkConfig {
  /** d_in, the width of the node features. */
  inputDim: number;
  /** D, the width of every layer (64 "large", 4 "small" in the paper). */
  width: number;
  /** L, the number of transformer layers (4 in the paper). */
  layers: number;
  /** Number of classes; the head has one logit per class. */
  numClasses: number;
}

/** Throws InputError unless every field of the config is a positive integer. */
export function checkConfig(fn: string, config: NetworkConfig): void {
  for (const key of ['inputDim', 'width', 'layers', 'numClasses'] as const) {
    const v = config?.[key];
    if (!Number.isInteger(v) || v < 1) throw new InputError(`${fn}: config.${key} must be a positive integer, got ${String(v)}`);
  }
}

/**
 * The practical network of App. D.2 (docs/theory.md#17-the-practical-variant), post-norm as GraphGPS / Exphormer:
 *   H⁰ = X·W_encᵀ + b_enc;  per layer H½ = BN₁(H + Att(H)), H' = BN₂(H½ + ReLU(H½W_1ᵀ + b_1)W_2ᵀ + b_2);
 *   logits = Hᴸ·W_headᵀ + b_head, with logit scale 1/√D.
 */
export function practicalStructure(config: NetworkConfig): NetworkStructure {
  checkConfig('practicalStructure', config);
  const layer: LayerStructure = { attentionSkip: 'identity', attentionNorm: 'batch', ffnSkip: 'identity', ffnNorm: 'batch', logitScale: 1 / Math.sqrt(config.width) };
  return { activation: 'relu', layers: Array.from({ length: config.layers }, () => ({ ...layer })), batchNormEpsilon: BATCH_NORM_EPSILON };
}

/**
 * Names and shapes of the practical network's parameters, in a fixed order: encoder.weight (D×d_in),
 * encoder.bias (1×D), per layer w_q, w_k, w_v (D×D), bn1.weight, bn1.bias (1×D), w_1 (D×D), b_1 (1×D),
 * w_2 (D×D), b_2 (1×D), bn2.weight, bn2.bias (1×D), then head.weight (C×D), head.bias (1×C).
 */
export function parameterShapes(config: NetworkConfig): [string, number, number][] {
  checkConfig('parameterShapes', config);
  const { inputDim: f, width: D, layers: L, numClasses: C } = config;
  const shapes: [string, number, number][] = [['encoder.weight', D, f], ['encoder.bias', 1, D]];
  for (let l = 0; l < L; l++) {
    const p = `layers.${l}.`;
    shapes.push([p + 'w_q', D, D], [p + 'w_k', D, D], [p + 'w_v', D, D], [p + 'bn1.weight', 1, D], [p + 'bn1.bias', 1, D],
      [p + 'w_1', D, D], [p + 'b_1', 1, D], [p + 'w_2', D, D], [p + 'b_2', 1, D], [p + 'bn2.weight', 1, D], [p + 'bn2.bias', 1, D]);
  }
  shapes.push(['head.weight', C, D], ['head.bias', 1, C]);
  return shapes;
}

const skipKind = (s: SkipMap | null | undefined): LayerStructure['attentionSkip'] => (!s ? 'none' : s === 'identity' ? 'identity' : 'matrix');

/** The wiring of a GraphTransformer (its norms are affine maps: a folded batch norm trains as one). */
export function structureOf(model: GraphTransformer): NetworkStructure {
  if (!(model instanceof GraphTransformer)) throw new InputError('structureOf: model must be a GraphTransformer');
  return {
    activation: model.activation,
    layers: model.layers.map((l) => ({
      attentionSkip: skipKind(l.attentionSkip), attentionNorm: l.attentionNorm ? 'affine' : 'none',
      ffnSkip: skipKind(l.ffnSkip), ffnNorm: l.ffnNorm ? 'affine' : 'none', logitScale: l.logitScale ?? 1,
    })),
  };
}

/**
 * The trainable tensors of a model under the naming above (biases as 1×p matrices), copied into `dtype`.
 * Cost O(#weights). Throws InputError when model is not a GraphTransformer.
 */
export function modelParameters<T extends FloatDType>(model: GraphTransformer, dtype: T): ParameterSet<T> {
  if (!(model instanceof GraphTransformer)) throw new InputError('modelParameters: model must be a GraphTransformer');
  const out: ParameterSet<T> = new Map();
  const mat = (name: string, m: DenseMatrix<'f64'>): void => { out.set(name, m.clone(dtype)); };
  const vec = (name: string, v: ArrayLike<number> | null | undefined): void => { if (v) out.set(name, DenseMatrix.from(v, 1, v.length, dtype)); };
  const affine = (name: string, a: AffineMap | null | undefined): void => { if (a) { mat(`${name}.weight`, a.weight); vec(`${name}.bias`, a.bias); } };
  affine('encoder', model.encoder);
  model.layers.forEach((l, i) => {
    const p = `layers.${i}.`;
    mat(p + 'w_q', l.wQ); mat(p + 'w_k', l.wK); mat(p + 'w_v', l.wV);
    if (l.attentionSkip && l.attentionSkip !== 'identity') mat(p + 'attention_skip', l.attentionSkip);
    affine(p + 'norm1', l.attentionNorm);
    mat(p + 'w_1', l.w1); vec(p + 'b_1', l.b1); mat(p + 'w_2', l.w2); vec(p + 'b_2', l.b2);
    if (l.ffnSkip && l.ffnSkip !== 'identity') mat(p + 'ffn_skip', l.ffnSkip);
    affine(p + 'norm2', l.ffnNorm);
  });
  affine('head', model.head);
  return out;
}

function need(fn: string, params: ParameterSet, name: string): DenseMatrix {
  const m = params.get(name);
  if (!m) throw new InputError(`${fn}: parameters lack '${name}'`);
  return m;
}

/**
 * The network as the forward reads it: a view of `params` (no copy; the forward converts a parameter whose
 * dtype differs from the input's). Batch norms carry the given running statistics, if any.
 * Throws InputError naming a missing parameter.
 */
export function networkWeights(fn: string, structure: NetworkStructure, params: ParameterSet,
  statistics?: readonly LayerStatistics[]): NetworkWeights {
  const P = (name: string): DenseMatrix => need(fn, params, name);
  const linear = (name: string): LinearWeights | null => (params.has(`${name}.weight`) ? { weight: P(`${name}.weight`), bias: params.get(`${name}.bias`) ?? null } : null);
  const eps = structure.batchNormEpsilon ?? BATCH_NORM_EPSILON;
  const layers: NetworkLayer[] = structure.layers.map((s, i) => {
    const p = `layers.${i}.`;
    const norm = (kind: LayerStructure['attentionNorm'], which: '1' | '2'): NormWeights | null => {
      if (kind === 'none') return null;
      if (kind === 'affine') return { weight: P(`${p}norm${which}.weight`), bias: params.get(`${p}norm${which}.bias`) ?? null };
      const stat = statistics?.[i]?.[which === '1' ? 'norm1' : 'norm2'] ?? null;
      const bn: BatchNormWeights = { kind: 'batch', gamma: P(`${p}bn${which}.weight`), beta: P(`${p}bn${which}.bias`), epsilon: eps,
        runningMean: stat?.mean ?? null, runningVar: stat?.variance ?? null };
      return bn;
    };
    const skip = (kind: LayerStructure['attentionSkip'], name: string): 'identity' | DenseMatrix | null =>
      (kind === 'none' ? null : kind === 'identity' ? 'identity' : P(p + name));
    return {
      wQ: P(p + 'w_q'), wK: P(p + 'w_k'), wV: P(p + 'w_v'), w1: P(p + 'w_1'), w2: P(p + 'w_2'),
      b1: params.get(p + 'b_1') ?? null, b2: params.get(p + 'b_2') ?? null, logitScale: s.logitScale,
      attentionSkip: skip(s.attentionSkip, 'attention_skip'), attentionNorm: norm(s.attentionNorm, '1'),
      ffnSkip: skip(s.ffnSkip, 'ffn_skip'), ffnNorm: norm(s.ffnNorm, '2'),
    };
  });
  return { activation: structure.activation, encoder: linear('encoder'), layers, head: linear('head') };
}

export interface NetworkForwardOptions {
  /** Where batch norms take μ, σ² from (default 'batch': full-batch training and transductive inference). */
  statistics?: BatchNormStatistics;
  /** Running statistics per layer, for statistics 'running'. */
  runningStatistics?: readonly LayerStatistics[];
  /** Dropout probability on H⁰ and on the FFN hidden layer (default 0: deterministic). */
  dropout?: number;
  /** Draws the dropout masks (required when dropout > 0). */
  random?: Rng;
  /** Keep what the backward pass reads (default true). */
  cache?: boolean;
}

/**
 * Logits (n×C) of the network `structure` with weights `params` on x (n×d_in, the forward's dtype), and the
 * cache the backward reads: forwardNetwork (src/model/forward.ts) on a view of the parameters. All matrices
 * are allocated in the caller's scope. Cost per layer O(n·D²) GEMM + O(m·D) attention.
 * Throws InputError naming a missing parameter, or when dropout > 0 has no `random`.
 */
export function networkForward<T extends FloatDType>(structure: NetworkStructure, params: ParameterSet, x: DenseMatrix<T>,
  pattern: CsrGraph, options: NetworkForwardOptions = {}): { logits: DenseMatrix<T>; cache: NetworkCache<T> } {
  const fn = 'networkForward';
  const dropout = options.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) throw new InputError(`${fn}: options.dropout must be in [0, 1), got ${dropout}`);
  if (dropout > 0 && !options.random) throw new InputError(`${fn}: options.random is required when options.dropout > 0`);
  const net = networkWeights(fn, structure, params, options.runningStatistics);
  const step = forwardNetwork(net, x, pattern, {
    pass: { statistics: options.statistics ?? 'batch', dropout, random: options.random, cache: options.cache ?? true },
  });
  return { logits: step.output, cache: step.cache! };
}

/** The batch-norm statistics of one layer (null where the norm is not a batch norm). */
export interface LayerStatistics {
  norm1: { mean: Float64Array; variance: Float64Array } | null;
  norm2: { mean: Float64Array; variance: Float64Array } | null;
}

/**
 * The full-batch statistics (μ, biased σ²) of every batch norm on (x, pattern): one f64 forward with batch
 * statistics — the transductive inference statistics of docs/theory.md#17-the-practical-variant, which a file stores as
 * running_mean / running_var. Runs no training. Cost: one forward.
 */
export function batchNormStatistics(structure: NetworkStructure, params: ParameterSet, x: DenseMatrix, pattern: CsrGraph): LayerStatistics[] {
  return scope(() => {
    const { cache } = networkForward(structure, params, x.clone('f64'), pattern);
    const stats = cache.layers.map((c) => ({
      norm1: c.bn1 ? { mean: c.bn1.mean, variance: c.bn1.variance } : null,
      norm2: c.bn2 ? { mean: c.bn2.mean, variance: c.bn2.variance } : null,
    }));
    return { stats };
  }).stats;
}

/**
 * The GraphTransformer (variant 'practical', f64 weights) of `structure` with weights `params`: batch norms
 * folded to affine maps with `statistics` (batchNormStatistics), affine norms and skips copied. On the graph
 * the statistics came from, it computes the training network's logits to f64 rounding
 * (test/train/convert.test.ts). Throws InputError naming a missing parameter or statistic.
 */
export function parametersToModel(structure: NetworkStructure, params: ParameterSet, statistics?: readonly LayerStatistics[]): GraphTransformer {
  const fn = 'parametersToModel';
  return scope(() => {
    const net = networkWeights(fn, structure, params, statistics);
    const mat = (m: DenseMatrix): DenseMatrix<'f64'> => m.clone('f64');
    const vec = (b: unknown): Float64Array | null => (b instanceof DenseMatrix ? Float64Array.from(b.data) : null);
    const affine = (a: LinearWeights | null | undefined): AffineMap | null => (a ? { weight: mat(a.weight), bias: vec(a.bias) } : null);
    const norm = (nw: NormWeights | null | undefined): AffineMap | null => {
      if (!nw) return null;
      if ((nw as BatchNormWeights).kind === 'batch') {
        const f = foldedBatchNorm(fn, nw as BatchNormWeights);
        return { weight: f.weight, bias: f.bias };
      }
      return affine(nw as LinearWeights);
    };
    const skip = (sk: 'identity' | DenseMatrix | null | undefined): SkipMap | null => (!sk ? null : sk === 'identity' ? 'identity' : mat(sk));
    const layers: LayerWeights[] = net.layers.map((l) => ({
      wQ: mat(l.wQ), wK: mat(l.wK), wV: mat(l.wV), w1: mat(l.w1), w2: mat(l.w2), b1: vec(l.b1), b2: vec(l.b2),
      logitScale: l.logitScale, attentionSkip: skip(l.attentionSkip), attentionNorm: norm(l.attentionNorm),
      ffnSkip: skip(l.ffnSkip), ffnNorm: norm(l.ffnNorm),
    }));
    const model = new GraphTransformer({ variant: 'practical', activation: structure.activation, layers,
      encoder: affine(net.encoder), head: affine(net.head) });
    return { model };
  }).model;
}

/**
 * The model with `template`'s structure (skips, scales, σ, variant) and the weights of `params` (converted to
 * f64). Throws InputError naming a missing parameter.
 */
export function modelWithParameters(template: GraphTransformer, params: ParameterSet): GraphTransformer {
  if (!(template instanceof GraphTransformer)) throw new InputError('modelWithParameters: template must be a GraphTransformer');
  const m = parametersToModel(structureOf(template), params);
  if (template.variant === 'practical') return m;
  const theory = new GraphTransformer({ variant: template.variant, activation: m.activation, layers: m.layers as LayerWeights[] });
  m.free();
  return theory;
}
