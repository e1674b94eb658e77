// Proposition 4.3 of Shirzad et al. (2024) — leverage-score row sampling (THEORY.md §6): Theorem 4.2's
// network with its D-wide FFN hidden layer cut to the k_eff = O(d log d) hidden units drawn by the leverage
// scores of P_34 = topd(H^(ℓ+3/4), d) (Lemma C.3), the rescaling folded into the decoder U. Randomised,
// verified on the actual graph and redrawn until ≥ 99 % of nodes meet ‖U·S·h_i − h_i‖ ≤ C·r_i.
import { InputError } from '../runtime/errors.js';
import { scope } from '../runtime/storage.js';
import { DenseMatrix } from '../linalg/dense.js';
import type { CsrGraph } from '../graph/csr.js';
import { rng } from '../random/rng.js';
import { GraphTransformer } from '../model/graph-transformer.js';
import type { LayerWeights } from '../model/layer.js';
import { copyMatrix } from '../model/forward.js';
import { mul, orth, singularValues, spectralNorm, takeRows } from './basis.js';
import { certifyWith, checkCompressArguments, makeCheck, type CertifyOptions } from './certificate.js';
import { topRightSingularVectors } from './near-low-rank.js';
import { leverageConstant, leverageRowSampling, leverageSampleSize } from './row-sampling.js';
import { uBasedAttention } from './u-attention.js';
import { requireTheoryModel, requireWidth } from './low-rank.js';
import { attentionChecks, outputBasisResidual, threeQuarterResidual, widthCheck } from './low-rank-verifier.js';
import type { Check, CompressedModel, ConstructionVerifier, LayerDecoders, VerifierResult } from './types.js';

export interface CompressByLeverageOptions extends CertifyOptions {
  /** The rank d of P_34 and the width of every map except the sampled FFN (integer ≥ 1). */
  d: number;
  /** δ₀ of the subspace embedding; sets k = ceil(12·d·ln(2d/δ₀)) (default 0.005). */
  delta0?: number;
  /** δ₁ of the Markov step; sets C = 1 + 2/√((1−η)δ₁) (default 0.005, C = 41). */
  delta1?: number;
  /** Number of iid draws k per layer (default from δ₀). */
  samples?: number;
  /** Master seed; layer ℓ's first draw uses the ℓ-th uint32 of rng(seed), later draws that plus 1, 2, … (default 0). */
  seed?: number;
  /** Draws per layer before keeping the best (default 10). */
  maxTries?: number;
  /** Required fraction of nodes within C·r_i (default 0.99). */
  fraction?: number;
}

/**
 * Proposition 4.3 (Shirzad et al. 2024, Lemma C.3; THEORY §6(b)), theory-variant models: the attention of
 * Theorem 4.2 (Ŵ_Q = I, Ŵ_K = UᵀW_QᵀW_K U, Ŵ_V = P_VᵀW_V U), then per layer the rows R drawn by
 * leverageRowSampling on the reference H^(ℓ+3/4) with basis P_34 = topd(H^(ℓ+3/4), d):
 * Ŵ_1 = W_1[R, :]·P_V (k_eff×d, b̂_1 = b_1[R]), U^(ℓ+1) = orth(W_2 P_34), Ŵ_2 = U^(ℓ+1)ᵀ W_2 U (d×k_eff),
 * with U (D×k_eff) the sampling decoder; U_out = U^(L). Since S is 0/1, S·σ(z) = σ(S·z).
 * Cost: one traced reference forward, per layer an SVD of H^(ℓ+3/4) and O(tries·n·k_eff·D) verification.
 * Accuracy: per node ‖U·S·h_i − h_i‖ ≤ C·r_i w.p. ≥ 1 − δ₀ − δ₁; the draw is verified (fraction ≥ 0.99) and
 * the certificate checks e_{3/4} ≤ ‖U‖βe_{1/2} + max_i‖USh_i − h_i‖ and e^(ℓ+1) ≤ βe_{3/4} + βε_34.
 * A layer where no draw reaches the fraction keeps its best draw, and the certificate fails naming it.
 * Throws InputError (practical-variant model, bad options), ShapeError or RangeError before any work.
 */
export function compressByLeverage(model: GraphTransformer, x: DenseMatrix, pattern: CsrGraph, options: CompressByLeverageOptions): CompressedModel {
  const fn = 'compressByLeverage';
  checkCompressArguments(fn, model, x, pattern);
  const d = requireWidth(fn, options);
  const delta0 = options.delta0 ?? 0.005, delta1 = options.delta1 ?? 0.005, fraction = options.fraction ?? 0.99;
  for (const [name, v] of [['delta0', delta0], ['delta1', delta1]] as const) {
    if (!(typeof v === 'number' && v > 0 && v < 1)) throw new RangeError(`${fn}: options.${name} must lie in (0, 1), got ${String(v)}`);
  }
  if (!(typeof fraction === 'number' && fraction > 0 && fraction <= 1)) throw new RangeError(`${fn}: options.fraction must lie in (0, 1], got ${String(fraction)}`);
  const samples = options.samples ?? leverageSampleSize(d, delta0);
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`${fn}: options.samples must be an integer ≥ 1, got ${String(samples)}`);
  const maxTries = options.maxTries ?? 10;
  if (!Number.isInteger(maxTries) || maxTries < 1) throw new RangeError(`${fn}: options.maxTries must be an integer ≥ 1, got ${String(maxTries)}`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new InputError(`${fn}: options.seed must be an integer, got ${String(seed)}`);
  requireTheoryModel(fn, model);
  const master = rng(seed);
  const layerSeeds = model.layers.map(() => master.nextUint32());
  const built = scope(() => {
    const x64 = (x.dtype === 'f64' ? x : copyMatrix(x, 'f64')) as DenseMatrix<'f64'>;
    const ref = model.forward(x64, pattern, { trace: true }).trace!;
    const u0 = model.inputDim <= d ? null : topRightSingularVectors(x64, d);
    let u = u0;
    const layers: LayerWeights[] = [];
    const decoders: LayerDecoders[] = [];
    const sampling: { rows: number[]; tries: number[]; fractions: number[]; keptSeed: number; accepted: boolean; fraction: number }[] = [];
    model.layers.forEach((layer, l) => {
      const att = uBasedAttention(layer, u);
      const h34 = ref.layers[l].threeQuarter;
      const p34 = topRightSingularVectors(h34, d);
      const s = leverageRowSampling(h34, p34, { delta0, delta1, samples, seed: layerSeeds[l], maxTries, fraction });
      const rows = Array.from(s.rows);
      const w1 = mul(takeRows(layer.w1, rows), att.valueBasis);
      const b1 = layer.b1 ? Float64Array.from(rows, (r) => layer.b1![r]) : null;
      let next = orth(mul(layer.w2, p34)).basis;
      if (next.cols === 0) { next = DenseMatrix.zeros(layer.w2.rows, 1, 'f64'); next.data[0] = 1; }
      const w2 = mul(mul(next, layer.w2, true, false), s.decoder);
      layers.push({ wQ: att.wQ, wK: att.wK, wV: att.wV, w1, w2, b1, logitScale: layer.logitScale ?? 1 });
      decoders.push({ input: u ?? 'identity', half: att.valueBasis, threeQuarter: s.decoder });
      sampling.push({
        rows, tries: s.tries.map((t) => t.seed), fractions: s.tries.map((t) => t.fraction), keptSeed: s.seed,
        accepted: s.accepted, fraction: s.fractionWithin,
      });
      u = next;
    });
    const narrow = new GraphTransformer({ layers, activation: model.activation });
    return { narrow, inputAdapter: u0 ? u0.transpose() : null, uOut: u!, decoders, sampling };
  });
  const compressed: Omit<CompressedModel, 'certificate'> = {
    construction: 'leverage', narrow: built.narrow, inputAdapter: built.inputAdapter, uOut: built.uOut, decoders: built.decoders,
    details: { d, delta0, delta1, samples, seed, maxTries, fraction, layerSeeds, sampling: built.sampling },
  };
  return { ...compressed, certificate: certifyWith(leverageVerifier, model, compressed, x, pattern, options) };
}

interface SamplingDetail { rows: number[]; tries: number[]; keptSeed: number }

/** Fraction of nodes with ‖U·h_i[R] − h_i‖ > C·r_i (r_i to P_34 = topd(H^(ℓ+3/4), d)) and max_i ‖U·h_i[R] − h_i‖, on the reference. */
function samplingErrors(h: DenseMatrix<'f64'>, rows: number[], u: DenseMatrix<'f64'>, d: number, constant: number, rtol: number):
  { failing: number; maxError: number; basisError: number; spans: boolean } {
  return scope(() => {
    const p34 = topRightSingularVectors(h, d);
    const n = h.rows, D = h.cols;
    const rec = mul(takeCols(h, rows), u, false, true), proj = mul(mul(h, p34), p34, false, true);
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

function takeCols(a: DenseMatrix<'f64'>, cols: number[]): DenseMatrix<'f64'> {
  const out = DenseMatrix.zeros(a.rows, cols.length, 'f64');
  const od = out.data, ad = a.data;
  for (let i = 0; i < a.rows; i++) for (let t = 0; t < cols.length; t++) od[i * cols.length + t] = ad[i * a.cols + cols[t]];
  return out;
}

/** Verifier of Proposition 4.3: the sampling event, the attention checks of Thm 4.2 and the sampled-FFN inequalities. */
export const leverageVerifier: ConstructionVerifier = {
  construction: 'leverage',
  theorem: 'Proposition 4.3 (Shirzad et al. 2024): leverage-score row sampling, with Lemma C.3 — THEORY.md §6',
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
        detail: se.spans ? 'the weighted least-squares fit is exact on the subspace; tolerance 1e-9 (THEORY §9)' : 'not applicable: P_34[R,:] is rank-deficient',
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
        conditionsHold: false, note: 'Prop. 4.3 is a per-layer statement; its composition with the network is not analysed in the paper (THEORY §6(b), (e)5)',
      },
      layerExtras: extras,
      parameters: { d, delta0: Number(det.delta0), delta1: Number(det.delta1), samples, fraction },
      seeds,
    };
  },
};
