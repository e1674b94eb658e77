// Gradient of the fused sparse attention (src/attention/sparse-attention.ts) with respect to q, k and v.
import { InputError, ShapeError } from '../runtime/errors.js';
import { runKernel } from '../runtime/dispatch.js';
import { scratch } from '../runtime/scratch.js';
import { Storage, type DType } from '../runtime/storage.js';
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import { CsrGraph } from '../graph/csr.js';
import * as twin from '../twin/attention_backward.js';

export interface AttentionGradients<T extends FloatDType> {
  /** ∂L/∂q, nDst×dQK. */
  dQ: DenseMatrix<T>;
  /** ∂L/∂k, nSrc×dQK. */
  dK: DenseMatrix<T>;
  /** ∂L/∂v, nSrc×dV. */
  dV: DenseMatrix<T>;
}

/**
 * Backward pass of `sparseAttention(q, k, v, pattern, { scale, returnWeights: true })`: given
 * dOut = ∂L/∂out and the forward's weights a_ij, returns ∂L/∂q, ∂L/∂k and ∂L/∂v (softmax Jacobian
 * dS_ij = a_ij(dOut_i·v_j − Σ_u a_iu dOut_i·v_u); dQ_i = scale·Σ_j dS_ij k_j, dK_j = scale·Σ_i dS_ij q_i,
 * dV_j = Σ_i a_ij dOut_i). Runs the WASM kernel assembly/attention_backward.ts (a scatter over the CSR
 * rows, deterministic) or its twin. Cost O(m·(dQK + dV)), the forward's.
 * Throws InputError (mixed dtypes, not matrices) or ShapeError (sizes that disagree with the pattern).
 */
export function sparseAttentionBackward<T extends FloatDType>(dOut: DenseMatrix<T>, q: DenseMatrix<T>, k: DenseMatrix<T>,
  v: DenseMatrix<T>, weights: Storage<T>, pattern: CsrGraph, options: { scale?: number } = {}): AttentionGradients<T> {
  const fn = 'sparseAttentionBackward';
  for (const [name, m] of [['dOut', dOut], ['q', q], ['k', k], ['v', v]] as const) {
    if (!(m instanceof DenseMatrix)) throw new InputError(`${fn}: ${name} must be a DenseMatrix`);
    if (m.dtype !== q.dtype) throw new InputError(`${fn}: ${name} is ${m.dtype} but q is ${q.dtype}`);
  }
  if (!(pattern instanceof CsrGraph)) throw new InputError(`${fn}: pattern must be a CsrGraph`);
  pattern.assertIntact(fn, 'pattern'); // the kernel and its twin index q, k, v by these arrays
  if (!(weights instanceof Storage) || weights.dtype !== q.dtype || weights.length !== pattern.numEdges) {
    throw new ShapeError(`${fn}: weights must be a ${q.dtype} Storage of length numEdges = ${pattern.numEdges}`);
  }
  const nDst = pattern.numRows, nSrc = pattern.numCols, dQK = q.cols, dV = v.cols;
  if (q.rows !== nDst || dOut.rows !== nDst) throw new ShapeError(`${fn}: q and dOut need ${nDst} rows (the pattern's), got ${q.rows} and ${dOut.rows}`);
  if (k.rows !== nSrc || v.rows !== nSrc) throw new ShapeError(`${fn}: k and v need ${nSrc} rows (the pattern's columns), got ${k.rows} and ${v.rows}`);
  if (k.cols !== dQK) throw new ShapeError(`${fn}: q has ${dQK} columns but k has ${k.cols}`);
  if (dOut.cols !== dV) throw new ShapeError(`${fn}: dOut has ${dOut.cols} columns but v has ${dV}`);
  const scale = options.scale ?? 1;
  if (!Number.isFinite(scale)) throw new InputError(`${fn}: options.scale must be a finite number, got ${scale}`);
  const dtype = q.dtype;
  const gQ = DenseMatrix.zeros(nDst, dQK, dtype), gK = DenseMatrix.zeros(nSrc, dQK, dtype), gV = DenseMatrix.zeros(nSrc, dV, dtype);
  const arrays = [gQ.storage, gK.storage, gV.storage, dOut.storage, q.storage, k.storage, v.storage, weights,
    pattern.rowPtr, pattern.colIdx] as Storage<DType>[];
  runKernel({
    args: arrays, writes: [gQ.storage, gK.storage, gV.storage] as Storage<DType>[],
    kernel: (kern, p) => {
      const s = scratch(kern, (dtype === 'f32' ? 4 : 8) * Math.max(pattern.maxDegree, 1));
      const kernel = dtype === 'f32' ? kern.attention_csr_backward_f32 : kern.attention_csr_backward_f64;
      kernel(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], nDst, nSrc, dQK, dV, scale, s);
    },
    twin: () => {
      const s = new (dtype === 'f32' ? Float32Array : Float64Array)(Math.max(pattern.maxDegree, 1));
      const kernel = (dtype === 'f32' ? twin.attention_csr_backward_f32 : twin.attention_csr_backward_f64) as typeof twin.attention_csr_backward_f64;
      kernel(gQ.data as Float64Array, gK.data as Float64Array, gV.data as Float64Array, dOut.data as Float64Array,
        q.data as Float64Array, k.data as Float64Array, v.data as Float64Array, weights.array as Float64Array,
        pattern.rowPtr.array, pattern.colIdx.array, nDst, nSrc, dQK, dV, scale, s as Float64Array);
    },
  });
  return { dQ: gQ, dK: gK, dV: gV };
}
