// Batch normalization over all nodes at once (full-batch, transductive: the training statistics are the
// inference statistics, THEORY §1.3), forward and backward.
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import { batchNormBackwardInto, batchNormForwardInto } from './elementwise.js';

/** PyTorch's default ε. */
export const BATCH_NORM_EPSILON = 1e-5;

/** What the backward pass needs from the forward. */
export interface BatchNormCache<T extends FloatDType> {
  /** ẑ = (z − μ)/√(σ² + ε), n×p. */
  normalized: DenseMatrix<T>;
  /** 1/√(σ² + ε) per column. */
  invStd: Float64Array;
  /** μ per column. */
  mean: Float64Array;
  /** σ² (biased) per column. */
  variance: Float64Array;
}

/**
 * y = γ ⊙ (z − μ)/√(σ² + ε) + β with μ, σ² the column mean and biased variance over all n rows
 * (Ioffe & Szegedy 2015, Algorithm 1, with the whole graph as the batch). Two passes, sums in f64.
 * Cost O(n·p). Returns y (new) and the cache for batchNormBackward.
 */
export function batchNormForward<T extends FloatDType>(z: DenseMatrix<T>, gamma: DenseMatrix<T>, beta: DenseMatrix<T>):
  { output: DenseMatrix<T>; cache: BatchNormCache<T> } {
  const n = z.rows, p = z.cols;
  const normalized = DenseMatrix.zeros(n, p, z.dtype), output = DenseMatrix.zeros(n, p, z.dtype);
  const { mean, invStd } = batchNormForwardInto(output, normalized, z, gamma, beta, BATCH_NORM_EPSILON);
  const variance = new Float64Array(p);
  for (let j = 0; j < p; j++) variance[j] = 1 / (invStd[j] * invStd[j]) - BATCH_NORM_EPSILON;
  return { output, cache: { normalized, invStd, mean, variance } };
}

/**
 * Gradients of batchNormForward: dβ = Σ_i dy_i, dγ = Σ_i dy_i ⊙ ẑ_i and
 * dz_i = γ ⊙ invStd ⊙ (dy_i − dβ/n − ẑ_i ⊙ dγ/n) (the batch statistics depend on z). Cost O(n·p).
 */
export function batchNormBackward<T extends FloatDType>(dy: DenseMatrix<T>, gamma: DenseMatrix<T>, cache: BatchNormCache<T>):
  { dz: DenseMatrix<T>; dGamma: DenseMatrix<T>; dBeta: DenseMatrix<T> } {
  const n = dy.rows, p = dy.cols;
  const dz = DenseMatrix.zeros(n, p, dy.dtype);
  const { sumDy, sumDyX } = batchNormBackwardInto(dz, dy, cache.normalized, gamma, cache.invStd);
  return { dz, dGamma: DenseMatrix.from(sumDyX, 1, p, dy.dtype), dBeta: DenseMatrix.from(sumDy, 1, p, dy.dtype) };
}
