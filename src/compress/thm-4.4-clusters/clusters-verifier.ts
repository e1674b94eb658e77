// The certificate checks of Theorem 4.4 (App. C.5; docs/theory.md#11-theorem-44--clustering: hypotheses, bounds checked, tests): the cluster hypotheses measured on
// the reference H^(ℓ+1/2), the Gram errors τ_v and τ (L2, L4), the one-hot step (exact zeros off-cluster,
// |z − 1| ≤ Δ), the output inequality and the per-step closed form. All on realised quantities.
import { scope } from '../../runtime/storage.js';
import type { DenseMatrix } from '../../linalg/dense.js';
import { makeCheck } from '../framework/check.js';
import type { Check, ConstructionVerifier, VerifierResult } from '../framework/types.js';
import { mul } from '../shared/basis.js';
import { attentionChecks, widthCheck } from '../shared/low-rank-checks.js';
import { clusterStatistics, oneHotBounds } from './one-hot.js';
import { centreActivations } from './centre-activations.js';
import { InputError } from '../../runtime/errors.js';
import { jlFirstLayerChecks } from './jl-first-layer-checks.js';
import { forEachGramPair } from './gram-blocks.js';

/**
 * The twin's G (and Ŵ_1, F) were built from the cluster centres of the reference H^(ℓ+1/2) on the build input. On another
 * graph or features the centres move, and mixing the new c_a with the stored G is not Theorem 4.4's bound for either
 * input (issue 16), so certify refuses: G must equal ReLU(W_1c_a + b_1) for the centres measured here, to rounding.
 */
export function requireSameCentres(g: DenseMatrix<'f64'>, centres: DenseMatrix<'f64'>, layer: Parameters<typeof centreActivations>[1], l: number,
  recompress = 'compressByClusters'): void {
  const diff = scope(() => {
    const again = centreActivations(centres, layer);
    if (again.rows !== g.rows || again.cols !== g.cols) return Infinity;
    let w = 0, big = 0;
    for (let t = 0; t < g.data.length; t++) { w = Math.max(w, Math.abs(again.data[t] - g.data[t])); big = Math.max(big, Math.abs(g.data[t])); }
    return w > 1e-9 * big + 1e-300 ? w : 0;
  });
  if (diff > 0) {
    throw new InputError(`certify: this clusters twin (Theorem 4.4) was built on another input: at layer ${l} its decoder G = [ReLU(W_1c_a + b_1)] `
      + `differs by ${diff} from the one of the cluster centres c_a on the (x, pattern) given, and the e¾, e^(ℓ+1) bounds and ρ_x, Δ `
      + `hold only for the centres G and Ŵ_1 were built from (Thm 4.4, App. C.5; docs/theory.md#11-theorem-44--clustering (notes)); `
      + `compress again on this graph with ${recompress}`);
  }
}

/** max_{u,v} |(A Aᵀ)_uv − (B Bᵀ)_uv| for row sets A (n×p) and B (n×q), in row blocks (gram-blocks.ts). */
function gramError(a: DenseMatrix<'f64'>, b: DenseMatrix<'f64'>): number {
  let w = 0;
  forEachGramPair(a, b, (_u, _v, g, gHat) => { const e = Math.abs(g - gHat); if (!(e <= w)) w = Number.isNaN(e) ? Infinity : e; });
  return w;
}

/** max_{i,b} |ĥ_i·ĥ_{r_b} − h_i·h_{r_b}|: τ on the pairs the one-hot step uses. */
function representativeGramError(hat: DenseMatrix<'f64'>, ref: DenseMatrix<'f64'>, reps: number[]): number {
  const n = hat.rows, p = hat.cols, q = ref.cols, hd = hat.data, rd = ref.data;
  let w = 0;
  for (const r of reps) for (let i = 0; i < n; i++) {
    let s1 = 0, s2 = 0;
    for (let t = 0; t < p; t++) s1 += hd[i * p + t] * hd[r * p + t];
    for (let t = 0; t < q; t++) s2 += rd[i * q + t] * rd[r * q + t];
    w = Math.max(w, Math.abs(s1 - s2));
  }
  return w;
}

/** Off-cluster max |z_ib| (b ≠ a(i)) and max |z_{i,a(i)} − 1| for Z (n×k). */
function oneHotDeviation(z: DenseMatrix<'f64'>, labels: number[]): { offCluster: number; onCluster: number } {
  const k = z.cols, zd = z.data;
  let offCluster = 0, onCluster = 0;
  for (let i = 0; i < z.rows; i++) for (let b = 0; b < k; b++) {
    const v = zd[i * k + b];
    if (b === labels[i]) onCluster = Math.max(onCluster, Math.abs(v - 1));
    else offCluster = Math.max(offCluster, Math.abs(v));
  }
  return { offCluster, onCluster };
}

function maxColumnNorm(m: DenseMatrix<'f64'>): number {
  const d = m.data, c = m.cols;
  let w = 0;
  for (let j = 0; j < c; j++) { let s = 0; for (let i = 0; i < m.rows; i++) s += d[i * c + j] ** 2; w = Math.max(w, Math.sqrt(s)); }
  return w;
}

/** A hypothesis `measured < bound` that must hold strictly (no tolerance): ε = 1 already breaks (1−ε) > 0. */
export function strictCheck(tol: Parameters<typeof makeCheck>[0], spec: Parameters<typeof makeCheck>[1]): Check {
  return { ...makeCheck(tol, spec), holds: spec.measured < spec.bound };
}

/**
 * Verifier of Theorem 4.4, cases (2) and (1): hypotheses, Gram errors, one-hot step, output bound and closed form. In
 * case (1) (details.firstLayer = 'jl') layer 0's L2/L3 checks are replaced by those of Lemma C.5 with the realised
 * η_QK, η_V (jl-first-layer-checks.ts) and its closed form by e^(1) ≤ c2·ε + c3·η (docs/theory.md#11-theorem-44--clustering (case 1)).
 */
export const clustersVerifier: ConstructionVerifier = {
  construction: 'clusters',
  theorem: 'Theorem 4.4 (Shirzad et al. 2024): clustering, with Lemmas C.4–C.11 — docs/theory.md#11-theorem-44--clustering',
  verify(ctx): VerifierResult {
    const { reference, compressed, tolerances: tol, alpha, beta } = ctx;
    const det = compressed.details;
    const d = Number(det.d);
    const labelsAll = det.labels as number[][], repsAll = det.representatives as number[][];
    const L = reference.depth, ra = Math.sqrt(alpha), b2 = beta * beta;
    const checks: Check[] = [];
    const extras: { [key: string]: number }[] = [];
    const closedFailed: string[] = [];
    let worstC1 = 0, worstC2 = 0, worstEps = 0;
    const jlFirst = det.firstLayer === 'jl';
    let eta = 0, c3 = 0;
    for (let l = 0; l < L; l++) {
      const lc = ctx.layers[l], rt = ctx.referenceTrace.layers[l], nt = ctx.narrowTrace.layers[l];
      const lr = reference.layers[l], ln = compressed.narrow.layers[l];
      const labels = labelsAll[l], reps = repsAll[l];
      const e = lc.inputError ?? 0, epsA = lc.logitError, eNext = lc.outputError ?? Infinity, e34 = lc.threeQuarterError ?? Infinity;
      if (labels.length !== rt.half.rows) {
        throw new InputError(`certify: this clusters twin (Theorem 4.4) labels ${labels.length} nodes at layer ${l}, but the graph given has ${rt.half.rows}; it was built on another graph — compress again on this one with compressByClusters`);
      }
      const stats = clusterStatistics(rt.half, Int32Array.from(labels));
      const k = stats.clusters;
      try { requireSameCentres(compressed.decoders[l].threeQuarter as DenseMatrix<'f64'>, stats.centres, lr, l); } catch (e) { stats.centres.free(); throw e; }
      const tauV = scope(() => gramError(mul(nt.input, ln.wV, false, true), mul(rt.input, lr.wV, false, true)));
      const bv = scope(() => { const v = mul(rt.input, lr.wV, false, true); let w = 0; for (let i = 0; i < v.rows; i++) { let s = 0; for (let j = 0; j < v.cols; j++) s += v.data[i * v.cols + j] ** 2; w = Math.max(w, s); } return Math.sqrt(w); });
      const tau = representativeGramError(nt.half, rt.half, reps);
      const bounds = oneHotBounds({ epsilon: stats.epsilon, kappa: stats.kappa, s: stats.s, gamma1: stats.gamma1, tau });
      const dev = oneHotDeviation(nt.threeQuarter, labels);
      const g = compressed.decoders[l].threeQuarter as DenseMatrix<'f64'>;
      const gMax = maxColumnNorm(g);
      const fMax = scope(() => maxColumnNorm(mul(lr.w2, g)));
      const hasBias = Boolean(lr.b1 && lr.b1.some((v) => v !== 0));
      // The one-hot step is established when the off-cluster zeros hold (ρ_x < 3/4, or vacuously for k = 1) and the
      // lemma behind Δ applies (ε < 1; Lemmas C.7/C.8, docs/theory.md#11-theorem-44--clustering (notes)).
      const certified = bounds.certified, oneHot = certified && bounds.deltaValid;
      const oneHotWhy = !certified ? 'not applicable: ρ_x ≥ 3/4' : !bounds.deltaValid ? bounds.reason : '';
      extras.push({
        clusters: k, epsilonCluster: stats.epsilon, maxDistance: stats.maxDistance, gamma1: stats.gamma1, gamma2: stats.gamma2,
        kappa: stats.kappa, separation: stats.separation, s: stats.s, tauV, tau, rhoX: bounds.rhoX, delta: bounds.delta,
        offClusterMax: dev.offCluster, onClusterDeviation: dev.onCluster,
      });
      stats.centres.free();
      checks.push(makeCheck(tol, {
        name: 'k ≤ d clusters', kind: 'shape', layer: l, measured: k, bound: d, detail: `k = ${k}, representatives ${reps.join(', ')}`,
      }));
      checks.push(makeCheck(tol, {
        name: "paper's separation max_{a≠b} c_a·c_b ≤ γ₁²/2", kind: 'hypothesis', layer: l, measured: stats.separation,
        bound: stats.gamma1 ** 2 / 2, applicable: false,
        detail: 'reported only: the construction needs the weaker ρ_x < 3/4 (Thm 4.4, App. C.5; docs/theory.md#11-theorem-44--clustering (hypotheses)), checked next',
      }));
      checks.push(makeCheck(tol, {
        name: 'one-hot condition ρ_x = [s + (2ε+ε²)κ + τ′]/[(1−ε)² − τ′] < 3/4', kind: 'hypothesis', layer: l,
        measured: bounds.rhoX, bound: 0.75, applicable: !bounds.singleCluster,
        detail: bounds.singleCluster
          ? 'not applicable: k = 1, no off-cluster pair (s = −∞), so the off-cluster zeros hold vacuously; ε < 1 is checked next'
          : `ε = ${stats.epsilon}, κ = ${stats.kappa}, s = ${stats.s}, τ′ = ${bounds.tauRelative} (strict: ρ_x = 3/4 is not enough)`,
      }));
      checks.push(strictCheck(tol, {
        name: 'cluster spread ε = max_i‖h_i − c_{a(i)}‖/‖c_{a(i)}‖ < 1 (Lemmas C.7–C.10)', kind: 'hypothesis', layer: l,
        measured: stats.epsilon, bound: 1,
        detail: 'ρ_x and Δ divide by (1−ε)² − τ′, a lower bound of ‖ĉ_a‖²/‖c_a‖² only when ε < 1 (Thm 4.4, App. C.5; docs/theory.md#11-theorem-44--clustering (notes))',
      }));
      const caseOne = jlFirst && l === 0;
      if (caseOne) {
        // Case (1), layer 0 (Lemma C.5): no decoder of Ĥ^(1/2), so L3 does not apply; L2 becomes the JL bounds.
        const first = jlFirstLayerChecks(ctx, d, tauV);
        checks.push(...first.checks);
        eta = Math.max(first.etaQK, first.etaV);
        Object.assign(extras[l], { etaQK: first.etaQK, etaV: first.etaV });
      } else {
        checks.push(...attentionChecks(ctx, l));
        const l2 = b2 * (2 * ra + e) * e;
        checks.push(makeCheck(tol, {
          name: 'L2 (values): τ_v ≤ β²(2√α+e)e', kind: 'inequality', layer: l, measured: tauV, bound: l2, scale: b2 * (ra + e) ** 2,
          detail: `τ_v = max_{u,v}|v̂_u·v̂_v − v_u·v_v| (Ŵ_VᵀŴ_V = UᵀW_VᵀW_VU, the corrected Lemma C.6); e = ${e}`,
        }));
      }
      checks.push(makeCheck(tol, {
        name: 'L4: τ ≤ τ_v + (e^{4ε_a} − 1)B_v²', kind: 'inequality', layer: l, measured: tau, bound: tauV + Math.expm1(4 * epsA) * bv * bv,
        scale: bv * bv + b2 * (ra + e) ** 2, detail: `τ over the pairs (i, r_b); B_v = max‖v_u‖ = ${bv}, ε_a = ${epsA}`,
      }));
      checks.push(makeCheck(tol, {
        name: 'one-hot: off-cluster z_ib = 0 exactly', kind: 'identity', layer: l, measured: dev.offCluster, bound: 0, applicable: certified,
        detail: !certified ? 'not applicable: ρ_x ≥ 3/4' : bounds.singleCluster ? 'k = 1: no off-cluster entry (vacuous)' : 'ρ_ib ≤ ρ_x < 3/4 ⇒ 4ρ_ib − 3 < 0',
      }));
      checks.push(makeCheck(tol, {
        name: 'one-hot: |z_{i,a(i)} − 1| ≤ Δ = 4(4ε+2ε²+2τ′)/((1−ε)² − τ′)', kind: 'inequality', layer: l, measured: dev.onCluster,
        bound: bounds.delta, applicable: bounds.deltaValid, scale: 1,
        detail: bounds.deltaValid ? `Δ = ${bounds.delta}; ${bounds.reason}` : bounds.reason,
      }));
      const dist = stats.maxDistance;
      checks.push(makeCheck(tol, {
        name: 'e_{3/4} ≤ β·max_i‖h_i − c_{a(i)}‖ + Δ·max_a‖ReLU(W_1c_a + b_1)‖', kind: 'inequality', layer: l, measured: e34,
        bound: beta * dist + bounds.delta * gMax, applicable: oneHot, scale: gMax + beta * stats.gamma2,
        detail: oneHot ? `decoder G = [ReLU(W_1c_a + b_1)]; max dist = ${dist}, max‖g_a‖ = ${gMax}` : oneHotWhy,
      }));
      checks.push(makeCheck(tol, {
        name: 'e^(ℓ+1) ≤ β²·max_i‖h_i − c_{a(i)}‖ + Δ·max_a‖f_a‖', kind: 'inequality', layer: l, measured: eNext,
        bound: b2 * dist + bounds.delta * fMax, applicable: oneHot, scale: fMax + b2 * stats.gamma2,
        detail: oneHot ? `f_a = W_2ReLU(W_1c_a + b_1); max‖f_a‖ = ${fMax}` : oneHotWhy,
      }));
      checks.push(makeCheck(tol, {
        name: 'e^(ℓ+1) ≤ β²γ₂(ε + Δ)', kind: 'inequality', layer: l, measured: eNext, bound: b2 * stats.gamma2 * (stats.epsilon + bounds.delta),
        applicable: oneHot && !hasBias, scale: b2 * stats.gamma2,
        detail: !oneHot ? oneHotWhy : hasBias ? 'not applicable: b_1 ≠ 0, so ‖f_a‖ ≤ β²γ₂ need not hold' : `γ₂ = ${stats.gamma2}, ε = ${stats.epsilon}`,
      }));
      if (!caseOne) checks.push(widthCheck(ctx, l, d, []));
      // Per-step closed form (Thm 4.4, App. C.5; docs/theory.md#11-theorem-44--clustering (bounds checked)).
      // Case (1), layer 0: τ ≤ τ_v + 8ε_aβ²α ≤ β²α(1 + 8β²α)η with η = max(η_QK, η_V), so 16β²γ₂τ′ ≤ c3·η takes c1·e's place.
      const c1 = (16 * beta ** 4 * stats.gamma2 * (2 * ra + 1) * (1 + 8 * b2 * alpha)) / stats.gamma1 ** 2;
      const c2 = 41 * b2 * stats.gamma2;
      if (caseOne) c3 = (16 * beta ** 4 * stats.gamma2 * alpha * (1 + 8 * b2 * alpha)) / stats.gamma1 ** 2;
      if (!caseOne) worstC1 = Math.max(worstC1, c1);
      worstC2 = Math.max(worstC2, c2); worstEps = Math.max(worstEps, stats.epsilon);
      const cond: string[] = [];
      if (!(stats.epsilon <= 0.5)) cond.push(`ε = ${stats.epsilon} > 1/2`);
      if (!(e <= 1)) cond.push(`e = ${e} > 1`);
      if (!(4 * epsA <= 1)) cond.push(`4ε_a = ${4 * epsA} > 1`);
      if (!((1 - stats.epsilon) ** 2 - bounds.tauRelative >= 0.5)) cond.push(`(1−ε)² − τ′ < 1/2`);
      if (!certified) cond.push('ρ_x ≥ 3/4');
      if (hasBias) cond.push('b_1 ≠ 0');
      closedFailed.push(...cond.map((c) => `layer ${l}: ${c}`));
      checks.push(caseOne ? makeCheck(tol, {
        name: 'closed form (case 1, layer 0) e^(1) ≤ c2·ε + c3·η', kind: 'closed-form', layer: l, measured: eNext, bound: c2 * stats.epsilon + c3 * eta,
        applicable: cond.length === 0, scale: c2,
        detail: cond.length === 0 ? `c2 = 41β²γ₂ = ${c2}, c3 = 16β⁴γ₂α(1+8β²α)/γ₁² = ${c3}, η = max(η_QK, η_V) = ${eta}` : `not applicable: ${cond.join('; ')}`,
      }) : makeCheck(tol, {
        name: 'closed form e^(ℓ+1) ≤ c1·e^(ℓ) + c2·ε', kind: 'closed-form', layer: l, measured: eNext, bound: c1 * e + c2 * stats.epsilon,
        applicable: cond.length === 0, scale: c2,
        detail: cond.length === 0 ? `c1 = 16β⁴γ₂(2√α+1)(1+8β²α)/γ₁² = ${c1}, c2 = 41β²γ₂ = ${c2}` : `not applicable: ${cond.join('; ')}`,
      }));
    }
    const e0 = ctx.layers[0].inputError ?? 0;
    const pow = worstC1 ** L, geometric = worstC1 === 1 ? L : (pow - 1) / (worstC1 - 1);
    // Case (1): e^(1) ≤ c2·ε + c3·η replaces c1·e^(0), so the chain is c2·ε·(c1^L − 1)/(c1 − 1) + c1^(L−1)·c3·η, with c1
    // the worst over layers ℓ ≥ 1 (layer 0's c1 multiplies e^(0) = 0; for L = 1 the sum is 1 whatever c1).
    const chained = jlFirst ? worstC2 * worstEps * geometric + worstC1 ** (L - 1) * c3 * eta : pow * e0 + worstC2 * worstEps * geometric;
    const conditionsHold = closedFailed.length === 0;
    return {
      checks,
      predicted: {
        outputError: conditionsHold ? chained : null,
        formula: jlFirst
          ? 'c2·ε·(c1^L − 1)/(c1 − 1) + c1^(L−1)·c3·η (case 1) with the worst c1 (layers ≥ 1), c2 over layers'
          : 'c1^L·e^(0) + c2·ε·(c1^L − 1)/(c1 − 1) with the worst c1, c2 over layers',
        constants: jlFirst ? { c1: worstC1, c2: worstC2, c3, eta, eps: worstEps, L } : { c1: worstC1, c2: worstC2, eps: worstEps, e0, L },
        conditionsHold,
        note: conditionsHold ? 'every layer meets the closed form\'s conditions' : closedFailed.join('; '),
      },
      layerExtras: extras,
      parameters: jlFirst
        ? { d, selection: String(det.selection), firstLayer: 'jl', jlEps: det.jlEps ?? null, jlDelta: det.jlDelta ?? null, dRule: det.dRule ?? null }
        : { d, selection: String(det.selection) },
      // Only layer 0 is drawn: its tried seeds in order, (M_QK, M_V) per try (details.jlKept says which try was kept).
      seeds: jlFirst && Array.isArray(det.jlSeeds) ? [(det.jlSeeds as number[][]).flat(), ...Array.from({ length: L - 1 }, () => [])] : null,
    };
  },
};
