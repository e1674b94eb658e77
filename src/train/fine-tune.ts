// fineTune: a short fine-tune of a compressed (or any) GraphTransformer from its current weights, as a thin
// wrapper over fit() (./fit.ts) with the fine-tuning defaults and the result shape compress/ reports. The model
// keeps its structure: general skips (d×d matrices), affine norms (a folded batch norm is a fixed affine map
// at inference, so it is trained as one) and per-layer widths — what compressPractical produces.
import { InputError } from '../runtime/errors.js';
import type { FloatDType } from '../linalg/dense.js';
import { GraphTransformer } from '../model/graph-transformer.js';
import { fitNamed, fittedModel, type NodeClassificationData, type SplitScores } from './fit.js';
import { freeParameters } from './parameters.js';

export interface FineTuneOptions {
  /** Full-batch epochs (default 50). */
  epochs?: number;
  /** Base learning rate of the cosine schedule (default 0.005). */
  lr?: number;
  /** AdamW weight decay (default 0.01). */
  weightDecay?: number;
  /** Keep the weights of the epoch with the best validation metric (default true) rather than the last. */
  keepBestValidation?: boolean;
  /** Stop once the validation metric has not improved for this many epochs (default null: run every epoch). */
  patience?: number | null;
  /** Precision of training (default 'f32'). */
  dtype?: FloatDType;
  /** Called after each epoch (the library prints nothing). */
  onEpoch?: (record: { epoch: number; loss: number; train: number; val: number; test: number; seconds: number }) => void;
}

export interface FineTuneResult {
  /** The fine-tuned model (same structure as the input; the caller owns it). */
  model: GraphTransformer;
  /** The epoch whose weights were kept (the number of updates they had; epochs = the final weights). */
  keptEpoch: number;
  /** Metrics of the kept weights. */
  metrics: SplitScores;
  /** Metrics before the first update. */
  initial: SplitScores;
  history: { epoch: number; loss: number; train: number; val: number; test: number; seconds: number }[];
  seconds: number;
}

/**
 * Fine-tunes `model` on `data` from its current weights: fit(data, { model, … }) (full batch, cross-entropy on
 * the train mask, AdamW + cosine, the graph's metric on the three masks each epoch, no dropout), returning the
 * model of the kept epoch. Cost per epoch ≈ 3 forwards of the model. The model passed in is not changed.
 * Throws InputError on bad options or data before any work, naming fineTune.
 */
export function fineTune(model: GraphTransformer, data: NodeClassificationData, options: FineTuneOptions = {}): FineTuneResult {
  const fn = 'fineTune';
  if (!(model instanceof GraphTransformer)) throw new InputError(`${fn}: model must be a GraphTransformer`);
  const r = fitNamed(fn, data, {
    model, epochs: options.epochs ?? 50, lr: options.lr ?? 0.005, weightDecay: options.weightDecay ?? 0.01,
    keepBest: options.keepBestValidation ?? true, patience: options.patience ?? null, dtype: options.dtype ?? 'f32', dropout: 0,
    onEpoch: options.onEpoch ? (e) => options.onEpoch!({ epoch: e.epoch, loss: e.loss, train: e.train, val: e.val, test: e.test, seconds: e.seconds }) : undefined,
  });
  try {
    const out = fittedModel(r, data);
    const tuned = model.variant === 'practical' ? out : new GraphTransformer({ variant: model.variant, activation: out.activation, layers: [...out.layers] });
    if (tuned !== out) out.free();
    return {
      model: tuned, keptEpoch: r.epoch, metrics: r.scores, initial: r.initial,
      history: r.history.map((e) => ({ epoch: e.epoch, loss: e.loss, train: e.train, val: e.val, test: e.test, seconds: e.seconds })), seconds: r.seconds,
    };
  } finally {
    freeParameters(r.parameters);
  }
}
