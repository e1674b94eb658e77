// Table-1 diagnostics of Shirzad et al. (2024, Sec. 5 / App. D): operator norms of the linear maps and
// norms of each layer's input vectors, with the maxima that assumptions (A1)–(A2) actually need.
import { scope } from '../runtime/storage.js';
import type { DenseMatrix } from '../linalg/dense.js';
import type { CsrGraph } from '../graph/csr.js';
import { spectralNorm } from '../linalg/spectral-norm.js';
import { rowNormStats } from '../linalg/row-norm-stats.js';
import { InputError } from '../runtime/errors.js';
import { GraphTransformer } from './graph-transformer.js';

export interface LayerNorms {
  layer: number;
  /** σ_max of the raw maps (no 1/√d scale, no batch norm), as Table 1 measures them. */
  operatorNorms: { wQ: number; wK: number; wV: number; w1: number; w2: number };
  /** Mean of the five operator norms. */
  averageOperatorNorm: number;
  /** mean_i ‖h_i^(ℓ)‖₂ of the layer's input. */
  meanInputNorm: number;
  /** max_i ‖h_i^(ℓ)‖₂ of the layer's input ((A1) needs this one). */
  maxInputNorm: number;
}

export interface ModelNorms {
  layers: LayerNorms[];
  /** Table 1 "operator-norm average": the per-layer averages, averaged over layers. */
  averageOperatorNorm: number;
  /** Table 1 "vector-norm average": the per-layer mean input norms, averaged over layers. */
  averageInputNorm: number;
  /** max over layers of maxInputNorm, i.e. √α. */
  maxInputNorm: number;
  /** α = maxInputNorm² (Sec. 2, (A1)-(A3); docs/theory.md#2-the-model-and-its-assumptions). */
  alpha: number;
  /** β = max operator norm over all raw maps (Sec. 2, (A1)-(A3); docs/theory.md#2-the-model-and-its-assumptions; certificates also fold √logitScale into W_Q, W_K). */
  beta: number;
}

/**
 * Table-1 diagnostics (Sec. 5 and App. D; docs/theory.md#18-table-1-how-the-norms-are-measured "Measurement procedure"): for each layer, σ_max of W_Q, W_K, W_V, W_1, W_2
 * and the mean / max Euclidean norm of the layer's input vectors h_i^(ℓ) (layer 0: the encoder output),
 * then averages over layers. Cost: one f64 forward with trace plus an SVD per map.
 * Throws InputError / ShapeError as GraphTransformer.forward.
 */
export function modelNorms(model: GraphTransformer, x: DenseMatrix, pattern: CsrGraph): ModelNorms {
  if (!(model instanceof GraphTransformer)) throw new InputError('modelNorms: model must be a GraphTransformer');
  return scope(() => {
    const trace = model.forward(x, pattern, { trace: true }).trace!;
    const layers: LayerNorms[] = model.layers.map((l, i) => {
      const operatorNorms = { wQ: spectralNorm(l.wQ), wK: spectralNorm(l.wK), wV: spectralNorm(l.wV), w1: spectralNorm(l.w1), w2: spectralNorm(l.w2) };
      const s = rowNormStats(trace.layers[i].input);
      const ops = Object.values(operatorNorms);
      return {
        layer: i, operatorNorms, averageOperatorNorm: ops.reduce((a, b) => a + b, 0) / ops.length,
        meanInputNorm: s.mean, maxInputNorm: s.max,
      };
    });
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const maxInputNorm = Math.max(...layers.map((l) => l.maxInputNorm));
    return {
      layers,
      averageOperatorNorm: mean(layers.map((l) => l.averageOperatorNorm)),
      averageInputNorm: mean(layers.map((l) => l.meanInputNorm)),
      maxInputNorm, alpha: maxInputNorm ** 2,
      beta: Math.max(...layers.flatMap((l) => Object.values(l.operatorNorms))),
    };
  });
}
