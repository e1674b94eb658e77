// Converts trained parameters into src/model's GraphTransformer (variant 'practical'), folding each
// full-batch batch norm into an affine map with the statistics of the given graph (THEORY §1.3).
import { scope } from '../runtime/storage.js';
import { DenseMatrix } from '../linalg/dense.js';
import type { CsrGraph } from '../graph/csr.js';
import { GraphTransformer } from '../model/graph-transformer.js';
import { foldBatchNorm, type LayerWeights } from '../model/layer.js';
import { BATCH_NORM_EPSILON } from './batch-norm.js';
import { networkForward } from './network.js';
import { cloneParameters, checkConfig, type NetworkConfig, type ParameterSet } from './parameters.js';

/**
 * The trained network as a GraphTransformer (f64 weights): encoder and head as affine maps, identity
 * skips, logitScale 1/√D, b_1 and b_2, and BN₁/BN₂ folded by foldBatchNorm with the mean and variance
 * of a full-batch f64 forward on (features, graph) — the transductive inference statistics. On that
 * graph the two forwards agree to f64 rounding (test/train/convert.test.ts). Cost: one f64 forward.
 * Throws what checkConfig and GraphTransformer's constructor throw.
 */
export function toGraphTransformer(parameters: ParameterSet, config: NetworkConfig, features: DenseMatrix, graph: CsrGraph): GraphTransformer {
  checkConfig('toGraphTransformer', config);
  return scope(() => {
    const p = cloneParameters(parameters, 'f64');
    const { cache } = networkForward(p, config, features.clone('f64'), graph);
    const vec = (name: string): Float64Array => Float64Array.from(p.get(name)!.data);
    const layers: LayerWeights[] = cache.layers.map((c, l) => {
      const pre = `layers.${l}.`;
      const norm = (which: 'bn1' | 'bn2') => {
        const st = c[which];
        return foldBatchNorm({ gamma: vec(pre + which + '.gamma'), beta: vec(pre + which + '.beta'), mean: st.mean, variance: st.variance, epsilon: BATCH_NORM_EPSILON });
      };
      return {
        wQ: p.get(pre + 'wQ')!, wK: p.get(pre + 'wK')!, wV: p.get(pre + 'wV')!, w1: p.get(pre + 'w1')!, w2: p.get(pre + 'w2')!,
        b1: vec(pre + 'b1'), b2: vec(pre + 'b2'), logitScale: 1 / Math.sqrt(config.width),
        attentionSkip: 'identity', attentionNorm: norm('bn1'), ffnSkip: 'identity', ffnNorm: norm('bn2'),
      };
    });
    const model = new GraphTransformer({
      variant: 'practical', activation: 'relu', layers,
      encoder: { weight: p.get('encoder.weight')!, bias: vec('encoder.bias') },
      head: { weight: p.get('head.weight')!, bias: vec('head.bias') },
    });
    return { model };
  }).model;
}
