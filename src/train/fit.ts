// fit(): the one training loop. Full batch and transductive (every node is in the forward; the loss is the
// mean cross-entropy over the train mask), AdamW with a cosine schedule (App. D.3), the graph's metric on the
// three masks after every update. It trains the practical network of App. D.2 from a seeded initialization,
// or fine-tunes a given GraphTransformer from its weights (a compressed network: general skips, affine norms,
// per-layer widths), through the one forward (src/model/forward.ts) and the one backward (./backward.ts).
// It returns the epoch with the best validation metric by default and can stop early (`patience`).
import { InputError, ShapeError } from '../runtime/errors.js';
import { scope } from '../runtime/storage.js';
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import { CsrGraph } from '../graph/csr.js';
import { rng } from '../random/rng.js';
import { GraphTransformer } from '../model/graph-transformer.js';
import {
  batchNormStatistics, modelParameters, networkForward, parametersToModel, practicalStructure, structureOf,
  type NetworkConfig, type NetworkStructure, type ParameterSet,
} from '../model/parameters.js';
import { AdamW, cosineLearningRate } from './adamw.js';
import { networkBackward } from './backward.js';
import { softmaxCrossEntropy } from './loss.js';
import { evaluateMetric } from './metrics.js';
import { freeParameters, initParameters } from './parameters.js';

/** The parts of a loaded graph (src/data/load-graph.ts) that training reads. */
export interface NodeClassificationData {
  features: DenseMatrix;
  labels: Int32Array;
  masks: { train: Uint8Array; val: Uint8Array; test: Uint8Array };
  graph: CsrGraph;
  metric: 'roc_auc' | 'accuracy';
  numClasses: number;
}

/**
 * The defaults of `narrowgt train` and of fit() from scratch, chosen on the bundled and shared graphs with the
 * D = 64, 4-layer network (docs/experiments.md "Training defaults" gives the runs and the reasons).
 */
export const TRAINING_DEFAULTS = { width: 64, layers: 4, epochs: 100, lr: 0.01, weightDecay: 0.01, dropout: 0.5, patience: 30 as number | null };

export interface FitOptions {
  /** Fine-tune this model from its weights (its structure is kept; the model is not changed). Absent: train the practical network from scratch. */
  model?: GraphTransformer;
  /** From scratch: D, the width of every layer (default 64). */
  width?: number;
  /** From scratch: the number of transformer layers (default 4, the paper's). */
  layers?: number;
  /** Upper bound on the number of full-batch updates (default TRAINING_DEFAULTS.epochs); the cosine schedule spans it. */
  epochs?: number;
  /** Base learning rate of the cosine schedule (default TRAINING_DEFAULTS.lr). */
  lr?: number;
  /** AdamW's decoupled weight decay (default TRAINING_DEFAULTS.weightDecay). */
  weightDecay?: number;
  /** Linear warm-up epochs before the cosine decay (default 0). */
  warmup?: number;
  /** Dropout on the encoder output and the FFN hidden layer, training forward only (default TRAINING_DEFAULTS.dropout). */
  dropout?: number;
  /**
   * Stop once the validation metric has not improved for this many epochs (default TRAINING_DEFAULTS.patience;
   * null: run every epoch).
   */
  patience?: number | null;
  /** Return the parameters of the epoch with the best validation metric (default true) rather than the last. */
  keepBest?: boolean;
  /** Seed of the initialization (from scratch) and of the dropout masks (default 0). */
  seed?: number;
  /** Precision of training (default 'f32'; 'f64' for gradient checks). */
  dtype?: FloatDType;
  /** Called after every update (the library prints nothing; CLI code sends this to stderr). */
  onEpoch?: (record: EpochRecord) => void;
}

/** Loss (cross-entropy on the train mask) and metric of one set of parameters on the three masks. */
export interface SplitScores {
  loss: number;
  train: number;
  val: number;
  test: number;
}

/** One epoch: the scores of the parameters at its start (after `epoch` updates), and the update it then made. */
export interface EpochRecord extends SplitScores {
  epoch: number;
  lr: number;
  seconds: number;
}

export interface FitResult {
  structure: NetworkStructure;
  /** From scratch: the architecture; fine-tuning: null. */
  config: NetworkConfig | null;
  /** The returned parameters, of epoch `epoch` (WASM-resident: free with freeParameters, or fit inside scope()). */
  parameters: ParameterSet;
  /** The epoch the parameters come from: the number of updates they have had (0 = the initial weights). */
  epoch: number;
  /** Scores of the returned parameters (a forward of them reproduces these exactly). */
  scores: SplitScores;
  /** Scores before the first update. */
  initial: SplitScores;
  /** Scores of the last parameters reached (epoch `epochsRun`), returned or not. */
  last: SplitScores & { epoch: number };
  history: EpochRecord[];
  /** The number of updates made (= options.epochs unless patience stopped the run). */
  epochsRun: number;
  /** True when patience stopped the run before options.epochs. */
  stoppedEarly: boolean;
  /** Wall-clock seconds of the whole run. */
  seconds: number;
}

function positiveInteger(fn: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new InputError(`${fn}: options.${name} must be a positive integer, got ${v}`);
}

/** Checks the data once, before any work. */
export function checkData(fn: string, data: NodeClassificationData): void {
  if (typeof data !== 'object' || data === null) throw new InputError(`${fn}: data must be a loaded graph { features, labels, masks, graph, metric, numClasses }`);
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

/** The scores of given logits on the data's masks. */
export function scoreLogits(data: NodeClassificationData, logits: DenseMatrix, loss: number): SplitScores {
  const { labels, masks, metric } = data;
  return { loss, train: evaluateMetric(metric, logits, labels, masks.train), val: evaluateMetric(metric, logits, labels, masks.val),
    test: evaluateMetric(metric, logits, labels, masks.test) };
}

/**
 * Trains on `data` (see the file header): from scratch (the practical network of App. D.2, PyTorch-default
 * initialization from `seed`) or, with options.model, from that model's weights and structure. After every
 * update the graph's metric (ROC AUC for binary graphs, accuracy otherwise) is measured on the three masks
 * with a deterministic forward; the parameters of the best validation epoch (ties: the earliest, epoch 0
 * included) are returned unless keepBest is false, and `patience` stops the run once the validation metric has
 * not improved for that many epochs. Cost per epoch ≈ 3 forwards (4 with dropout): O(L·(n·D² + m·D)); memory
 * O(L·(n·D + m)) for the cache. Throws InputError / ShapeError naming the option or the data field before any
 * work, and InputError when the loss stops being finite.
 */
export function fit(data: NodeClassificationData, options: FitOptions = {}): FitResult {
  return fitNamed('fit', data, options);
}

/** fit() with errors naming `fn` (the public function the user called: fit, trainNodeClassifier, fineTune). */
export function fitNamed(fn: string, data: NodeClassificationData, options: FitOptions): FitResult {
  checkData(fn, data);
  if (typeof options !== 'object' || options === null) throw new InputError(`${fn}: options must be an object`);
  const d = TRAINING_DEFAULTS;
  const epochs = options.epochs ?? d.epochs, lr = options.lr ?? d.lr, weightDecay = options.weightDecay ?? d.weightDecay;
  const seed = options.seed ?? 0, dropout = options.dropout ?? d.dropout, warmup = options.warmup ?? 0;
  const patience = options.patience === undefined ? d.patience : options.patience;
  const keepBest = options.keepBest ?? true, dtype = options.dtype ?? 'f32';
  if (!Number.isInteger(epochs) || epochs < 0) throw new InputError(`${fn}: options.epochs must be an integer ≥ 0, got ${epochs}`);
  if (!(lr > 0) || !Number.isFinite(lr)) throw new InputError(`${fn}: options.lr must be a positive finite number, got ${lr}`);
  if (!(weightDecay >= 0) || !Number.isFinite(weightDecay)) throw new InputError(`${fn}: options.weightDecay must be a non-negative finite number, got ${weightDecay}`);
  if (!(dropout >= 0 && dropout < 1)) throw new InputError(`${fn}: options.dropout must be in [0, 1), got ${dropout}`);
  if (!Number.isInteger(seed)) throw new InputError(`${fn}: options.seed must be an integer, got ${seed}`);
  if (!Number.isInteger(warmup) || warmup < 0 || (epochs > 0 && warmup >= epochs)) throw new InputError(`${fn}: options.warmup must be an integer in [0, epochs), got ${warmup}`);
  if (patience !== null && (!Number.isInteger(patience) || patience < 1)) throw new InputError(`${fn}: options.patience must be a positive integer or null, got ${patience}`);
  if (typeof keepBest !== 'boolean') throw new InputError(`${fn}: options.keepBest must be a boolean`);
  if (dtype !== 'f32' && dtype !== 'f64') throw new InputError(`${fn}: options.dtype must be 'f32' or 'f64'`);
  let structure: NetworkStructure, config: NetworkConfig | null = null;
  const model = options.model;
  if (model !== undefined) {
    if (!(model instanceof GraphTransformer)) throw new InputError(`${fn}: options.model must be a GraphTransformer`);
    if (options.width !== undefined || options.layers !== undefined) throw new InputError(`${fn}: options.width and options.layers describe a new network; a given options.model keeps its own`);
    if (model.outputDim !== data.numClasses) throw new InputError(`${fn}: the model writes ${model.outputDim} logits but data has ${data.numClasses} classes`);
    if (data.features.cols !== model.inputDim) throw new InputError(`${fn}: data.features has ${data.features.cols} columns, the model reads ${model.inputDim}`);
    structure = structureOf(model);
  } else {
    const width = options.width ?? d.width, layers = options.layers ?? d.layers;
    positiveInteger(fn, 'width', width); positiveInteger(fn, 'layers', layers);
    config = { inputDim: data.features.cols, width, layers, numClasses: data.numClasses };
    structure = practicalStructure(config);
  }
  const started = performance.now();
  const params: ParameterSet = model ? modelParameters(model, dtype) : initParameters(config!, seed, dtype);
  const x = data.features.dtype === dtype ? data.features : data.features.clone(dtype);
  const optimizer = new AdamW({ weightDecay });
  const dropRng = rng(seed).fork();
  const history: EpochRecord[] = [];
  const snapshot = (): Map<string, Float64Array> => new Map([...params].map(([k, m]) => [k, Float64Array.from(m.data)]));
  type Best = { epoch: number; scores: SplitScores; snapshot: Map<string, Float64Array> | null };
  let best = null as Best | null, initial = null as SplitScores | null, last = null as (SplitScores & { epoch: number }) | null;
  let epochsRun = 0, stoppedEarly = false;
  try {
    for (let epoch = 0; epoch <= epochs; epoch++) {
      const t0 = performance.now();
      // The scores of the weights after `epoch` updates; then (unless this is the end) one more update.
      const stop = scope(() => {
        const training = epoch < epochs && dropout > 0;
        const fwd = networkForward(structure, params, x, data.graph, { dropout: training ? dropout : 0, random: dropRng, cache: epoch < epochs });
        const { loss, dLogits } = softmaxCrossEntropy(fwd.logits, data.labels, data.masks.train);
        const evalLogits = training ? networkForward(structure, params, x, data.graph, { cache: false }).logits : fwd.logits;
        const evalLoss = training ? softmaxCrossEntropy(evalLogits, data.labels, data.masks.train).loss : loss;
        if (!Number.isFinite(evalLoss)) throw new InputError(`${fn}: the loss became ${evalLoss} at epoch ${epoch}; lower options.lr`);
        const scores = scoreLogits(data, evalLogits, evalLoss);
        if (epoch === 0) initial = scores;
        last = { epoch, ...scores };
        if (!best || scores.val > best.scores.val || !keepBest) best = { epoch, scores, snapshot: keepBest ? snapshot() : null };
        if (epoch === epochs) return true;
        if (patience !== null && epoch - best.epoch >= patience) { stoppedEarly = true; return true; }
        const rate = cosineLearningRate(lr, epoch, epochs, warmup);
        optimizer.step(params, networkBackward(structure, params, fwd.cache, dLogits, data.graph), rate);
        epochsRun = epoch + 1;
        const entry: EpochRecord = { epoch, lr: rate, ...scores, seconds: (performance.now() - t0) / 1000 };
        history.push(entry);
        options.onEpoch?.(entry);
        return false;
      });
      if (stop) break;
    }
    const kept = best as Best;
    if (kept.snapshot) for (const [k, v] of kept.snapshot) params.get(k)!.data.set(v);
    return {
      structure, config, parameters: params, epoch: kept.epoch, scores: kept.scores, initial: initial as SplitScores, last: last as SplitScores & { epoch: number }, history,
      epochsRun, stoppedEarly, seconds: (performance.now() - started) / 1000,
    };
  } catch (e) {
    freeParameters(params);
    throw e;
  } finally {
    if (x !== data.features) x.free();
  }
}

/**
 * The GraphTransformer (practical variant, f64) that fit()'s parameters compute: batch norms folded with the
 * full-batch statistics of (data.features, data.graph) — the transductive inference statistics — and affine
 * norms and skips as trained. Cost: one f64 forward when the network has batch norms.
 */
export function fittedModel(result: Pick<FitResult, 'structure' | 'parameters'>, data: Pick<NodeClassificationData, 'features' | 'graph'>): GraphTransformer {
  const hasBatchNorm = result.structure.layers.some((l) => l.attentionNorm === 'batch' || l.ffnNorm === 'batch');
  const stats = hasBatchNorm ? batchNormStatistics(result.structure, result.parameters, data.features, data.graph) : undefined;
  return parametersToModel(result.structure, result.parameters, stats);
}
