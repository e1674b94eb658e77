// The one backward pass of the network: reverse mode through the cache of the one forward
// (src/model/forward.ts via networkForward), for every wiring the structure allows — identity or matrix skips,
// batch norms (batch statistics), affine norms, optional biases, dropout — so the practical network trained
// from scratch and a compressed network being fine-tuned share it (docs/theory.md#2-the-model-and-its-assumptions and #17-the-practical-variant).
import type { DenseMatrix, FloatDType } from '../linalg/dense.js';
import type { CsrGraph } from '../graph/csr.js';
import type { NetworkCache } from '../model/forward.js';
import type { NetworkStructure, ParameterSet } from '../model/parameters.js';
import { sparseAttentionBackward } from './attention-backward.js';
import { batchNormBackward } from './batch-norm.js';
import { addInto, linearBackward } from './linear.js';
import { mulInPlace, reluBackwardInPlace } from './elementwise.js';
import type { Storage } from '../runtime/storage.js';

/** The gradient through dropout: g ⊙ mask (the forward's f32 mask; WASM kernel mul_f32, threaded). */
function applyMask<T extends FloatDType>(g: DenseMatrix<T>, mask: Storage<'f32'> | null): void {
  if (mask) mulInPlace(g, mask);
}

/**
 * Gradients of a scalar loss with respect to every tensor of `params`, given dLogits = ∂loss/∂logits and the
 * cache of networkForward(structure, params, …) on the same pattern. Returns a ParameterSet of gradients under
 * the same names, in the forward's dtype. Intermediates are freed as soon as they are dead. Allocates in the
 * caller's scope. Cost ≈ 2× the forward (the attention backward kernel is assembly/attention_backward.ts).
 */
export function networkBackward<T extends FloatDType>(structure: NetworkStructure, params: ParameterSet, cache: NetworkCache<T>,
  dLogits: DenseMatrix<T>, pattern: CsrGraph): ParameterSet<T> {
  const grads: ParameterSet<T> = new Map();
  const P = (name: string): DenseMatrix => params.get(name)!;
  /** Backward of y = x·Wᵀ (+ b) named `weight` / `bias`; returns dX (or null) and records dW, db. */
  const linear = (dy: DenseMatrix<T>, x: DenseMatrix<T>, weight: string, bias: string | null, needInput = true): DenseMatrix<T> | null => {
    const hasBias = bias !== null && params.has(bias);
    const g = linearBackward(dy, x, P(weight), needInput, hasBias);
    grads.set(weight, g.dW);
    if (hasBias) grads.set(bias!, g.db!);
    return g.dX;
  };
  /** Backward of a norm named `prefix` (batch or affine) at the layer's cache; returns ∂loss/∂(norm input). */
  const norm = (kind: 'batch' | 'affine' | 'none', prefix: string, which: '1' | '2', dy: DenseMatrix<T>,
    c: NetworkCache<T>['layers'][number]): DenseMatrix<T> => {
    if (kind === 'none') return dy;
    if (kind === 'affine') return linear(dy, (which === '1' ? c.norm1Input : c.norm2Input)!, `${prefix}norm${which}.weight`, `${prefix}norm${which}.bias`)!;
    const bn = batchNormBackward(dy, P(`${prefix}bn${which}.weight`) as DenseMatrix<T>, (which === '1' ? c.bn1 : c.bn2)!);
    grads.set(`${prefix}bn${which}.weight`, bn.dGamma); grads.set(`${prefix}bn${which}.bias`, bn.dBeta);
    return bn.dz;
  };
  let dH = params.has('head.weight') ? linear(dLogits, cache.final, 'head.weight', 'head.bias')! : dLogits;
  for (let l = structure.layers.length - 1; l >= 0; l--) {
    const s = structure.layers[l], c = cache.layers[l], pre = `layers.${l}.`;
    const dZ2 = norm(s.ffnNorm, pre, '2', dH, c);
    if (dZ2 !== dH && dH !== dLogits) dH.free();
    const dHidden = linear(dZ2, c.hidden, pre + 'w_2', pre + 'b_2')!;
    applyMask(dHidden, c.hiddenMask);
    if (structure.activation === 'relu') reluBackwardInPlace(dHidden, c.hidden);
    const dHalf = linear(dHidden, c.half, pre + 'w_1', pre + 'b_1')!;
    dHidden.free();
    if (s.ffnSkip === 'identity') addInto(dHalf, dZ2);
    else if (s.ffnSkip === 'matrix') { const d = linear(dZ2, c.half, pre + 'ffn_skip', null)!; addInto(dHalf, d); d.free(); }
    const dZ1 = norm(s.attentionNorm, pre, '1', dHalf, c);
    if (dZ1 !== dHalf) dHalf.free();
    if (dZ2 !== dLogits) dZ2.free();
    const att = sparseAttentionBackward(dZ1, c.q, c.k, c.v, c.weights, pattern, { scale: s.logitScale });
    const dIn = linear(att.dQ, c.input, pre + 'w_q', null)!;
    for (const [dm, w] of [[att.dK, 'w_k'], [att.dV, 'w_v']] as const) { const d = linear(dm, c.input, pre + w, null)!; addInto(dIn, d); d.free(); }
    for (const m of [att.dQ, att.dK, att.dV]) m.free();
    if (s.attentionSkip === 'identity') addInto(dIn, dZ1);
    else if (s.attentionSkip === 'matrix') { const d = linear(dZ1, c.input, pre + 'attention_skip', null)!; addInto(dIn, d); d.free(); }
    if (dZ1 !== dLogits) dZ1.free();
    dH = dIn;
  }
  applyMask(dH, cache.encodedMask);
  if (params.has('encoder.weight')) linear(dH, cache.x, 'encoder.weight', 'encoder.bias', false);
  if (dH !== dLogits) dH.free();
  return grads;
}
