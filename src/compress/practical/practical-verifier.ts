// The certificate of compressPractical (practical.ts): Theorem 4.2 / 4.4's per-layer inequalities restated
// for skips, folded batch norms and biases (App. D.2; docs/theory.md#17-the-practical-variant), each evaluated on realised quantities of the actual
// graph, plus an a-priori bound that uses only the hypotheses' residuals measured on the reference.
//
// Per layer ℓ, with e = e^(ℓ) (through U), the folded norms N_k(y) = G_k y + c_k (g_k = ‖G_k‖, 1 when absent),
// skips S_k (s_k = ‖S_k‖: 1 identity, 0 none) and the Lemma C.1 residuals of the reference
// ε½ = max_i dist(h½_i, col U½), ε′ = max_i dist(h_i^(ℓ+1), col U′) [derived here, same steps as Thm 4.2, App. C.3; docs/theory.md#9-theorem-42--almost-low-rank (bounds checked)]:
//   (L2)  ε_a ≤ β²(2√α + e)e                                   (Ŵ_Q, Ŵ_K reproduce the bilinear form on Uĥ)
//   (P½)  e½ ≤ ε½ + g₁[s₁e + ‖W_V‖e + (e^{2ε_a} − 1)·B_v]      B_v = max_j ‖W_V h_j‖ on the reference (L3)
//   (P¾)  full:   e¾ ≤ ‖W_1‖e½        select: e¾ ≤ ‖U_σ‖‖W_1[S]‖e½ + ε_σ,  ε_σ = max_i ‖U_σ z_{S,i} − z_i‖
//         clusters: if ρ_x < 3/4, off-cluster z are exactly 0 and |z_{i,a(i)} − 1| ≤ Δ (Lemmas C.7–C.10)
//   (P1)  e′ ≤ ε′ + g₂[s₂e½ + ‖W_2‖e¾]                           (full, select)
//         e′ ≤ ε′ + g₂[s₂e½ + Δ·max_a‖f_a‖ + ‖W_2‖‖W_1‖·max_i‖h½_i − c_{a(i)}‖]   (clusters)
//   head: max_i ‖T(X)_i − T̂(X)_i‖ ≤ ‖W_head‖·e^(L)
// Proof of (P½): U½U½ᵀN₁(ŷ) − N₁(y) = U½U½ᵀG₁(ŷ − y) − (I − U½U½ᵀ)N₁(y), and ‖ŷ − y‖ ≤ s₁e + ‖W_V‖e + Σ_j|â_ij − a_ij|‖v_j‖.
import { scope } from '../../runtime/storage.js';
import type { DenseMatrix } from '../../linalg/dense.js';
import { spectralNorm } from '../../linalg/spectral-norm.js';
import { maxRowDistance, rowNormStats } from '../../linalg/row-norm-stats.js';
import type { LayerWeights } from '../../model/layer.js';
import { decodeMatrix } from '../../model/serialize.js';
import { makeCheck } from '../framework/check.js';
import { InputError } from '../../runtime/errors.js';
import { requireSameCentres, strictCheck } from '../thm-4.4-clusters/clusters-verifier.js';
import type { CertifyContext, Check, ConstructionVerifier, Decoder, VerifierResult } from '../framework/types.js';
import { mul, takeColumns, takeRows } from '../shared/basis.js';
import { residualsTo } from '../shared/near-low-rank.js';
import { clusterStatistics, oneHotBounds } from '../thm-4.4-clusters/one-hot.js';

/** The construction name compressPractical records. */
export const PRACTICAL_CONSTRUCTION = 'practical-low-rank';

function residual(h: DenseMatrix<'f64'>, decoder: Decoder): number {
  if (decoder === 'identity') return 0;
  if (decoder === 'none') return Infinity;
  return scope(() => residualsTo(h, decoder).epsilon);
}

function skipNorm(s: LayerWeights['attentionSkip']): number {
  return !s ? 0 : s === 'identity' ? 1 : spectralNorm(s);
}

/** e^(L): the narrow H^(L) lifted by U^(L) against the reference's (the generic record has no decoder there when a head follows). */
function finalError(ctx: CertifyContext): number {
  const enc = ctx.compressed.details.finalDecoder;
  const L = ctx.reference.depth;
  if (enc === null || enc === undefined) return ctx.layers[L - 1].outputError ?? maxRowDistance(ctx.narrowTrace.final, ctx.referenceTrace.final);
  return scope(() => {
    const u = decodeMatrix(enc) as DenseMatrix<'f64'>;
    return maxRowDistance(mul(ctx.narrowTrace.final, u, false, true), ctx.referenceTrace.final);
  });
}

interface ClusterNumbers { k: number; epsilon: number; s: number; rhoX: number; delta: number; tau: number; maxDistance: number; maxF: number;
  offCluster: number; onCluster: number; certified: boolean; deltaValid: boolean; singleCluster: boolean; reason: string }

/** Theorem 4.4's measured hypotheses and one-hot deviations at layer l (docs/theory.md#11-theorem-44--clustering: hypotheses, bounds checked). */
function clusterNumbers(ctx: CertifyContext, l: number, labels: Int32Array): ClusterNumbers {
  return scope(() => {
    const refHalf = ctx.referenceTrace.layers[l].half, narHalf = ctx.narrowTrace.layers[l].half;
    if (labels.length !== refHalf.rows) {
      throw new InputError(`certify: this clusters twin labels ${labels.length} nodes at layer ${l}, but the graph given has ${refHalf.rows}; it was built on another graph — compress again on this one with compressPractical`);
    }
    const stats = clusterStatistics(refHalf, labels);
    // G and Ŵ_1 hold the build input's centres: on another graph certify refuses (Thm 4.4, App. C.5; issue 16).
    requireSameCentres(ctx.compressed.decoders[l].threeQuarter as DenseMatrix<'f64'>, stats.centres, ctx.reference.layers[l], l, 'compressPractical');
    const reps = stats.representatives, k = stats.clusters;
    // τ = max_{i,b} |ĥ_i·ĥ_{r_b} − h_i·h_{r_b}| (the narrow coordinates are orthonormal, so these are the lifted dot products).
    const gn = mul(narHalf, takeRows(narHalf, Array.from(reps)), false, true);
    const gr = mul(refHalf, takeRows(refHalf, Array.from(reps)), false, true);
    let tau = 0;
    for (let i = 0; i < gn.data.length; i++) tau = Math.max(tau, Math.abs(gn.data[i] - gr.data[i]));
    const b = oneHotBounds({ epsilon: stats.epsilon, kappa: stats.kappa, s: stats.s, gamma1: stats.gamma1, tau });
    const z = ctx.narrowTrace.layers[l].threeQuarter, zd = z.data;
    let off = 0, on = 0;
    for (let i = 0; i < z.rows; i++) for (let a = 0; a < k; a++) {
      const v = zd[i * k + a];
      if (a === labels[i]) on = Math.max(on, Math.abs(v - 1)); else off = Math.max(off, Math.abs(v));
    }
    const g = ctx.compressed.decoders[l].threeQuarter as DenseMatrix<'f64'>;
    const f = mul(ctx.reference.layers[l].w2, g);
    const maxF = rowNormStats(f.transpose()).max;
    return { k, epsilon: stats.epsilon, s: stats.s, rhoX: b.rhoX, delta: b.delta, tau, maxDistance: stats.maxDistance, maxF, offCluster: off, onCluster: on, certified: b.certified,
      deltaValid: b.deltaValid, singleCluster: b.singleCluster, reason: b.reason };
  });
}

/** Verifier of compressPractical (see the header). */
export const practicalVerifier: ConstructionVerifier = {
  construction: PRACTICAL_CONSTRUCTION,
  theorem: 'Theorems 4.2 / 4.4 (Shirzad et al. 2024) restated for skips, batch norms and biases (App. D.2; docs/theory.md#17-the-practical-variant); docs/compression.md',
  verify(ctx): VerifierResult {
    const { reference, compressed, tolerances: tol, alpha, beta } = ctx;
    const details = compressed.details;
    const hidden = String(details.hidden ?? 'full');
    const d = Number(details.d);
    const L = reference.depth, ra = Math.sqrt(alpha);
    const checks: Check[] = [];
    const extras: { [key: string]: number }[] = [];
    const eFinal = finalError(ctx);
    let predicted = ctx.layers[0].inputError ?? 0; // e^(0) = dist(H^(0), col U^(0)) exactly: the encoder is projected
    let predictedValid = true;
    const notes: string[] = [];
    for (let l = 0; l < L; l++) {
      const lr = reference.layers[l], lc = ctx.layers[l], rt = ctx.referenceTrace.layers[l], dec = compressed.decoders[l];
      const e = lc.inputError ?? Infinity, epsA = lc.logitError, eHalf = lc.halfError ?? Infinity, e34 = lc.threeQuarterError ?? Infinity;
      const eNext = l + 1 < L ? (lc.outputError ?? Infinity) : eFinal;
      const nextDecoder: Decoder = l + 1 < L ? compressed.decoders[l + 1].input : (details.finalDecoder ? 'none' : (compressed.uOut ?? 'identity'));
      const g1 = lr.attentionNorm ? spectralNorm(lr.attentionNorm.weight) : 1, g2 = lr.ffnNorm ? spectralNorm(lr.ffnNorm.weight) : 1;
      const s1 = skipNorm(lr.attentionSkip), s2 = skipNorm(lr.ffnSkip);
      const nV = spectralNorm(lr.wV), n1 = spectralNorm(lr.w1), n2 = spectralNorm(lr.w2);
      const bV = scope(() => rowNormStats(mul(rt.input, lr.wV, false, true)).max);
      const epsHalf = residual(rt.half, dec.half);
      const epsOut = l + 1 < L || nextDecoder !== 'none' ? residual(rt.output, nextDecoder)
        : scope(() => residualsTo(rt.output, decodeMatrix(details.finalDecoder) as DenseMatrix<'f64'>).epsilon);
      const scaleH = (1 + beta) * (ra + e) + ra;
      const extra: { [key: string]: number } = { epsilonHalf: epsHalf, epsilonOut: epsOut, g1, g2, valueNormMax: bV };
      if (l === L - 1) extra.finalError = eFinal;
      checks.push(makeCheck(tol, {
        name: 'L2: ε_a ≤ β²(2√α+e)e', kind: 'inequality', layer: l, measured: epsA, bound: beta * beta * (2 * ra + e) * e,
        scale: beta * beta * (ra + e) ** 2, detail: `e^(${l}) = ${e}, α = ${alpha}, β = ${beta} (Ŵ_Q = I, Ŵ_K = (W_QU)ᵀ(W_KU))`,
      }));
      const yBound = s1 * e + nV * e + Math.expm1(2 * epsA) * bV;
      checks.push(makeCheck(tol, {
        name: '(P½) e½ ≤ ε½ + g₁[s₁e + ‖W_V‖e + (e^{2ε_a}−1)B_v]', kind: 'inequality', layer: l, measured: eHalf,
        bound: epsHalf + g1 * yBound, scale: g1 * scaleH, detail: `ε½ = ${epsHalf}, g₁ = ${g1}, s₁ = ${s1}, ‖W_V‖ = ${nV}, B_v = ${bV}, e = ${e}, ε_a = ${epsA}`,
      }));
      let outBound: number;
      const pEpsA = beta * beta * (2 * ra + predicted) * predicted;
      const pHalf = epsHalf + g1 * (s1 * predicted + nV * predicted + Math.expm1(2 * pEpsA) * bV);
      let p34: number;
      if (hidden === 'full') {
        checks.push(makeCheck(tol, {
          name: '(P¾) e¾ ≤ ‖W_1‖e½', kind: 'inequality', layer: l, measured: e34, bound: n1 * eHalf, scale: n1 * g1 * scaleH,
          detail: `σ 1-Lipschitz, the hidden layer kept D_h wide; ‖W_1‖ = ${n1}`,
        }));
        outBound = epsOut + g2 * (s2 * eHalf + n2 * e34);
        p34 = n1 * pHalf;
      } else if (hidden === 'select') {
        const sel = (details.selected as number[][])[l];
        const u = dec.threeQuarter as DenseMatrix<'f64'>;
        const nU = spectralNorm(u);
        const nS = scope(() => spectralNorm(takeRows(lr.w1, sel)));
        const epsSel = scope(() => maxRowDistance(mul(takeColumns(rt.threeQuarter, sel), u, false, true), rt.threeQuarter));
        extra.epsilonSelect = epsSel;
        checks.push(makeCheck(tol, {
          name: '(P¾) e¾ ≤ ‖U_σ‖‖W_1[S]‖e½ + ε_σ', kind: 'inequality', layer: l, measured: e34, bound: nU * nS * eHalf + epsSel,
          scale: nU * nS * g1 * scaleH, detail: `|S| = ${sel.length}, ‖U_σ‖ = ${nU}, ‖W_1[S]‖ = ${nS}, ε_σ = ${epsSel} (L7 selection residual on the reference)`,
        }));
        outBound = epsOut + g2 * (s2 * eHalf + n2 * e34);
        p34 = nU * nS * pHalf + epsSel;
      } else {
        const lab = Int32Array.from((details.labels as number[][])[l]);
        const c = clusterNumbers(ctx, l, lab);
        Object.assign(extra, { clusters: c.k, clusterEpsilon: c.epsilon, s: c.s, tau: c.tau, rhoX: c.rhoX, delta: c.delta });
        // The one-hot step holds when the off-cluster zeros do (ρ_x < 3/4, vacuously for k = 1) and Δ is a bound (ε < 1).
        const oneHot = c.certified && c.deltaValid;
        const oneHotWhy = !c.certified ? `ρ_x = ${c.rhoX} ≥ 3/4` : c.reason;
        checks.push(makeCheck(tol, {
          name: 'hypothesis (Thm 4.4): ρ_x < 3/4', kind: 'hypothesis', layer: l, measured: c.rhoX, bound: 0.75, applicable: !c.singleCluster,
          detail: c.singleCluster ? 'not applicable: k = 1, no off-cluster pair (s = −∞), so the off-cluster zeros hold vacuously; ε < 1 is checked next' : `k = ${c.k}, ε = ${c.epsilon}, s = ${c.s}, τ = ${c.tau} (Thm 4.4, App. C.5; docs/theory.md#11-theorem-44--clustering (hypotheses), generalised separation)`,
        }));
        checks.push(strictCheck(tol, {
          name: 'hypothesis (Thm 4.4): cluster spread ε < 1 (Lemmas C.7–C.10)', kind: 'hypothesis', layer: l, measured: c.epsilon, bound: 1,
          detail: 'ρ_x and Δ divide by (1−ε)² − τ′, a lower bound of ‖ĉ_a‖²/‖c_a‖² only when ε < 1 (Thm 4.4, App. C.5; docs/theory.md#11-theorem-44--clustering (notes))',
        }));
        checks.push(makeCheck(tol, {
          name: 'hypothesis (Thm 4.4): Δ < 1 (nodes close to their centres)', kind: 'hypothesis', layer: l, measured: c.delta, bound: 1,
          detail: `Δ = 4(4ε + 2ε² + 2τ′)/((1−ε)² − τ′) with ε = ${c.epsilon}: "sufficiently small ε" of Thm 4.4, App. C.5; docs/theory.md#11-theorem-44--clustering (notes); k = 1 makes ρ_x vacuous, not Δ${c.deltaValid ? '' : ` (Δ = ∞: ${c.reason})`}`,
        }));
        checks.push(makeCheck(tol, {
          name: 'one-hot: off-cluster z exactly 0', kind: 'identity', layer: l, measured: c.offCluster, bound: 0, applicable: c.certified,
          detail: !c.certified ? 'not applicable: ρ_x ≥ 3/4' : c.singleCluster ? 'k = 1: no off-cluster entry (vacuous)' : 'Lemmas C.9/C.10',
        }));
        checks.push(makeCheck(tol, {
          name: 'one-hot: |z_{i,a(i)} − 1| ≤ Δ', kind: 'inequality', layer: l, measured: c.onCluster, bound: c.delta, applicable: c.deltaValid,
          detail: c.deltaValid ? `Lemmas C.7/C.8, Δ = ${c.delta}; ${c.reason}` : c.reason,
        }));
        outBound = epsOut + g2 * (s2 * eHalf + c.delta * c.maxF + n2 * n1 * c.maxDistance);
        p34 = NaN;
        if (!oneHot) { predictedValid = false; notes.push(`layer ${l}: ${oneHotWhy}`); outBound = Infinity; }
        predicted = epsOut + g2 * (s2 * pHalf + c.delta * c.maxF + n2 * n1 * c.maxDistance);
      }
      checks.push(makeCheck(tol, {
        name: hidden === 'clusters' ? '(P1) e′ ≤ ε′ + g₂[s₂e½ + Δ max‖f_a‖ + ‖W_2‖‖W_1‖ max‖h½ − c‖]' : '(P1) e′ ≤ ε′ + g₂[s₂e½ + ‖W_2‖e¾]',
        kind: 'inequality', layer: l, measured: eNext, bound: outBound, applicable: hidden !== 'clusters' || Number.isFinite(outBound),
        scale: g2 * (1 + n2 * n1) * g1 * scaleH, detail: `ε′ = ${epsOut}, g₂ = ${g2}, s₂ = ${s2}, ‖W_2‖ = ${n2}, e½ = ${eHalf}, e¾ = ${e34}`,
      }));
      if (hidden !== 'clusters') predicted = epsOut + g2 * (s2 * pHalf + n2 * p34);
      const ln = compressed.narrow.layers[l];
      const dims = [ln.wQ.rows, ln.wK.rows, ln.wV.rows, ln.w2.rows, ln.wV.cols];
      if (hidden !== 'full') dims.push(ln.w1.rows);
      checks.push(makeCheck(tol, {
        name: `narrow widths ≤ d${hidden === 'full' ? ' (the FFN hidden layer stays D_h wide)' : ''}`, kind: 'shape', layer: l, measured: Math.max(...dims), bound: d,
        detail: `Ŵ_Q ${ln.wQ.rows}×${ln.wQ.cols}, Ŵ_V ${ln.wV.rows}×${ln.wV.cols}, Ŵ_1 ${ln.w1.rows}×${ln.w1.cols}, Ŵ_2 ${ln.w2.rows}×${ln.w2.cols}`,
      }));
      extras.push(extra);
    }
    let predictedOutput = predicted;
    if (reference.head) {
      const gh = spectralNorm(reference.head.weight);
      checks.push(makeCheck(tol, {
        name: 'head: ‖T(X) − T̂(X)‖ ≤ ‖W_head‖e^(L)', kind: 'inequality', layer: null, measured: ctx.outputError, bound: gh * eFinal,
        scale: gh * ctx.outputScale, detail: `‖W_head‖ = ${gh}, e^(L) = ${eFinal}`,
      }));
      predictedOutput = gh * predicted;
    }
    checks.push(makeCheck(tol, {
      name: 'a-priori chain: ‖T(X) − T̂(X)‖ ≤ the recursion from the reference residuals alone', kind: 'closed-form', layer: null,
      measured: ctx.outputError, bound: predictedOutput, applicable: predictedValid && Number.isFinite(predictedOutput), scale: ctx.outputScale,
      detail: predictedValid ? 'e^(0) = ε_0, then (L2), (P½), (P¾), (P1) with the realised e replaced by their bounds' : `not applicable: ${notes.join('; ')}`,
    }));
    return {
      checks,
      predicted: {
        outputError: predictedValid && Number.isFinite(predictedOutput) ? predictedOutput : null,
        formula: 'e^(0) = ε_0; per layer ε̃_a = β²(2√α+ẽ)ẽ, ẽ½ = ε½ + g₁[(s₁+‖W_V‖)ẽ + (e^{2ε̃_a}−1)B_v], ẽ′ = ε′ + g₂[s₂ẽ½ + ‖W_2‖ẽ¾]; ‖W_head‖ẽ^(L)',
        constants: { alpha, beta, d, epsilon0: ctx.layers[0].inputError ?? 0 },
        conditionsHold: predictedValid,
        note: predictedValid ? 'valid without smallness conditions: every step is a triangle inequality on measured residuals' : notes.join('; '),
      },
      layerExtras: extras,
      parameters: { d, hidden },
    };
  },
};
