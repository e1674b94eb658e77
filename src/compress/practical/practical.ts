// Compressing a trained (practical-variant) graph transformer: Theorem 4.2's low-rank construction and
// Theorem 4.4's cluster construction restated for skips, batch norms, biases, an encoder and a head by the
// rule of App. D.2; docs/theory.md#17-the-practical-variant — every D-wide stage gets its own orthonormal decoder, the skip becomes a d×d matrix
// between two bases, and each folded BN a general d×d affine map.
//
// Per layer, with U (stream decoder, D×d), U½ (decoder of H^(ℓ+1/2)) and U′ (decoder of H^(ℓ+1)), all
// topd of the reference's own activations (Lemma C.1), and the folded norms N₁(y) = G₁y + c₁, N₂ = G₂y + c₂:
//   Ŵ_Q = I, Ŵ_K = (W_Q U)ᵀ(W_K U)              so q̂_i·k̂_j = (W_Q Uĥ_i)·(W_K Uĥ_j)  (scale kept)
//   Ŵ_V = U½ᵀG₁W_V U, Ŝ₁ = U½ᵀG₁S₁U, N̂₁ = (I, U½ᵀc₁)   so ĥ½ = U½ᵀ N₁(Uĥ + Σ_j â_ij W_V Uĥ_j)
//   FFN hidden 'full': Ŵ_1 = W_1U½ (D_h×d), b̂_1 = b_1                       (Thm 4.2 keeps it D wide)
//              'select': the CPQR selection S of the reference σ(·) (L7), Ŵ_1 = W_1[S]U½, U_σ = Z(Z_S)⁺
//              'clusters': Thm 4.4's one-hot block over k ≤ d clusters of the reference H^(ℓ+1/2)
//   Ŵ_2 = U′ᵀG₂W_2(U_σ | G), b̂_2 = U′ᵀ(G₂b_2 + c₂), Ŝ₂ = U′ᵀG₂S₂U½, no norm
//   encoder Ŵ = U⁽⁰⁾ᵀW_enc, b̂ = U⁽⁰⁾ᵀb_enc;  head Ŵ = W_head U⁽ᴸ⁾.
// The certificate (practical-verifier.ts) checks the restated per-layer inequalities on the actual graph.
import { InputError } from '../../runtime/errors.js';
import { scope } from '../../runtime/storage.js';
import { DenseMatrix } from '../../linalg/dense.js';
import type { CsrGraph } from '../../graph/csr.js';
import { GraphTransformer } from '../../model/graph-transformer.js';
import { forwardLayer } from '../../model/forward.js';
import type { AffineMap, LayerWeights, SkipMap } from '../../model/layer.js';
import { encodeMatrix } from '../../model/serialize.js';
import { checkCompressArguments, requireWidth } from '../framework/arguments.js';
import { requireSeed } from '../../runtime/validate.js';
import { certifyWith } from '../framework/certificate.js';
import type { CertifyOptions } from '../framework/check.js';
import type { CompressedModel, Decoder, JsonValue, LayerDecoders } from '../framework/types.js';
import { identity, mul, selectFeatures, takeRows } from '../shared/basis.js';
import { topRightSingularVectors } from '../shared/near-low-rank.js';
import { chooseClusters } from '../thm-4.4-clusters/clusters.js';
import { centreActivations } from '../thm-4.4-clusters/centre-activations.js';
import { clusterStatistics, oneHotFfn } from '../thm-4.4-clusters/one-hot.js';
import { practicalVerifier, PRACTICAL_CONSTRUCTION } from './practical-verifier.js';

/** How the feed-forward hidden layer is narrowed. */
export type HiddenCompression = 'full' | 'select' | 'clusters';

export interface CompressPracticalOptions extends CertifyOptions {
  /** The width d of the residual stream (integer ≥ 1). */
  d: number;
  /**
   * The FFN hidden layer: 'full' keeps it D_h wide (Theorem 4.2, default), 'select' keeps d of its units
   * (Prop. 4.1's CPQR selection, approximate when σ(·) is not rank d), 'clusters' replaces it by Theorem
   * 4.4's one-hot block (σ must be ReLU).
   */
  hidden?: HiddenCompression;
  /** Seed of k-means for hidden = 'clusters' (default 0). */
  seed?: number;
}

function vectorTimes(m: DenseMatrix<'f64'>, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(m.rows), d = m.data, c = m.cols;
  for (let i = 0; i < m.rows; i++) { let s = 0; for (let j = 0; j < c; j++) s += d[i * c + j] * v[j]; out[i] = s; }
  return out;
}

/** topd(H, d), or the identity when d ≥ the width (nothing to compress there, and the decoder is exact). */
function streamBasis(h: DenseMatrix<'f64'>, d: number): DenseMatrix<'f64'> | null {
  return d >= h.cols ? null : topRightSingularVectors(h, d);
}

/** B·M for B = basisᵀ·G (or G when basis is null), i.e. the left factor of every map into a narrow stage. */
function project(basis: DenseMatrix<'f64'> | null, norm: AffineMap | null | undefined, m: DenseMatrix<'f64'>): DenseMatrix<'f64'> {
  const g = norm ? mul(norm.weight, m) : m;
  return basis ? mul(basis, g, true, false) : (g === m ? m.clone('f64') : g);
}

/** basisᵀ(G·b + c): the bias of a narrow stage. */
function projectBias(basis: DenseMatrix<'f64'> | null, norm: AffineMap | null | undefined, bias: ArrayLike<number> | null | undefined, width: number): Float64Array {
  let v: Float64Array = bias ? Float64Array.from(bias) : new Float64Array(width);
  if (norm) {
    v = vectorTimes(norm.weight, v);
    if (norm.bias) for (let j = 0; j < v.length; j++) v[j] += norm.bias[j];
  }
  return basis ? vectorTimes(basis.transpose(), v) : v;
}

function narrowSkip(skip: SkipMap | null | undefined, left: (m: DenseMatrix<'f64'>) => DenseMatrix<'f64'>, inBasis: DenseMatrix<'f64'> | null,
  width: number): DenseMatrix<'f64'> | null {
  if (!skip) return null;
  const s = skip === 'identity' ? identity(width) : skip;
  const sl = left(s);
  return inBasis ? mul(sl, inBasis) : sl;
}

/**
 * Compresses a practical-variant GraphTransformer (a trained network: encoder, skips, folded BN, b_1, b_2,
 * head) to residual width d by the restated Theorem 4.2 (hidden 'full' / 'select') or Theorem 4.4
 * ('clusters') construction of this file's header, and certifies it on (x, pattern).
 * The narrow network is again a practical GraphTransformer (d×d skips, affine norms), reading X and writing
 * the same logits (uOut null); details.finalDecoder holds U⁽ᴸ⁾ when there is a head.
 * Cost: one traced f64 reference forward, a QR + small SVD per stage (O(n·D²)), for 'select' a pivoted
 * Gram–Schmidt O(n·D_h·d), for 'clusters' k-means for k = 1..d and one narrow forward; then the certificate
 * (two traced forwards). Deterministic (k-means from `seed`).
 * Throws InputError (not a practical model, σ ≠ ReLU with 'clusters', bad options), RangeError (d) or
 * ShapeError before any work.
 */
export function compressPractical(model: GraphTransformer, x: DenseMatrix, pattern: CsrGraph, options: CompressPracticalOptions): CompressedModel {
  const fn = 'compressPractical';
  checkCompressArguments(fn, model, x, pattern);
  const d = requireWidth(fn, options);
  const hidden = options.hidden ?? 'full';
  if (hidden !== 'full' && hidden !== 'select' && hidden !== 'clusters') throw new InputError(`${fn}: options.hidden must be 'full', 'select' or 'clusters', got ${String(hidden)}`);
  if (model.variant !== 'practical') throw new InputError(`${fn}: model is a theory-variant network; use compressLowRank / compressByClusters for it`);
  if (hidden === 'clusters' && model.activation !== 'relu') throw new InputError(`${fn}: options.hidden 'clusters' needs σ = ReLU (Theorem 4.4), the model has '${model.activation}'`);
  const seed = options.seed ?? 0;
  requireSeed(fn, seed);
  if (!model.encoder && d < model.inputDim) {
    throw new InputError(`${fn}: the model has no encoder, so layer 0 reads X (d_in = ${model.inputDim}) directly; give d ≥ d_in (an input adapter is not supported here)`);
  }

  const built = scope(() => {
    const x64 = (x.dtype === 'f64' ? x : x.clone('f64')) as DenseMatrix<'f64'>;
    const ref = model.forward(x64, pattern, { trace: true, caller: fn }).trace!;
    let u = streamBasis(ref.encoded, d);
    let encoder: AffineMap | null = null;
    if (model.encoder) {
      encoder = { weight: project(u, null, model.encoder.weight), bias: projectBias(u, null, model.encoder.bias, model.encoder.weight.rows) };
    }
    let hHat: DenseMatrix<'f64'> | null = null;
    if (hidden === 'clusters') hHat = u ? mul(ref.encoded, u) : ref.encoded.clone('f64');
    const layers: LayerWeights[] = [];
    const decoders: LayerDecoders[] = [];
    const labels: number[][] = [], representatives: number[][] = [], selected: number[][] = [];
    model.layers.forEach((layer, l) => {
      const r = ref.layers[l];
      const width = r.input.cols;
      const uHalf = streamBasis(r.half, d);
      const wqU = u ? mul(layer.wQ, u) : layer.wQ.clone('f64');
      const wkU = u ? mul(layer.wK, u) : layer.wK.clone('f64');
      const wK = mul(wqU, wkU, true, false);
      const wQ = identity(wK.rows);
      const toHalf = (m: DenseMatrix<'f64'>): DenseMatrix<'f64'> => project(uHalf, layer.attentionNorm, m);
      const wvU = u ? mul(layer.wV, u) : layer.wV.clone('f64');
      const wV = toHalf(wvU);
      const attentionSkip = narrowSkip(layer.attentionSkip, toHalf, u, width);
      const dHalf = wV.rows;
      const attentionNorm: AffineMap = { weight: identity(dHalf), bias: projectBias(uHalf, layer.attentionNorm, null, r.half.cols) };
      const uOut = streamBasis(r.output, d);
      const toOut = (m: DenseMatrix<'f64'>): DenseMatrix<'f64'> => project(uOut, layer.ffnNorm, m);
      const ffnSkip = narrowSkip(layer.ffnSkip, toOut, uHalf, r.half.cols);
      const b2 = projectBias(uOut, layer.ffnNorm, layer.b2, r.output.cols);
      let w1: DenseMatrix<'f64'>, b1: Float64Array | null, w2: DenseMatrix<'f64'>, threeQuarter: Decoder;
      if (hidden === 'full') {
        w1 = uHalf ? mul(layer.w1, uHalf) : layer.w1.clone('f64');
        b1 = layer.b1 ? Float64Array.from(layer.b1) : null;
        w2 = toOut(layer.w2);
        threeQuarter = 'identity';
      } else if (hidden === 'select') {
        const sel = selectFeatures(r.threeQuarter, { maxRank: d });
        const keep = sel.indices.length ? sel.indices : [0];
        const dec = sel.indices.length ? sel.decoder : DenseMatrix.zeros(r.threeQuarter.cols, 1, 'f64');
        const rows = takeRows(layer.w1, keep);
        w1 = uHalf ? mul(rows, uHalf) : rows;
        b1 = layer.b1 ? Float64Array.from(keep, (j) => layer.b1![j]) : null;
        w2 = toOut(mul(layer.w2, dec));
        threeQuarter = dec;
        selected.push(keep);
      } else {
        const lab = chooseClusters(r.half, d, seed);
        const stats = clusterStatistics(r.half, lab);
        const probe: LayerWeights = { wQ, wK, wV, w1: identity(dHalf), w2: identity(dHalf), attentionSkip, attentionNorm, logitScale: layer.logitScale ?? 1 };
        const half = forwardLayer(probe, hHat!, pattern, 'identity', true).trace!.half;
        const oneHot = oneHotFfn(half, stats.representatives);
        w1 = oneHot.w1;
        b1 = oneHot.b1;
        const g = centreActivations(stats.centres, layer);
        w2 = toOut(mul(layer.w2, g));
        threeQuarter = g;
        labels.push(Array.from(lab));
        representatives.push(Array.from(stats.representatives));
      }
      const narrowLayer: LayerWeights = {
        wQ, wK, wV, w1, b1, w2, b2, logitScale: layer.logitScale ?? 1, attentionSkip, attentionNorm, ffnSkip, ffnNorm: null,
      };
      layers.push(narrowLayer);
      decoders.push({ input: u ?? 'identity', half: uHalf ?? 'identity', threeQuarter });
      if (hHat) hHat = forwardLayer(narrowLayer, hHat, pattern, model.activation, false).output;
      u = uOut;
    });
    const head: AffineMap | null = model.head ? { weight: u ? mul(model.head.weight, u) : model.head.weight.clone('f64'), bias: model.head.bias ?? null } : null;
    const narrow = new GraphTransformer({ layers, activation: model.activation, variant: 'practical', encoder, head });
    return { narrow, decoders, finalDecoder: u, labels, representatives, selected };
  });
  const details: { [key: string]: JsonValue } = {
    d, hidden, seed,
    finalDecoder: model.head && built.finalDecoder ? (encodeMatrix(built.finalDecoder) as unknown as JsonValue) : null,
  };
  if (hidden === 'select') details.selected = built.selected;
  if (hidden === 'clusters') { details.labels = built.labels; details.representatives = built.representatives; }
  const compressed: Omit<CompressedModel, 'certificate'> = {
    construction: PRACTICAL_CONSTRUCTION, narrow: built.narrow, inputAdapter: null,
    uOut: model.head ? null : built.finalDecoder, decoders: built.decoders, details,
  };
  if (model.head) built.finalDecoder?.free();
  return { ...compressed, certificate: certifyWith(practicalVerifier, model, compressed, x, pattern, options) };
}
