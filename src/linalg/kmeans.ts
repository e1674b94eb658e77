// k-means (Lloyd's algorithm) with greedy k-means++ seeding and restarts, f64; rows of x are the points.
// Written here rather than taken from ml-kmeans: every random choice must come from rng(seed), and the
// n×k distance computation must run through the SIMD matmul, not a per-pair JS callback.
import { InputError, ShapeError, ArgumentRangeError } from '../runtime/errors.js';
import { rng, type Rng } from '../random/rng.js';
import { DenseMatrix, requireF64Matrix } from './dense.js';
import { matmul } from './matmul.js';
import { rowNorms } from './norms.js';
import { requireInt, requireSeed, checkOptionsObject, LIMITS } from '../runtime/validate.js';

export interface KmeansOptions {
  /** Seed of the k-means++ draws (default 0). */
  seed?: number;
  /** Independent seedings; the run with the least inertia is returned (default 4, or 1 with initialCenters). */
  restarts?: number;
  /** Lloyd steps per run before stopping with converged = false (default 300, as scikit-learn). */
  maxIterations?: number;
  /**
   * Stop when the centres moved by Σ_a‖Δc_a‖² ≤ tol · (mean variance of the p features), scikit-learn's
   * rule (default 1e-4; 0 means: only when no assignment changes). Must be ≥ 0 and finite.
   */
  tol?: number;
  /** Start from these k×p centres instead of seeding (one run; restarts must then be 1). */
  initialCenters?: DenseMatrix<'f64'>;
}

export interface KmeansResult {
  /** k×p centres; centre a is the mean of the points assigned to a (unless its cluster is empty). */
  centers: DenseMatrix<'f64'>;
  /** For each of the n points, the index of its nearest centre (ties go to the lower index). */
  assignments: Int32Array;
  /** Σ_i ‖x_i − c_{a(i)}‖², computed directly from the differences (no cancellation). */
  inertia: number;
  /** Lloyd steps of the returned run. */
  iterations: number;
  /** Whether the returned run met the tolerance within maxIterations. */
  converged: boolean;
}

/** Squared distances ‖x_i − c_a‖² (n×k, row-major) as ‖x_i‖² + ‖c_a‖² − 2·x_i·c_a, one matmul, clamped at 0. */
function squaredDistances(x: DenseMatrix<'f64'>, xsq: Float64Array, c: DenseMatrix<'f64'>, cross: DenseMatrix<'f64'>): Float64Array {
  matmul(x, c, { transB: true, out: cross, checkFinite: false });
  const csq = rowNorms(c, { squared: true });
  const k = c.rows, out = cross.data;
  for (let i = 0; i < x.rows; i++) {
    const o = i * k;
    for (let a = 0; a < k; a++) out[o + a] = Math.max(0, xsq[i] + csq[a] - 2 * out[o + a]);
  }
  return out;
}

function copyRow(dst: Float64Array, dstRow: number, src: Float64Array, srcRow: number, p: number): void {
  dst.set(src.subarray(srcRow * p, srcRow * p + p), dstRow * p);
}

/** Index t with cum[t−1] ≤ u < cum[t] (cum increasing, u < cum[last]). */
function searchCumulative(cum: Float64Array, u: number): number {
  let lo = 0, hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid] > u) hi = mid; else lo = mid + 1;
  }
  return lo;
}

/**
 * Greedy k-means++ (Arthur & Vassilvitskii 2007; the greedy variant with 2 + ⌊ln k⌋ candidates per step,
 * as scikit-learn): each new centre is the candidate, drawn with probability ∝ D(x)², that most lowers
 * the potential Σ D(x)². Points at distance 0 from every centre are never drawn unless all are.
 */
function seedPlusPlus(x: DenseMatrix<'f64'>, xsq: Float64Array, k: number, g: Rng): DenseMatrix<'f64'> {
  const n = x.rows, p = x.cols, trials = 2 + Math.floor(Math.log(k));
  const centers = DenseMatrix.zeros(k, p, 'f64');
  const cand = DenseMatrix.zeros(trials, p, 'f64'), cross = DenseMatrix.zeros(n, trials, 'f64');
  const first = DenseMatrix.zeros(1, p, 'f64'), crossFirst = DenseMatrix.zeros(n, 1, 'f64');
  try {
    const f = g.int(n);
    copyRow(centers.data, 0, x.data, f, p);
    copyRow(first.data, 0, x.data, f, p);
    let closest = squaredDistances(x, xsq, first, crossFirst).slice();
    const cum = new Float64Array(n), idx = new Int32Array(trials);
    for (let c = 1; c < k; c++) {
      let total = 0;
      for (let i = 0; i < n; i++) { total += closest[i]; cum[i] = total; }
      for (let t = 0; t < trials; t++) {
        // fewer distinct points than k: every point is already a centre, any choice is as good
        idx[t] = total > 0 ? searchCumulative(cum, g.float() * total) : g.int(n);
        copyRow(cand.data, t, x.data, idx[t], p);
      }
      const dist = squaredDistances(x, xsq, cand, cross);
      let best = -1, bestPot = Infinity;
      for (let t = 0; t < trials; t++) {
        let pot = 0;
        for (let i = 0; i < n; i++) pot += Math.min(closest[i], dist[i * trials + t]);
        if (pot < bestPot) { bestPot = pot; best = t; }
      }
      for (let i = 0; i < n; i++) closest[i] = Math.min(closest[i], dist[i * trials + best]);
      copyRow(centers.data, c, x.data, idx[best], p);
    }
    return centers;
  } catch (e) {
    centers.free();
    throw e;
  } finally {
    cand.free(); cross.free(); first.free(); crossFirst.free();
  }
}

/** Lloyd's iterations from `centers` (updated in place). */
function lloyd(x: DenseMatrix<'f64'>, xsq: Float64Array, centers: DenseMatrix<'f64'>, maxIterations: number, tolScaled: number):
  { assignments: Int32Array; iterations: number; converged: boolean } {
  const n = x.rows, p = x.cols, k = centers.rows;
  const cross = DenseMatrix.zeros(n, k, 'f64');
  const assignments = new Int32Array(n).fill(-1), counts = new Int32Array(k), sums = new Float64Array(k * p);
  const nearest = new Float64Array(n);
  let iterations = 0, converged = false, moved = true;
  try {
    while (iterations < maxIterations) {
      iterations++;
      const dist = squaredDistances(x, xsq, centers, cross);
      let changed = 0;
      for (let i = 0; i < n; i++) {
        let best = 0, bd = dist[i * k];
        for (let a = 1; a < k; a++) if (dist[i * k + a] < bd) { bd = dist[i * k + a]; best = a; }
        nearest[i] = bd;
        if (assignments[i] !== best) { assignments[i] = best; changed++; }
      }
      if (changed === 0) { converged = true; moved = false; break; }
      counts.fill(0); sums.fill(0);
      const xd = x.data;
      for (let i = 0; i < n; i++) {
        const a = assignments[i];
        counts[a]++;
        for (let j = 0; j < p; j++) sums[a * p + j] += xd[i * p + j];
      }
      // an empty cluster takes the point farthest from its centre (scikit-learn's relocation)
      const taken = new Set<number>();
      for (let a = 0; a < k; a++) {
        if (counts[a] > 0) continue;
        let far = -1;
        for (let i = 0; i < n; i++) if (!taken.has(i) && counts[assignments[i]] > 1 && (far < 0 || nearest[i] > nearest[far])) far = i;
        if (far < 0) continue; // fewer distinct points than clusters: leave the centre where it is
        taken.add(far);
        const b = assignments[far];
        counts[b]--;
        for (let j = 0; j < p; j++) sums[b * p + j] -= xd[far * p + j];
        counts[a] = 1;
        for (let j = 0; j < p; j++) sums[a * p + j] = xd[far * p + j];
      }
      const c = centers.data;
      let shift = 0;
      for (let a = 0; a < k; a++) {
        if (counts[a] === 0) continue;
        for (let j = 0; j < p; j++) {
          const v = sums[a * p + j] / counts[a];
          shift += (v - c[a * p + j]) ** 2;
          c[a * p + j] = v;
        }
      }
      if (shift <= tolScaled) { converged = true; break; }
    }
    if (moved) {
      // the centres moved after the last assignment: one more assignment step so that labels match them
      const dist = squaredDistances(x, xsq, centers, cross);
      for (let i = 0; i < n; i++) {
        let best = 0, bd = dist[i * k];
        for (let a = 1; a < k; a++) if (dist[i * k + a] < bd) { bd = dist[i * k + a]; best = a; }
        assignments[i] = best;
      }
    }
    return { assignments, iterations, converged };
  } finally {
    cross.free();
  }
}

function inertiaOf(x: DenseMatrix<'f64'>, centers: DenseMatrix<'f64'>, assignments: Int32Array): number {
  const p = x.cols, xd = x.data, c = centers.data;
  let s = 0;
  for (let i = 0; i < x.rows; i++) {
    const a = assignments[i];
    for (let j = 0; j < p; j++) s += (xd[i * p + j] - c[a * p + j]) ** 2;
  }
  return s;
}

/** Mean over the p columns of the population variance, for scaling tol (scikit-learn's _tolerance). */
function meanVariance(x: DenseMatrix<'f64'>): number {
  const n = x.rows, p = x.cols, xd = x.data;
  const mean = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] += xd[i * p + j];
  for (let j = 0; j < p; j++) mean[j] /= n;
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) s += (xd[i * p + j] - mean[j]) ** 2;
  return s / (n * p);
}

/**
 * k-means clustering of the n rows of x (n×p, f64) into k clusters: greedy k-means++ seeding
 * (Arthur & Vassilvitskii 2007) then Lloyd's algorithm (Lloyd 1982), best of `restarts` runs by inertia.
 * Used for the cluster hypothesis of Thm 4.4 (docs/theory.md §11: k-means with k ≤ d, several restarts).
 * Cost per Lloyd step: one n×p·p×k matmul (SIMD) plus O(n·(p + k)); seeding costs about (2 + ln k)·k such
 * products of width one. Accuracy: distances for the assignment are ‖x‖² + ‖c‖² − 2x·c in f64 (absolute
 * error ~2⁻⁵²·(‖x‖² + ‖c‖²); only near-ties can flip); inertia is summed from the differences.
 * Lloyd's algorithm finds a local minimum; k-means++ is O(log k)-competitive in expectation.
 * Empty clusters are re-seeded at the point farthest from its centre. If x has fewer than k distinct
 * points, some centres coincide and some clusters stay empty. Deterministic in the seed.
 * Throws ShapeError for an empty x or initialCenters of the wrong shape; InputError for a non-f64 or
 * non-finite x / initialCenters, a bad seed, or restarts > 1 with initialCenters; RangeError for
 * k ∉ [1, n], restarts (≤ 10⁴) or maxIterations (≤ 10⁶) not positive integers in range, or a tol that is
 * negative or not finite.
 */
export function kmeans(x: DenseMatrix<'f64'>, k: number, options: KmeansOptions = {}): KmeansResult {
  const fn = 'kmeans';
  requireF64Matrix(fn, 'x', x);
  requireInt(fn, 'k', k, 1);
  if (k > x.rows) throw new ArgumentRangeError(`${fn}: k = ${k} exceeds the number of points n = ${x.rows}`);
  checkOptionsObject(fn, options);
  const seed = options.seed ?? 0;
  requireSeed(fn, seed);
  const init = options.initialCenters;
  const restarts = options.restarts ?? (init ? 1 : 4);
  requireInt(fn, 'options.restarts', restarts, 1, LIMITS.restarts);
  const maxIterations = options.maxIterations ?? 300;
  requireInt(fn, 'options.maxIterations', maxIterations, 1, LIMITS.iterations);
  const tol = options.tol ?? 1e-4;
  if (typeof tol !== 'number' || !(tol >= 0) || !Number.isFinite(tol)) throw new ArgumentRangeError(`${fn}: options.tol must be finite and ≥ 0, got ${String(tol)}`);
  if (init !== undefined) {
    requireF64Matrix(fn, 'options.initialCenters', init);
    if (init.rows !== k || init.cols !== x.cols) throw new ShapeError(`${fn}: options.initialCenters is ${init.rows}×${init.cols}, expected k×p = ${k}×${x.cols}`);
    if (restarts !== 1) throw new InputError(`${fn}: options.restarts must be 1 with options.initialCenters, got ${String(restarts)}`);
  }
  // squared distances ‖x‖² + ‖c‖² − 2x·c and their sum (inertia) must be finite: bounded by 4·n·‖x‖²_max
  let amax = 0;
  for (const v of x.data) amax = Math.max(amax, Math.abs(v));
  if (4 * x.rows * x.cols * amax * amax > Number.MAX_VALUE) {
    throw new InputError(`${fn}: x has entries up to ${amax}, whose squared distances (up to 4·n·p·${amax}²) overflow f64; scale x first`);
  }
  const xsq = rowNorms(x, { squared: true });
  const tolScaled = tol * meanVariance(x);
  const g = rng(seed);
  let best: KmeansResult | null = null;
  for (let r = 0; r < restarts; r++) {
    const centers = init ? init.clone('f64') : seedPlusPlus(x, xsq, k, g);
    try {
      const run = lloyd(x, xsq, centers, maxIterations, tolScaled);
      const inertia = inertiaOf(x, centers, run.assignments);
      if (!best || inertia < best.inertia) {
        best?.centers.free();
        best = { centers, assignments: run.assignments, inertia, iterations: run.iterations, converged: run.converged };
      } else {
        centers.free();
      }
    } catch (e) {
      centers.free();
      best?.centers.free();
      throw e;
    }
  }
  return best as KmeansResult;
}
