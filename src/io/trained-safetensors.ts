// A network trained by src/train as a .safetensors file in PyTorch's terms: its batch norms are written as
// BatchNorm1d tensors (weight, bias, running_mean, running_var) whose running statistics are the full-batch
// statistics of the training graph — the transductive inference statistics (docs/theory.md#17-the-practical-variant) — so that the file
// loads into nn.BatchNorm1d in eval mode (scripts/python/narrowgt_torch.py) and into modelFromSafetensors alike.
import { scope } from '../runtime/storage.js';
import type { DenseMatrix } from '../linalg/dense.js';
import type { CsrGraph } from '../graph/csr.js';
import {
  batchNormStatistics, checkConfig, parametersToModel, practicalStructure, type NetworkConfig, type ParameterSet,
} from '../model/parameters.js';
import { modelToSafetensors, type BatchNormTensors } from './model-safetensors.js';
import type { AttentionPattern } from '../graph/attention-pattern.js';

export interface TrainedToSafetensorsOptions {
  /** 'F32' (default: src/train trains in f32, so weights are exact; statistics are rounded once) or 'F64'. */
  dtype?: 'F32' | 'F64';
  /** Extra string metadata (training command, metrics, …). */
  metadata?: Record<string, string>;
  /** The attention pattern the network was trained on, recorded in the file (see modelToSafetensors). */
  pattern?: AttentionPattern;
}

/**
 * The trained parameters (the one naming of src/model/parameters.ts) under the model naming of src/io/model-safetensors.ts, batch norms
 * as BatchNorm1d tensors with the full-batch f64 statistics of (features, graph) as running_mean / running_var
 * (the same statistics toGraphTransformer folds). modelFromSafetensors on the result gives toGraphTransformer's
 * model to the rounding of the chosen dtype. Cost: one f64 forward. Throws what checkConfig throws.
 */
export function trainedToSafetensors(config: NetworkConfig, parameters: ParameterSet, features: DenseMatrix, graph: CsrGraph,
  options: TrainedToSafetensorsOptions = {}): Uint8Array {
  checkConfig('trainedToSafetensors', config);
  return scope(() => {
    // The full-batch statistics come from one f64 forward of the model floor (src/model/parameters.ts): io trains nothing.
    const structure = practicalStructure(config);
    const stats = batchNormStatistics(structure, parameters, features, graph);
    const model = parametersToModel(structure, parameters, stats);
    const vec = (name: string): Float64Array => Float64Array.from(parameters.get(name)!.data);
    const batchNorms: { norm1: BatchNormTensors; norm2: BatchNormTensors }[] = stats.map((s, l) => {
      const bn = (which: 'bn1' | 'bn2', st: { mean: Float64Array; variance: Float64Array }): BatchNormTensors => ({
        weight: vec(`layers.${l}.${which}.weight`), bias: vec(`layers.${l}.${which}.bias`), runningMean: st.mean, runningVar: st.variance,
      });
      return { norm1: bn('bn1', s.norm1!), norm2: bn('bn2', s.norm2!) };
    });
    return modelToSafetensors(model, { dtype: options.dtype ?? 'F32', metadata: options.metadata, batchNorms, pattern: options.pattern });
  });
}
