// A short fine-tune of a compressed (or any practical-variant) GraphTransformer from its current weights:
// full-batch cross-entropy on the train mask, AdamW + cosine schedule (src/train/adamw.ts), gradients through
// the same kernels as src/train (SIMD GEMM, the sparse-attention backward kernel). Unlike src/train's network,
// the model here has general skips (d×d matrices), affine norms (folded BN is a fixed affine map at inference,
// so it is trained as one) and per-layer widths — what compressPractical produces.
import { InputError } from '../../runtime/errors.js';
import { scope, type Storage } from '../../runtime/storage.js';
import { DenseMatrix, type FloatDType } from '../../linalg/dense.js';
import type { CsrGraph } from '../../graph/csr.js';
import { sparseAttention } from '../../attention/sparse-attention.js';
import { GraphTransformer } from '../../model/graph-transformer.js';
import type { AffineMap, LayerWeights, SkipMap } from '../../model/layer.js';
import { copyMatrix } from '../../model/forward.js';
import { sparseAttentionBackward } from '../../train/attention-backward.js';
import { AdamW, cosineLearningRate } from '../../train/adamw.js';
import { reluBackwardInPlace, reluInPlace } from '../../train/elementwise.js';
import { addInto, linearBackward, linearForward } from '../../train/linear.js';
import { softmaxCrossEntropy } from '../../train/loss.js';
import { evaluateMetric } from '../../train/metrics.js';
import type { ParameterSet } from '../../train/parameters.js';
import type { NodeClassificationData } from '../../train/train.js';

/**
 * The trainable tensors of a model under the safetensors names of src/io/model-safetensors.ts (biases as
 * 1×p matrices): encoder.*, layers.{i}.{w_q, w_k, w_v, attention_skip, norm1.*, w_1, b_1, w_2, b_2, ffn_skip,
 * norm2.*}, head.*. Identity skips and logit scales are structure, not parameters. Cost O(#weights).
 */
export function modelParameters<T extends FloatDType>(model: GraphTransformer, dtype: T): ParameterSet<T> {
  const out: ParameterSet<T> = new Map();
  const mat = (name: string, m: DenseMatrix<'f64'>): void => { out.set(name, copyMatrix(m, dtype)); };
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

/** The model with `template`'s structure (skips, scales, σ) and the weights of `params` (converted to f64). */
export function modelWithParameters(template: GraphTransformer, params: ParameterSet): GraphTransformer {
  return scope(() => {
    const m = (name: string): DenseMatrix<'f64'> => {
      const p = params.get(name);
      if (!p) throw new InputError(`modelWithParameters: params lacks '${name}'`);
      return copyMatrix(p, 'f64');
    };
    const v = (name: string): Float64Array | null => (params.has(name) ? Float64Array.from(params.get(name)!.data) : null);
    const affine = (name: string, a: AffineMap | null | undefined): AffineMap | null => (a ? { weight: m(`${name}.weight`), bias: v(`${name}.bias`) } : null);
    const skip = (name: string, s: SkipMap | null | undefined): SkipMap | null => (!s ? null : s === 'identity' ? 'identity' : m(name));
    const layers: LayerWeights[] = template.layers.map((l, i) => {
      const p = `layers.${i}.`;
      return {
        wQ: m(p + 'w_q'), wK: m(p + 'w_k'), wV: m(p + 'w_v'), w1: m(p + 'w_1'), w2: m(p + 'w_2'), b1: v(p + 'b_1'), b2: v(p + 'b_2'),
        logitScale: l.logitScale ?? 1, attentionSkip: skip(p + 'attention_skip', l.attentionSkip), attentionNorm: affine(p + 'norm1', l.attentionNorm),
        ffnSkip: skip(p + 'ffn_skip', l.ffnSkip), ffnNorm: affine(p + 'norm2', l.ffnNorm),
      };
    });
    return new GraphTransformer({ layers, activation: template.activation, variant: template.variant,
      encoder: affine('encoder', template.encoder), head: affine('head', template.head) });
  });
}

interface LayerCache<T extends FloatDType> {
  input: DenseMatrix<T>; q: DenseMatrix<T>; k: DenseMatrix<T>; v: DenseMatrix<T>; weights: Storage<T>;
  y: DenseMatrix<T>; half: DenseMatrix<T>; hidden: DenseMatrix<T>; o: DenseMatrix<T>;
}

/**
 * Logits of `template`'s structure with weights `params` (the practical forward of src/model/forward.ts), and
 * the cache the backward pass reads. Allocates in the caller's scope. Cost: one forward.
 */
export function parametersForward<T extends FloatDType>(template: GraphTransformer, params: ParameterSet<T>, x: DenseMatrix<T>, pattern: CsrGraph):
  { logits: DenseMatrix<T>; encoded: DenseMatrix<T>; layers: LayerCache<T>[]; final: DenseMatrix<T> } {
  const P = (name: string): DenseMatrix<T> => params.get(name)!;
  const opt = (name: string): DenseMatrix<T> | undefined => params.get(name);
  const encoded = template.encoder ? linearForward(x, P('encoder.weight'), opt('encoder.bias')) : x;
  let h = encoded;
  const layers: LayerCache<T>[] = [];
  template.layers.forEach((l, i) => {
    const p = `layers.${i}.`;
    const q = linearForward(h, P(p + 'w_q')), k = linearForward(h, P(p + 'w_k')), v = linearForward(h, P(p + 'w_v'));
    const att = sparseAttention(q, k, v, pattern, { scale: l.logitScale ?? 1, returnWeights: true, checkFinite: false });
    const y = att.output;
    if (l.attentionSkip === 'identity') addInto(y, h);
    else if (l.attentionSkip) addInto(y, linearForward(h, P(p + 'attention_skip')));
    const half = l.attentionNorm ? linearForward(y, P(p + 'norm1.weight'), opt(p + 'norm1.bias')) : y;
    const hidden = linearForward(half, P(p + 'w_1'), opt(p + 'b_1'));
    if (template.activation === 'relu') reluInPlace(hidden);
    const o = linearForward(hidden, P(p + 'w_2'), opt(p + 'b_2'));
    if (l.ffnSkip === 'identity') addInto(o, half);
    else if (l.ffnSkip) addInto(o, linearForward(half, P(p + 'ffn_skip')));
    const out = l.ffnNorm ? linearForward(o, P(p + 'norm2.weight'), opt(p + 'norm2.bias')) : o;
    layers.push({ input: h, q, k, v, weights: att.weights! as Storage<T>, y, half, hidden, o });
    h = out;
  });
  const logits = template.head ? linearForward(h, P('head.weight'), opt('head.bias')) : h;
  return { logits, encoded, layers, final: h };
}

/**
 * Gradients of a loss with respect to every tensor of `params`, given ∂loss/∂logits (reverse mode through
 * parametersForward's cache). Cost ≈ 2 forwards.
 */
export function parametersBackward<T extends FloatDType>(template: GraphTransformer, params: ParameterSet<T>, x: DenseMatrix<T>, pattern: CsrGraph,
  cache: ReturnType<typeof parametersForward<T>>, dLogits: DenseMatrix<T>): ParameterSet<T> {
  const grads: ParameterSet<T> = new Map();
  const P = (name: string): DenseMatrix<T> => params.get(name)!;
  const affineBack = (name: string, dy: DenseMatrix<T>, input: DenseMatrix<T>, needInput = true): DenseMatrix<T> | null => {
    const g = linearBackward(dy, input, P(`${name}.weight`), needInput);
    grads.set(`${name}.weight`, g.dW);
    if (params.has(`${name}.bias`)) grads.set(`${name}.bias`, g.db); else g.db.free();
    return g.dX;
  };
  let dH = template.head ? affineBack('head', dLogits, cache.final)! : dLogits;
  for (let i = template.depth - 1; i >= 0; i--) {
    const l = template.layers[i], c = cache.layers[i], p = `layers.${i}.`;
    const dO = l.ffnNorm ? affineBack(p + 'norm2', dH, c.o)! : dH;
    const g2 = linearBackward(dO, c.hidden, P(p + 'w_2'));
    grads.set(p + 'w_2', g2.dW);
    if (params.has(p + 'b_2')) grads.set(p + 'b_2', g2.db);
    const dHidden = g2.dX!;
    if (template.activation === 'relu') reluBackwardInPlace(dHidden, c.hidden);
    const g1 = linearBackward(dHidden, c.half, P(p + 'w_1'));
    grads.set(p + 'w_1', g1.dW);
    if (params.has(p + 'b_1')) grads.set(p + 'b_1', g1.db);
    const dHalf = g1.dX!;
    if (l.ffnSkip === 'identity') addInto(dHalf, dO);
    else if (l.ffnSkip) {
      const gs = linearBackward(dO, c.half, P(p + 'ffn_skip'));
      grads.set(p + 'ffn_skip', gs.dW);
      addInto(dHalf, gs.dX!);
    }
    const dY = l.attentionNorm ? affineBack(p + 'norm1', dHalf, c.y)! : dHalf;
    const att = sparseAttentionBackward(dY, c.q, c.k, c.v, c.weights, pattern, { scale: l.logitScale ?? 1 });
    const gq = linearBackward(att.dQ, c.input, P(p + 'w_q'));
    const gk = linearBackward(att.dK, c.input, P(p + 'w_k'));
    const gv = linearBackward(att.dV, c.input, P(p + 'w_v'));
    grads.set(p + 'w_q', gq.dW); grads.set(p + 'w_k', gk.dW); grads.set(p + 'w_v', gv.dW);
    const dIn = addInto(addInto(gq.dX!, gk.dX!), gv.dX!);
    if (l.attentionSkip === 'identity') addInto(dIn, dY);
    else if (l.attentionSkip) {
      const gs = linearBackward(dY, c.input, P(p + 'attention_skip'));
      grads.set(p + 'attention_skip', gs.dW);
      addInto(dIn, gs.dX!);
    }
    dH = dIn;
  }
  if (template.encoder) affineBack('encoder', dH, x, false);
  return grads;
}

export interface FineTuneOptions {
  /** Full-batch epochs (default 50). */
  epochs?: number;
  /** Base learning rate of the cosine schedule (default 0.005). */
  lr?: number;
  /** AdamW weight decay (default 0.01, src/train's default). */
  weightDecay?: number;
  /** Keep the weights of the epoch with the best validation metric (default true) rather than the last. */
  keepBestValidation?: boolean;
  /** Precision of training (default 'f32'). */
  dtype?: FloatDType;
  /** Called after each epoch (the library prints nothing). */
  onEpoch?: (record: { epoch: number; loss: number; train: number; val: number; test: number; seconds: number }) => void;
}

export interface FineTuneResult {
  /** The fine-tuned model (same structure as the input; the caller owns it). */
  model: GraphTransformer;
  /** The epoch whose weights were kept (epochs = the final weights). */
  keptEpoch: number;
  /** Metrics of the kept weights. */
  metrics: { train: number; val: number; test: number; loss: number };
  /** Metrics before the first update. */
  initial: { train: number; val: number; test: number; loss: number };
  history: { epoch: number; loss: number; train: number; val: number; test: number; seconds: number }[];
  seconds: number;
}

/**
 * Fine-tunes a practical-variant model on `data` from its current weights (the network built by
 * compressPractical, or any GraphTransformer with an encoder or head): full batch, cross-entropy over the train
 * mask, AdamW + cosine schedule, the graph's metric evaluated each epoch on the three masks. Deterministic
 * (no dropout). Cost per epoch ≈ 3 forwards of the model. The model passed in is not changed.
 * Throws InputError on bad options or data before any work.
 */
export function fineTune(model: GraphTransformer, data: NodeClassificationData, options: FineTuneOptions = {}): FineTuneResult {
  const fn = 'fineTune';
  if (!(model instanceof GraphTransformer)) throw new InputError(`${fn}: model must be a GraphTransformer`);
  const epochs = options.epochs ?? 50, lr = options.lr ?? 0.005, weightDecay = options.weightDecay ?? 0.01;
  if (!Number.isInteger(epochs) || epochs < 0) throw new InputError(`${fn}: options.epochs must be an integer ≥ 0, got ${epochs}`);
  if (!(lr > 0 && Number.isFinite(lr))) throw new InputError(`${fn}: options.lr must be a positive finite number, got ${lr}`);
  if (!(weightDecay >= 0)) throw new InputError(`${fn}: options.weightDecay must be ≥ 0, got ${weightDecay}`);
  const dtype = options.dtype ?? 'f32';
  if (dtype !== 'f32' && dtype !== 'f64') throw new InputError(`${fn}: options.dtype must be 'f32' or 'f64'`);
  if (model.outputDim !== data.numClasses) throw new InputError(`${fn}: the model writes ${model.outputDim} logits but data has ${data.numClasses} classes`);
  if (data.features.cols !== model.inputDim) throw new InputError(`${fn}: data.features has ${data.features.cols} columns, the model reads ${model.inputDim}`);
  const keepBest = options.keepBestValidation ?? true;
  const started = performance.now();
  const params = modelParameters(model, dtype);
  const x = data.features.dtype === dtype ? data.features as DenseMatrix<typeof dtype> : copyMatrix(data.features, dtype);
  const { labels, masks, graph, metric } = data;
  const evaluate = (logits: DenseMatrix, loss: number) => ({
    loss, train: evaluateMetric(metric, logits, labels, masks.train), val: evaluateMetric(metric, logits, labels, masks.val),
    test: evaluateMetric(metric, logits, labels, masks.test),
  });
  const optimizer = new AdamW({ weightDecay });
  const history: FineTuneResult['history'] = [];
  type Best = { epoch: number; val: number; snapshot: Map<string, Float64Array>; metrics: FineTuneResult['metrics'] };
  let best: Best | null = null;
  const snapshot = (): Map<string, Float64Array> => new Map([...params].map(([k, m]) => [k, Float64Array.from(m.data)]));
  let initial: FineTuneResult['metrics'] | null = null;
  try {
    for (let epoch = 0; epoch <= epochs; epoch++) {
      const t0 = performance.now();
      // Metrics of epoch `epoch`'s weights (before its update); the snapshot is taken before the update too.
      scope(() => {
        const fwd = parametersForward(model, params, x, graph);
        const { loss, dLogits } = softmaxCrossEntropy(fwd.logits, labels, masks.train);
        if (!Number.isFinite(loss)) throw new InputError(`${fn}: the loss became ${loss} at epoch ${epoch}; lower options.lr`);
        const rec = evaluate(fwd.logits, loss);
        if (epoch === 0) initial = rec;
        if (!best || rec.val > best.val || !keepBest) best = { epoch, val: rec.val, snapshot: keepBest ? snapshot() : new Map(), metrics: rec };
        if (epoch === epochs) return;
        optimizer.step(params, parametersBackward(model, params, x, graph, fwd, dLogits), cosineLearningRate(lr, epoch, epochs));
        const entry = { epoch, ...rec, seconds: (performance.now() - t0) / 1000 };
        history.push(entry);
        options.onEpoch?.(entry);
      });
    }
    const kept = best as Best | null;
    if (!kept || !initial) throw new InputError(`${fn}: no epoch ran`);
    if (keepBest) for (const [k, v] of kept.snapshot) params.get(k)!.data.set(v);
    const out = modelWithParameters(model, params);
    return { model: out, keptEpoch: kept.epoch, metrics: kept.metrics, initial, history, seconds: (performance.now() - started) / 1000 };
  } finally {
    for (const m of params.values()) m.free();
    if (x !== data.features) x.free();
  }
}
