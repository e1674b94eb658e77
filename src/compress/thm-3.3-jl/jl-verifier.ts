// The certificate of Theorem 3.3 (Shirzad et al. 2024; docs/theory.md#4-theorem-33--jl-on-w_q-and-w_k): the realised
// dot-product distortion η^(ℓ) of Lemma L5, the per-layer inequalities (3.1), (3.3), (3.4) on the actual graph, and the
// closed form. The construction (jl.ts) uses logitDistortion to redraw until η ≤ ε.
import { scope } from '../../runtime/storage.js';
import type { DenseMatrix } from '../../linalg/dense.js';
import { spectralNorm } from '../../linalg/spectral-norm.js';
import { makeCheck } from '../framework/check.js';
import type { Check, ConstructionVerifier, VerifierResult } from '../framework/types.js';
import { mul } from '../shared/basis.js';
import { edgeDotDistortion } from '../shared/jl-distortion.js';
/**
 * η = max over pattern edges (i, j) of |q̂_i·k̂_j − q̄_i·k̄_j| / ((‖q̄_i‖² + ‖k̄_j‖²)/2): the realised
 * dot-product distortion of L5, where q̂ = M q̄ and k̂ = M k̄. Cost O(m·(D + d)). One implementation, in
 * compress/shared/jl-distortion.ts, which Theorem 4.4's case (1) measures with too.
 */
export const logitDistortion = edgeDotDistortion;

function maxAbsEntryDiff(a: DenseMatrix<'f64'>, b: DenseMatrix<'f64'>): number {
  if (a.rows !== b.rows || a.cols !== b.cols) return Infinity;
  const ad = a.data, bd = b.data;
  let w = 0;
  for (let i = 0; i < ad.length; i++) w = Math.max(w, Math.abs(ad[i] - bd[i]));
  return w;
}

/** Verifier of Theorem 3.3: (3.1), (3.3), (3.4), η ≤ ε, unchanged maps, shapes, closed form (docs/theory.md#4-theorem-33--jl-on-w_q-and-w_k (bounds checked)). */
export const jlVerifier: ConstructionVerifier = {
  construction: 'jl',
  theorem: 'Theorem 3.3 (Shirzad et al. 2024): JL on W_Q, W_K — docs/theory.md#4-theorem-33--jl-on-w_q-and-w_k',
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
    // Closed form (Thm 3.3, App. C.1; docs/theory.md#4-theorem-33--jl-on-w_q-and-w_k (bounds checked)); theory variant only.
    const epsUsed = eps ?? Math.max(...etas);
    const c1 = beta ** 3 + 4 * beta ** 5 * ra * (2 * ra + 1);
    const c2 = 4 * beta ** 5 * ra * (1 + ra) ** 2;
    const sum = c1 === 1 ? L : (c1 ** L - 1) / (c1 - 1);
    const closed = c2 * epsUsed * sum;
    const failed: string[] = [];
    if (practical) failed.push('practical variant (only the per-layer recursion of App. D.2; docs/theory.md#17-the-practical-variant applies)');
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
