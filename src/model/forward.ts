// The forward pass of one layer and of the whole network, in f64 (certificates) or f32 (inference),
// both through the fused CSR attention kernel. Row convention: H is n×p, a map W (out×in) acts as H·Wᵀ.
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import { matmul } from '../linalg/matmul.js';
import { sparseAttention } from '../attention/sparse-attention.js';
import type { CsrGraph } from '../graph/csr.js';
import type { Activation, AffineMap, LayerWeights, SkipMap } from './layer.js';

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

/** y = x·Wᵀ + b in the dtype of x (W converted when x is f32). */
export function applyLinear<T extends FloatDType>(x: DenseMatrix<T>, weight: DenseMatrix<'f64'>, bias?: Float64Array | null): DenseMatrix<T> {
  const w = (x.dtype === 'f64' ? weight : copyMatrix(weight, 'f32')) as DenseMatrix<T>;
  const y = matmul(x, w, { transB: true, checkFinite: false });
  if (w !== (weight as DenseMatrix<FloatDType>)) w.free();
  if (bias) {
    const d = y.data, c = y.cols;
    for (let i = 0; i < y.rows; i++) for (let j = 0; j < c; j++) d[i * c + j] += bias[j];
  }
  return y;
}

function applyAffine<T extends FloatDType>(x: DenseMatrix<T>, map: AffineMap): DenseMatrix<T> {
  return applyLinear(x, map.weight, map.bias);
}

function applySkip<T extends FloatDType>(x: DenseMatrix<T>, skip: SkipMap): DenseMatrix<T> {
  return skip === 'identity' ? x : applyLinear(x, skip);
}

/** a ← a + b elementwise (same shape). */
function addInto<T extends FloatDType>(a: DenseMatrix<T>, b: DenseMatrix<T>): DenseMatrix<T> {
  const ad = a.data, bd = b.data;
  for (let i = 0; i < ad.length; i++) ad[i] += bd[i];
  return a;
}

function activate<T extends FloatDType>(x: DenseMatrix<T>, activation: Activation): DenseMatrix<T> {
  if (activation === 'relu') {
    const d = x.data;
    for (let i = 0; i < d.length; i++) if (d[i] < 0) d[i] = 0;
  }
  return x;
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

export interface LayerStep<T extends FloatDType> {
  output: DenseMatrix<T>;
  trace?: LayerTrace<T>;
}

/**
 * One layer (THEORY §1.1, with the practical parts when present) on input h (n×p). The caller owns the
 * returned matrices; intermediates not in the trace are freed here. Shapes are assumed checked.
 */
export function forwardLayer<T extends FloatDType>(layer: LayerWeights, h: DenseMatrix<T>, pattern: CsrGraph,
  activation: Activation, wantTrace: boolean): LayerStep<T> {
  const scale = layer.logitScale ?? 1;
  const q = applyLinear(h, layer.wQ), k = applyLinear(h, layer.wK), v = applyLinear(h, layer.wV);
  const att = sparseAttention(q, k, v, pattern, { scale, returnWeights: wantTrace, checkFinite: false });
  let logits: Float64Array | undefined, weights: Float64Array | undefined;
  if (wantTrace) {
    logits = edgeLogits(q, k, pattern, scale);
    weights = Float64Array.from(att.weights!.array);
    att.weights!.free();
  }
  q.free(); k.free(); v.free();
  let half = att.output;
  if (layer.attentionSkip || layer.attentionNorm) {
    if (layer.attentionSkip) {
      const skipped = applySkip(h, layer.attentionSkip);
      half = addInto(skipped === h ? copyMatrix(h) : skipped, att.output);
    } else {
      half = copyMatrix(att.output);
    }
    if (layer.attentionNorm) {
      const normed = applyAffine(half, layer.attentionNorm);
      half.free();
      half = normed;
    }
  }
  const threeQuarter = activate(applyLinear(half, layer.w1, layer.b1), activation);
  let output = applyLinear(threeQuarter, layer.w2, layer.b2);
  if (layer.ffnSkip) {
    const skipped = applySkip(half, layer.ffnSkip);
    addInto(output, skipped);
    if (skipped !== half) skipped.free();
  }
  if (layer.ffnNorm) {
    const normed = applyAffine(output, layer.ffnNorm);
    output.free();
    output = normed;
  }
  if (!wantTrace) {
    if (half !== att.output) att.output.free();
    half.free();
    threeQuarter.free();
    return { output };
  }
  return {
    output,
    trace: {
      input: h, attention: att.output, half, threeQuarter, output,
      logits: logits!, logWeights: logSoftmaxRows(logits!, pattern), weights: weights!,
    },
  };
}

/** Applies an optional affine map, returning the input itself when there is none. */
export function applyOptionalAffine<T extends FloatDType>(x: DenseMatrix<T>, map: AffineMap | null | undefined): DenseMatrix<T> {
  return map ? applyAffine(x, map) : x;
}
