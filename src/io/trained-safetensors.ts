// A network trained by src/train as a .safetensors file in PyTorch's terms: its batch norms are written as
// BatchNorm1d tensors (weight, bias, running_mean, running_var) whose running statistics are the full-batch
// statistics of the training graph — the transductive inference statistics (THEORY §1.3) — so that the file
// loads into nn.BatchNorm1d in eval mode (scripts/python/narrowgt_torch.py) and into modelFromSafetensors alike.
import { scope } from '../runtime/storage.js';
import type { DenseMatrix } from '../linalg/dense.js';
import type { CsrGraph } from '../graph/csr.js';
import { GraphTransformer } from '../model/graph-transformer.js';
import { copyMatrix } from '../model/forward.js';
import { foldBatchNorm, type LayerWeights } from '../model/layer.js';
import { BATCH_NORM_EPSILON } from '../train/batch-norm.js';
import { networkForward } from '../train/network.js';
import { checkConfig, type NetworkConfig, type ParameterSet } from '../train/parameters.js';
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
 * The trained parameters (src/train naming) under the model naming of src/io/model-safetensors.ts, batch norms
 * as BatchNorm1d tensors with the full-batch f64 statistics of (features, graph) as running_mean / running_var
 * (the same statistics toGraphTransformer folds). modelFromSafetensors on the result gives toGraphTransformer's
 * model to the rounding of the chosen dtype. Cost: one f64 forward. Throws what checkConfig throws.
 */
export function trainedToSafetensors(config: NetworkConfig, parameters: ParameterSet, features: DenseMatrix, graph: CsrGraph,
  options: TrainedToSafetensorsOptions = {}): Uint8Array {
  checkConfig('trainedToSafetensors', config);
  return scope(() => {
    // copyMatrix allocates before it reads (a view read first may be detached by memory.grow).
    const p: ParameterSet<'f64'> = new Map([...parameters].map(([k, m]) => [k, copyMatrix(m, 'f64')]));
    const { cache } = networkForward(p, config, copyMatrix(features, 'f64'), graph);
    const vec = (name: string): Float64Array => Float64Array.from(p.get(name)!.data);
    const batchNorms: { norm1: BatchNormTensors; norm2: BatchNormTensors }[] = [];
    const layers: LayerWeights[] = cache.layers.map((c, l) => {
      const pre = `layers.${l}.`;
      const bn = (which: 'bn1' | 'bn2'): BatchNormTensors => ({
        weight: vec(pre + which + '.gamma'), bias: vec(pre + which + '.beta'), runningMean: c[which].mean, runningVar: c[which].variance,
      });
      const norms = { norm1: bn('bn1'), norm2: bn('bn2') };
      batchNorms.push(norms);
      const fold = (t: BatchNormTensors) => foldBatchNorm({ gamma: t.weight, beta: t.bias, mean: t.runningMean, variance: t.runningVar, epsilon: BATCH_NORM_EPSILON });
      return {
        wQ: p.get(pre + 'wQ')!, wK: p.get(pre + 'wK')!, wV: p.get(pre + 'wV')!, w1: p.get(pre + 'w1')!, w2: p.get(pre + 'w2')!,
        b1: vec(pre + 'b1'), b2: vec(pre + 'b2'), logitScale: 1 / Math.sqrt(config.width),
        attentionSkip: 'identity', attentionNorm: fold(norms.norm1), ffnSkip: 'identity', ffnNorm: fold(norms.norm2),
      };
    });
    const model = new GraphTransformer({
      variant: 'practical', activation: 'relu', layers,
      encoder: { weight: p.get('encoder.weight')!, bias: vec('encoder.bias') }, head: { weight: p.get('head.weight')!, bias: vec('head.bias') },
    });
    return modelToSafetensors(model, { dtype: options.dtype ?? 'F32', metadata: options.metadata, batchNorms, pattern: options.pattern });
  });
}
