// Theorem 3.3 of Shirzad et al. (2024) — JL compression of W_Q and W_K (THEORY §3): Ŵ_Q = M W_Q,
// Ŵ_K = M W_K with M a fresh d×D Gaussian map per layer, drawn after Ĥ^(ℓ) is fixed and verified on the
// actual graph (transductive redraw until the realised dot-product distortion η^(ℓ) ≤ ε).
import { ConvergenceError, InputError } from '../runtime/errors.js';
import { scope } from '../runtime/storage.js';
import { DenseMatrix } from '../linalg/dense.js';
import { rng } from '../random/rng.js';
import { jlMatrix, jlMinDim } from '../linalg/jl.js';
import type { CsrGraph } from '../graph/csr.js';
import { GraphTransformer } from '../model/graph-transformer.js';
import { applyOptionalAffine, copyMatrix, edgeLogits, forwardLayer } from '../model/forward.js';
import type { LayerWeights } from '../model/layer.js';
import { mul, spectralNorm } from './basis.js';
import { certifyWith, checkCompressArguments, makeCheck, type CertifyOptions } from './certificate.js';
import type { Check, CompressedModel, ConstructionVerifier, VerifierResult } from './types.js';

/**
 * The width Theorem 3.3 needs for the logits of m attention edges in L layers (THEORY §3(b)):
 * d_JL(2m, ε, δ/L) = jlMinDim(m, ε, δ/L) — polarisation needs the 2m vectors q̄_i ± k̄_j, and δ is split
 * over the layers. Then η^(ℓ) ≤ ε for every layer with probability ≥ 1 − δ. Cost O(1).
 * Throws RangeError for m or L not positive integers, ε or δ outside (0, 1).
 */
export function jlAttentionWidth(numEdges: number, eps: number, delta: number, depth: number): number {
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`jlAttentionWidth: depth must be an integer ≥ 1, got ${depth}`);
  return jlMinDim(numEdges, eps, delta / depth);
}

/**
 * η = max over pattern edges (i, j) of |q̂_i·k̂_j − q̄_i·k̄_j| / ((‖q̄_i‖² + ‖k̄_j‖²)/2): the realised
 * dot-product distortion of L5, where q̂ = M q̄ and k̂ = M k̄. Cost O(m·(D + d)).
 */
export function logitDistortion(qBar: DenseMatrix<'f64'>, kBar: DenseMatrix<'f64'>, qHat: DenseMatrix<'f64'>, kHat: DenseMatrix<'f64'>,
  pattern: CsrGraph): number {
  const exact = edgeLogits(qBar, kBar, pattern, 1), sketched = edgeLogits(qHat, kHat, pattern, 1);
  const qn = sqNorms(qBar), kn = sqNorms(kBar);
  const rp = pattern.rowPtr.array, ci = pattern.colIdx.array;
  let eta = 0;
  for (let i = 0; i < pattern.numRows; i++) {
    for (let e = rp[i]; e < rp[i + 1]; e++) {
      const den = (qn[i] + kn[ci[e]]) / 2;
      const num = Math.abs(sketched[e] - exact[e]);
      if (den > 0) eta = Math.max(eta, num / den);
      else if (num > 0) eta = Infinity;
    }
  }
  return eta;
}

function sqNorms(a: DenseMatrix<'f64'>): Float64Array {
  const out = new Float64Array(a.rows), d = a.data, c = a.cols;
  for (let i = 0; i < a.rows; i++) { let s = 0; for (let j = 0; j < c; j++) s += d[i * c + j] ** 2; out[i] = s; }
  return out;
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
 * Theorem 3.3 (Shirzad et al. 2024; THEORY §3): replaces W_Q, W_K of every layer by Ŵ_Q = M W_Q and
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
  const { eps } = options;
  if (eps !== undefined && !(eps > 0 && eps < 1)) throw new RangeError(`${fn}: options.eps must lie in (0, 1), got ${eps}`);
  const delta = options.delta ?? 0.1;
  if (!(delta > 0 && delta < 1)) throw new RangeError(`${fn}: options.delta must lie in (0, 1), got ${delta}`);
  if (options.d === undefined && eps === undefined) throw new InputError(`${fn}: give options.d, or options.eps (and delta) to derive d`);
  const rule = eps !== undefined ? jlAttentionWidth(pattern.numEdges, eps, delta, model.depth) : null;
  const d = options.d ?? rule!;
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`${fn}: options.d must be an integer ≥ 1, got ${d}`);
  const maxTries = options.maxTries ?? 10;
  if (!Number.isInteger(maxTries) || maxTries < 1) throw new RangeError(`${fn}: options.maxTries must be an integer ≥ 1, got ${maxTries}`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new InputError(`${fn}: options.seed must be an integer, got ${seed}`);

  const kind = options.kind ?? 'gaussian';
  if (kind !== 'gaussian' && kind !== 'sparse-sign') throw new InputError(`${fn}: options.kind must be 'gaussian' or 'sparse-sign', got ${String(kind)}`);
  const master = rng(seed);
  const seeds: number[][] = [];
  const etas: number[] = [];
  const keptSeeds: number[] = [];
  const narrow = scope(() => {
    const x64 = (x.dtype === 'f64' ? x : copyMatrix(x, 'f64')) as DenseMatrix<'f64'>;
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
        if (!options.allowUncertified) {
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

function maxAbsEntryDiff(a: DenseMatrix<'f64'>, b: DenseMatrix<'f64'>): number {
  if (a.rows !== b.rows || a.cols !== b.cols) return Infinity;
  const ad = a.data, bd = b.data;
  let w = 0;
  for (let i = 0; i < ad.length; i++) w = Math.max(w, Math.abs(ad[i] - bd[i]));
  return w;
}

/** Verifier of Theorem 3.3: (3.1), (3.3), (3.4), η ≤ ε, unchanged maps, shapes, closed form (THEORY §3(c)). */
export const jlVerifier: ConstructionVerifier = {
  construction: 'jl',
  theorem: 'Theorem 3.3 (Shirzad et al. 2024): JL on W_Q, W_K — THEORY.md §3',
  verify(ctx): VerifierResult {
    const { reference, compressed, tolerances: tol, alpha, beta } = ctx;
    const narrow = compressed.narrow;
    const details = compressed.details;
    const eps = typeof details.eps === 'number' ? details.eps : null;
    const d = typeof details.d === 'number' ? details.d : narrow.layers[0].wQ.rows;
    const ra = Math.sqrt(alpha), b2 = beta * beta;
    const checks: Check[] = [];
    const etas: number[] = [];
    const practical = reference.variant === 'practical';
    const L = reference.depth;
    for (let l = 0; l < L; l++) {
      const lr = reference.layers[l], ln = narrow.layers[l], lc = ctx.layers[l];
      const h = ctx.narrowTrace.layers[l].input;
      const eta = scope(() => logitDistortion(mul(h, lr.wQ, false, true), mul(h, lr.wK, false, true),
        mul(h, ln.wQ, false, true), mul(h, ln.wK, false, true), ctx.pattern));
      etas.push(eta);
      const e = lc.inputError ?? Infinity, epsA = lc.logitError, eHalf = lc.halfError ?? Infinity, eNext = lc.outputError ?? Infinity;
      const unchanged = Math.max(maxAbsEntryDiff(ln.wV, lr.wV), maxAbsEntryDiff(ln.w1, lr.w1), maxAbsEntryDiff(ln.w2, lr.w2),
        (ln.logitScale ?? 1) === (lr.logitScale ?? 1) ? 0 : Infinity);
      checks.push(makeCheck(tol, {
        name: 'W_V, W_1, W_2 and the logit scale unchanged', kind: 'identity', layer: l, measured: unchanged, bound: 0,
        detail: 'Theorem 3.3 changes only W_Q and W_K (max |entry difference|)',
      }));
      checks.push(makeCheck(tol, {
        name: 'Ŵ_Q, Ŵ_K have d rows', kind: 'shape', layer: l,
        measured: Math.max(Math.abs(ln.wQ.rows - d), Math.abs(ln.wK.rows - d)), bound: 0, detail: `d = ${d}; rows ${ln.wQ.rows}, ${ln.wK.rows}`,
      }));
      if (eps !== null) {
        checks.push(makeCheck(tol, {
          name: 'JL event η^(ℓ) ≤ ε', kind: 'hypothesis', layer: l, measured: eta, bound: eps,
          detail: `realised max_E |q̂·k̂ − q̄·k̄| / ((‖q̄‖² + ‖k̄‖²)/2) against ε = ${eps}`,
        }));
      }
      const epsABound = b2 * (2 * ra + e) * e + eta * b2 * (ra + e) ** 2;
      checks.push(makeCheck(tol, {
        name: '(3.1) ε_a ≤ β²(2√α+e)e + ηβ²(√α+e)²', kind: 'inequality', layer: l, measured: epsA, bound: epsABound,
        scale: b2 * (ra + e) ** 2,
        detail: `e = ${e}, η = ${eta}, α = ${alpha}, β = ${beta}`,
      }));
      const growth = Math.expm1(2 * epsA) * beta * ra;
      if (!practical) {
        checks.push(makeCheck(tol, {
          name: '(3.3) e_{1/2} ≤ βe + (e^{2ε_a} − 1)β√α', kind: 'inequality', layer: l, measured: eHalf, bound: beta * e + growth,
          scale: beta * (ra + e), detail: `e = ${e}, ε_a = ${epsA}`,
        }));
        checks.push(makeCheck(tol, {
          name: '(3.4) e^(ℓ+1) ≤ β² e_{1/2}', kind: 'inequality', layer: l, measured: eNext, bound: b2 * eHalf,
          scale: b2 * beta * (ra + e), detail: `e_{1/2} = ${eHalf}`,
        }));
      } else {
        const g1 = lr.attentionNorm ? spectralNorm(lr.attentionNorm.weight) : 1;
        const g2 = lr.ffnNorm ? spectralNorm(lr.ffnNorm.weight) : 1;
        const s1 = !lr.attentionSkip ? 0 : lr.attentionSkip === 'identity' ? 1 : spectralNorm(lr.attentionSkip);
        const s2 = !lr.ffnSkip ? 0 : lr.ffnSkip === 'identity' ? 1 : spectralNorm(lr.ffnSkip);
        checks.push(makeCheck(tol, {
          name: '(3.3, §1.3) e_{1/2} ≤ g₁[(s₁+β)e + (e^{2ε_a} − 1)β√α]', kind: 'inequality', layer: l, measured: eHalf,
          bound: g1 * ((s1 + beta) * e + growth), scale: g1 * (1 + beta) * (ra + e), detail: `g₁ = ${g1}, s₁ = ${s1}, e = ${e}, ε_a = ${epsA}`,
        }));
        checks.push(makeCheck(tol, {
          name: '(3.4, §1.3) e^(ℓ+1) ≤ g₂(s₂ + β²)e_{1/2}', kind: 'inequality', layer: l, measured: eNext,
          bound: g2 * (s2 + b2) * eHalf, scale: g2 * (1 + b2) * g1 * (1 + beta) * (ra + e), detail: `g₂ = ${g2}, s₂ = ${s2}, e_{1/2} = ${eHalf}`,
        }));
      }
    }
    const eL = ctx.layers[L - 1].outputError ?? Infinity;
    if (reference.head) {
      const gh = spectralNorm(reference.head.weight);
      checks.push(makeCheck(tol, {
        name: 'head: ‖T(X) − T̂(X)‖ ≤ ‖W_head‖ e^(L)', kind: 'inequality', layer: null, measured: ctx.outputError, bound: gh * eL,
        scale: gh * ctx.outputScale, detail: `‖W_head‖ = ${gh}, e^(L) = ${eL}`,
      }));
    }
    // Closed form (THEORY §3(c)); theory variant only.
    const epsUsed = eps ?? Math.max(...etas);
    const c1 = beta ** 3 + 4 * beta ** 5 * ra * (2 * ra + 1);
    const c2 = 4 * beta ** 5 * ra * (1 + ra) ** 2;
    const sum = c1 === 1 ? L : (c1 ** L - 1) / (c1 - 1);
    const closed = c2 * epsUsed * sum;
    const failed: string[] = [];
    if (practical) failed.push('practical variant (only the per-layer recursion of THEORY §1.3 applies)');
    ctx.layers.forEach((lc, l) => {
      if (!((lc.inputError ?? Infinity) <= 1)) failed.push(`e^(${l}) = ${lc.inputError} > 1`);
      if (!(2 * lc.logitError <= 1)) failed.push(`2ε_a^(${l}) = ${2 * lc.logitError} > 1`);
      if (!(etas[l] <= epsUsed)) failed.push(`η^(${l}) = ${etas[l]} > ε = ${epsUsed}`);
    });
    const conditionsHold = failed.length === 0;
    checks.push(makeCheck(tol, {
      name: 'closed form e^(L) ≤ c2·ε·(c1^L − 1)/(c1 − 1)', kind: 'closed-form', layer: null, measured: ctx.outputError, bound: closed,
      applicable: conditionsHold, scale: ctx.outputScale,
      detail: conditionsHold ? `c1 = ${c1}, c2 = ${c2}, ε = ${epsUsed}, L = ${L}` : `not applicable: ${failed.join('; ')}`,
    }));
    return {
      checks,
      predicted: {
        outputError: conditionsHold ? closed : null,
        formula: 'c2·ε·(c1^L − 1)/(c1 − 1), c1 = β³ + 4β⁵√α(2√α+1), c2 = 4β⁵√α(1+√α)²',
        constants: { c1, c2, eps: epsUsed, L },
        conditionsHold,
        note: conditionsHold ? 'e^(ℓ) ≤ 1, 2ε_a ≤ 1 and η ≤ ε at every layer' : failed.join('; '),
      },
      layerExtras: etas.map((eta) => ({ eta })),
      parameters: { d, eps, delta: details.delta ?? null, dRule: details.dRule ?? null },
      seeds: Array.isArray(details.seeds) ? (details.seeds as number[][]) : null,
    };
  },
};
