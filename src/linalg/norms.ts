// Row and column Euclidean norms (SIMD kernel assembly/norms.ts or its twin) and the operator norm
// ‖A‖₂ = σ₁(A) by power iteration, handing over to Lanczos when σ₁ ≈ σ₂ stalls it. All f64.
import { ConvergenceError, InputError } from '../runtime/errors.js';
import { runKernel } from '../runtime/dispatch.js';
import { Storage, type DType } from '../runtime/storage.js';
import { rng } from '../random/rng.js';
import * as twin from '../twin/norms.js';
import { DenseMatrix, requireF64Matrix } from './dense.js';
import { matmul } from './matmul.js';
import { lanczosTopEigenvalue } from './lanczos.js';
import { checkOptionsObject, requireInt, requireOpen, requireSeed, optionalBoolean, LIMITS } from '../runtime/validate.js';

export interface NormOptions {
  /** Return Σx² instead of √Σx² (default false). */
  squared?: boolean;
}

// Below this a sum of squares may hold subnormal squares (|x| < 1.5e-154) and lose relative accuracy;
// above it, their absolute error (≤ 2⁻¹⁰⁷⁵ each) is < 2⁻¹⁰⁰ of the sum.
const TINY_SUM = 2 ** -968;

function squaredNorms(a: DenseMatrix<'f64'>, byRow: boolean): Float64Array {
  const len = byRow ? a.rows : a.cols;
  if (len === 0) return new Float64Array(0);
  const buf = Storage.alloc('f64', len);
  try {
    runKernel({
      args: [buf, a.storage] as Storage<DType>[], writes: [buf as Storage<DType>],
      kernel: (k, [po, pa]) => (byRow ? k.row_sq_norms_f64 : k.col_sq_norms_f64)(po, pa, a.rows, a.cols),
      twin: () => (byRow ? twin.row_sq_norms_f64 : twin.col_sq_norms_f64)(buf.array, a.data, a.rows, a.cols),
    });
    return buf.array.slice(); // a plain array, out of WASM memory before buf is freed
  } finally {
    buf.free();
  }
}

/** √Σx² over a strided run of n values with scaling by max|x|, immune to overflow and underflow. */
function scaledNorm(x: Float64Array, start: number, stride: number, n: number): number {
  let scale = 0;
  for (let t = 0; t < n; t++) scale = Math.max(scale, Math.abs(x[start + t * stride]));
  if (scale === 0) return 0;
  let s = 0;
  for (let t = 0; t < n; t++) { const y = x[start + t * stride] / scale; s += y * y; }
  return scale * Math.sqrt(s);
}

function finish(a: DenseMatrix<'f64'>, sq: Float64Array, byRow: boolean, squared: boolean): Float64Array {
  const data = a.data;
  for (let i = 0; i < sq.length; i++) {
    const s = sq[i];
    if (s < TINY_SUM || s === Infinity) {
      const r = byRow ? scaledNorm(data, i * a.cols, 1, a.cols) : scaledNorm(data, i, a.cols, a.rows);
      sq[i] = squared ? r * r : r;
      // finite in, finite out: a squared norm beyond the f64 range is an error, not +Inf
      if (!Number.isFinite(sq[i])) {
        throw new InputError(`${byRow ? 'rowNorms' : 'columnNorms'}: the squared norm of ${byRow ? 'row' : 'column'} ${i} (${r}²) overflows f64; ask for the norms (squared: false)`);
      }
    } else if (!squared) {
      sq[i] = Math.sqrt(s);
    }
  }
  return sq;
}

/**
 * Euclidean norm of every row of A (m×n, f64): out[i] = ‖A[i, :]‖₂ (or its square with `squared`).
 * Cost m·n multiply-adds (SIMD kernel; the TS twin gives the same bits). Accuracy: relative error
 * ≤ (n + 2)·2⁻⁵³; rows whose squares would overflow or underflow are recomputed with scaling, as
 * LAPACK's dnrm2 does, so no finite input gives Infinity or a spurious 0 (except `squared` values
 * that are themselves beyond the f64 range). An m×0 matrix gives m zeros.
 * Throws InputError when A is not an f64 DenseMatrix or has a non-finite entry.
 */
export function rowNorms(a: DenseMatrix<'f64'>, options: NormOptions = {}): Float64Array {
  requireF64Matrix('rowNorms', 'a', a, true);
  checkOptionsObject('rowNorms', options);
  return finish(a, squaredNorms(a, true), true, optionalBoolean('rowNorms', 'options.squared', options.squared, false));
}

/**
 * Euclidean norm of every column of A (m×n, f64): out[j] = ‖A[:, j]‖₂ (or its square with `squared`).
 * Cost m·n multiply-adds, summed down each column in row order (SIMD across columns; same bits as the
 * twin). Accuracy and overflow handling as rowNorms. A 0×n matrix gives n zeros.
 * Throws InputError when A is not an f64 DenseMatrix or has a non-finite entry.
 */
export function columnNorms(a: DenseMatrix<'f64'>, options: NormOptions = {}): Float64Array {
  requireF64Matrix('columnNorms', 'a', a, true);
  checkOptionsObject('columnNorms', options);
  return finish(a, squaredNorms(a, false), false, optionalBoolean('columnNorms', 'options.squared', options.squared, false));
}

export interface OperatorNormOptions {
  /** Stop once the estimated relative error of σ₁ is ≤ tol (default 1e-10; must lie in (0, 1)). */
  tol?: number;
  /** Throw ConvergenceError after this many power steps (default 10 000). */
  maxIterations?: number;
  /** Seed of the random start vector (default 0). */
  seed?: number;
}

const EPS = 2 ** -52;
// The measured ratio of changes approaches the asymptotic ρ from below while faster-decaying singular
// directions are still present, so the tail estimate lags the true error; demanding a quarter of tol
// absorbs that lag (a few more steps) — without it the error ended up to ~1.05·tol in tests.
const SAFETY = 0.25;

/**
 * The spectral norm ‖A‖₂ = σ₁(A) of an m×n f64 matrix, by power iteration on AᵀA from a random
 * Gaussian start (Golub & Van Loan, Matrix Computations, 4th ed., §8.2.1).
 * Each step computes u = A·v and w = Aᵀ·u (two matmul calls, 4·m·n flops) and the estimate
 * σ̂ = ‖w‖/‖u‖, which never exceeds σ₁ and never decreases from one step to the next. Its error shrinks
 * geometrically, by ρ ≈ (σ₂/σ₁)⁴ a step; the loop stops when the geometric tail Δ·ρ/(1 − ρ) of the
 * last change Δ (ρ measured as the ratio of the last two changes) is ≤ tol·σ̂/4. A change at the
 * rounding level 8·2⁻⁵²·σ̂ (converged, or stalled by σ₂ ≈ σ₁) and a power iteration that has not stopped after 30 steps (σ₂/σ₁ close to 1,
 * where it would need ~1/(1 − ρ) steps, or never finish) continue as Lanczos with full
 * reorthogonalisation from its current vector (src/linalg/lanczos.ts), which separates close σ₁, σ₂
 * in a few steps and is exact after n. Accuracy: σ̂ ≤ σ₁(1 + O(2⁻⁵²)), and σ₁ − σ̂ ≲ tol·σ₁ once the
 * steps are in their asymptotic regime (a heuristic, as for every Krylov stopping rule; it fails only
 * for a start vector almost orthogonal to the top singular vector, which has probability ~0).
 * Returns 0 for the zero matrix.
 * Throws ShapeError for an empty A, InputError for a non-finite entry or bad seed, RangeError for
 * tol ∉ (0, 1) or a bad maxIterations, ConvergenceError when maxIterations steps (power and Lanczos
 * together; each applies A and Aᵀ once) do not reach tol.
 */
export function operatorNorm(a: DenseMatrix<'f64'>, options: OperatorNormOptions = {}): number {
  const fn = 'operatorNorm';
  requireF64Matrix(fn, 'a', a);
  checkOptionsObject(fn, options);
  const tol = options.tol ?? 1e-10;
  requireOpen(fn, 'options.tol', tol, 0, 1);
  const maxIterations = options.maxIterations ?? 10000;
  requireInt(fn, 'options.maxIterations', maxIterations, 1, LIMITS.iterations);
  const seed = options.seed ?? 0;
  requireSeed(fn, seed);
  // Scale first: the products A·v and Aᵀ·u square the entries' magnitude, so A·1e300 would overflow to
  // NaN and subnormal entries would lose their digits. A/max|a_ij| has the same singular vectors.
  const d = a.data;
  let amax = 0;
  for (let i = 0; i < d.length; i++) amax = Math.max(amax, Math.abs(d[i]));
  if (amax === 0) return 0;
  if (amax > 2 ** 400 || amax < 2 ** -400) {
    const scaled = DenseMatrix.zeros(a.rows, a.cols, 'f64');
    try {
      const sd = scaled.data, ad = a.data;
      for (let i = 0; i < sd.length; i++) sd[i] = ad[i] / amax;
      return amax * powerNorm(scaled, tol, maxIterations, seed);
    } finally {
      scaled.free();
    }
  }
  return powerNorm(a, tol, maxIterations, seed);
}

/** operatorNorm after its checks, on a matrix whose largest |entry| lies in [2⁻⁴⁰⁰, 2⁴⁰⁰]. */
function powerNorm(a: DenseMatrix<'f64'>, tol: number, maxIterations: number, seed: number): number {
  const fn = 'operatorNorm';
  const m = a.rows, n = a.cols;
  const v = DenseMatrix.zeros(n, 1, 'f64'), u = DenseMatrix.zeros(m, 1, 'f64'), w = DenseMatrix.zeros(n, 1, 'f64');
  try {
    const g = rng(seed);
    const start = g.fillNormal(new Float64Array(n));
    scaleInto(v.data, start, 1 / norm2(start));
    let prev = 0, prevDelta = 0;
    for (let it = 1; it <= maxIterations; it++) {
      if (it > LANCZOS_AFTER) return lanczosFallback(a, v, Math.max(prev, 0), tol, maxIterations - it + 1, u);
      matmul(a, v, { out: u, checkFinite: false });
      const s = norm2(u.data);
      if (s === 0) return 0; // A·v = 0 for a random v only when A = 0
      matmul(a, u, { transA: true, out: w, checkFinite: false });
      const t = norm2(w.data);
      const est = t / s;
      if (t === 0) return 0;
      scaleInto(v.data, w.data, 1 / t);
      const delta = est - prev;
      if (it > 1) {
        // A change at the rounding level means either convergence or a stall (σ₂ ≈ σ₁ moves the estimate by
        // almost nothing a step): Lanczos from the current vector tells them apart, in one step when converged.
        if (delta <= 8 * EPS * est) return lanczosFallback(a, v, est, tol, maxIterations - it, u);
        const rho = delta / prevDelta;
        if (it > 2 && rho > 0 && rho < 1 && delta * rho / (1 - rho) <= SAFETY * tol * est) return est;
      }
      prev = est;
      prevDelta = delta;
    }
    throw new ConvergenceError(`${fn}: power iteration did not reach tol = ${tol} in ${maxIterations} steps; raise options.maxIterations or options.tol`);
  } finally {
    v.free(); u.free(); w.free();
  }
}

// Power steps before switching to Lanczos: enough for any gap σ₂/σ₁ ≤ 0.5 to reach tol = 1e-10, while a
// stalled iteration (σ₁ ≈ σ₂: 10⁴ steps at σ₂/σ₁ = 0.999, never at 1 − 1e-7) hands over early.
const LANCZOS_AFTER = 30;

/**
 * σ₁ by Lanczos on AᵀA (n×n, applied as A·v then Aᵀ·u) from the power iteration's current vector v, with
 * full reorthogonalisation: exact after at most n steps, and fast when σ₁ and σ₂ are close. Stops when the
 * Ritz residual bound is ≤ tol·θ (|σ₁² − θ| ≤ tol·θ gives σ₁ within tol/2 of √θ); returns the larger of √θ and
 * the power estimate (both are lower bounds on σ₁). Throws ConvergenceError when `steps` applications do not
 * reach that.
 */
function lanczosFallback(a: DenseMatrix<'f64'>, v: DenseMatrix<'f64'>, powerEstimate: number, tol: number, steps: number,
  u: DenseMatrix<'f64'>): number {
  const n = a.cols, x = DenseMatrix.zeros(n, 1, 'f64'), y = DenseMatrix.zeros(n, 1, 'f64');
  try {
    const gram = (q: Float64Array, out: Float64Array): void => {
      x.data.set(q);
      matmul(a, x, { out: u, checkFinite: false });
      matmul(a, u, { transA: true, out: y, checkFinite: false });
      out.set(y.data);
    };
    const r = lanczosTopEigenvalue(gram, n, Float64Array.from(v.data), tol, steps);
    if (!r.converged) {
      throw new ConvergenceError(`operatorNorm: power iteration and Lanczos did not reach tol = ${tol} in the allowed steps `
        + `(options.maxIterations counts both); raise options.maxIterations or options.tol`);
    }
    return Math.max(Math.sqrt(r.theta), powerEstimate);
  } finally {
    x.free(); y.free();
  }
}

/** ‖x‖₂ with scaling only when the plain sum of squares leaves the safe range. */
function norm2(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  if (s < TINY_SUM || s === Infinity) return scaledNorm(x, 0, 1, x.length);
  return Math.sqrt(s);
}

function scaleInto(out: Float64Array, x: Float64Array, f: number): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i] * f;
}
