// The forward pass of one layer and of the whole network, in f64 (certificates) or f32 (inference),
// both through the fused CSR attention kernel. Row convention: H is n×p, a map W (out×in) acts as H·Wᵀ.
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import { matmul } from '../linalg/matmul.js';
import { sparseAttention } from '../attention/sparse-attention.js';
import type { CsrGraph } from '../graph/csr.js';
import { wasmKernels } from '../runtime/init.js';
import { scratch } from '../runtime/scratch.js';
import type { KernelExports } from '../runtime/kernels.js';
import { Storage, withPointers, type DType } from '../runtime/storage.js';
import * as elementwise from '../twin/elementwise.js';
import type { Activation, AffineMap, LayerWeights } from './layer.js';

/** What forward() records for one layer (all matrices n×width, in the forward's dtype). */
export interface LayerTrace<T extends FloatDType = FloatDType> {
  /** H^(ℓ), the layer's input. */
  input: DenseMatrix<T>;
  /** Σ_j a_ij v_j, the attention output before any skip or norm. */
  attention: DenseMatrix<T>;
  /** H^(ℓ+1/2): the attention output (theory), or norm₁(skip₁(H) + attention) (practical). */
  half: DenseMatrix<T>;
  /** H^(ℓ+3/4) = σ(H½ W_1ᵀ + b_1). */
  threeQuarter: DenseMatrix<T>;
  /** H^(ℓ+1). */
  output: DenseMatrix<T>;
  /** s_ij = logitScale · q_i·k_j per pattern entry, CSR order, computed in f64 from q and k. */
  logits: Float64Array;
  /** log a_ij per pattern entry (a row-wise log-softmax of the logits; finite even where a_ij underflows). */
  logWeights: Float64Array;
  /** a_ij per pattern entry as the attention kernel computed them (rows sum to 1). */
  weights: Float64Array;
}

/** Matrices and per-edge arrays of a traced forward pass. */
export interface ForwardTrace<T extends FloatDType = FloatDType> {
  /** The network's input X (after the input adapter, if any), before the encoder. */
  input: DenseMatrix<T>;
  /** H^(0): the encoder's output, or X itself. */
  encoded: DenseMatrix<T>;
  layers: LayerTrace<T>[];
  /** H^(L), before the head. */
  final: DenseMatrix<T>;
}

/**
 * A copy of m in `dtype` (default m's). Allocates first and only then reads m.data: a read taken before
 * the allocation may be a view that memory.grow has detached (DenseMatrix.clone reads first; see the
 * report on src/linalg/dense.ts), so every copy in model/ and compress/ goes through here.
 */
export function copyMatrix<U extends FloatDType>(m: DenseMatrix, dtype?: U): DenseMatrix<U> {
  const out = DenseMatrix.zeros(m.rows, m.cols, (dtype ?? m.dtype) as U);
  out.data.set(m.data);
  return out;
}

/**
 * The n×width work buffers of one forward, reused across layers: a layer takes Q, K, V, the attention
 * output, the FFN hidden and its output from here and gives back what is dead, so a whole f32 forward
 * allocates about five n×D arrays once instead of about eight per layer. Buffers come back with undefined
 * contents (every user overwrites them: GEMM, attention). dispose() frees the spare ones; a buffer that
 * was taken and not given back belongs to the caller.
 */
export class BufferPool {
  private spare: DenseMatrix[] = [];

  /** A rows×cols matrix of dtype: a spare one of exactly that shape, else a new one. */
  take<T extends FloatDType>(rows: number, cols: number, dtype: T): DenseMatrix<T> {
    const i = this.spare.findIndex((m) => m.rows === rows && m.cols === cols && m.dtype === dtype);
    if (i >= 0) return this.spare.splice(i, 1)[0] as DenseMatrix<T>;
    return DenseMatrix.zeros(rows, cols, dtype);
  }

  /** Hands m back for reuse: its contents are dead and nobody else holds it. */
  give(m: DenseMatrix): void {
    if (!m.storage.isFreed && !this.spare.includes(m)) this.spare.push(m);
  }

  /** Frees every spare buffer (idempotent). */
  dispose(): void {
    for (const m of this.spare) m.free();
    this.spare = [];
  }
}

/** The WASM kernels when m is f32 and the WASM backend is active, else null (use the twin). */
function f32Kernels(m: DenseMatrix): KernelExports | null {
  return m.dtype === 'f32' ? wasmKernels() : null;
}

/** A WASM f32 copy of a bias (freed by the caller), or null. */
function wasmBias(bias: Float64Array | null | undefined): Storage<'f32'> | null {
  return bias ? Storage.from('f32', bias) : null;
}

const st = (m: DenseMatrix): Storage<DType> => m.storage as Storage<DType>;

/** y_i ← y_i + b for every row (SIMD for f32 on the WASM backend, the twin's loop otherwise). */
function addBias<T extends FloatDType>(y: DenseMatrix<T>, bias: Float64Array): void {
  const k = f32Kernels(y);
  if (!k) { elementwise.add_row_vector_f32(y.data, bias, y.rows, y.cols); return; }
  const b = wasmBias(bias)!;
  withPointers(k, [st(y), b as Storage<DType>], ([py, pb]) => k.add_row_vector_f32(py, pb, y.rows, y.cols), [st(y)]);
  b.free();
}

/** y_i ← σ(y_i + b) in one pass; b may be absent. */
function biasActivate<T extends FloatDType>(y: DenseMatrix<T>, bias: Float64Array | null | undefined, activation: Activation): void {
  if (activation !== 'relu') { if (bias) addBias(y, bias); return; }
  const k = f32Kernels(y);
  if (!k) { elementwise.bias_relu_f32(y.data, bias ?? null, y.rows, y.cols); return; }
  const b = wasmBias(bias);
  withPointers(k, [st(y), b as Storage<DType> | null], ([py, pb]) => k.bias_relu_f32(py, pb, y.rows, y.cols), [st(y)]);
  b?.free();
}

/** y_i ← (y_i + b) + r_i in one pass (each add rounded, as two passes would); b may be absent. */
function addBiasResidual<T extends FloatDType>(y: DenseMatrix<T>, bias: Float64Array | null | undefined, r: DenseMatrix<T>): void {
  const k = f32Kernels(y);
  if (!k) { elementwise.add_bias_residual_f32(y.data, bias ?? null, r.data, y.rows, y.cols); return; }
  const b = wasmBias(bias);
  withPointers(k, [st(y), b as Storage<DType> | null, st(r)], ([py, pb, pr]) => k.add_bias_residual_f32(py, pb, pr, y.rows, y.cols), [st(y)]);
  b?.free();
}

/**
 * y = x·Wᵀ + b in the dtype of x (W converted when x is f32), written into `out` when given (shape and
 * dtype must fit; it must not alias x).
 */
export function applyLinear<T extends FloatDType>(x: DenseMatrix<T>, weight: DenseMatrix<'f64'>, bias?: Float64Array | null,
  out?: DenseMatrix<T>): DenseMatrix<T> {
  const w = (x.dtype === 'f64' ? weight : copyMatrix(weight, 'f32')) as DenseMatrix<T>;
  const y = matmul(x, w, { transB: true, checkFinite: false, out });
  if (w !== (weight as DenseMatrix<FloatDType>)) w.free();
  if (bias) addBias(y, bias);
  return y;
}

function applyAffine<T extends FloatDType>(x: DenseMatrix<T>, map: AffineMap, out?: DenseMatrix<T>): DenseMatrix<T> {
  return applyLinear(x, map.weight, map.bias, out);
}

// Above this fill ratio (and below this n) one GEMM Q·Kᵀ plus a gather beats one dot product per edge.
const DENSE_LOGITS_FILL = 0.125;
const DENSE_LOGITS_MAX_N = 2048;

/**
 * s_e = scale·q_i·k_j for every pattern entry e = (i, j), in f64 (f32 inputs are widened per product).
 * Cost O(m·dQK), or one n×n GEMM when the pattern is dense enough.
 */
export function edgeLogits(q: DenseMatrix, k: DenseMatrix, pattern: CsrGraph, scale: number): Float64Array {
  const m = pattern.numEdges, n = pattern.numRows;
  const out = new Float64Array(m);
  const dim = q.cols;
  if (q.dtype === 'f64' && n <= DENSE_LOGITS_MAX_N && m >= DENSE_LOGITS_FILL * n * pattern.numCols) {
    const s = matmul(q as DenseMatrix<'f64'>, k as DenseMatrix<'f64'>, { transB: true, checkFinite: false });
    // Views are taken after the allocation: memory.grow would have detached earlier ones.
    const rp = pattern.rowPtr.array, ci = pattern.colIdx.array;
    const sd = s.data, nc = pattern.numCols;
    for (let i = 0; i < n; i++) for (let e = rp[i]; e < rp[i + 1]; e++) out[e] = scale * sd[i * nc + ci[e]];
    s.free();
    return out;
  }
  const rp = pattern.rowPtr.array, ci = pattern.colIdx.array;
  const qd = q.data, kd = k.data;
  for (let i = 0; i < n; i++) {
    const qo = i * dim;
    for (let e = rp[i]; e < rp[i + 1]; e++) {
      const ko = ci[e] * dim;
      let s = 0;
      for (let t = 0; t < dim; t++) s += qd[qo + t] * kd[ko + t];
      out[e] = scale * s;
    }
  }
  return out;
}

/** Row-wise log-softmax of per-edge logits over the CSR rows (max-subtracted, so it never overflows). */
export function logSoftmaxRows(logits: Float64Array, pattern: CsrGraph): Float64Array {
  const rp = pattern.rowPtr.array, out = new Float64Array(logits.length);
  for (let i = 0; i < pattern.numRows; i++) {
    let mx = -Infinity;
    for (let e = rp[i]; e < rp[i + 1]; e++) mx = Math.max(mx, logits[e]);
    let sum = 0;
    for (let e = rp[i]; e < rp[i + 1]; e++) sum += Math.exp(logits[e] - mx);
    const lse = mx + Math.log(sum);
    for (let e = rp[i]; e < rp[i + 1]; e++) out[e] = logits[e] - lse;
  }
  return out;
}

// Row blocks of Q: above this many bytes of Q the attention runs block by block of rows, so only one
// block of Q exists at a time (the layer then holds h, K, V, the attention output and Q/QUERY_BLOCKS).
// On Tolokers (D = 64, f32) 4 blocks took the forward's live peak from 5.05 to 4.27 n×D at no measured
// cost in time (the output bits are the same: per row, the same GEMM sums and the same attention path).
const QUERY_BLOCK_MIN_BYTES = 1 << 20;
const QUERY_BLOCKS = 4;

/**
 * out = attention(h·W_Qᵀ, k, v) on `pattern`, forming Q one block of rows at a time (WASM backend, h
 * resident): each block's Q is one GEMM on h's rows, and the attention kernel runs on those rows with
 * the row pointers rebased to the block (same per-row arithmetic as one call). Returns false (nothing
 * done) where it does not apply; the caller then forms all of Q.
 */
function attentionByQueryBlocks<T extends FloatDType>(h: DenseMatrix<T>, wQ: DenseMatrix<'f64'>, k: DenseMatrix<T>, v: DenseMatrix<T>,
  pattern: CsrGraph, scale: number, out: DenseMatrix<T>): boolean {
  const kern = wasmKernels();
  const n = h.rows, p = h.cols, dQK = wQ.rows, dV = v.cols, bytes = h.dtype === 'f32' ? 4 : 8;
  if (!kern || QUERY_BLOCKS <= 1 || n * dQK * bytes < QUERY_BLOCK_MIN_BYTES) return false;
  for (const m of [h, k, v, out]) if (!m.storage.resident) return false;
  if (!pattern.rowPtr.resident || !pattern.colIdx.resident) return false;
  const rowsPer = Math.ceil(n / QUERY_BLOCKS);
  const w = (h.dtype === 'f64' ? wQ : copyMatrix(wQ, 'f32')) as DenseMatrix<T>;
  const qb = DenseMatrix.zeros(rowsPer, dQK, h.dtype);
  const rpb = Storage.alloc('i32', rowsPer + 1);
  const gemm = h.dtype === 'f32' ? kern.gemm_f32 : kern.gemm_f64;
  const attend = h.dtype === 'f32' ? kern.attention_csr_f32 : kern.attention_csr_f64;
  for (let r0 = 0; r0 < n; r0 += rowsPer) {
    const rows = Math.min(rowsPer, n - r0);
    gemm(qb.storage.ptr, h.storage.ptr + r0 * p * bytes, w.storage.ptr, rows, dQK, p, 0, 1);
    const rp = pattern.rowPtr.array, local = rpb.array, base = rp[r0];
    for (let i = 0; i <= rows; i++) local[i] = rp[r0 + i] - base;
    const scores = scratch(kern, bytes * Math.max(pattern.maxDegree, 1));
    // nCols = k.rows: the f32 kernel bounds each row's scores by max_j ‖k_j‖ (the f64 kernel ignores it)
    attend(out.storage.ptr + r0 * dV * bytes, qb.storage.ptr, k.storage.ptr, v.storage.ptr, rpb.ptr,
      pattern.colIdx.ptr + base * 4, rows, dQK, dV, scale, scores, 0, k.rows);
  }
  rpb.free(); qb.free();
  if (w !== (wQ as DenseMatrix<FloatDType>)) w.free();
  return true;
}

export interface LayerStep<T extends FloatDType> {
  output: DenseMatrix<T>;
  trace?: LayerTrace<T>;
}

/**
 * One layer (THEORY §1.1, with the practical parts when present) on input h (n×p). The caller owns the
 * returned matrices; intermediates not in the trace are freed here, or given back to `pool` when one is
 * passed (h itself is never freed or given back). Shapes are assumed checked.
 * Without a trace the layer holds at most h, K, V, the attention output and Q — a quarter of Q when Q
 * is over 1 MiB on the WASM backend (attentionByQueryBlocks) — at once; Q, K, V are dead after the
 * attention, and the skip additions, bias and ReLU run in place.
 */
export function forwardLayer<T extends FloatDType>(layer: LayerWeights, h: DenseMatrix<T>, pattern: CsrGraph,
  activation: Activation, wantTrace: boolean, pool?: BufferPool): LayerStep<T> {
  const own = pool ?? new BufferPool();
  const n = h.rows, dtype = h.dtype;
  const linear = (x: DenseMatrix<T>, w: DenseMatrix<'f64'>, b?: Float64Array | null): DenseMatrix<T> =>
    applyLinear(x, w, b, own.take(n, w.rows, dtype));
  const scale = layer.logitScale ?? 1;
  const k = linear(h, layer.wK), v = linear(h, layer.wV);
  const attOut = own.take(n, v.cols, dtype);
  let att: { output: DenseMatrix<T>; weights?: Storage<T> };
  let logits: Float64Array | undefined, weights: Float64Array | undefined;
  if (!wantTrace && attentionByQueryBlocks(h, layer.wQ, k, v, pattern, scale, attOut)) {
    att = { output: attOut };
  } else {
    const q = linear(h, layer.wQ);
    att = sparseAttention(q, k, v, pattern, { scale, returnWeights: wantTrace, checkFinite: false, out: attOut });
    if (wantTrace) {
      logits = edgeLogits(q, k, pattern, scale);
      weights = Float64Array.from(att.weights!.array);
      att.weights!.free();
    }
    own.give(q);
  }
  own.give(k); own.give(v);
  // H½: the attention output itself (theory), else norm₁(skip₁(H) + Att). Without a trace Att is dead
  // once H½ exists, so the skip is added into it in place.
  let half = att.output;
  if (layer.attentionSkip) {
    if (layer.attentionSkip === 'identity') {
      if (wantTrace) half = copyMatrix(att.output);
      addBiasResidual(half, null, h); // Att + H: the same f32/f64 sum as H + Att
    } else {
      half = linear(h, layer.attentionSkip);
      addBiasResidual(half, null, att.output);
      if (!wantTrace) own.give(att.output);
    }
  }
  if (layer.attentionNorm) {
    const normed = applyAffine(half, layer.attentionNorm, own.take(n, layer.attentionNorm.weight.rows, dtype));
    if (wantTrace && half !== att.output) half.free();
    else if (!wantTrace) own.give(half);
    half = normed;
  }
  const threeQuarter = linear(half, layer.w1);
  biasActivate(threeQuarter, layer.b1, activation);
  let output = linear(threeQuarter, layer.w2);
  if (!wantTrace) own.give(threeQuarter);
  if (layer.ffnSkip) {
    const skipped = layer.ffnSkip === 'identity' ? half : linear(half, layer.ffnSkip);
    addBiasResidual(output, layer.b2, skipped);
    if (skipped !== half) own.give(skipped);
  } else if (layer.b2) {
    addBias(output, layer.b2);
  }
  if (!wantTrace) own.give(half);
  if (layer.ffnNorm) {
    const normed = applyAffine(output, layer.ffnNorm, own.take(n, layer.ffnNorm.weight.rows, dtype));
    own.give(output);
    output = normed;
  }
  if (!wantTrace) {
    if (!pool) own.dispose();
    return { output };
  }
  if (!pool) own.dispose();
  return {
    output,
    trace: {
      input: h, attention: att.output, half, threeQuarter, output,
      logits: logits!, logWeights: logSoftmaxRows(logits!, pattern), weights: weights!,
    },
  };
}

/** Applies an optional affine map, returning the input itself when there is none (into a pool buffer when given). */
export function applyOptionalAffine<T extends FloatDType>(x: DenseMatrix<T>, map: AffineMap | null | undefined,
  pool?: BufferPool): DenseMatrix<T> {
  return map ? applyAffine(x, map, pool?.take(x.rows, map.weight.rows, x.dtype)) : x;
}
