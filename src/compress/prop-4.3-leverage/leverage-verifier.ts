// The certificate of Proposition 4.3 (Shirzad et al. 2024; docs/theory.md#10-proposition-43--leverage-score-row-sampling):
// the sampling event of Lemma C.3 measured on the reference, Theorem 4.2's attention checks, and the sampled-FFN inequalities.
import { scope } from '../../runtime/storage.js';
import type { DenseMatrix } from '../../linalg/dense.js';
import { spectralNorm } from '../../linalg/spectral-norm.js';
import { makeCheck } from '../framework/check.js';
import type { Check, ConstructionVerifier, VerifierResult } from '../framework/types.js';
import { mul, singularValues, takeColumns, takeRows } from '../shared/basis.js';
import { topRightSingularVectors } from '../shared/near-low-rank.js';
import { attentionChecks, outputBasisResidual, threeQuarterResidual, widthCheck } from '../shared/low-rank-checks.js';
import { leverageConstant } from './row-sampling.js';
/** What compressByLeverage records per layer in details.sampling. */
interface SamplingDetail { rows: number[]; tries: number[]; keptSeed: number }

/** Fraction of nodes with ‖U·h_i[R] − h_i‖ > C·r_i (r_i to P_34 = topd(H^(ℓ+3/4), d)) and max_i ‖U·h_i[R] − h_i‖, on the reference. */
function samplingErrors(h: DenseMatrix<'f64'>, rows: number[], u: DenseMatrix<'f64'>, d: number, constant: number, rtol: number):
  { failing: number; maxError: number; basisError: number; spans: boolean } {
  return scope(() => {
    const p34 = topRightSingularVectors(h, d);
    const n = h.rows, D = h.cols;
    const rec = mul(takeColumns(h, rows), u, false, true), proj = mul(mul(h, p34), p34, false, true);
    const hd = h.data, rd = rec.data, pd = proj.data;
    let failing = 0, maxError = 0;
    for (let i = 0; i < n; i++) {
      let err = 0, res = 0, nn = 0;
      for (let j = 0; j < D; j++) {
        const t = hd[i * D + j];
        err += (rd[i * D + j] - t) ** 2; res += (pd[i * D + j] - t) ** 2; nn += t * t;
      }
      maxError = Math.max(maxError, Math.sqrt(err));
      if (Math.sqrt(err) > constant * Math.sqrt(res) * (1 + rtol) + rtol * Math.sqrt(nn)) failing++;
    }
    // U·S·a = a for a ∈ col(P_34): the decoder is exact on the subspace (when the sampled rows span it)
    const onBasis = mul(takeRows(p34, rows), u, true, true); // d×D = (U·P_34[R,:])ᵀ
    let basisError = 0;
    for (let t = 0; t < p34.cols; t++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += (onBasis.data[t * D + j] - p34.data[j * p34.cols + t]) ** 2;
      basisError = Math.max(basisError, Math.sqrt(s));
    }
    const sv = singularValues(takeRows(p34, rows));
    return { failing: failing / n, maxError, basisError, spans: sv.length === p34.cols && sv[sv.length - 1] > 1e-8 * sv[0] };
  });
}

/** Verifier of Proposition 4.3: the sampling event, the attention checks of Thm 4.2 and the sampled-FFN inequalities. */
export const leverageVerifier: ConstructionVerifier = {
  construction: 'leverage',
  theorem: 'Proposition 4.3 (Shirzad et al. 2024): leverage-score row sampling, with Lemma C.3 — docs/theory.md#10-proposition-43--leverage-score-row-sampling',
  verify(ctx): VerifierResult {
    const { reference, compressed, tolerances: tol, beta, alpha } = ctx;
    const det = compressed.details;
    const d = Number(det.d), samples = Number(det.samples), fraction = Number(det.fraction ?? 0.99);
    const constant = leverageConstant(Number(det.delta1));
    const sampling = det.sampling as unknown as SamplingDetail[];
    const checks: Check[] = [];
    const extras: { [key: string]: number }[] = [];
    const ra = Math.sqrt(alpha);
    for (let l = 0; l < reference.depth; l++) {
      const lc = ctx.layers[l], s = sampling[l];
      const u = compressed.decoders[l].threeQuarter as DenseMatrix<'f64'>;
      const h34 = ctx.referenceTrace.layers[l].threeQuarter;
      const se = samplingErrors(h34, s.rows, u, d, constant, tol.rtol);
      const uNorm = spectralNorm(u);
      const epsilon34 = threeQuarterResidual(ctx, l, d), dist = outputBasisResidual(ctx, l);
      const eHalf = lc.halfError ?? Infinity, e34 = lc.threeQuarterError ?? Infinity, eNext = lc.outputError ?? Infinity;
      const hScale = beta * beta * (ra + (lc.inputError ?? 0));
      extras.push({ epsilon34, outputBasisResidual: dist, keptRows: s.rows.length, failingFraction: se.failing, maxSamplingError: se.maxError, decoderNorm: uNorm, constant });
      checks.push(...attentionChecks(ctx, l));
      checks.push(makeCheck(tol, {
        name: `Lemma C.3: fraction of nodes with ‖USh_i − h_i‖ > C·r_i ≤ ${+(1 - fraction).toFixed(6)}`, kind: 'hypothesis', layer: l,
        measured: se.failing, bound: 1 - fraction, detail: `C = ${constant}, k = ${samples}, k_eff = ${s.rows.length}, seeds tried ${s.tries.join(', ')}`,
      }));
      checks.push(makeCheck(tol, {
        name: 'S is 0/1 with k_eff ≤ k distinct rows', kind: 'shape', layer: l,
        measured: s.rows.length - (new Set(s.rows).size === s.rows.length ? 0 : Infinity), bound: samples, detail: `k_eff = ${s.rows.length}, k = ${samples}`,
      }));
      checks.push(makeCheck(tol, {
        name: 'U·S·a = a on col(P_34) (unit a)', kind: 'identity', layer: l, measured: se.basisError, bound: 1e-9, applicable: se.spans,
        detail: se.spans ? 'the weighted least-squares fit is exact on the subspace; tolerance 1e-9 (not in the paper (our protocol); docs/theory.md#19-tolerances-and-the-testing-protocol)' : 'not applicable: P_34[R,:] is rank-deficient',
      }));
      checks.push(makeCheck(tol, {
        name: 'e_{3/4} ≤ ‖U‖βe_{1/2} + max_i‖USh_i − h_i‖', kind: 'inequality', layer: l, measured: e34,
        bound: uNorm * beta * eHalf + se.maxError, scale: uNorm * hScale,
        detail: `Uĥ − h = U·S(σ(W_1P_Vĥ½ + b_1) − h) + (USh − h); ‖U‖ = ${uNorm}`,
      }));
      checks.push(makeCheck(tol, {
        name: 'e^(ℓ+1) ≤ βe_{3/4} + dist(W_2H^(ℓ+3/4), col U^(ℓ+1))', kind: 'inequality', layer: l, measured: eNext,
        bound: beta * e34 + dist, scale: beta * uNorm * hScale, detail: `dist = ${dist}`,
      }));
      checks.push(makeCheck(tol, {
        name: 'e^(ℓ+1) ≤ βε_34 + 2βe_{3/4}', kind: 'inequality', layer: l, measured: eNext, bound: beta * epsilon34 + 2 * beta * e34,
        scale: beta * uNorm * hScale, detail: `ε_34 = ${epsilon34}`,
      }));
      checks.push(makeCheck(tol, {
        name: 'Lemma C.1 through W_2: dist(W_2H^(ℓ+3/4), col U^(ℓ+1)) ≤ βε_34', kind: 'inequality', layer: l, measured: dist,
        bound: beta * epsilon34, scale: hScale, detail: 'col U^(ℓ+1) = col(W_2P_34)',
      }));
      checks.push(widthCheck(ctx, l, d, ['w1', 'w2']));
    }
    const seeds = sampling.map((s) => [...s.tries.filter((t) => t !== s.keptSeed), s.keptSeed]);
    return {
      checks,
      predicted: {
        outputError: null, formula: 'none', constants: { C: constant, k: samples },
        conditionsHold: false, note: 'Prop. 4.3 is a per-layer statement; its composition with the network is not analysed in the paper (docs/theory.md#10-proposition-43--leverage-score-row-sampling (construction, notes))',
      },
      layerExtras: extras,
      parameters: { d, delta0: Number(det.delta0), delta1: Number(det.delta1), samples, fraction },
      seeds,
    };
  },
};
