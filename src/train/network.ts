// Forward and backward pass of the practical graph transformer (Shirzad et al. 2024, App. D.2; THEORY §1.3),
// full batch over every node, with the post-norm placement THEORY §1.3 assumes (GraphGPS / Exphormer style):
//   H⁰ = X·W_encᵀ + b_enc
//   per layer: Q, K, V = H·W_Qᵀ, H·W_Kᵀ, H·W_Vᵀ;  Att = softmax_pattern(Q·Kᵀ/√D)·V
//              H½ = BN₁(H + Att);  R = ReLU(H½·W_1ᵀ + b_1);  H' = BN₂(H½ + R·W_2ᵀ + b_2)
//   logits = Hᴸ·W_headᵀ + b_head
// The same computation as src/model's GraphTransformer with variant 'practical' once the batch norms
// are folded (see toGraphTransformer). Optional dropout on H⁰ and on R (inverted, training only).
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import { sparseAttention } from '../attention/sparse-attention.js';
import type { CsrGraph } from '../graph/csr.js';
import type { Storage } from '../runtime/storage.js';
import type { Rng } from '../random/rng.js';
import { batchNormBackward, batchNormForward, type BatchNormCache } from './batch-norm.js';
import { addInto, linearBackward, linearForward } from './linear.js';
import { sparseAttentionBackward } from './attention-backward.js';
import { reluBackwardInPlace, reluInPlace } from './elementwise.js';
import type { NetworkConfig, ParameterSet } from './parameters.js';

interface LayerCache<T extends FloatDType> {
  input: DenseMatrix<T>; q: DenseMatrix<T>; k: DenseMatrix<T>; v: DenseMatrix<T>; weights: Storage<T>;
  bn1: BatchNormCache<T>; half: DenseMatrix<T>; hidden: DenseMatrix<T>; hiddenMask: Float32Array | null; bn2: BatchNormCache<T>;
}

/** Everything the backward pass reads, plus the statistics a converter needs (full-batch BN means/variances). */
export interface NetworkCache<T extends FloatDType> {
  x: DenseMatrix<T>;
  encoded: DenseMatrix<T>;
  encodedMask: Float32Array | null;
  layers: LayerCache<T>[];
  final: DenseMatrix<T>;
  scale: number;
}

export interface NetworkForwardOptions {
  /** Dropout probability on H⁰ and on the FFN hidden layer (default 0: the forward is deterministic). */
  dropout?: number;
  /** Draws the dropout masks (required when dropout > 0). */
  random?: Rng;
}

function dropoutMask<T extends FloatDType>(x: DenseMatrix<T>, p: number, random: Rng): Float32Array {
  const mask = new Float32Array(x.rows * x.cols), keep = 1 / (1 - p), d = x.data;
  for (let i = 0; i < mask.length; i++) { mask[i] = random.float() < p ? 0 : keep; d[i] *= mask[i]; }
  return mask;
}

function get<T extends FloatDType>(params: ParameterSet<T>, name: string): DenseMatrix<T> {
  const m = params.get(name);
  if (!m) throw new Error(`network: parameter ${name} missing`);
  return m;
}

/**
 * Logits (n×C) of every node, and the cache for networkBackward. All matrices are allocated in the
 * caller's scope. Cost per layer O(n·D²) GEMM + O(m·D) attention (WASM SIMD kernels).
 */
export function networkForward<T extends FloatDType>(params: ParameterSet<T>, config: NetworkConfig, x: DenseMatrix<T>,
  pattern: CsrGraph, options: NetworkForwardOptions = {}): { logits: DenseMatrix<T>; cache: NetworkCache<T> } {
  const p = options.dropout ?? 0;
  const drop = p > 0 && options.random ? options.random : null;
  const scale = 1 / Math.sqrt(config.width);
  const encoded = linearForward(x, get(params, 'encoder.weight'), get(params, 'encoder.bias'));
  const encodedMask = drop ? dropoutMask(encoded, p, drop) : null;
  let h = encoded;
  const layers: LayerCache<T>[] = [];
  for (let l = 0; l < config.layers; l++) {
    const w = (n: string): DenseMatrix<T> => get(params, `layers.${l}.${n}`);
    const q = linearForward(h, w('wQ')), k = linearForward(h, w('wK')), v = linearForward(h, w('wV'));
    const att = sparseAttention(q, k, v, pattern, { scale, returnWeights: true, checkFinite: false });
    const bn1 = batchNormForward(addInto(att.output, h), w('bn1.gamma'), w('bn1.beta'));
    att.output.free();
    const half = bn1.output;
    const hidden = linearForward(half, w('w1'), w('b1'));
    reluInPlace(hidden);
    const hiddenMask = drop ? dropoutMask(hidden, p, drop) : null;
    const z2 = addInto(linearForward(hidden, w('w2'), w('b2')), half);
    const bn2 = batchNormForward(z2, w('bn2.gamma'), w('bn2.beta'));
    z2.free();
    layers.push({ input: h, q, k, v, weights: att.weights as Storage<T>, bn1: bn1.cache, half, hidden, hiddenMask, bn2: bn2.cache });
    h = bn2.output;
  }
  const logits = linearForward(h, get(params, 'head.weight'), get(params, 'head.bias'));
  return { logits, cache: { x, encoded, encodedMask, layers, final: h, scale } };
}

function applyMask<T extends FloatDType>(g: DenseMatrix<T>, mask: Float32Array | null): void {
  if (!mask) return;
  const d = g.data;
  for (let i = 0; i < d.length; i++) d[i] *= mask[i];
}

/**
 * Gradients of a scalar loss with respect to every parameter, given dLogits = ∂loss/∂logits (reverse
 * mode through networkForward's cache). Returns a ParameterSet of gradients with the same names.
 * Cost ≈ 2× the forward (the attention backward kernel is assembly/attention_backward.ts).
 */
export function networkBackward<T extends FloatDType>(params: ParameterSet<T>, config: NetworkConfig, cache: NetworkCache<T>,
  dLogits: DenseMatrix<T>, pattern: CsrGraph): ParameterSet<T> {
  const grads: ParameterSet<T> = new Map();
  const head = linearBackward(dLogits, cache.final, get(params, 'head.weight'));
  grads.set('head.weight', head.dW); grads.set('head.bias', head.db);
  let dH = head.dX as DenseMatrix<T>;
  for (let l = config.layers - 1; l >= 0; l--) {
    const c = cache.layers[l];
    const pre = `layers.${l}.`;
    const w = (n: string): DenseMatrix<T> => get(params, pre + n);
    const bn2 = batchNormBackward(dH, w('bn2.gamma'), c.bn2);
    dH.free();
    grads.set(pre + 'bn2.gamma', bn2.dGamma); grads.set(pre + 'bn2.beta', bn2.dBeta);
    const ffn2 = linearBackward(bn2.dz, c.hidden, w('w2'));
    grads.set(pre + 'w2', ffn2.dW); grads.set(pre + 'b2', ffn2.db);
    const dHidden = ffn2.dX as DenseMatrix<T>;
    applyMask(dHidden, c.hiddenMask);
    reluBackwardInPlace(dHidden, c.hidden);
    const ffn1 = linearBackward(dHidden, c.half, w('w1'));
    grads.set(pre + 'w1', ffn1.dW); grads.set(pre + 'b1', ffn1.db);
    const dHalf = addInto(ffn1.dX as DenseMatrix<T>, bn2.dz);
    const bn1 = batchNormBackward(dHalf, w('bn1.gamma'), c.bn1);
    grads.set(pre + 'bn1.gamma', bn1.dGamma); grads.set(pre + 'bn1.beta', bn1.dBeta);
    const att = sparseAttentionBackward(bn1.dz, c.q, c.k, c.v, c.weights, pattern, { scale: cache.scale });
    const gq = linearBackward(att.dQ, c.input, w('wQ'));
    const gk = linearBackward(att.dK, c.input, w('wK'));
    const gv = linearBackward(att.dV, c.input, w('wV'));
    grads.set(pre + 'wQ', gq.dW); grads.set(pre + 'wK', gk.dW); grads.set(pre + 'wV', gv.dW);
    for (const g of [gq.db, gk.db, gv.db]) g.free();
    dH = addInto(addInto(addInto(gq.dX as DenseMatrix<T>, gk.dX as DenseMatrix<T>), gv.dX as DenseMatrix<T>), bn1.dz);
    for (const m of [bn2.dz, dHidden, dHalf, bn1.dz, att.dQ, att.dK, att.dV, gk.dX, gv.dX] as DenseMatrix<T>[]) m.free();
  }
  applyMask(dH, cache.encodedMask);
  const enc = linearBackward(dH, cache.x, get(params, 'encoder.weight'), false);
  grads.set('encoder.weight', enc.dW); grads.set('encoder.bias', enc.db);
  dH.free();
  return grads;
}
