// Batch normalization over all nodes at once (full-batch, transductive: the training statistics are the
// inference statistics, THEORY §1.3), forward and backward.
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';

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
  const zd = z.data, xd = normalized.data, yd = output.data, g = gamma.data, b = beta.data;
  const mean = new Float64Array(p), variance = new Float64Array(p), invStd = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] += zd[i * p + j];
  for (let j = 0; j < p; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) { const c = zd[i * p + j] - mean[j]; variance[j] += c * c; }
  for (let j = 0; j < p; j++) { variance[j] /= n; invStd[j] = 1 / Math.sqrt(variance[j] + BATCH_NORM_EPSILON); }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      const x = (zd[i * p + j] - mean[j]) * invStd[j];
      xd[i * p + j] = x;
      yd[i * p + j] = g[j] * x + b[j];
    }
  }
  return { output, cache: { normalized, invStd, mean, variance } };
}

/**
 * Gradients of batchNormForward: dβ = Σ_i dy_i, dγ = Σ_i dy_i ⊙ ẑ_i and
 * dz_i = γ ⊙ invStd ⊙ (dy_i − dβ/n − ẑ_i ⊙ dγ/n) (the batch statistics depend on z). Cost O(n·p).
 */
export function batchNormBackward<T extends FloatDType>(dy: DenseMatrix<T>, gamma: DenseMatrix<T>, cache: BatchNormCache<T>):
  { dz: DenseMatrix<T>; dGamma: DenseMatrix<T>; dBeta: DenseMatrix<T> } {
  const n = dy.rows, p = dy.cols;
  const dz = DenseMatrix.zeros(n, p, dy.dtype), dGamma = DenseMatrix.zeros(1, p, dy.dtype), dBeta = DenseMatrix.zeros(1, p, dy.dtype);
  const sumDy = new Float64Array(p), sumDyX = new Float64Array(p);
  const dyd = dy.data, xd = cache.normalized.data, g = gamma.data, dzd = dz.data;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) { const v = dyd[i * p + j]; sumDy[j] += v; sumDyX[j] += v * xd[i * p + j]; }
  }
  const coef = new Float64Array(p);
  for (let j = 0; j < p; j++) coef[j] = g[j] * cache.invStd[j];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      dzd[i * p + j] = coef[j] * (dyd[i * p + j] - sumDy[j] / n - xd[i * p + j] * sumDyX[j] / n);
    }
  }
  dGamma.data.set(sumDyX);
  dBeta.data.set(sumDy);
  return { dz, dGamma, dBeta };
}
