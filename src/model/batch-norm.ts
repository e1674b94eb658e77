// Batch normalization inside the forward (docs/theory.md#17-the-practical-variant; Shirzad et al. 2024 App. D.2): with the
// statistics of the rows at hand ('batch': training, and the transductive inference of a full-batch network,
// where the whole graph is the batch) or with stored running statistics ('running': a folded affine map).
import { InputError } from '../runtime/errors.js';
import { runKernel } from '../runtime/dispatch.js';
import { columnRanges } from '../runtime/threads/splits.js';
import { scratch } from '../runtime/scratch.js';
import { Storage, type DType } from '../runtime/storage.js';
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import * as twin from '../twin/elementwise.js';
import { foldBatchNorm } from './layer.js';

/** PyTorch's default ε (nn.BatchNorm1d). */
export const BATCH_NORM_EPSILON = 1e-5;

/** Where a batch norm takes μ and σ² from: the rows of this forward, or the stored running statistics. */
export type BatchNormStatistics = 'batch' | 'running';

/**
 * A batch norm as the forward runs it: y = γ ⊙ (z − μ)/√(σ² + ε) + β. γ and β are 1×p matrices (trainable
 * parameters, any dtype); the running statistics are needed only for statistics 'running'.
 */
export interface BatchNormWeights {
  kind: 'batch';
  /** γ, 1×p. */
  gamma: DenseMatrix;
  /** β, 1×p. */
  beta: DenseMatrix;
  epsilon?: number;
  runningMean?: ArrayLike<number> | null;
  runningVar?: ArrayLike<number> | null;
}

/** What the backward of a batch-statistics norm reads, and the statistics a converter folds. */
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

const st = (m: DenseMatrix): Storage<DType> => m.storage as Storage<DType>;

/** γ or β in z's dtype (the kernel reads them as z's element type): the matrix itself, or a copy the caller frees. */
function inDtype<T extends FloatDType>(m: DenseMatrix, dtype: T): DenseMatrix<T> {
  return (m.dtype === dtype ? m : m.clone(dtype)) as DenseMatrix<T>;
}

/**
 * y = γ ⊙ (z − μ)/√(σ² + ε) + β with μ, σ² the column mean and biased variance over all n rows (Ioffe &
 * Szegedy 2015, Algorithm 1, the whole graph as the batch), written into `out` and `normalized` (n×p, z's
 * dtype). Two passes, sums in f64 (assembly/elementwise.ts batch_norm_forward_f32 for f32 on the WASM
 * backend, its twin otherwise). Returns the per-column statistics. Cost O(n·p).
 */
export function batchNormBatchStatistics<T extends FloatDType>(z: DenseMatrix<T>, norm: BatchNormWeights, out: DenseMatrix<T>,
  normalized: DenseMatrix<T>): { mean: Float64Array; invStd: Float64Array; variance: Float64Array } {
  const p = z.cols, eps = norm.epsilon ?? BATCH_NORM_EPSILON;
  const gamma = inDtype(norm.gamma, z.dtype), beta = inDtype(norm.beta, z.dtype);
  const mean = new Float64Array(p), invStd = new Float64Array(p);
  const m = Storage.alloc('f64', p), s = Storage.alloc('f64', p);
  runKernel({
    args: [st(out), st(normalized), m as Storage<DType>, s as Storage<DType>, st(z), st(gamma), st(beta)],
    writes: [st(out), st(normalized), m as Storage<DType>, s as Storage<DType>],
    hasKernel: z.dtype === 'f32',
    rows: columnRanges('batch_norm_forward_cols_f32', z.rows, p, (q) => [...q.slice(0, 7), z.rows, p, eps]),
    kernel: (k, q) => k.batch_norm_forward_f32(q[0], q[1], q[2], q[3], q[4], q[5], q[6], z.rows, p, eps, scratch(k, 12 * p + 16)),
    twin: () => twin.batch_norm_forward_f32(out.data, normalized.data, m.array, s.array, z.data, gamma.data, beta.data, z.rows, p, eps),
  });
  mean.set(m.array); invStd.set(s.array); m.free(); s.free();
  if (gamma !== (norm.gamma as DenseMatrix<FloatDType>)) gamma.free();
  if (beta !== (norm.beta as DenseMatrix<FloatDType>)) beta.free();
  const variance = new Float64Array(p);
  for (let j = 0; j < p; j++) variance[j] = 1 / (invStd[j] * invStd[j]) - eps;
  return { mean, invStd, variance };
}

/**
 * The running-statistics batch norm as the affine map it is at inference (foldBatchNorm: G = diag(γ/√(σ² + ε)),
 * c = β − Gμ). Throws InputError naming `fn` when the norm has no running statistics.
 */
export function foldedBatchNorm(fn: string, norm: BatchNormWeights): { weight: DenseMatrix<'f64'>; bias: Float64Array } {
  if (!norm.runningMean || !norm.runningVar) {
    throw new InputError(`${fn}: a batch norm has no running statistics; run with statistics 'batch' or give runningMean and runningVar`);
  }
  const f = foldBatchNorm({ gamma: norm.gamma.data, beta: norm.beta.data, mean: norm.runningMean, variance: norm.runningVar,
    epsilon: norm.epsilon ?? BATCH_NORM_EPSILON });
  return { weight: f.weight, bias: f.bias! };
}
