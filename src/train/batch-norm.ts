// The backward of batch normalization over all nodes at once (full-batch, transductive: the training
// statistics are the inference statistics, docs/theory.md#17-the-practical-variant). The forward is src/model/batch-norm.ts.
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import { batchNormBatchStatistics, type BatchNormCache } from '../model/batch-norm.js';
import { batchNormBackwardInto } from './elementwise.js';

export { BATCH_NORM_EPSILON, type BatchNormCache } from '../model/batch-norm.js';

/**
 * The batch-statistics forward on its own (the network runs it inside src/model/forward.ts): y and the cache
 * for batchNormBackward. Cost O(n·p).
 */
export function batchNormForward<T extends FloatDType>(z: DenseMatrix<T>, gamma: DenseMatrix<T>, beta: DenseMatrix<T>):
  { output: DenseMatrix<T>; cache: BatchNormCache<T> } {
  const output = DenseMatrix.zeros(z.rows, z.cols, z.dtype), normalized = DenseMatrix.zeros(z.rows, z.cols, z.dtype);
  const stats = batchNormBatchStatistics(z, { kind: 'batch', gamma, beta }, output, normalized);
  return { output, cache: { normalized, ...stats } };
}

/**
 * Gradients of the batch-statistics norm: dβ = Σ_i dy_i, dγ = Σ_i dy_i ⊙ ẑ_i and
 * dz_i = γ ⊙ invStd ⊙ (dy_i − dβ/n − ẑ_i ⊙ dγ/n) (the batch statistics depend on z). Cost O(n·p).
 */
export function batchNormBackward<T extends FloatDType>(dy: DenseMatrix<T>, gamma: DenseMatrix<T>, cache: BatchNormCache<T>):
  { dz: DenseMatrix<T>; dGamma: DenseMatrix<T>; dBeta: DenseMatrix<T> } {
  const p = dy.cols;
  const dz = DenseMatrix.zeros(dy.rows, p, dy.dtype);
  const { sumDy, sumDyX } = batchNormBackwardInto(dz, dy, cache.normalized, gamma, cache.invStd);
  return { dz, dGamma: DenseMatrix.from(sumDyX, 1, p, dy.dtype), dBeta: DenseMatrix.from(sumDy, 1, p, dy.dtype) };
}
