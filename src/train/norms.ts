// The norms the theory assumes, measured on a trained network (Shirzad et al. 2024, Table 1; docs/theory.md#18-table-1-how-the-norms-are-measured):
// the operator norms of the linear maps (β of assumption A2) and the norms of every layer's input vectors (√α of A1).
import { scope } from '../runtime/storage.js';
import { operatorNorm } from '../linalg/norms.js';
import type { DenseMatrix, FloatDType } from '../linalg/dense.js';
import type { CsrGraph } from '../graph/csr.js';
import { networkForward, practicalStructure, type NetworkConfig, type ParameterSet } from '../model/parameters.js';

export interface NetworkNorms {
  /** Per layer: σ_max of W_Q, W_K, W_V, W_1, W_2 (raw weights: no 1/√D, no BN), in that order. */
  operatorNorms: number[][];
  /** Per layer: mean over nodes of ‖h_i^(ℓ)‖₂ for the layer's input (layer 0 = the encoder output). */
  vectorNormMeans: number[];
  /** Per layer: max over nodes of ‖h_i^(ℓ)‖₂. */
  vectorNormMaxima: number[];
  /** Table 1's "operator-norm average": mean over the five maps, then over layers. */
  operatorNormAverage: number;
  /** max over all maps and layers: the β that assumption A2 needs. */
  operatorNormMax: number;
  /** Table 1's "vector-norm average": mean over nodes, then over layers. */
  vectorNormAverage: number;
  /** max over all nodes and layers: the √α that assumption A1 needs. */
  vectorNormMax: number;
}

/**
 * Measures Table 1's quantities by the procedure of docs/theory.md#18-table-1-how-the-norms-are-measured (steps 1–3): operator norms by power
 * iteration (operatorNorm, tol 1e-6) of the raw weights of every layer, and row norms of every layer's
 * input from one deterministic forward pass over the whole graph. Cost: one forward + 5L power iterations.
 */
export function measureNorms(parameters: ParameterSet, config: NetworkConfig, features: DenseMatrix, graph: CsrGraph): NetworkNorms {
  return scope(() => {
    const operatorNorms: number[][] = [];
    for (let l = 0; l < config.layers; l++) {
      operatorNorms.push(['w_q', 'w_k', 'w_v', 'w_1', 'w_2'].map((n) => operatorNorm(parameters.get(`layers.${l}.${n}`)!.clone('f64'), { tol: 1e-6 })));
    }
    const dtype = parameters.get('encoder.weight')!.dtype as FloatDType;
    const x = features.dtype === dtype ? features : features.clone(dtype);
    const { cache } = networkForward(practicalStructure(config), parameters, x as DenseMatrix<FloatDType>, graph);
    const vectorNormMeans: number[] = [], vectorNormMaxima: number[] = [];
    for (const layer of cache.layers) {
      const h = layer.input, d = h.data, p = h.cols;
      let sum = 0, mx = 0;
      for (let i = 0; i < h.rows; i++) {
        let s = 0;
        for (let j = 0; j < p; j++) s += d[i * p + j] ** 2;
        const r = Math.sqrt(s);
        sum += r; mx = Math.max(mx, r);
      }
      vectorNormMeans.push(sum / h.rows); vectorNormMaxima.push(mx);
    }
    const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
    return {
      operatorNorms, vectorNormMeans, vectorNormMaxima,
      operatorNormAverage: mean(operatorNorms.map(mean)), operatorNormMax: Math.max(...operatorNorms.flat()),
      vectorNormAverage: mean(vectorNormMeans), vectorNormMax: Math.max(...vectorNormMaxima),
    };
  });
}
