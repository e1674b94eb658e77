// Full-batch transductive training of the practical graph transformer (Shirzad et al. 2024, App. D.2–D.3):
// AdamW with a cosine learning-rate schedule, seeded initialization, evaluation on the graph's masks.
import { InputError, ShapeError } from '../runtime/errors.js';
import { scope } from '../runtime/storage.js';
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import { CsrGraph } from '../graph/csr.js';
import { rng } from '../random/rng.js';
import { AdamW, cosineLearningRate } from './adamw.js';
import { softmaxCrossEntropy } from './loss.js';
import { evaluateMetric } from './metrics.js';
import { networkBackward, networkForward } from './network.js';
import { freeParameters, initParameters, type NetworkConfig, type ParameterSet } from './parameters.js';

/** The parts of a loaded graph (src/data/load-graph.ts) that training reads. */
export interface NodeClassificationData {
  features: DenseMatrix;
  labels: Int32Array;
  masks: { train: Uint8Array; val: Uint8Array; test: Uint8Array };
  graph: CsrGraph;
  metric: 'roc_auc' | 'accuracy';
  numClasses: number;
}

export interface TrainOptions {
  /** D, the width of every layer (default 64). */
  width?: number;
  /** Number of transformer layers (default 4, the paper's). */
  layers?: number;
  /** Base learning rate of the cosine schedule (default 0.01). */
  lr?: number;
  /** Number of full-batch epochs (default 100). */
  epochs?: number;
  /** AdamW's decoupled weight decay (default 0.01, PyTorch's; the paper does not say). */
  weightDecay?: number;
  /** Linear warm-up epochs before the cosine decay (default 0). */
  warmup?: number;
  /** Dropout on the encoder output and the FFN hidden layer (default 0; the paper does not say). */
  dropout?: number;
  /** Seed of the initialization and of the dropout masks (default 0). */
  seed?: number;
  /** Precision of training (default 'f32'; 'f64' for gradient checks). */
  dtype?: FloatDType;
  /** Called after every epoch (the library prints nothing; CLI code sends this to stderr). */
  onEpoch?: (record: EpochRecord) => void;
}

/** One epoch: the loss and metrics of the parameters at the start of the epoch (before its update). */
export interface EpochRecord {
  epoch: number;
  lr: number;
  loss: number;
  train: number;
  val: number;
  test: number;
  seconds: number;
}

export interface TrainResult {
  config: NetworkConfig;
  /** The trained parameters (WASM-resident; free with freeParameters, or train inside scope()). */
  parameters: ParameterSet<'f32' | 'f64'>;
  history: EpochRecord[];
  /** Metrics of the final parameters on the three masks. */
  final: { train: number; val: number; test: number; loss: number };
  /** The epoch with the highest validation metric (ties: the earliest), and its test metric. */
  bestValidation: { epoch: number; val: number; test: number };
  /** Wall-clock seconds of the whole run. */
  seconds: number;
}

function positiveInteger(fn: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new InputError(`${fn}: options.${name} must be a positive integer, got ${v}`);
}

/** Checks the data once, before any work. */
function checkData(fn: string, data: NodeClassificationData): void {
  if (!(data.features instanceof DenseMatrix)) throw new InputError(`${fn}: data.features must be a DenseMatrix (n×f)`);
  if (!(data.graph instanceof CsrGraph)) throw new InputError(`${fn}: data.graph must be a CsrGraph`);
  const n = data.features.rows;
  if (data.graph.numRows !== n || data.graph.numCols !== n) throw new ShapeError(`${fn}: data.graph is ${data.graph.numRows}×${data.graph.numCols}, expected ${n}×${n}`);
  if (!(data.labels instanceof Int32Array) || data.labels.length !== n) throw new ShapeError(`${fn}: data.labels must be an Int32Array of length ${n}`);
  for (const part of ['train', 'val', 'test'] as const) {
    if (!(data.masks?.[part] instanceof Uint8Array) || data.masks[part].length !== n) throw new ShapeError(`${fn}: data.masks.${part} must be a Uint8Array of length ${n}`);
  }
  if (data.metric !== 'roc_auc' && data.metric !== 'accuracy') throw new InputError(`${fn}: data.metric must be 'roc_auc' or 'accuracy'`);
  positiveInteger(fn, 'data.numClasses', data.numClasses);
  if (data.metric === 'roc_auc' && data.numClasses !== 2) throw new InputError(`${fn}: roc_auc needs 2 classes, data has ${data.numClasses}`);
}

/** Logits of every node under `parameters` (deterministic: no dropout), in the parameters' dtype. */
export function predictLogits<T extends FloatDType>(parameters: ParameterSet<T>, config: NetworkConfig, features: DenseMatrix,
  graph: CsrGraph): DenseMatrix<T> {
  const dtype = parameters.get('encoder.weight')!.dtype as T;
  return scope(() => {
    const x = features.dtype === dtype ? features as DenseMatrix<T> : features.clone(dtype);
    return networkForward(parameters, config, x, graph).logits;
  });
}

/**
 * Trains the practical graph transformer of App. D.2 (see src/train/network.ts) on one graph, full batch
 * and transductive: every node is in the forward pass, the loss is the mean cross-entropy over the train
 * mask. AdamW + cosine schedule over `epochs` (App. D.3), PyTorch-default initialization from `seed`.
 * Evaluates the graph's metric (ROC AUC for binary graphs, accuracy otherwise) on the masks every epoch.
 * Cost per epoch ≈ 3 forwards: O(L·(n·D² + m·D)). Memory O(L·(n·D + m)) for the cache.
 * Throws InputError / ShapeError naming the option or the data field before any work.
 */
export function trainNodeClassifier(data: NodeClassificationData, options: TrainOptions = {}): TrainResult {
  const fn = 'trainNodeClassifier';
  checkData(fn, data);
  const width = options.width ?? 64, layers = options.layers ?? 4, epochs = options.epochs ?? 100;
  const lr = options.lr ?? 0.01, seed = options.seed ?? 0, dropout = options.dropout ?? 0, warmup = options.warmup ?? 0;
  const dtype = options.dtype ?? 'f32';
  positiveInteger(fn, 'width', width); positiveInteger(fn, 'layers', layers); positiveInteger(fn, 'epochs', epochs);
  if (!(lr > 0) || !Number.isFinite(lr)) throw new InputError(`${fn}: options.lr must be a positive finite number, got ${lr}`);
  if (!(dropout >= 0 && dropout < 1)) throw new InputError(`${fn}: options.dropout must be in [0, 1), got ${dropout}`);
  if (!Number.isInteger(seed)) throw new InputError(`${fn}: options.seed must be an integer, got ${seed}`);
  if (!Number.isInteger(warmup) || warmup < 0 || warmup >= epochs) throw new InputError(`${fn}: options.warmup must be an integer in [0, epochs), got ${warmup}`);
  if (dtype !== 'f32' && dtype !== 'f64') throw new InputError(`${fn}: options.dtype must be 'f32' or 'f64'`);
  const config: NetworkConfig = { inputDim: data.features.cols, width, layers, numClasses: data.numClasses };
  const started = performance.now();
  const parameters = initParameters(config, seed, dtype);
  const optimizer = new AdamW({ weightDecay: options.weightDecay ?? 0.01 });
  const dropRng = rng(seed).fork();
  const { labels, masks, graph, metric } = data;
  const x = data.features.dtype === dtype ? data.features : data.features.clone(dtype);
  const history: EpochRecord[] = [];
  let best = { epoch: -1, val: -Infinity, test: NaN };
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const t0 = performance.now();
      const rate = cosineLearningRate(lr, epoch, epochs, warmup);
      const record = scope(() => {
        const fwd = networkForward(parameters, config, x, graph, { dropout, random: dropRng });
        const { loss, dLogits } = softmaxCrossEntropy(fwd.logits, labels, masks.train);
        const evalLogits = dropout > 0 ? networkForward(parameters, config, x, graph).logits : fwd.logits;
        const scores = { train: evaluateMetric(metric, evalLogits, labels, masks.train), val: evaluateMetric(metric, evalLogits, labels, masks.val),
          test: evaluateMetric(metric, evalLogits, labels, masks.test) };
        const grads = networkBackward(parameters, config, fwd.cache, dLogits, graph);
        optimizer.step(parameters, grads, rate);
        return { loss, ...scores };
      });
      const entry: EpochRecord = { epoch, lr: rate, ...record, seconds: (performance.now() - t0) / 1000 };
      if (!Number.isFinite(entry.loss)) throw new InputError(`${fn}: the loss became ${entry.loss} at epoch ${epoch}; lower options.lr`);
      if (entry.val > best.val) best = { epoch, val: entry.val, test: entry.test };
      history.push(entry);
      options.onEpoch?.(entry);
    }
    const final = scope(() => {
      const logits = networkForward(parameters, config, x, graph).logits;
      return { loss: softmaxCrossEntropy(logits, labels, masks.train).loss, train: evaluateMetric(metric, logits, labels, masks.train),
        val: evaluateMetric(metric, logits, labels, masks.val), test: evaluateMetric(metric, logits, labels, masks.test) };
    });
    if (final.val > best.val) best = { epoch: epochs, val: final.val, test: final.test };
    return { config, parameters, history, final, bestValidation: best, seconds: (performance.now() - started) / 1000 };
  } catch (e) {
    freeParameters(parameters);
    throw e;
  } finally {
    if (x !== data.features) x.free();
  }
}
