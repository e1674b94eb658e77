// Proposition 4.1 of Shirzad et al. (2024) — exact low rank (docs/theory.md#5-proposition-41--exact-low-rank): when rank(X) ≤ d and every
// rank(H^(ℓ+3/4)) ≤ d, a width-d network with T(X) = U_out T̂(X) and â_ij = a_ij exactly. Orthonormal
// bases (orth) carry H^(ℓ), V and H^(ℓ+1); CPQR row selection (L7) carries the FFN hidden layer through σ.
import { InputError } from '../../runtime/errors.js';
import { scope } from '../../runtime/storage.js';
import { DenseMatrix } from '../../linalg/dense.js';
import type { CsrGraph } from '../../graph/csr.js';
import { GraphTransformer } from '../../model/graph-transformer.js';
import type { LayerWeights } from '../../model/layer.js';
import { checkCompressArguments, requireWidth } from '../framework/arguments.js';
import { optionalBoolean, requireOpen } from '../../runtime/validate.js';
import { certifyWith } from '../framework/certificate.js';
import type { CertifyOptions } from '../framework/check.js';
import type { CompressedModel, LayerDecoders } from '../framework/types.js';
import { identity, mul, orthAtLeastOne, selectFeatures, takeRows } from '../shared/basis.js';
import { exactLowRankVerifier } from './exact-low-rank-verifier.js';

export interface CompressExactLowRankOptions extends CertifyOptions {
  /** The target width d (integer ≥ 1). */
  d: number;
  /** Numerical-rank threshold: singular values (or CPQR |R_kk|) above tol·s₁ count (default 1e-10). */
  tol?: number;
  /** Fold A^(0) into layer 0 so T̂ reads X itself (default true); false keeps it as compressed.inputAdapter. */
  foldInput?: boolean;
  /** Relative tolerance of the certificate's exactness checks (default 1e-9). */
  identityTol?: number;
}

/**
 * Proposition 4.1 (Shirzad et al. 2024; docs/theory.md#5-proposition-41--exact-low-rank (construction)), theory-variant models: input adapter
 * U^(0) = orth(X) (identity when d_in ≤ d); per layer Ŵ_Q = I, Ŵ_K = Uᵀ W_Qᵀ W_K U, Ŵ_V = P_Vᵀ W_V U with
 * P_V = orth(W_V U); CPQR selection S of the reference H^(ℓ+3/4) with Ŵ_1 = W_1[S, :] P_V (b̂_1 = b_1[S]),
 * U_σ = Y(Y_S)⁺; Ŵ_2 = P_2ᵀ W_2 U_σ with P_2 = orth(W_2 U_σ) = U^(ℓ+1); U_out = U^(L). Widths are the
 * numerical ranks (≤ d, at least 1; no zero padding).
 * Cost: one traced reference forward, SVDs of X (n×d_in) and of D×d products, CPQR O(n·D·d) per layer.
 * Accuracy: exact in exact arithmetic; the certificate checks U_out T̂(X) = T(X) and every stage to
 * identityTol (1e-9) relative, and â = a (to identityTol·max(1, max|s_ij|)). When a rank hypothesis fails the bases are truncated to d and
 * the certificate fails, naming the rank.
 * Throws InputError (practical-variant model, bad options) or ShapeError before any work.
 */
export function compressExactLowRank(model: GraphTransformer, x: DenseMatrix, pattern: CsrGraph, options: CompressExactLowRankOptions): CompressedModel {
  const fn = 'compressExactLowRank';
  checkCompressArguments(fn, model, x, pattern);
  const d = requireWidth(fn, options);
  const tol = options.tol ?? 1e-10;
  requireOpen(fn, 'options.tol', tol, 0, 1);
  const identityTol = options.identityTol ?? 1e-9;
  requireOpen(fn, 'options.identityTol', identityTol, 0, Infinity);
  const foldInput = optionalBoolean(fn, 'options.foldInput', options.foldInput, true);
  if (model.variant !== 'theory') {
    throw new InputError(`${fn}: model is a practical-variant network; Prop. 4.1 is implemented for the theory model of Sec. 2 (see docs/theory.md#17-the-practical-variant on restating it for skips and norms)`);
  }
  const built = scope(() => {
    const x64 = (x.dtype === 'f64' ? x : x.clone('f64')) as DenseMatrix<'f64'>;
    const ref = model.forward(x64, pattern, { trace: true, caller: fn }).trace!;
    const dIn = model.inputDim;
    // U^(0): identity when d_in ≤ d, else orth(X) in the paper's columns = orth(x_rowᵀ).
    let u: DenseMatrix<'f64'> = dIn <= d ? identity(dIn) : orthAtLeastOne(x64.transpose(), { rtol: tol, maxRank: d });
    const u0 = dIn <= d ? null : u;
    const layers: LayerWeights[] = [];
    const decoders: LayerDecoders[] = [];
    const selected: number[][] = [];
    model.layers.forEach((layer, l) => {
      const wqu = mul(layer.wQ, u), wku = mul(layer.wK, u), wvu = mul(layer.wV, u);
      let wQ = identity(u.cols);
      let wK = mul(wqu, wku, true, false);
      const pV = orthAtLeastOne(wvu, { rtol: tol, maxRank: d });
      let wV = mul(pV, wvu, true, false);
      const sel = selectFeatures(ref.layers[l].threeQuarter, { rtol: tol, maxRank: d });
      const indices = sel.rank > 0 ? sel.indices : [0];
      const decoder = sel.rank > 0 ? sel.decoder : DenseMatrix.zeros(layer.w1.rows, 1, 'f64');
      selected.push(indices);
      const w1 = mul(takeRows(layer.w1, indices), pV);
      const b1 = layer.b1 ? Float64Array.from(indices, (i) => layer.b1![i]) : null;
      const w2u = mul(layer.w2, decoder);
      const p2 = orthAtLeastOne(w2u, { rtol: tol, maxRank: d });
      const w2 = mul(p2, w2u, true, false);
      let inputDecoder: LayerDecoders['input'] = l === 0 ? (u0 && !foldInput ? u0 : 'identity') : u;
      if (l === 0 && u0 && foldInput) {
        // Right-multiply the three maps that read H^(0) by A^(0) = U^(0)ᵀ: T̂ then reads X itself.
        wQ = mul(wQ, u0, false, true); wK = mul(wK, u0, false, true); wV = mul(wV, u0, false, true);
        inputDecoder = 'identity';
      }
      layers.push({ wQ, wK, wV, w1, w2, b1, logitScale: layer.logitScale ?? 1 });
      decoders.push({ input: inputDecoder, half: pV, threeQuarter: decoder });
      u = p2;
    });
    const narrow = new GraphTransformer({ layers, activation: model.activation });
    const inputAdapter = u0 && !foldInput ? u0.transpose() : null;
    return { narrow, inputAdapter, uOut: u, decoders, selected };
  });
  const compressed: Omit<CompressedModel, 'certificate'> = {
    construction: 'exact-low-rank', narrow: built.narrow, inputAdapter: built.inputAdapter, uOut: built.uOut,
    decoders: built.decoders,
    details: { d, tol, identityTol, foldInput, selectedFeatures: built.selected },
  };
  return { ...compressed, certificate: certifyWith(exactLowRankVerifier, model, compressed, x, pattern, options) };
}
