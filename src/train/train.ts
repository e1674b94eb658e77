// trainNodeClassifier: the practical graph transformer of App. D.2 trained from scratch (Shirzad et al. 2024,
// App. D.2–D.3), as a thin wrapper over fit() (./fit.ts) that keeps its historical result shape.
import { InputError } from '../runtime/errors.js';
import { scope } from '../runtime/storage.js';
import type { DenseMatrix, FloatDType } from '../linalg/dense.js';
import type { CsrGraph } from '../graph/csr.js';
import { networkForward, practicalStructure, type NetworkConfig, type ParameterSet } from '../model/parameters.js';
import { fitNamed, type EpochRecord, type FitOptions, type NodeClassificationData, type SplitScores } from './fit.js';

export type { EpochRecord, NodeClassificationData } from './fit.js';

/** fit()'s options for a network trained from scratch (no `model`). */
export type TrainOptions = Omit<FitOptions, 'model'>;

export interface TrainResult {
  config: NetworkConfig;
  /** The parameters of the kept epoch (the best validation epoch unless keepBest is false). WASM-resident: free with freeParameters. */
  parameters: ParameterSet;
  history: EpochRecord[];
  /** Scores of the returned parameters (of epoch `bestValidation.epoch` when keepBest). */
  final: SplitScores;
  /**
   * The epoch with the highest validation metric over the run (ties: the earliest), with its validation and test
   * metric: the returned parameters' epoch unless keepBest is false.
   */
  bestValidation: { epoch: number; val: number; test: number };
  /** Scores of the last parameters reached (the end of the run), returned or not. */
  last: SplitScores & { epoch: number };
  /** Updates made, and whether patience stopped the run early. */
  epochsRun: number;
  stoppedEarly: boolean;
  /** Wall-clock seconds of the whole run. */
  seconds: number;
}

/**
 * Logits of every node under the practical network's `parameters` (deterministic: no dropout, full-batch
 * batch-norm statistics), in the parameters' dtype.
 */
export function predictLogits<T extends FloatDType>(parameters: ParameterSet<T>, config: NetworkConfig, features: DenseMatrix,
  graph: CsrGraph): DenseMatrix<T> {
  const dtype = parameters.get('encoder.weight')!.dtype as T;
  return scope(() => {
    const x = features.dtype === dtype ? features as DenseMatrix<T> : features.clone(dtype);
    return networkForward(practicalStructure(config), parameters, x, graph, { cache: false }).logits;
  });
}

/**
 * Trains the practical graph transformer of App. D.2 on one graph: fit(data, options) without a model (see
 * there: full batch, AdamW + cosine, best validation epoch kept, optional patience). Throws what fit throws,
 * naming trainNodeClassifier.
 */
export function trainNodeClassifier(data: NodeClassificationData, options: TrainOptions = {}): TrainResult {
  if ((options as FitOptions | null)?.model !== undefined) {
    throw new InputError('trainNodeClassifier: options.model is not an option here: fine-tune a model with fit(data, { model }) or fineTune');
  }
  const r = fitNamed('trainNodeClassifier', data, options);
  let best = { epoch: r.last.epoch, val: r.last.val, test: r.last.test };
  for (const h of [...r.history].reverse()) if (h.val >= best.val) best = { epoch: h.epoch, val: h.val, test: h.test };
  return {
    config: r.config!, parameters: r.parameters, history: r.history, final: r.scores, bestValidation: best, last: r.last,
    epochsRun: r.epochsRun, stoppedEarly: r.stoppedEarly, seconds: r.seconds,
  };
}
