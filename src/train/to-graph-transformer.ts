// Converts trained parameters into src/model's GraphTransformer (variant 'practical'), folding each
// full-batch batch norm into an affine map with the statistics of the given graph (docs/theory.md#17-the-practical-variant).
import { checkConfig, practicalStructure, type NetworkConfig, type ParameterSet } from '../model/parameters.js';
import type { DenseMatrix } from '../linalg/dense.js';
import type { CsrGraph } from '../graph/csr.js';
import type { GraphTransformer } from '../model/graph-transformer.js';
import { fittedModel } from './fit.js';

/**
 * The trained network as a GraphTransformer (f64 weights): encoder and head as affine maps, identity
 * skips, logitScale 1/√D, b_1 and b_2, and BN₁/BN₂ folded by foldBatchNorm with the mean and variance
 * of a full-batch f64 forward on (features, graph) — the transductive inference statistics. On that
 * graph the two forwards agree to f64 rounding (test/train/convert.test.ts). Cost: one f64 forward.
 * Throws what checkConfig and GraphTransformer's constructor throw.
 */
export function toGraphTransformer(parameters: ParameterSet, config: NetworkConfig, features: DenseMatrix, graph: CsrGraph): GraphTransformer {
  checkConfig('toGraphTransformer', config);
  return fittedModel({ structure: practicalStructure(config), parameters }, { features, graph });
}
