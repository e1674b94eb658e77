// Theorem 3.3 of Shirzad et al. (2024) — JL compression of W_Q and W_K (docs/theory.md#4-theorem-33--jl-on-w_q-and-w_k): Ŵ_Q = M W_Q,
// Ŵ_K = M W_K with M a fresh d×D Gaussian map per layer, drawn after Ĥ^(ℓ) is fixed and verified on the
// actual graph (transductive redraw until the realised dot-product distortion η^(ℓ) ≤ ε).
import { ConvergenceError, InputError } from '../../runtime/errors.js';
import { scope } from '../../runtime/storage.js';
import { DenseMatrix } from '../../linalg/dense.js';
import { rng } from '../../random/rng.js';
import { jlMatrix, jlMinDim } from '../../linalg/jl.js';
import type { CsrGraph } from '../../graph/csr.js';
import { GraphTransformer } from '../../model/graph-transformer.js';
import { applyOptionalAffine, forwardLayer } from '../../model/forward.js';
import type { LayerWeights } from '../../model/layer.js';
import { checkCompressArguments, checkTolerances } from '../framework/arguments.js';
import { checkOptionsObject, LIMITS, optionalBoolean, requireChoice, requireInt, requireOpen, requireSeed } from '../../runtime/validate.js';
import { certifyWith } from '../framework/certificate.js';
import type { CertifyOptions } from '../framework/check.js';
import type { CompressedModel } from '../framework/types.js';
import { mul } from '../shared/basis.js';
import { jlVerifier, logitDistortion } from './jl-verifier.js';

/**
 * The width Theorem 3.3 needs for the logits of m attention edges in L layers (docs/theory.md#4-theorem-33--jl-on-w_q-and-w_k (construction)):
 * d_JL(2m, ε, δ/L) = jlMinDim(m, ε, δ/L) — polarisation needs the 2m vectors q̄_i ± k̄_j, and δ is split
 * over the layers. Then η^(ℓ) ≤ ε for every layer with probability ≥ 1 − δ. Cost O(1).
 * Throws ArgumentRangeError / ArgumentTypeError (NarrowgtErrors) for m or L not positive integers, ε or δ outside (0, 1).
 */
export function jlAttentionWidth(numEdges: number, eps: number, delta: number, depth: number): number {
  requireInt('jlAttentionWidth', 'depth', depth, 1);
  return jlMinDim(numEdges, eps, delta / depth);
}

export interface CompressWithJlOptions extends CertifyOptions {
  /** Rows of Ŵ_Q, Ŵ_K. Default (with eps): jlAttentionWidth(m, eps, delta, L). */
  d?: number;
  /** Accept a draw only when η^(ℓ) ≤ eps (0 < eps < 1). Without eps the first draw is kept. */
  eps?: number;
  /** Failure probability of the JL rule when d is derived from eps (default 0.1). */
  delta?: number;
  /** The JL map: 'gaussian' (iid N(0, 1/d), default) or 'sparse-sign' (Achlioptas; same L5 bound at density 1 or 1/3). */
  kind?: 'gaussian' | 'sparse-sign';
  /** Seed of the per-layer, per-try sketch seeds (default 0). */
  seed?: number;
  /** Draws per layer before giving up (default 10). */
  maxTries?: number;
  /** Return the best draw with a failing certificate instead of throwing ConvergenceError (default false). */
  allowUncertified?: boolean;
}

/**
 * Theorem 3.3 (Shirzad et al. 2024; docs/theory.md#4-theorem-33--jl-on-w_q-and-w_k): replaces W_Q, W_K of every layer by Ŵ_Q = M W_Q and
 * Ŵ_K = M W_K (d rows), M^(ℓ) iid N(0, 1/d) drawn after Ĥ^(ℓ) is fixed; W_V, W_1, W_2 (and any
 * practical-variant parts) are kept. With eps, each layer's draw is verified on the graph and redrawn
 * (≤ maxTries) until η^(ℓ) ≤ eps; the seeds are recorded in the certificate. U_out = I.
 * Cost: per layer and try O(n·D·d + m·(D + d)); the logits then cost O(m·d) instead of O(m·D).
 * Accuracy: the certificate checks (3.1)–(3.4) in realised quantities and the closed form
 * e^(L) ≤ c2·ε·(c1^L − 1)/(c1 − 1) when its conditions hold.
 * Throws InputError / RangeError on bad arguments (before any work), ConvergenceError when no draw of a
 * layer meets eps within maxTries (unless allowUncertified).
 */
export function compressWithJl(model: GraphTransformer, x: DenseMatrix, pattern: CsrGraph, options: CompressWithJlOptions = {}): CompressedModel {
  const fn = 'compressWithJl';
  checkCompressArguments(fn, model, x, pattern);
  checkOptionsObject(fn, options);
  checkTolerances(fn, options);
  const { eps } = options;
  if (eps !== undefined) requireOpen(fn, 'options.eps', eps, 0, 1);
  const delta = options.delta ?? 0.1;
  requireOpen(fn, 'options.delta', delta, 0, 1);
  if (options.d === undefined && eps === undefined) throw new InputError(`${fn}: give options.d, or options.eps (and delta) to derive d`);
  if (options.d !== undefined) requireInt(fn, 'options.d', options.d, 1);
  const maxTries = options.maxTries ?? 10;
  requireInt(fn, 'options.maxTries', maxTries, 1, LIMITS.restarts);
  const seed = options.seed ?? 0;
  requireSeed(fn, seed);
  const allowUncertified = optionalBoolean(fn, 'options.allowUncertified', options.allowUncertified, false);
  const kind = options.kind ?? 'gaussian';
  requireChoice(fn, 'options.kind', kind, ['gaussian', 'sparse-sign'] as const);
  const rule = eps !== undefined ? jlAttentionWidth(pattern.numEdges, eps, delta, model.depth) : null;
  const d = options.d ?? rule!;
  const master = rng(seed);
  const seeds: number[][] = [];
  const etas: number[] = [];
  const keptSeeds: number[] = [];
  const narrow = scope(() => {
    const x64 = (x.dtype === 'f64' ? x : x.clone('f64')) as DenseMatrix<'f64'>;
    let h = applyOptionalAffine(x64, model.encoder);
    const out: LayerWeights[] = [];
    model.layers.forEach((layer, l) => {
      const qBar = mul(h, layer.wQ, false, true), kBar = mul(h, layer.wK, false, true);
      const tried: number[] = [];
      let best: { eta: number; seed: number; wQ: DenseMatrix<'f64'>; wK: DenseMatrix<'f64'> } | null = null;
      for (let t = 0; t < maxTries; t++) {
        const s = master.nextUint32();
        tried.push(s);
        const m = jlMatrix(d, layer.wQ.rows, { kind, seed: s });
        const wQ = mul(m, layer.wQ), wK = mul(m, layer.wK);
        m.free();
        const qHat = mul(h, wQ, false, true), kHat = mul(h, wK, false, true);
        const eta = logitDistortion(qBar, kBar, qHat, kHat, pattern);
        qHat.free(); kHat.free();
        if (!best || eta < best.eta) {
          best?.wQ.free(); best?.wK.free();
          best = { eta, seed: s, wQ, wK };
        } else {
          wQ.free(); wK.free();
        }
        if (eps === undefined || eta <= eps) break;
      }
      if (eps !== undefined && best!.eta > eps) {
        if (!allowUncertified) {
          throw new ConvergenceError(`${fn}: layer ${l}: no draw of M met η ≤ ε = ${eps} in ${maxTries} tries (best η = ${best!.eta}); ` +
            `d = ${d}${rule !== null ? `, the JL rule gives d = ${rule}` : ''} — raise d, eps or maxTries, or pass allowUncertified`);
        }
      }
      seeds.push(tried);
      keptSeeds.push(best!.seed);
      etas.push(best!.eta);
      const narrowLayer: LayerWeights = { ...layer, wQ: best!.wQ, wK: best!.wK };
      out.push(narrowLayer);
      const step = forwardLayer(narrowLayer, h, pattern, model.activation, false);
      h = step.output;
      qBar.free(); kBar.free();
    });
    // Built inside the scope: the drawn Ŵ_Q, Ŵ_K are freed once the model holds its copies.
    return new GraphTransformer({ layers: out, activation: model.activation, variant: model.variant, encoder: model.encoder, head: model.head });
  });
  const compressed: Omit<CompressedModel, 'certificate'> = {
    construction: 'jl', narrow, inputAdapter: null, uOut: null,
    decoders: model.layers.map(() => ({ input: 'identity', half: 'identity', threeQuarter: 'identity' })),
    details: { d, eps: eps ?? null, delta, kind, seed, maxTries, seeds, keptSeeds, dRule: rule, constructionEta: etas },
  };
  return { ...compressed, certificate: certifyWith(jlVerifier, model, compressed, x, pattern, options) };
}
