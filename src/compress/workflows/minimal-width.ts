// The smallest width d at which a construction's certificate meets a user's tolerance on the actual graph:
// the practical question behind Theorems 3.3–4.4 ("how narrow can this transformer be, here?"), for the
// theory constructions and for trained networks (method 'practical') alike
// (docs/theory.md#12-minimalwidth).
import { ArgumentRangeError, ConvergenceError, InputError } from '../../runtime/errors.js';
import { checkOptionsObject, optionalBoolean, requireFinite, requireInt } from '../../runtime/validate.js';
import type { DenseMatrix } from '../../linalg/dense.js';
import type { CsrGraph } from '../../graph/csr.js';
import type { GraphTransformer } from '../../model/graph-transformer.js';
import { checkCompressArguments, requireOptionsObject } from '../framework/arguments.js';
import type { CompressedModel } from '../framework/types.js';
import { compressWithJl } from '../thm-3.3-jl/jl.js';
import { compressExactLowRank } from '../prop-4.1-exact/exact-low-rank.js';
import { compressLowRank } from '../thm-4.2-almost-low-rank/low-rank.js';
import { compressByLeverage } from '../prop-4.3-leverage/leverage.js';
import { compressByClusters } from '../thm-4.4-clusters/clusters.js';
import { compressPractical } from '../practical/practical.js';

/** The construction whose width is searched ('practical': compressPractical, for trained networks). */
export type WidthMethod = 'lowRank' | 'exactLowRank' | 'jl' | 'leverage' | 'clusters' | 'practical';

export interface MinimalWidthOptions {
  /** Required max_i ‖T(X)_i − U_out T̂(X)_i‖₂ (absolute unless `relative`). */
  tolerance: number;
  /** Read tolerance relative to max_i ‖T(X)_i‖₂ (certificate.outputScale) instead (default false). */
  relative?: boolean;
  /** Which construction: Thm 4.2, Prop 4.1, Thm 3.3, Prop 4.3, Thm 4.4, or the practical restatement for trained networks. */
  method: WidthMethod;
  /**
   * Largest d tried (default: the reference's widest layer, max(d_in, D); for 'practical', the widest
   * residual stream, max(model.widths), since d is the stream's width there).
   */
  dMax?: number;
  /** Smallest d tried (default 1; with given cluster labels, the largest k). */
  dMin?: number;
  /** Also require max over edges |log(â_ij/a_ij)| ≤ this (default: no requirement). */
  logRatioTolerance?: number;
  /** Also require certificate.holds: every applicable check of the theorem passes (default true). */
  requireHolds?: boolean;
  /**
   * 'linear' tries dMin, dMin+1, …; 'bisect' doubles from dMin until a width meets the tolerance, then
   * bisects between the last failure and the first success. Bisection assumes monotonicity (a width that
   * meets the tolerance is not followed by a larger one that does not), which the theorems suggest but do
   * not guarantee (randomised constructions, k-means). Default: 'linear' when dMax − dMin < 16, else 'bisect'.
   */
  search?: 'linear' | 'bisect';
  /** Further options for the construction (seed, delta0, clusters, eps, hidden …); d is set by the search. */
  constructionOptions?: { [key: string]: unknown };
  /** Called after each width is tried (progress, or the trials when no width meets the tolerance). */
  onTrial?: (trial: WidthTrial) => void;
}

/** One width tried. */
export interface WidthTrial {
  d: number;
  outputError: number;
  /** outputError / max_i ‖T(X)_i‖₂. */
  relativeError: number;
  maxLogRatio: number;
  holds: boolean;
  meets: boolean;
}

export interface MinimalWidthResult {
  /** The smallest width found that meets the tolerance (the smallest overall under 'linear'). */
  d: number;
  /** The compressed model at that width, with its certificate. */
  compressed: CompressedModel;
  /** Every width tried, in order. */
  trials: WidthTrial[];
  search: 'linear' | 'bisect';
}

function compressAt(method: WidthMethod, model: GraphTransformer, x: DenseMatrix, pattern: CsrGraph, d: number,
  extra: { [key: string]: unknown }): CompressedModel {
  const options = { ...extra, d };
  switch (method) {
    case 'lowRank': return compressLowRank(model, x, pattern, options);
    case 'exactLowRank': return compressExactLowRank(model, x, pattern, options);
    case 'jl': return compressWithJl(model, x, pattern, options);
    case 'leverage': return compressByLeverage(model, x, pattern, options);
    case 'clusters': return compressByClusters(model, x, pattern, options);
    case 'practical': return compressPractical(model, x, pattern, options);
  }
}

/** Releases the WASM memory of a compressed model that is not returned. */
function release(c: CompressedModel): void {
  c.narrow.free();
  c.inputAdapter?.free();
  c.uOut?.free();
  for (const dec of c.decoders) for (const m of [dec.input, dec.half, dec.threeQuarter]) if (typeof m !== 'string') m.free();
}

const METHODS: readonly WidthMethod[] = ['lowRank', 'exactLowRank', 'jl', 'leverage', 'clusters', 'practical'];

/**
 * The smallest d ≤ dMax whose compressed model, by `method`, has a certificate that holds (unless
 * requireHolds is false) with outputError ≤ tolerance (·outputScale when `relative`; and maxLogRatio ≤
 * logRatioTolerance when given).
 * Every width is built and certified on the actual (x, pattern); see `search` for the monotonicity that
 * 'bisect' assumes. Cost: one compression + certificate per width tried (dMax − dMin + 1 for 'linear',
 * about 2·log₂(dMax) for 'bisect').
 * Throws InputError / RangeError on bad arguments (before any work), ConvergenceError when no width up to
 * dMax meets the tolerance (the message gives the best width and its error), and whatever the construction
 * throws for a width it cannot build.
 */
export function minimalWidth(model: GraphTransformer, x: DenseMatrix, pattern: CsrGraph, options: MinimalWidthOptions): MinimalWidthResult {
  const fn = 'minimalWidth';
  checkCompressArguments(fn, model, x, pattern);
  requireOptionsObject(fn, options, '{ tolerance, method, … }');
  const { tolerance, method } = options;
  requireFinite(fn, 'options.tolerance', tolerance, 0);
  if (!METHODS.includes(method)) throw new InputError(`${fn}: options.method must be one of ${METHODS.join(', ')}, got ${String(method)}`);
  const lr = options.logRatioTolerance;
  if (lr !== undefined) requireFinite(fn, 'options.logRatioTolerance', lr, 0);
  const extra = options.constructionOptions ?? {};
  checkOptionsObject(fn, extra, 'options.constructionOptions');
  const widest = method === 'practical' ? Math.max(...model.widths)
    : Math.max(model.inputDim, ...model.shapes.map((s) => Math.max(s.queryKey, s.value, s.hidden, s.output)));
  const dMax = options.dMax ?? widest;
  let dMin = options.dMin ?? 1;
  const labels = (extra as { clusters?: unknown }).clusters;
  if (options.dMin === undefined && method === 'clusters' && Array.isArray(labels)) {
    for (const lab of labels) if (lab instanceof Int32Array) for (const v of lab) dMin = Math.max(dMin, v + 1);
  }
  for (const [name, v] of [['dMax', dMax], ['dMin', dMin]] as const) {
    requireInt(fn, `options.${name}`, v, 1);
  }
  if (dMin > dMax) throw new ArgumentRangeError(`${fn}: dMin = ${dMin} exceeds dMax = ${dMax}`);
  const search = options.search ?? (dMax - dMin < 16 ? 'linear' : 'bisect');
  if (search !== 'linear' && search !== 'bisect') throw new InputError(`${fn}: options.search must be 'linear' or 'bisect', got ${String(search)}`);
  const requireHolds = optionalBoolean(fn, 'options.requireHolds', options.requireHolds, true);
  const relative = optionalBoolean(fn, 'options.relative', options.relative, false);
  const onTrial = options.onTrial;
  if (onTrial !== undefined && typeof onTrial !== 'function') throw new InputError(`${fn}: options.onTrial must be a function`);

  const trials: WidthTrial[] = [];
  let kept: CompressedModel | null = null;
  const attempt = (d: number): boolean => {
    const c = compressAt(method, model, x, pattern, d, extra);
    const cert = c.certificate;
    const relativeError = cert.outputScale > 0 ? cert.outputError / cert.outputScale : cert.outputError === 0 ? 0 : Infinity;
    const meets = (!requireHolds || cert.holds) && (relative ? relativeError : cert.outputError) <= tolerance
      && (lr === undefined || cert.maxLogRatio <= lr);
    const trial = { d, outputError: cert.outputError, relativeError, maxLogRatio: cert.maxLogRatio, holds: cert.holds, meets };
    trials.push(trial);
    if (meets) {
      // Successes come at decreasing widths (linear stops at the first, bisection only moves hi down).
      if (kept) release(kept);
      kept = c;
    } else {
      release(c);
    }
    onTrial?.(trial);
    return meets;
  };

  let found: number | null = null;
  if (search === 'linear') {
    for (let d = dMin; d <= dMax && found === null; d++) if (attempt(d)) found = d;
  } else {
    let lo = dMin - 1, hi: number | null = null; // lo: largest width known to fail
    for (let d = dMin; hi === null; d = Math.min(2 * d, dMax)) {
      if (attempt(d)) hi = d; else lo = d;
      if (d === dMax) break;
    }
    if (hi !== null) {
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (attempt(mid)) hi = mid; else lo = mid;
      }
      found = hi;
    }
  }
  if (found === null) {
    const best = trials.reduce((a, b) => (b.outputError < a.outputError ? b : a));
    throw new ConvergenceError(`${fn}: no width d ∈ [${dMin}, ${dMax}] meets ${relative ? 'relative ' : ''}tolerance ${tolerance} with method '${method}'` +
      `${requireHolds ? ' and a holding certificate' : ''}; the smallest error was ${best.outputError} at d = ${best.d}` +
      ` (certificate ${best.holds ? 'holds' : 'fails'}) — raise dMax or the tolerance`);
  }
  return { d: found, compressed: kept as unknown as CompressedModel, trials, search };
}
