// Theorem 4.4 of Shirzad et al. (2024) — clustered hidden states (docs/theory.md#11-theorem-44--clustering): when every H^(ℓ+1/2)
// splits into k ≤ d separated clusters, a width-d network reproduces T(X) to O(ε) with a one-hot FFN:
// z_i = ReLU(Ŵ_1ĥ_i − 3·𝟙) ≈ e_{a(i)}, and Ŵ_2 maps e_a to the reference's output at the centre c_a.
// Layer 0 is case (2) of the theorem (U^(0) = topd(X, d), rank-d X) by default, or case (1) (a JL first layer,
// jl-first-layer.ts) with options.firstLayer = 'jl'; the later layers are the same in both.
import { ArgumentRangeError, InputError } from '../../runtime/errors.js';
import { scope } from '../../runtime/storage.js';
import { DenseMatrix } from '../../linalg/dense.js';
import { kmeans } from '../../linalg/kmeans.js';
import type { CsrGraph } from '../../graph/csr.js';
import { GraphTransformer } from '../../model/graph-transformer.js';
import { forwardLayer } from '../../model/forward.js';
import type { LayerWeights } from '../../model/layer.js';
import { checkCompressArguments, requireTheoryModel, requireWidth } from '../framework/arguments.js';
import { LIMITS, requireChoice, requireInt, requireOpen, requireSeed } from '../../runtime/validate.js';
import { certifyWith } from '../framework/certificate.js';
import type { CertifyOptions } from '../framework/check.js';
import type { CompressedModel, JsonValue, LayerDecoders } from '../framework/types.js';
import { identity, mul, orthAtLeastOne } from '../shared/basis.js';
import { topRightSingularVectors } from '../shared/near-low-rank.js';
import { uBasedAttention } from '../shared/u-attention.js';
import { clusterStatistics, oneHotBounds, oneHotFfn } from './one-hot.js';
import { clustersVerifier } from './clusters-verifier.js';
import { centreActivations } from './centre-activations.js';
import { clustersJlWidth, drawJlFirstLayer } from './jl-first-layer.js';

export interface CompressByClustersOptions extends CertifyOptions {
  /** The width d: U^(0) = topd(X, d) (case 2) or the rows of the JL maps (case 1), and at most d clusters per layer (integer ≥ 1). */
  d: number;
  /**
   * The cluster of every node at each layer's H^(ℓ+1/2) (one Int32Array per layer, labels 0..k−1 with
   * k ≤ d, no empty cluster), or 'kmeans' (default): k-means on the reference H^(ℓ+1/2) for k = 1..maxClusters,
   * keeping the k with the smallest ε among those whose ρ_x (with τ = 0) is below 3/4.
   */
  clusters?: Int32Array[] | 'kmeans';
  /** Seed of k-means (default 0). */
  seed?: number;
  /** Largest k tried by 'kmeans' (default d; with firstLayer 'jl', where d is a JL dimension, min(d, 32)). */
  maxClusters?: number;
  /**
   * Layer 0: 'low-rank' (default, case (2): U^(0) = topd(X, d)) or 'jl' (case (1): Ĥ^(0) = X, Ŵ_Q = M_QK W_Q,
   * Ŵ_K = M_QK W_K, Ŵ_V = M_V W_V with M_QK, M_V iid N(0, 1/d), d×d_in; docs/theory.md#11-theorem-44--clustering (case 1)).
   */
  firstLayer?: 'low-rank' | 'jl';
  /**
   * 'jl' only: the JL ε (0 < ε < 1). The certificate reports the width rule max(d_JL(2m, ε, δ/2), d_JL(n(n+1), ε, δ/2))
   * against d, and the draw is redrawn (≤ maxTries) until the realised max(η_QK, η_V) ≤ ε. Without it the first draw
   * is kept. The certificate's bounds use the realised η either way.
   */
  jlEps?: number;
  /** 'jl' only: the failure probability δ of the width rule (default 0.1). */
  jlDelta?: number;
  /** 'jl' only: draws of (M_QK, M_V) before keeping the best (default 10; used only with jlEps). */
  maxTries?: number;
}

/**
 * k-means labels for Theorem 4.4's hypothesis (docs/theory.md#11-theorem-44--clustering (hypotheses)): for k = 1..maxK, k-means (4 restarts) on
 * the reference H^(ℓ+1/2); among the k whose one-hot condition ρ_x(τ = 0) = [s + (2ε+ε²)κ]/(1−ε)² is
 * below 3/4, the one with the smallest ε (ties: the smaller k); if none, the smallest ρ_x. Splitting a true
 * cluster makes s ≈ 1 and merging two makes ε large, so the rule finds the natural k when there is one.
 */
export function chooseClusters(h: DenseMatrix<'f64'>, maxK: number, seed: number): Int32Array {
  let best: { labels: Int32Array; ok: boolean; eps: number; rho: number } | null = null;
  for (let k = 1; k <= Math.min(maxK, h.rows); k++) {
    const km = kmeans(h, k, { seed, restarts: 4 });
    km.centers.free();
    const labels = compactLabels(km.assignments);
    const stats = clusterStatistics(h, labels);
    stats.centres.free();
    const b = oneHotBounds({ epsilon: stats.epsilon, kappa: stats.kappa, s: stats.s, gamma1: stats.gamma1, tau: 0 });
    const cand = { labels, ok: b.certified, eps: stats.epsilon, rho: b.rhoX };
    if (!best || (cand.ok && (!best.ok || cand.eps < best.eps)) || (!cand.ok && !best.ok && cand.rho < best.rho)) best = cand;
  }
  return best!.labels;
}

/** Renumbers labels to 0..k−1 in order of first appearance (k-means may leave a cluster empty). */
function compactLabels(a: Int32Array): Int32Array {
  const map = new Map<number, number>();
  return Int32Array.from(a, (v) => { if (!map.has(v)) map.set(v, map.size); return map.get(v)!; });
}

function checkLabels(fn: string, clusters: Int32Array[], depth: number, n: number, d: number): void {
  if (clusters.length !== depth) throw new InputError(`${fn}: options.clusters has ${clusters.length} entries; give one Int32Array per layer (${depth})`);
  clusters.forEach((lab, l) => {
    if (!(lab instanceof Int32Array) || lab.length !== n) throw new InputError(`${fn}: options.clusters[${l}] must be an Int32Array of length n = ${n}`);
    let k = 0;
    for (const v of lab) { if (v < 0) throw new InputError(`${fn}: options.clusters[${l}] has a negative label ${v}`); k = Math.max(k, v + 1); }
    if (k > d) throw new ArgumentRangeError(`${fn}: options.clusters[${l}] has k = ${k} clusters but Theorem 4.4 needs k ≤ d = ${d}`);
    const seen = new Uint8Array(k);
    for (const v of lab) seen[v] = 1;
    if (seen.includes(0)) throw new InputError(`${fn}: options.clusters[${l}] leaves a cluster of 0..${k - 1} empty`);
  });
}

/**
 * Theorem 4.4 (Shirzad et al. 2024, App. C.5, Lemmas C.4–C.11; docs/theory.md#11-theorem-44--clustering (construction)), σ = ReLU,
 * theory-variant models. Layer 0, case (2) (default): U^(0) = topd(X, d) (input adapter; none when d_in ≤ d); case (1)
 * (options.firstLayer = 'jl', Lemma C.5): Ĥ^(0) = X and Ŵ_Q = M_QK W_Q, Ŵ_K = M_QK W_K, Ŵ_V = M_V W_V (d×d_in), M iid
 * N(0, 1/d), seeded by options.seed, redrawn until max(η_QK, η_V) ≤ jlEps when given. Per later layer, the U-based
 * attention of Lemma C.6 (Ŵ_Q = I, Ŵ_K = UᵀW_QᵀW_K U, Ŵ_V = P_VᵀW_V U, so Ŵ_VᵀŴ_V = UᵀW_VᵀW_V U); clusters
 * of the reference H^(ℓ+1/2) with centres c_a and representatives r_a; the one-hot block Ŵ_1 (k×d, row a
 * = 4ĉ_aᵀ/‖ĉ_a‖², ĉ_a = ĥ^(ℓ+1/2)_{r_a} of the narrow network), b̂_1 = −3·𝟙; F = [W_2 ReLU(W_1c_a + b_1)],
 * U^(ℓ+1) = orth(F), Ŵ_2 = U^(ℓ+1)ᵀF. The decoder of Ĥ^(ℓ+3/4) = Z is G = [ReLU(W_1c_a + b_1)].
 * Cost: one traced reference forward and one narrow forward (O(n·d² + m·d) a layer), plus k-means.
 * Accuracy (checked by the certificate, Thm 4.4, App. C.5; docs/theory.md#11-theorem-44--clustering (bounds checked)): if ρ_x < 3/4, off-cluster z are exactly 0 and
 * |z_{i,a(i)} − 1| ≤ Δ; e^(ℓ+1) ≤ β²·max_i‖h_i^(ℓ+1/2) − c_{a(i)}‖ + Δ·max_a‖f_a‖.
 * Case (1), layer 0: ε_a ≤ η_QK·β²α and τ_v ≤ η_V·β²α with the realised distortions (the certificate measures them).
 * Throws InputError (practical variant, σ ≠ ReLU, bad labels, an unknown firstLayer, JL options without 'jl'),
 * RangeError (d, k > d, jlEps or jlDelta outside (0, 1), maxTries) or ShapeError before any work.
 */
export function compressByClusters(model: GraphTransformer, x: DenseMatrix, pattern: CsrGraph, options: CompressByClustersOptions): CompressedModel {
  const fn = 'compressByClusters';
  checkCompressArguments(fn, model, x, pattern);
  const d = requireWidth(fn, options);
  requireTheoryModel(fn, model);
  if (model.activation !== 'relu') throw new InputError(`${fn}: model.activation is '${model.activation}'; Theorem 4.4's one-hot block needs σ = ReLU`);
  const clusters = options.clusters ?? 'kmeans';
  if (clusters !== 'kmeans') {
    if (!Array.isArray(clusters)) throw new InputError(`${fn}: options.clusters must be 'kmeans' or one Int32Array of labels per layer`);
    checkLabels(fn, clusters, model.depth, x.rows, d);
  }
  const seed = options.seed ?? 0;
  requireSeed(fn, seed);
  const firstLayer = options.firstLayer ?? 'low-rank';
  requireChoice(fn, 'options.firstLayer', firstLayer, ['low-rank', 'jl'] as const);
  const jl = firstLayer === 'jl';
  const maxClusters = options.maxClusters ?? (jl ? Math.min(d, 32) : d);
  requireInt(fn, 'options.maxClusters', maxClusters, 1, d);
  for (const k of ['jlEps', 'jlDelta', 'maxTries'] as const) {
    if (!jl && options[k] !== undefined) throw new InputError(`${fn}: options.${k} applies only with options.firstLayer = 'jl'`);
  }
  const jlEps = options.jlEps ?? null;
  if (jlEps !== null) requireOpen(fn, 'options.jlEps', jlEps, 0, 1);
  const jlDelta = options.jlDelta ?? 0.1;
  requireOpen(fn, 'options.jlDelta', jlDelta, 0, 1);
  const maxTries = options.maxTries ?? 10;
  requireInt(fn, 'options.maxTries', maxTries, 1, LIMITS.restarts);
  const dRule = jl && jlEps !== null ? clustersJlWidth(x.rows, pattern.numEdges, jlEps, jlDelta) : null;
  const built = scope(() => {
    const x64 = (x.dtype === 'f64' ? x : x.clone('f64')) as DenseMatrix<'f64'>;
    const ref = model.forward(x64, pattern, { trace: true, caller: fn }).trace!;
    const u0 = jl || model.inputDim <= d ? null : topRightSingularVectors(x64, d);
    let u = u0;
    let hHat = u0 ? mul(x64, u0) : x64;
    const layers: LayerWeights[] = [];
    const decoders: LayerDecoders[] = [];
    const labelsOut: number[][] = [], reps: number[][] = [];
    let jlDraw: ReturnType<typeof drawJlFirstLayer> | null = null;
    model.layers.forEach((layer, l) => {
      // Case (1), layer 0 (Lemma C.5): JL maps on the reference's own W_Q, W_K, W_V read X; no decoder of Ĥ^(1/2) exists
      // (only its Gram matrix is used), so the half stage has decoder 'none'.
      if (jl && l === 0) jlDraw = drawJlFirstLayer(layer, x64, pattern, d, { seed, eps: jlEps, maxTries });
      const att: { wQ: DenseMatrix<'f64'>; wK: DenseMatrix<'f64'>; wV: DenseMatrix<'f64'>; valueBasis: DenseMatrix<'f64'> | 'none' } =
        jl && l === 0 ? { wQ: jlDraw!.wQ, wK: jlDraw!.wK, wV: jlDraw!.wV, valueBasis: 'none' } : uBasedAttention(layer, u);
      const refHalf = ref.layers[l].half;
      const labels = clusters === 'kmeans' ? chooseClusters(refHalf, maxClusters, seed) : clusters[l];
      const stats = clusterStatistics(refHalf, labels);
      // The narrow attention output at this layer decides ĉ_a: run the narrow attention with an identity FFN.
      const probe: LayerWeights = { wQ: att.wQ, wK: att.wK, wV: att.wV, w1: identity(att.wV.rows), w2: identity(att.wV.rows), logitScale: layer.logitScale ?? 1 };
      const half = forwardLayer(probe, hHat, pattern, 'identity', false).output;
      const oneHot = oneHotFfn(half, stats.representatives);
      const g = centreActivations(stats.centres, layer);
      const f = mul(layer.w2, g);
      const next = orthAtLeastOne(f);
      const w2 = mul(next, f, true, false);
      const narrowLayer: LayerWeights = { wQ: att.wQ, wK: att.wK, wV: att.wV, w1: oneHot.w1, w2, b1: oneHot.b1, logitScale: layer.logitScale ?? 1 };
      layers.push(narrowLayer);
      decoders.push({ input: u ?? 'identity', half: att.valueBasis, threeQuarter: g });
      labelsOut.push(Array.from(labels));
      reps.push(Array.from(stats.representatives));
      hHat = forwardLayer(narrowLayer, hHat, pattern, 'relu', false).output;
      u = next;
    });
    const narrow = new GraphTransformer({ layers, activation: 'relu' });
    const draw = jlDraw as ReturnType<typeof drawJlFirstLayer> | null;
    const jlRecord: { [key: string]: JsonValue } = draw ? { jlSeeds: draw.tried, jlKept: draw.kept, constructionEtaQK: draw.etaQK, constructionEtaV: draw.etaV } : {};
    return { narrow, inputAdapter: u0 ? u0.transpose() : null, uOut: u!, decoders, labelsOut, reps, jlRecord };
  });
  const compressed: Omit<CompressedModel, 'certificate'> = {
    construction: 'clusters', narrow: built.narrow, inputAdapter: built.inputAdapter, uOut: built.uOut, decoders: built.decoders,
    details: {
      d, selection: clusters === 'kmeans' ? 'kmeans' : 'given', seed, maxClusters, labels: built.labelsOut, representatives: built.reps,
      firstLayer,
      ...(jl ? { jlEps, jlDelta, maxTries, dRule: dRule ? dRule.d : null, dRuleLogits: dRule ? dRule.logits : null, dRuleValues: dRule ? dRule.values : null, ...built.jlRecord } : {}),
    },
  };
  return { ...compressed, certificate: certifyWith(clustersVerifier, model, compressed, x, pattern, options) };
}
