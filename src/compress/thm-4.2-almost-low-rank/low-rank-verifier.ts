// The certificate checks of Theorem 4.2 (App. C.3; docs/theory.md#9-theorem-42--almost-low-rank: hypotheses, bounds checked) and the attention checks that Prop. 4.3 and
// Thm 4.4 share with it. Every inequality is evaluated on realised quantities of the actual graph.
import { makeCheck } from '../framework/check.js';
import type { Check, ConstructionVerifier, VerifierResult } from '../framework/types.js';
import { attentionChecks, outputBasisResidual, threeQuarterResidual, widthCheck } from '../shared/low-rank-checks.js';
import { lowRankClosedForm } from './closed-form.js';

/** Verifier of Theorem 4.2: the per-layer inequalities of docs/theory.md#9-theorem-42--almost-low-rank (bounds checked), the shapes, and the closed form. */
export const lowRankVerifier: ConstructionVerifier = {
  construction: 'low-rank',
  theorem: 'Theorem 4.2 (Shirzad et al. 2024): almost low rank, with Lemma C.1 — docs/theory.md#9-theorem-42--almost-low-rank',
  verify(ctx): VerifierResult {
    const { reference, compressed, tolerances: tol, alpha, beta } = ctx;
    const d = Number(compressed.details.d);
    const givenEps = typeof compressed.details.epsilon === 'number' ? compressed.details.epsilon : null;
    const L = reference.depth, ra = Math.sqrt(alpha);
    const checks: Check[] = [];
    const extras: { [key: string]: number }[] = [];
    const eps34: number[] = [];
    for (let l = 0; l < L; l++) {
      const lc = ctx.layers[l];
      const e34 = lc.threeQuarterError ?? Infinity, eHalf = lc.halfError ?? Infinity, eNext = lc.outputError ?? Infinity;
      const epsilon34 = threeQuarterResidual(ctx, l, d), dist = outputBasisResidual(ctx, l);
      eps34.push(epsilon34);
      extras.push({ epsilon34, outputBasisResidual: dist });
      const hScale = beta * beta * (ra + (lc.inputError ?? 0));
      checks.push(...attentionChecks(ctx, l));
      checks.push(makeCheck(tol, {
        name: 'e_{3/4} ≤ βe_{1/2}', kind: 'inequality', layer: l, measured: e34, bound: beta * eHalf, scale: hScale,
        detail: `σ 1-Lipschitz, ‖W_1‖ ≤ β; e_{1/2} = ${eHalf}`,
      }));
      checks.push(makeCheck(tol, {
        name: 'e^(ℓ+1) ≤ βε_34 + 2βe_{3/4}', kind: 'inequality', layer: l, measured: eNext, bound: beta * epsilon34 + 2 * beta * e34,
        scale: beta * hScale, detail: `ε_34 = ${epsilon34}, e_{3/4} = ${e34}`,
      }));
      checks.push(makeCheck(tol, {
        name: '[sharper] e^(ℓ+1) ≤ βe_{3/4} + dist(W_2H^(ℓ+3/4), col U^(ℓ+1))', kind: 'inequality', layer: l, measured: eNext,
        bound: beta * e34 + dist, scale: beta * hScale, detail: `U^(ℓ+1)U^(ℓ+1)ᵀ is an orthogonal projector; dist = ${dist}`,
      }));
      checks.push(makeCheck(tol, {
        name: 'Lemma C.1 through W_2: dist(W_2H^(ℓ+3/4), col U^(ℓ+1)) ≤ βε_34', kind: 'inequality', layer: l, measured: dist,
        bound: beta * epsilon34, scale: beta * hScale, detail: 'col U^(ℓ+1) = col(W_2P_34) ∋ W_2P_34P_34ᵀh_i',
      }));
      checks.push(widthCheck(ctx, l, d, ['w1', 'w2']));
    }
    const epsX = ctx.layers[0].inputError ?? 0;
    const epsilon = Math.max(epsX, ...eps34);
    if (givenEps !== null) {
      checks.push(makeCheck(tol, {
        name: 'hypothesis: ε = max(ε_X, max_ℓ ε_34) ≤ the given ε', kind: 'hypothesis', layer: null, measured: epsilon, bound: givenEps,
        detail: `ε_X = ${epsX}, ε_34 = [${eps34.join(', ')}] (Lemma C.1 certificates)`,
      }));
    }
    const closed = lowRankClosedForm(alpha, beta, epsilon, L);
    const failed: string[] = [];
    ctx.layers.forEach((lc, l) => {
      if (!((lc.inputError ?? 0) <= 1)) failed.push(`e^(${l}) = ${lc.inputError} > 1`);
      if (!(2 * lc.logitError <= 1)) failed.push(`2ε_a^(${l}) = ${2 * lc.logitError} > 1`);
    });
    const conditionsHold = failed.length === 0;
    checks.push(makeCheck(tol, {
      name: 'closed form e^(L) ≤ c1^L ε + c2 ε (c1^L − 1)/(c1 − 1)', kind: 'closed-form', layer: null, measured: ctx.outputError,
      bound: closed.bound, applicable: conditionsHold, scale: ctx.outputScale,
      detail: conditionsHold ? `c1 = ${closed.c1}, c2 = ${closed.c2}, ε = ${epsilon}, L = ${L}` : `not applicable: ${failed.join('; ')}`,
    }));
    return {
      checks,
      predicted: {
        outputError: conditionsHold ? closed.bound : null,
        formula: 'c1^L ε + c2 ε (c1^L − 1)/(c1 − 1), c1 = 2β³(1 + 4β²√α(2√α+1)), c2 = β',
        constants: { c1: closed.c1, c2: closed.c2, eps: epsilon, epsX, L },
        conditionsHold,
        note: conditionsHold ? 'e^(ℓ) ≤ 1 and 2ε_a ≤ 1 at every layer' : failed.join('; '),
      },
      layerExtras: extras,
      parameters: { d, epsilon: givenEps },
    };
  },
};
