// Gradient of the fused sparse attention (src/attention/sparse-attention.ts) with respect to q, k and v.
import { InputError, ShapeError } from '../runtime/errors.js';
import { runKernel } from '../runtime/dispatch.js';
import { scratch } from '../runtime/scratch.js';
import { Storage, type DType } from '../runtime/storage.js';
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import { CsrGraph } from '../graph/csr.js';
import * as twin from '../twin/attention_backward.js';
import * as gather from '../twin/attention_backward_gather.js';
import { backend } from '../runtime/init.js';
import { runningThreads } from '../runtime/threads/state.js';
import { rangeRows } from '../runtime/threads/splits.js';

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
  if (dtype === 'f32' && runningThreads() > 1 && backend() === 'wasm-simd' && pattern.numEdges >= GATHER_MIN_EDGES) {
    backwardGather(gQ as DenseMatrix<'f32'>, gK as DenseMatrix<'f32'>, gV as DenseMatrix<'f32'>, dOut as DenseMatrix<'f32'>,
      q as DenseMatrix<'f32'>, k as DenseMatrix<'f32'>, v as DenseMatrix<'f32'>, weights as Storage<'f32'>, pattern, scale);
    return { dQ: gQ, dK: gK, dV: gV };
  }
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

/** Edges below which the backward stays the one-pass scatter even with threads (the transpose costs O(m)). */
const GATHER_MIN_EDGES = 1 << 14;

/**
 * The transposed pattern for the gather form: per source row j its entries in increasing edge index (a stable
 * counting sort of the CSR by column), each with its edge index and destination row.
 */
function transposed(pattern: CsrGraph): Transposed {
  let t = TRANSPOSED.get(pattern);
  if (!t) { t = transpose(pattern); TRANSPOSED.set(pattern, t); }
  return t;
}

interface Transposed { tRowPtr: Int32Array; tEdge: Int32Array; tDst: Int32Array }

/** Each pattern's transpose, built once (a training run calls the backward on one pattern every step and layer;
 * the pattern's arrays are checked unchanged by assertIntact before each use). Host arrays: nothing to free. */
const TRANSPOSED = new WeakMap<CsrGraph, Transposed>();

function transpose(pattern: CsrGraph): Transposed {
  const rowPtr = pattern.rowPtr.array, colIdx = pattern.colIdx.array, nSrc = pattern.numCols, m = pattern.numEdges;
  const tRowPtr = new Int32Array(nSrc + 1), tEdge = new Int32Array(m), tDst = new Int32Array(m);
  for (let e = 0; e < m; e++) tRowPtr[colIdx[e] + 1]++;
  for (let j = 0; j < nSrc; j++) tRowPtr[j + 1] += tRowPtr[j];
  const next = tRowPtr.slice(0, nSrc);
  for (let i = 0; i < pattern.numRows; i++) {
    for (let e = rowPtr[i]; e < rowPtr[i + 1]; e++) { const t = next[colIdx[e]]++; tEdge[t] = e; tDst[t] = i; }
  }
  return { tRowPtr, tEdge, tDst };
}

/**
 * The f32 backward as two passes that split into row ranges (assembly/attention_backward_gather.ts): destination rows
 * for dQ and the per-edge dS, then source rows gathering dK and dV over the transposed pattern — the scatter kernel's
 * bits for any split. Used when the pool runs more than one thread.
 */
function backwardGather(gQ: DenseMatrix<'f32'>, gK: DenseMatrix<'f32'>, gV: DenseMatrix<'f32'>, dOut: DenseMatrix<'f32'>,
  q: DenseMatrix<'f32'>, k: DenseMatrix<'f32'>, v: DenseMatrix<'f32'>, weights: Storage<'f32'>, pattern: CsrGraph, scale: number): void {
  const nDst = pattern.numRows, nSrc = pattern.numCols, dQK = q.cols, dV = v.cols, m = pattern.numEdges;
  const { tRowPtr, tEdge, tDst } = transposed(pattern);
  const dS = Storage.alloc('f32', m), tr = Storage.from('i32', tRowPtr), te = Storage.from('i32', tEdge), td = Storage.from('i32', tDst);
  const rowPtr = pattern.rowPtr.array;
  try {
    runKernel({
      args: [gQ.storage, dS, dOut.storage, k.storage, v.storage, weights, pattern.rowPtr, pattern.colIdx] as Storage<DType>[],
      writes: [gQ.storage, dS] as Storage<DType>[],
      rows: rangeRows('attention_backward_rows_f32', nDst, (p) => p.slice(0, 8), [dQK, dV, scale], (r) => rowPtr[r] + r),
      kernel: (kern, p) => kern.attention_backward_rows_f32(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], 0, nDst, dQK, dV, scale),
      twin: () => gather.attention_backward_rows_f32(gQ.data, dS.array, dOut.data, k.data, v.data, weights.array,
        rowPtr, pattern.colIdx.array, 0, nDst, dQK, dV, scale),
    });
    runKernel({
      args: [gK.storage, gV.storage, dS, dOut.storage, q.storage, weights, tr, te, td] as Storage<DType>[],
      writes: [gK.storage, gV.storage] as Storage<DType>[],
      rows: rangeRows('attention_backward_cols_f32', nSrc, (p) => p.slice(0, 9), [dQK, dV], (r) => tRowPtr[r] + r),
      kernel: (kern, p) => kern.attention_backward_cols_f32(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], 0, nSrc, dQK, dV),
      twin: () => gather.attention_backward_cols_f32(gK.data, gV.data, dS.array, dOut.data, q.data, weights.array,
        tRowPtr, tEdge, tDst, 0, nSrc, dQK, dV),
    });
  } finally {
    for (const s of [dS, tr, te, td]) s.free();
  }
}
