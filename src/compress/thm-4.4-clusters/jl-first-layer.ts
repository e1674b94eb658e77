// Theorem 4.4, case (1) (Shirzad et al. 2024, Lemma C.5; docs/theory.md#11-theorem-44--clustering (case 1)): the first
// layer by JL instead of a rank-d projection of X. Ĥ^(0) = X; M_QK, M_V ∈ R^{d×D} independent, iid N(0, 1/d) (the draw
// of src/linalg/jl.ts, as Theorem 3.3 uses it); Ŵ_Q = M_QK W_Q, Ŵ_K = M_QK W_K, Ŵ_V = M_V W_V (d×d_in). The later
// layers are the cluster construction of case (2). All f64.
import { scope } from '../../runtime/storage.js';
import type { DenseMatrix } from '../../linalg/dense.js';
import { jlMatrix, jlMinDim } from '../../linalg/jl.js';
import { rng } from '../../random/rng.js';
import type { CsrGraph } from '../../graph/csr.js';
import type { LayerWeights } from '../../model/layer.js';
import { requireInt } from '../../runtime/validate.js';
import { mul } from '../shared/basis.js';
import { edgeDotDistortion } from '../shared/jl-distortion.js';
import { forEachGramPair, rowSquaredNorms } from './gram-blocks.js';

/**
 * The width case (1) asks for (Thm 4.4, Lemma C.5; docs/theory.md#11-theorem-44--clustering (case 1)):
 * max(d_JL(2m, ε, δ/2), d_JL(n(n+1), ε, δ/2)) — the logits of the m pattern edges (2m vectors q̄_i ± k̄_j) and the
 * Gram matrix of all n values (n(n+1)/2 pairs u ≤ v, so n(n+1) vectors), δ split over the two maps. d_JL is the
 * Gaussian rule of L5 (docs/theory.md#16-shared-lemmas-l1-to-l7). Cost O(1).
 * Throws ArgumentRangeError / ArgumentTypeError (from jlMinDim) for n, m not positive integers, ε or δ outside (0, 1).
 */
export function clustersJlWidth(numNodes: number, numEdges: number, eps: number, delta: number): { logits: number; values: number; d: number } {
  requireInt('clustersJlWidth', 'numNodes', numNodes, 1);
  const logits = jlMinDim(numEdges, eps, delta / 2);
  const values = jlMinDim(numNodes * (numNodes + 1) / 2, eps, delta / 2);
  return { logits, values, d: Math.max(logits, values) };
}

/**
 * η_V = max over all pairs u, v (u = v included) of |v̂_u·v̂_v − v_u·v_v| / ((‖v_u‖² + ‖v_v‖²)/2): the realised
 * distortion of the value Gram matrix (Lemma C.5), v = W_V x (rows of `v`), v̂ = M_V v (rows of `vHat`).
 * Then τ_v ≤ η_V·max_u‖v_u‖² ≤ η_V·β²α. Cost O(n²·(D + d)), memory O(n) a row (gram-blocks.ts).
 */
export function valueDistortion(v: DenseMatrix<'f64'>, vHat: DenseMatrix<'f64'>): number {
  const sq = rowSquaredNorms(v);
  let eta = 0;
  forEachGramPair(v, vHat, (u, w, g, gHat) => {
    const den = (sq[u] + sq[w]) / 2, num = Math.abs(gHat - g);
    if (den > 0) eta = Math.max(eta, num / den);
    else if (num > 0) eta = Infinity;
  });
  return eta;
}

/** η_QK and η_V of a case-(1) first layer on the input x (nodes as rows), reference `ref`, narrow `hat`. */
export function firstLayerDistortions(ref: LayerWeights, hat: LayerWeights, x: DenseMatrix<'f64'>, pattern: CsrGraph): { etaQK: number; etaV: number } {
  return scope(() => ({
    etaQK: edgeDotDistortion(mul(x, ref.wQ, false, true), mul(x, ref.wK, false, true), mul(x, hat.wQ, false, true), mul(x, hat.wK, false, true), pattern),
    etaV: valueDistortion(mul(x, ref.wV, false, true), mul(x, hat.wV, false, true)),
  }));
}

/** The drawn first layer: its attention maps, the realised distortions and the seeds. */
export interface JlFirstLayer {
  wQ: DenseMatrix<'f64'>;
  wK: DenseMatrix<'f64'>;
  wV: DenseMatrix<'f64'>;
  etaQK: number;
  etaV: number;
  /** [seed of M_QK, seed of M_V] of every try, in order. */
  tried: number[][];
  /** The try kept (the one with the smallest max(η_QK, η_V)). */
  kept: number;
}

/**
 * Draws M_QK, M_V (two seeds per try from rng(seed)) and returns Ŵ_Q = M_QK W_Q, Ŵ_K = M_QK W_K, Ŵ_V = M_V W_V with the
 * realised η_QK, η_V on (x, pattern). With `eps`, redraws (≤ maxTries) until max(η_QK, η_V) ≤ eps — the transductive
 * verification of Theorem 3.3 (docs/theory.md#4-theorem-33--jl-on-w_q-and-w_k (construction)) — and keeps the best
 * try; without, the first draw. The caller validates its arguments. Cost per try O(d·D·d_in + n·d_in·(D + d) + n²·(D + d)).
 */
export function drawJlFirstLayer(layer: LayerWeights, x: DenseMatrix<'f64'>, pattern: CsrGraph, d: number,
  options: { seed: number; eps: number | null; maxTries: number }): JlFirstLayer {
  const master = rng(options.seed);
  const tried: number[][] = [];
  let best: JlFirstLayer | null = null;
  for (let t = 0; t < options.maxTries; t++) {
    const sQK = master.nextUint32(), sV = master.nextUint32();
    tried.push([sQK, sV]);
    const cand = scope(() => {
      const mQK = jlMatrix(d, layer.wQ.rows, { kind: 'gaussian', seed: sQK });
      const mV = jlMatrix(d, layer.wV.rows, { kind: 'gaussian', seed: sV });
      const hat = { wQ: mul(mQK, layer.wQ), wK: mul(mQK, layer.wK), wV: mul(mV, layer.wV) };
      const eta = firstLayerDistortions(layer, { ...layer, ...hat }, x, pattern);
      return { ...hat, ...eta };
    });
    if (!best || Math.max(cand.etaQK, cand.etaV) < Math.max(best.etaQK, best.etaV)) {
      if (best) { best.wQ.free(); best.wK.free(); best.wV.free(); }
      best = { ...cand, tried, kept: t };
    } else {
      cand.wQ.free(); cand.wK.free(); cand.wV.free();
    }
    if (options.eps === null || Math.max(cand.etaQK, cand.etaV) <= options.eps) break;
  }
  return best!;
}
