// The certificate of Proposition 4.1 (Shirzad et al. 2024; docs/theory.md#5-proposition-41--exact-low-rank): the rank
// hypotheses measured on X and every H^(ℓ+3/4), exactness of each stage and of T(X), and the widths.
import { rowNormStats } from '../../linalg/row-norm-stats.js';
import { makeCheck } from '../framework/check.js';
import type { Check, ConstructionVerifier, VerifierResult } from '../framework/types.js';
import { rankFromSingularValues, singularValues } from '../shared/basis.js';
/** Verifier of Proposition 4.1: rank hypotheses, exactness of every stage and of T(X), widths ≤ d (docs/theory.md#5-proposition-41--exact-low-rank: bounds checked, tests). */
export const exactLowRankVerifier: ConstructionVerifier = {
  construction: 'exact-low-rank',
  theorem: 'Proposition 4.1 (Shirzad et al. 2024): exact low rank — docs/theory.md#5-proposition-41--exact-low-rank',
  verify(ctx): VerifierResult {
    const { compressed, tolerances: t, referenceTrace: rt } = ctx;
    const det = compressed.details;
    const d = Number(det.d);
    const rtol = typeof det.tol === 'number' ? det.tol : 1e-10;
    const idTol = typeof det.identityTol === 'number' ? det.identityTol : 1e-9;
    const checks: Check[] = [];
    const rankX = rankFromSingularValues(singularValues(ctx.x), rtol);
    checks.push(makeCheck(t, { name: 'rank(X) ≤ d', kind: 'hypothesis', layer: null, measured: rankX, bound: d, detail: `numerical rank (s_k > ${rtol}·s₁) ${rankX}, d = ${d}` }));
    const extras: { [k: string]: number }[] = [];
    ctx.layers.forEach((lc, l) => {
      const lt = rt.layers[l];
      const rank34 = rankFromSingularValues(singularValues(lt.threeQuarter), rtol);
      extras.push({ rankThreeQuarter: rank34 });
      checks.push(makeCheck(t, { name: 'rank(H^(ℓ+3/4)) ≤ d', kind: 'hypothesis', layer: l, measured: rank34, bound: d, detail: `numerical rank ${rank34}, d = ${d}` }));
      const stages: [string, number | null, number][] = [
        ['U^(ℓ)Ĥ^(ℓ) = H^(ℓ)', lc.inputError, rowNormStats(lt.input).max],
        ['U_V Ĥ^(ℓ+1/2) = H^(ℓ+1/2)', lc.halfError, rowNormStats(lt.half).max],
        ['U_σ Ĥ^(ℓ+3/4) = H^(ℓ+3/4)', lc.threeQuarterError, rowNormStats(lt.threeQuarter).max],
      ];
      for (const [name, err, scale] of stages) {
        checks.push(makeCheck(t, { name, kind: 'identity', layer: l, measured: err ?? Infinity, bound: idTol * scale, detail: `max_i error relative to max_i ‖h_i‖ = ${scale}` }));
      }
      // log a = s − logsumexp(s): its rounding error is relative to the logits' size, so the tolerance is too.
      let sMax = 1;
      for (let e = 0; e < lt.logits.length; e++) sMax = Math.max(sMax, Math.abs(lt.logits[e]));
      checks.push(makeCheck(t, {
        name: 'â = a (max |log â − log a|)', kind: 'identity', layer: l, measured: lc.maxLogRatio, bound: idTol * sMax,
        detail: `log-weights agree to identityTol·max(1, max_E |s_ij|), max_E |s_ij| = ${sMax}`,
      }));
      const ln = compressed.narrow.layers[l];
      const dims = [ln.wQ.rows, ln.wK.rows, ln.wV.rows, ln.w1.rows, ln.w2.rows, ln.w1.cols, ln.w2.cols, l === 0 ? 0 : ln.wQ.cols];
      checks.push(makeCheck(t, { name: 'every compressed weight dimension ≤ d', kind: 'shape', layer: l, measured: Math.max(...dims), bound: d, detail: `layer 0 may read d_in columns; dims ${dims.join(', ')}` }));
    });
    checks.push(makeCheck(t, {
      name: 'T(X) = U_out T̂(X)', kind: 'identity', layer: null, measured: ctx.outputError, bound: idTol * ctx.outputScale,
      detail: `max_i ‖T(X)_i − U_out T̂(X)_i‖ relative to max_i ‖T(X)_i‖ = ${ctx.outputScale}`,
    }));
    return {
      checks,
      predicted: { outputError: 0, formula: 'T(X) = U_out T̂(X) (exact; checked to identityTol·max‖T(X)_i‖)', constants: { identityTol: idTol }, conditionsHold: true, note: 'no error propagation: every stage is reproduced exactly' },
      layerExtras: extras,
      parameters: { d, tol: rtol, identityTol: idTol, rankX },
    };
  },
};
