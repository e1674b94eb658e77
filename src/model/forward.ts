// The forward pass of one layer and of the whole network, in f64 (certificates) or f32 (inference),
// both through the fused CSR attention kernel. Row convention: H is n×p, a map W (out×in) acts as H·Wᵀ.
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import { matmul } from '../linalg/matmul.js';
import { sparseAttention } from '../attention/sparse-attention.js';
import type { CsrGraph } from '../graph/csr.js';
import { wasmKernels } from '../runtime/init.js';
import { runKernel, runOnPointers, type RowSplit } from '../runtime/dispatch.js';
import { attentionRows, dropoutRanges, gemmRows, rowwiseRows } from '../runtime/threads/splits.js';
import { scratch } from '../runtime/scratch.js';
import type { KernelExports } from '../runtime/kernels.js';
import { Storage, type DType } from '../runtime/storage.js';
import { InputError, NumericalError } from '../runtime/errors.js';
import { firstNonFinite } from '../runtime/validate.js';
import { DEFAULT_QUERY_BLOCKS, QUERY_BLOCK_MIN_BYTES, streamBlockEntries } from './query-blocks.js';
import type { Rng } from '../random/rng.js';
import * as elementwise from '../twin/elementwise.js';
import type { Activation } from './layer.js';
import { batchNormBatchStatistics, foldedBatchNorm, type BatchNormCache, type BatchNormStatistics, type BatchNormWeights } from './batch-norm.js';

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

/**
 * A bias the forward adds to every row: f64 values (a GraphTransformer's), or a 1×p matrix (a trainable
 * parameter, in any dtype). Absent means no bias.
 */
export type BiasVector = Float64Array | DenseMatrix | null | undefined;

/** y = x·Wᵀ + b as the forward reads it: W out×in of any dtype (converted to x's when they differ). */
export interface LinearWeights {
  weight: DenseMatrix;
  bias?: BiasVector;
}

/** A norm: an affine map (folded batch norm, or a compressed network's trained map) or a batch norm. */
export type NormWeights = LinearWeights | BatchNormWeights;

/**
 * One layer as the forward reads it (docs/theory.md#2-the-model-and-its-assumptions and #17-the-practical-variant): a model's LayerWeights (f64, affine
 * norms) or a view of a ParameterSet (src/model/parameters.ts: trainable matrices, batch norms).
 */
export interface NetworkLayer {
  wQ: DenseMatrix; wK: DenseMatrix; wV: DenseMatrix; w1: DenseMatrix; w2: DenseMatrix;
  b1?: BiasVector; b2?: BiasVector;
  logitScale?: number;
  attentionSkip?: 'identity' | DenseMatrix | null;
  attentionNorm?: NormWeights | null;
  ffnSkip?: 'identity' | DenseMatrix | null;
  ffnNorm?: NormWeights | null;
}

/** A whole network as the forward reads it (a GraphTransformer is one). */
export interface NetworkWeights {
  activation: Activation;
  encoder?: LinearWeights | null;
  layers: readonly NetworkLayer[];
  head?: LinearWeights | null;
}

/**
 * How a training (or statistics) pass differs from inference. Without one, a batch norm uses its running
 * statistics and nothing is dropped.
 */
export interface TrainingPass {
  /** Where batch norms take μ, σ² from (default 'running'; training and transductive evaluation use 'batch'). */
  statistics?: BatchNormStatistics;
  /** Inverted dropout on the encoder output and on the FFN hidden layer (after σ), probability p (default 0). */
  dropout?: number;
  /**
   * Keys the dropout masks (required when dropout > 0): each dropout draws two u32 keys (k0, k1) from it, in the order
   * of the forward (encoder, then each layer's FFN), and entry i of its mask is 0 when u_i < p, else 1/(1 − p) (both as
   * f32), with u_i = (h >>> 8)·2⁻²⁴, h = fmix32(fmix32(i ⊕ k0) + k1) — a counter-based stream (assembly/elementwise.ts
   * dropout_f32), so any split over threads draws the same mask.
   */
  random?: Rng;
  /** Keep what the backward pass reads (src/train/backward.ts): every layer's Q, K, V, weights, norm inputs. */
  cache?: boolean;
}

/** What the backward of one layer reads (all n×width, in the forward's dtype; the caller owns them). */
export interface LayerCache<T extends FloatDType> {
  input: DenseMatrix<T>;
  q: DenseMatrix<T>; k: DenseMatrix<T>; v: DenseMatrix<T>;
  /** a_ij per pattern entry, CSR order. */
  weights: Storage<T>;
  /** skip₁(H) + Att, the input of an affine norm₁ (null for a batch norm or no norm). */
  norm1Input: DenseMatrix<T> | null;
  bn1: BatchNormCache<T> | null;
  /** H½. */
  half: DenseMatrix<T>;
  /** σ(H½W_1ᵀ + b_1), after dropout. */
  hidden: DenseMatrix<T>;
  /** The FFN dropout's mask (f32: 0 or 1/(1 − p) per entry), or null. */
  hiddenMask: Storage<'f32'> | null;
  /** skip₂(H½) + H¾W_2ᵀ + b_2, the input of an affine norm₂ (null for a batch norm or no norm). */
  norm2Input: DenseMatrix<T> | null;
  bn2: BatchNormCache<T> | null;
}

/** What the backward of a whole network reads. */
export interface NetworkCache<T extends FloatDType> {
  /** The network's input X. */
  x: DenseMatrix<T>;
  /** H⁰ (after dropout). */
  encoded: DenseMatrix<T>;
  /** The encoder dropout's mask (f32), or null. */
  encodedMask: Storage<'f32'> | null;
  layers: LayerCache<T>[];
  /** Hᴸ, the head's input. */
  final: DenseMatrix<T>;
}

const st = (m: DenseMatrix): Storage<DType> => m.storage as Storage<DType>;

/** A bias as kernel storage in dtype `dtype`: its own storage when it already is one, else a copy (`temp`). */
function biasStorage(bias: BiasVector, dtype: FloatDType): { s: Storage<DType> | null; temp: boolean } {
  if (!bias) return { s: null, temp: false };
  if (bias instanceof DenseMatrix && bias.dtype === dtype) return { s: st(bias), temp: false };
  return { s: Storage.from(dtype, bias instanceof DenseMatrix ? bias.data : bias) as Storage<DType>, temp: true };
}

function biasValues(bias: BiasVector): ArrayLike<number> | null {
  return !bias ? null : bias instanceof DenseMatrix ? bias.data : bias;
}

/** Runs an f32 elementwise kernel with the bias as storage, or the twin (f64, JS backend) on the same bias values. */
function withBias<T extends FloatDType>(y: DenseMatrix<T>, bias: BiasVector, args: (b: Storage<DType> | null) => (Storage<DType> | null)[],
  kernel: (k: KernelExports, p: number[]) => void, twinCall: (b: ArrayLike<number> | null) => void, rows?: RowSplit): void {
  const f32 = y.dtype === 'f32';
  const b = f32 ? biasStorage(bias, 'f32') : { s: null, temp: false };
  // The twin reads the same f32-rounded bias as the kernel, so an f32 forward is the same on both backends.
  runKernel({ args: args(b.s), writes: [st(y)], hasKernel: f32, kernel, rows, twin: () => twinCall(b.s ? b.s.array : biasValues(bias)) });
  if (b.temp) b.s!.free();
}

/** y_i ← y_i + b for every row (SIMD for f32 on the WASM backend, the twin's loop otherwise). */
function addBias<T extends FloatDType>(y: DenseMatrix<T>, bias: BiasVector): void {
  if (!bias) return;
  withBias(y, bias, (b) => [st(y), b!], (k, [py, pb]) => k.add_row_vector_f32(py, pb, y.rows, y.cols),
    (b) => elementwise.add_row_vector_f32(y.data, b!, y.rows, y.cols), rowwiseRows('add_row_vector_f32', y.rows, y.cols, [true, false]));
}

/** y_i ← σ(y_i + b) in one pass; b may be absent. */
function biasActivate<T extends FloatDType>(y: DenseMatrix<T>, bias: BiasVector, activation: Activation): void {
  if (activation !== 'relu') { addBias(y, bias); return; }
  withBias(y, bias, (b) => [st(y), b], (k, [py, pb]) => k.bias_relu_f32(py, pb, y.rows, y.cols),
    (b) => elementwise.bias_relu_f32(y.data, b, y.rows, y.cols), rowwiseRows('bias_relu_f32', y.rows, y.cols, [true, false]));
}

/** y_i ← (y_i + b) + r_i in one pass (each add rounded, as two passes would); b may be absent. */
function addBiasResidual<T extends FloatDType>(y: DenseMatrix<T>, bias: BiasVector, r: DenseMatrix<T>): void {
  withBias(y, bias, (b) => [st(y), b, st(r)], (k, [py, pb, pr]) => k.add_bias_residual_f32(py, pb, pr, y.rows, y.cols),
    (b) => elementwise.add_bias_residual_f32(y.data, b, r.data, y.rows, y.cols),
    rowwiseRows('add_bias_residual_f32', y.rows, y.cols, [true, false, true]));
}

/**
 * Inverted dropout in place: each entry is zeroed with probability p, the others scaled by 1/(1 − p); the mask is the
 * counter-based one of TrainingPass.random (assembly/elementwise.ts dropout_f32, element ranges on the thread pool; the
 * twin for f64 data and the JS backend). Returns the mask (f32, in WASM memory when the backend is).
 */
function dropoutInPlace<T extends FloatDType>(x: DenseMatrix<T>, p: number, random: Rng): Storage<'f32'> {
  const len = x.rows * x.cols, keep = 1 / (1 - p);
  const k0 = random.nextUint32(), k1 = random.nextUint32();
  const mask = Storage.alloc('f32', len);
  runKernel({
    args: [st(x), mask as Storage<DType>], writes: [st(x), mask as Storage<DType>], hasKernel: x.dtype === 'f32',
    rows: dropoutRanges(len, p, keep, k0, k1),
    kernel: (k, [px, pm]) => k.dropout_f32(px, pm, len, 0, p, keep, k0, k1),
    twin: () => elementwise.dropout_f32(x.data, mask.array, len, 0, p, keep, k0, k1),
  });
  return mask;
}

function dropoutOf(pass: TrainingPass | undefined): { p: number; random: Rng } | null {
  const p = pass?.dropout ?? 0;
  return p > 0 && pass?.random ? { p, random: pass.random } : null;
}

/**
 * y = x·Wᵀ + b in the dtype of x (W converted when its dtype differs), written into `out` when given
 * (shape and dtype must fit; it must not alias x).
 */
export function applyLinear<T extends FloatDType>(x: DenseMatrix<T>, weight: DenseMatrix, bias?: BiasVector,
  out?: DenseMatrix<T>): DenseMatrix<T> {
  const w = (weight.dtype === x.dtype ? weight : weight.clone(x.dtype)) as DenseMatrix<T>;
  const y = matmul(x, w, { transB: true, checkFinite: false, out });
  if (w !== (weight as DenseMatrix<FloatDType>)) w.free();
  addBias(y, bias);
  return y;
}

function applyAffine<T extends FloatDType>(x: DenseMatrix<T>, map: LinearWeights, out?: DenseMatrix<T>): DenseMatrix<T> {
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

// Row blocks of Q (src/model/query-blocks.ts, planned in src/model/forward-plan.ts): above QUERY_BLOCK_MIN_BYTES of Q the attention runs block by block
// of rows, so only one block of Q exists at a time (the layer then holds h, K, V, the attention output and
// Q/blocks). On Tolokers (D = 64, f32) 4 blocks took the forward's live peak from 5.05 to 4.27 n×D at no measured
// cost in time (the output bits are the same: per row, the same GEMM sums and the same attention path); the plan
// takes more blocks when memory is short.
/**
 * out = attention(h·W_Qᵀ, k, v) on `pattern`, forming Q one block of rows at a time (WASM backend, h
 * resident): each block's Q is one GEMM on h's rows, and the attention kernel runs on those rows with
 * the row pointers rebased to the block (same per-row arithmetic as one call). A pattern in the JS heap
 * (CsrGraph.fromArrays(…, 'js')) is streamed into WASM one block of column indices at a time. Returns false
 * (nothing done) where it does not apply; the caller then forms all of Q.
 */
function attentionByQueryBlocks<T extends FloatDType>(h: DenseMatrix<T>, wQ: DenseMatrix, k: DenseMatrix<T>, v: DenseMatrix<T>,
  pattern: CsrGraph, scale: number, out: DenseMatrix<T>, queryBlocks: number): boolean {
  const kern = wasmKernels();
  const n = h.rows, p = h.cols, dQK = wQ.rows, dV = v.cols, bytes = h.dtype === 'f32' ? 4 : 8;
  if (!kern || queryBlocks <= 1 || n * dQK * bytes < QUERY_BLOCK_MIN_BYTES) return false;
  for (const m of [h, k, v, out]) if (!m.storage.resident) return false;
  // A pattern in the JS heap is streamed: each block's column indices are copied into one WASM block in turn,
  // so the pattern never needs to be resident (the kernel reads the same indices: the same bits).
  const streamed = !pattern.rowPtr.resident || !pattern.colIdx.resident;
  const rowsPer = Math.ceil(n / queryBlocks);
  const w = (wQ.dtype === h.dtype ? wQ : wQ.clone(h.dtype)) as DenseMatrix<T>;
  const qb = DenseMatrix.zeros(rowsPer, dQK, h.dtype);
  const rpb = Storage.alloc('i32', rowsPer + 1);
  const cib = streamed ? Storage.alloc('i32', Math.max(streamBlockEntries(pattern, rowsPer), 1)) : null;
  const f32 = h.dtype === 'f32';
  const gemm = f32 ? kern.gemm_f32 : kern.gemm_f64;
  const attend = f32 ? kern.attention_csr_f32 : kern.attention_csr_f64;
  for (let r0 = 0; r0 < n; r0 += rowsPer) {
    const rows = Math.min(rowsPer, n - r0);
    runOnPointers(kern, [qb.storage.ptr, h.storage.ptr + r0 * p * bytes, w.storage.ptr],
      (_k, [pc, pa, pb]) => gemm(pc, pa, pb, rows, dQK, p, 0, 1), gemmRows(rows, dQK, p, false, true, f32));
    const rp = pattern.rowPtr.array, local = rpb.array, base = rp[r0];
    for (let i = 0; i <= rows; i++) local[i] = rp[r0 + i] - base;
    const scores = scratch(kern, bytes * Math.max(pattern.maxDegree, 1));
    // after scratch(), which may grow memory (a view taken before would be detached)
    if (cib) cib.array.set(pattern.colIdx.array.subarray(base, rp[r0 + rows]));
    const colPtr = cib ? cib.ptr : pattern.colIdx.ptr + base * 4;
    // nCols = k.rows: the f32 kernel bounds each row's scores by max_j ‖k_j‖ (the f64 kernel ignores it)
    runOnPointers(kern, [out.storage.ptr + r0 * dV * bytes, qb.storage.ptr, k.storage.ptr, v.storage.ptr, rpb.ptr,
      colPtr, 0],
    (_k, [po, pq, pk, pv, prp, pci]) => attend(po, pq, pk, pv, prp, pci, rows, dQK, dV, scale, scores, 0, k.rows),
    attentionRows(rows, k.rows, dQK, dV, scale, local, pattern.maxDegree, false, f32));
  }
  rpb.free(); qb.free(); cib?.free();
  if (w !== (wQ as DenseMatrix<FloatDType>)) w.free();
  return true;
}

export interface LayerStep<T extends FloatDType> {
  output: DenseMatrix<T>;
  trace?: LayerTrace<T>;
  cache?: LayerCache<T>;
}

function isBatchNorm(norm: NormWeights): norm is BatchNormWeights {
  return (norm as BatchNormWeights).kind === 'batch';
}

/**
 * norm(x) into a pool buffer: an affine map by GEMM, a batch norm with the statistics the pass asks for
 * ('batch': of x's rows, cached when `keepCache`; 'running': folded to its affine map).
 */
function applyNorm<T extends FloatDType>(x: DenseMatrix<T>, norm: NormWeights, pool: BufferPool, pass: TrainingPass | undefined,
  keepCache: boolean): { output: DenseMatrix<T>; bn: BatchNormCache<T> | null } {
  const n = x.rows, dtype = x.dtype;
  if (!isBatchNorm(norm)) return { output: applyAffine(x, norm, pool.take(n, norm.weight.rows, dtype)), bn: null };
  if ((pass?.statistics ?? 'running') === 'running') {
    const folded = foldedBatchNorm('forward', norm);
    const output = applyAffine(x, folded, pool.take(n, x.cols, dtype));
    folded.weight.free();
    return { output, bn: null };
  }
  const output = pool.take(n, x.cols, dtype), normalized = pool.take(n, x.cols, dtype);
  const stats = batchNormBatchStatistics(x, norm, output, normalized);
  if (!keepCache) { pool.give(normalized); return { output, bn: null }; }
  return { output, bn: { normalized, ...stats } };
}

/**
 * One layer (docs/theory.md#2-the-model-and-its-assumptions, with the practical parts of #17-the-practical-variant when present) on input h (n×p): the one
 * forward of the network, for inference, for the certificates' trace and for training (`pass`: batch-norm
 * statistics, dropout, and the cache src/train/backward.ts reads). The caller owns the returned matrices;
 * intermediates not in the trace or cache are freed here, or given back to `pool` when one is passed (h
 * itself is never freed or given back). Shapes are assumed checked.
 * Without a trace or cache the layer holds at most h, K, V, the attention output and Q — a quarter of Q
 * when Q is over 1 MiB on the WASM backend (attentionByQueryBlocks) — at once; Q, K, V are dead after the
 * attention, and the skip additions, bias and ReLU run in place.
 */
export function forwardLayer<T extends FloatDType>(layer: NetworkLayer, h: DenseMatrix<T>, pattern: CsrGraph,
  activation: Activation, wantTrace: boolean, pool?: BufferPool, pass?: TrainingPass, queryBlocks = DEFAULT_QUERY_BLOCKS): LayerStep<T> {
  const own = pool ?? new BufferPool();
  const wantCache = pass?.cache ?? false, keep = wantTrace || wantCache;
  const drop = dropoutOf(pass);
  const n = h.rows, dtype = h.dtype;
  const linear = (x: DenseMatrix<T>, w: DenseMatrix, b?: BiasVector): DenseMatrix<T> =>
    applyLinear(x, w, b, own.take(n, w.rows, dtype));
  const scale = layer.logitScale ?? 1;
  const k = linear(h, layer.wK), v = linear(h, layer.wV);
  const attOut = own.take(n, v.cols, dtype);
  let att: { output: DenseMatrix<T>; weights?: Storage<T> };
  let logits: Float64Array | undefined, weights: Float64Array | undefined, q: DenseMatrix<T> | null = null;
  if (!keep && attentionByQueryBlocks(h, layer.wQ, k, v, pattern, scale, attOut, queryBlocks)) {
    att = { output: attOut };
  } else {
    q = linear(h, layer.wQ);
    att = sparseAttention(q, k, v, pattern, { scale, returnWeights: keep, checkFinite: false, out: attOut });
    if (wantTrace) {
      logits = edgeLogits(q, k, pattern, scale);
      weights = Float64Array.from(att.weights!.array);
      if (!wantCache) att.weights!.free();
    }
    if (!wantCache) own.give(q);
  }
  if (!wantCache) { own.give(k); own.give(v); }
  // H½: the attention output itself (theory), else norm₁(skip₁(H) + Att). Without a trace Att is dead
  // once H½ exists, so the skip is added into it in place.
  let half = att.output;
  if (layer.attentionSkip) {
    if (layer.attentionSkip === 'identity') {
      if (wantTrace) half = att.output.clone();
      addBiasResidual(half, null, h); // Att + H: the same f32/f64 sum as H + Att
    } else {
      half = linear(h, layer.attentionSkip);
      addBiasResidual(half, null, att.output);
      if (!wantTrace) own.give(att.output);
    }
  }
  let norm1Input: DenseMatrix<T> | null = null, bn1: BatchNormCache<T> | null = null;
  if (layer.attentionNorm) {
    const normed = applyNorm(half, layer.attentionNorm, own, pass, wantCache);
    bn1 = normed.bn;
    if (wantCache && !isBatchNorm(layer.attentionNorm)) norm1Input = half;
    else if (wantTrace && half !== att.output) half.free();
    else if (!wantTrace) own.give(half);
    half = normed.output;
  }
  const threeQuarter = linear(half, layer.w1);
  biasActivate(threeQuarter, layer.b1, activation);
  const hiddenMask = drop ? dropoutInPlace(threeQuarter, drop.p, drop.random) : null;
  let output = linear(threeQuarter, layer.w2);
  if (!keep) own.give(threeQuarter);
  if (layer.ffnSkip) {
    const skipped = layer.ffnSkip === 'identity' ? half : linear(half, layer.ffnSkip);
    addBiasResidual(output, layer.b2, skipped);
    if (skipped !== half) own.give(skipped);
  } else {
    addBias(output, layer.b2);
  }
  if (!keep) own.give(half);
  let norm2Input: DenseMatrix<T> | null = null, bn2: BatchNormCache<T> | null = null;
  if (layer.ffnNorm) {
    const normed = applyNorm(output, layer.ffnNorm, own, pass, wantCache);
    bn2 = normed.bn;
    if (wantCache && !isBatchNorm(layer.ffnNorm)) norm2Input = output;
    else own.give(output);
    output = normed.output;
  }
  if (!pool) own.dispose();
  const step: LayerStep<T> = { output };
  if (wantCache) {
    step.cache = { input: h, q: q!, k, v, weights: att.weights!, norm1Input, bn1, half, hidden: threeQuarter, hiddenMask, norm2Input, bn2 };
  }
  if (wantTrace) {
    step.trace = {
      input: h, attention: att.output, half, threeQuarter, output,
      logits: logits!, logWeights: logSoftmaxRows(logits!, pattern), weights: weights!,
    };
  }
  return step;
}

/** Applies an optional affine map, returning the input itself when there is none (into a pool buffer when given). */
export function applyOptionalAffine<T extends FloatDType>(x: DenseMatrix<T>, map: LinearWeights | null | undefined,
  pool?: BufferPool): DenseMatrix<T> {
  return map ? applyAffine(x, map, pool?.take(x.rows, map.weight.rows, x.dtype)) : x;
}

/**
 * NumericalError `${fn}: ${what} is not finite (… f32 overflow?)` at the first NaN/±Inf of m: finite input
 * and finite weights whose products overflow the dtype (issue 13; docs/architecture.md, "Limits on input and
 * work"). One SIMD pass over m (measured on the f32 forward bench row).
 */
export function assertFiniteOutput(fn: string, what: string, m: DenseMatrix): void {
  const idx = firstNonFinite(st(m));
  if (idx >= 0) {
    const row = Math.floor(idx / m.cols), col = idx % m.cols;
    throw new NumericalError(`${fn}: ${what} is not finite (${m.data[idx]} at row ${row}, column ${col}; ${m.dtype} overflow?)`);
  }
}

/**
 * The error a layer's attention raised, restated for the public function: the layer's input was scanned
 * finite and the weights were validated at construction, so sparseAttention's InputError (q, k whose norms
 * overflow the dtype; the logits would be ±Inf) is an overflow of this layer. Other errors pass unchanged.
 */
function attentionOverflow(fn: string, layer: number, e: unknown): unknown {
  const prefix = 'sparseAttention: ';
  if (!(e instanceof InputError) || !e.message.startsWith(prefix)) return e;
  return new NumericalError(`${fn}: layer ${layer} attention overflows: ${e.message.slice(prefix.length)}`);
}

export interface NetworkStep<T extends FloatDType> {
  /** T(X): the head's output, or Hᴸ. */
  output: DenseMatrix<T>;
  /** The trace's parts (the caller's wrapper assembles the ForwardTrace). */
  trace?: { encoded: DenseMatrix<T>; layers: LayerTrace<T>[]; final: DenseMatrix<T> };
  cache?: NetworkCache<T>;
}

/**
 * The whole network on `input` (n×d_in, the forward's dtype): encoder, layers (forwardLayer), head. The one
 * loop over layers behind GraphTransformer.forward and the training forward (src/model/parameters.ts).
 * Without a trace or cache the layers share one BufferPool and every dead intermediate is reused or freed;
 * `input` itself is freed once dead only when `ownsInput`. With `fn` (the public function the user called),
 * the encoder's, every layer's and the head's output are scanned for NaN/±Inf as they are made
 * (assertFiniteOutput: NumericalError naming fn and the layer); the training forward passes none, since
 * src/train/fit.ts checks every step's loss. Dropout (pass.dropout) acts on the encoder's
 * output, so a network without an encoder drops only in the FFNs (the caller's input is never written).
 * Allocates in the caller's scope; shapes are assumed checked.
 */
export function forwardNetwork<T extends FloatDType>(net: NetworkWeights, input: DenseMatrix<T>, pattern: CsrGraph,
  options: { trace?: boolean; pass?: TrainingPass; ownsInput?: boolean; fn?: string; queryBlocks?: number } = {}): NetworkStep<T> {
  const fn = options.fn;
  const wantTrace = options.trace ?? false, pass = options.pass, wantCache = pass?.cache ?? false;
  const keep = wantTrace || wantCache, owns = options.ownsInput ?? false;
  const drop = dropoutOf(pass);
  const pool = new BufferPool();
  const encoded = applyOptionalAffine(input, net.encoder, keep ? undefined : pool);
  if (fn !== undefined && encoded !== input) assertFiniteOutput(fn, 'encoder output', encoded);
  const encodedMask = drop && encoded !== input ? dropoutInPlace(encoded, drop.p, drop.random) : null;
  if (!keep && encoded !== input && owns) input.free();
  let h = encoded;
  const traces: LayerTrace<T>[] = [], caches: LayerCache<T>[] = [];
  net.layers.forEach((layer, l) => {
    let step: LayerStep<T>;
    try {
      step = forwardLayer(layer, h, pattern, net.activation, wantTrace, keep ? undefined : pool, pass, options.queryBlocks);
    } catch (e) {
      throw fn === undefined ? e : attentionOverflow(fn, l, e);
    }
    if (fn !== undefined) assertFiniteOutput(fn, `layer ${l} output`, step.output);
    if (step.trace) traces.push(step.trace);
    if (step.cache) caches.push(step.cache);
    if (!keep && (h !== input || owns)) pool.give(h);
    h = step.output;
  });
  const output = applyOptionalAffine(h, net.head);
  if (fn !== undefined && output !== h) assertFiniteOutput(fn, 'head output', output);
  if (!keep && output !== h && (h !== input || owns)) pool.give(h);
  pool.dispose();
  const out: NetworkStep<T> = { output };
  if (wantTrace) out.trace = { encoded, layers: traces, final: h };
  if (wantCache) out.cache = { x: input, encoded, encodedMask, layers: caches, final: h };
  return out;
}
