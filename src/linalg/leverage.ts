// Statistical leverage scores of the rows of an n×d matrix (exact, and the fast approximation of
// Drineas, Magdon-Ismail, Mahoney & Woodruff 2012), and leverage-score row sampling (paper Lemma C.3).
// All f64.
import { InputError, ShapeError, ArgumentRangeError } from '../runtime/errors.js';
import { rng } from '../random/rng.js';
import { DenseMatrix, requireF64Matrix } from './dense.js';
import { svdArrays } from './svd.js';
import { matmul } from './matmul.js';
import { qr } from './qr.js';
import { rowNorms } from './norms.js';
import { jlMatrix, jlMinDim, jlTransform } from './jl.js';
import { requireInt, requireOpen, requireSeed, checkOptionsObject, LIMITS } from '../runtime/validate.js';

export interface LeverageScoreOptions {
  /** 'exact' (default): row norms of an orthonormal basis of col(A). 'approximate': DMMW 2012, Algorithm 1. */
  method?: 'exact' | 'approximate';
  /**
   * Numerical rank tolerance: singular values ≤ rtol·σ₁ count as zero (default max(n, d)·2⁻⁵², the
   * convention of numpy.linalg.matrix_rank).
   */
  rtol?: number;
  /** 'approximate': relative error ε of every score, in (0, 1) (default 0.5). */
  eps?: number;
  /** 'approximate': failure probability δ, in (0, 1) (default 0.1). */
  delta?: number;
  /** 'approximate': seed of the two random maps (default 0). */
  seed?: number;
  /** 'approximate': rows r₁ of the SRHT sketch, overriding the proven rule (the ε guarantee then no longer applies). */
  sketchRows?: number;
  /** 'approximate': columns r₂ of the Gaussian JL map, overriding the proven rule (the ε guarantee then no longer applies). */
  jlDim?: number;
}

/** The sketch sizes behind leverageScores(…, { method: 'approximate', eps, delta }); see its doc comment. */
export function leverageSketchSizes(n: number, d: number, eps: number, delta: number): { sketchRows: number; jlDim: number } {
  const eta = eps / 3;
  let nPad = 1;
  while (nPad < n) nPad *= 2;
  // Tropp 2011, Lemma 3.3 (coherence after H·D, failure δ/4) and matrix Chernoff for sampling without
  // replacement (Tropp 2011, Lemma 3.4 with the e^{−η²/2}, e^{−η²/3} forms; failure δ/4)
  const coherence = (Math.sqrt(d) + Math.sqrt(8 * Math.log(4 * nPad / delta))) ** 2;
  const sketchRows = Math.ceil(3 * coherence * Math.log(8 * d / delta) / (eta * eta));
  const jlDim = jlMinDim(n, eta, delta / 2, { count: 'vectors' });
  return { sketchRows, jlDim };
}

/** Inverse of an upper-triangular d×d R (row-major) by back substitution, or null if a pivot is 0 or it overflows. */
function upperInverse(r: Float64Array, d: number): Float64Array | null {
  const x = new Float64Array(d * d);
  for (let j = d - 1; j >= 0; j--) {
    const rjj = r[j * d + j];
    if (rjj === 0) return null;
    x[j * d + j] = 1 / rjj;
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let t = i + 1; t <= j; t++) s += r[i * d + t] * x[t * d + j];
      x[i * d + j] = -s / r[i * d + i];
    }
  }
  for (const v of x) if (!Number.isFinite(v)) return null;
  return x;
}

function frobenius(x: Float64Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s);
}

/**
 * An orthonormal-basis change for col(R) (R k×d from a QR): either R⁻¹ (full rank, certified cheaply by
 * 1/(‖R‖_F·‖R⁻¹‖_F) > rtol, a lower bound on σ_min/σ_max), or from the SVD R = U·Σ·Vᵀ the r leading
 * columns of U and of V·Σ⁻¹, with r = #{σ > rtol·σ₁}.
 */
type RangeBasis = { kind: 'inverse'; rinv: DenseMatrix<'f64'>; conditionBound: number }
  | { kind: 'svd'; rank: number; u: DenseMatrix<'f64'> | null; vScaled: DenseMatrix<'f64'> | null };

function rangeBasis(r: DenseMatrix<'f64'>, rtol: number): RangeBasis {
  const k = r.rows, d = r.cols;
  if (k === d) {
    const inv = upperInverse(r.data, d);
    const kappa = inv ? frobenius(r.data) * frobenius(inv) : Infinity;
    if (1 / kappa > rtol) return { kind: 'inverse', rinv: DenseMatrix.from(inv as Float64Array, d, d, 'f64'), conditionBound: kappa };
  }
  const svd = svdArrays('leverageScores', r.data, k, d); // svd.ts: one-sided Jacobi, capped sweeps
  const s = svd.s, p = s.length;
  let rank = 0;
  while (rank < p && s[rank] > rtol * s[0]) rank++;
  if (rank === 0) return { kind: 'svd', rank, u: null, vScaled: null };
  const u = new Float64Array(k * rank), v = new Float64Array(d * rank);
  for (let i = 0; i < k; i++) for (let j = 0; j < rank; j++) u[i * rank + j] = svd.u[i * p + j];
  for (let i = 0; i < d; i++) for (let j = 0; j < rank; j++) v[i * rank + j] = svd.v[i * p + j] / s[j];
  return { kind: 'svd', rank, u: DenseMatrix.from(u, k, rank, 'f64'), vScaled: DenseMatrix.from(v, d, rank, 'f64') };
}

function freeBasis(b: RangeBasis): void {
  if (b.kind === 'inverse') b.rinv.free();
  else { b.u?.free(); b.vScaled?.free(); }
}

// Below this bound on κ(A), A·R⁻¹ is as good a basis as Q for leverage scores: its columns are orthonormal
// to within ~κ·2⁻⁵² (Higham, Accuracy and Stability, §19.4), so each score errs by ≲ 1e-11, and one n×d·d×d
// matmul is cheaper than forming Q from its reflectors (which costs more than the QR itself).
const FAST_BASIS_CONDITION = 1e4;

function exactScores(a: DenseMatrix<'f64'>, rtol: number): Float64Array {
  const f = qr(a);
  const r = f.upperTriangularMatrix;
  let basis: RangeBasis;
  try {
    basis = rangeBasis(r, rtol);
  } catch (e) {
    f.free();
    throw e;
  } finally {
    r.free();
  }
  try {
    if (basis.kind === 'inverse' && basis.conditionBound <= FAST_BASIS_CONDITION) {
      f.free();
      const ar = matmul(a, basis.rinv, { checkFinite: false });
      try { return rowNorms(ar, { squared: true }); } finally { ar.free(); }
    }
    if (basis.kind === 'svd' && basis.rank === 0) return new Float64Array(a.rows);
    const q = f.orthogonalMatrix;
    try {
      if (basis.kind === 'inverse') return rowNorms(q, { squared: true });
      // col(A) = Q·col(R) = span of Q·U_r
      const qu = matmul(q, basis.u as DenseMatrix<'f64'>, { checkFinite: false });
      try { return rowNorms(qu, { squared: true }); } finally { qu.free(); }
    } finally {
      q.free();
    }
  } finally {
    f.free();
    freeBasis(basis);
  }
}

function approximateScores(a: DenseMatrix<'f64'>, rtol: number, eps: number, delta: number, seed: number,
  sketchRows: number | undefined, jlDim: number | undefined): Float64Array {
  const n = a.rows, d = a.cols;
  const rule = leverageSketchSizes(n, d, eps, delta);
  const g = rng(seed);
  const seedSketch = g.nextUint32(), seedJl = g.nextUint32();
  // a proven sketch at least as tall as A buys nothing: use A itself (Π₁ = I)
  const r1 = sketchRows ?? (rule.sketchRows < n ? rule.sketchRows : null);
  const r2 = jlDim ?? rule.jlDim;
  if (r1 === null && r2 >= d) return exactScores(a, rtol);
  const b = r1 === null ? a : jlTransform(a, r1, { kind: 'srht', vectors: 'columns', seed: seedSketch });
  let r: DenseMatrix<'f64'>;
  try {
    const f = qr(b);
    r = f.upperTriangularMatrix;
    f.free();
  } finally {
    if (b !== a) b.free();
  }
  const basis = rangeBasis(r, rtol);
  r.free();
  try {
    // T with T·Tᵀ = (BᵀB)⁺: R⁻¹, or V_r·Σ_r⁻¹
    const t = basis.kind === 'inverse' ? basis.rinv : basis.vScaled;
    if (t === null) return new Float64Array(n);
    if (r2 >= t.cols) {
      const omega = matmul(a, t, { checkFinite: false });
      try { return rowNorms(omega, { squared: true }); } finally { omega.free(); }
    }
    const pi2 = jlMatrix(r2, t.cols, { kind: 'gaussian', seed: seedJl });
    const tp = matmul(t, pi2, { transB: true, checkFinite: false });
    pi2.free();
    try {
      const omega = matmul(a, tp, { checkFinite: false });
      try { return rowNorms(omega, { squared: true }); } finally { omega.free(); }
    } finally {
      tp.free();
    }
  } finally {
    freeBasis(basis);
  }
}

/**
 * Leverage scores ℓ_i = a_i·(AᵀA)⁺·a_iᵀ of the n rows of A (n×d, f64): the squared row norms of an
 * orthonormal basis of col(A), so 0 ≤ ℓ_i ≤ 1 and Σℓ_i = rank(A) (paper App. C, Def. C.2 with the
 * inverse restored, docs/theory.md §10).
 * - 'exact': Householder QR A = Q·R and κ_F = ‖R‖_F·‖R⁻¹‖_F ≥ κ₂(A). If κ_F ≤ 1e4, ℓ_i = ‖(A·R⁻¹)_i‖²
 *   (one matmul; absolute error ≲ 2·d·κ_F·2⁻⁵² < 1e-11); else if 1/κ_F > rtol, ℓ_i = ‖Q_i‖² (Q formed
 *   from the reflectors, error ~d·2⁻⁵²); otherwise the SVD of the small R gives the rank r and the basis
 *   Q·U_r. Cost 2·n·d² (QR) + 2·n·d² (A·R⁻¹, or ~4·n·d² to form Q) flops through gemm, + O(d³).
 * - 'approximate' (Drineas, Magdon-Ismail, Mahoney & Woodruff, JMLR 13, 2012, Algorithm 1): an SRHT
 *   sketch B = Π₁A (r₁×d, jlTransform), R from the QR of B, and ℓ̃_i = ‖a_i·R⁻¹·Π₂‖² with a Gaussian
 *   Π₂ (d×r₂). Guarantee: |ℓ̃_i − ℓ_i| ≤ ε·ℓ_i for every i at once, with probability ≥ 1 − δ, at
 *   r₁ = ⌈3·(√d + √(8·ln(4n'/δ)))²·ln(8d/δ)/η²⌉ (n' = 2^⌈log₂n⌉; Tropp 2011 Lemmas 3.3–3.4: Π₁ is a
 *   (1 ± η) subspace embedding of col(A)) and r₂ = jlMinDim(n, η, δ/2, vectors), with η = ε/3: the
 *   scores then lie in [(1−η)/(1+η), (1+η)/(1−η)]·ℓ_i ⊂ [1−ε, 1+ε]·ℓ_i. When r₁ ≥ n the sketch is
 *   skipped (Π₁ = I), when r₂ ≥ rank the JL step is (both exact), so small problems get exact scores; the
 *   proven r₁ only undercuts n for n ≳ 10⁴·d. Cost O(n·d·log n + r₁·d² + n·d·min(d, r₂)).
 *   sketchRows / jlDim override r₁ / r₂ for speed, without the guarantee.
 * A rank-deficient A is handled in both methods (the SVD of R); the zero matrix gives zeros.
 * Throws ShapeError for an empty A; InputError for a non-f64 or non-finite A, a bad seed, or
 * approximation options with method 'exact'; RangeError for eps or delta ∉ (0, 1), a negative rtol,
 * sketchRows ∉ [d, n'] or jlDim < 1 — all before any work.
 */
export function leverageScores(a: DenseMatrix<'f64'>, options: LeverageScoreOptions = {}): Float64Array {
  const fn = 'leverageScores';
  requireF64Matrix(fn, 'a', a);
  checkOptionsObject(fn, options);
  const method = options.method ?? 'exact';
  if (method !== 'exact' && method !== 'approximate') throw new InputError(`${fn}: options.method must be 'exact' or 'approximate', got ${String(method)}`);
  const rtol = options.rtol ?? Math.max(a.rows, a.cols) * 2 ** -52;
  if (typeof rtol !== 'number' || !(rtol >= 0) || !Number.isFinite(rtol)) throw new ArgumentRangeError(`${fn}: options.rtol must be finite and ≥ 0, got ${String(rtol)}`);
  if (method === 'exact') {
    for (const key of ['eps', 'delta', 'seed', 'sketchRows', 'jlDim'] as const) {
      if (options[key] !== undefined) throw new InputError(`${fn}: options.${key} applies only to method 'approximate'`);
    }
    return exactScores(a, rtol);
  }
  const eps = options.eps ?? 0.5, delta = options.delta ?? 0.1, seed = options.seed ?? 0;
  requireOpen(fn, 'options.eps', eps, 0, 1);
  requireOpen(fn, 'options.delta', delta, 0, 1);
  requireSeed(fn, seed);
  let nPad = 1;
  while (nPad < a.rows) nPad *= 2;
  if (options.sketchRows !== undefined) {
    requireInt(fn, 'options.sketchRows', options.sketchRows, a.cols);
    if (options.sketchRows > nPad) throw new ArgumentRangeError(`${fn}: options.sketchRows = ${options.sketchRows} exceeds 2^⌈log₂ n⌉ = ${nPad}`);
  }
  if (options.jlDim !== undefined) requireInt(fn, 'options.jlDim', options.jlDim, 1, a.cols * 64 + 64);
  return approximateScores(a, rtol, eps, delta, seed, options.sketchRows, options.jlDim);
}

export interface LeverageSampleOptions {
  /** Number k of iid draws (default ⌈12·d·ln(2d/δ)⌉ with d = rank(A): docs/theory.md §10, Prop. 4.3). */
  samples?: number;
  /** δ₀, the failure probability of the (1 ± 1/2) subspace embedding behind the default k (default 0.005). */
  delta?: number;
  /** Seed of the draws (default 0). */
  seed?: number;
  /** Precomputed scores (length n, finite, ≥ 0, not all 0); default leverageScores(a). */
  scores?: Float64Array;
}

/**
 * The sampling-and-rescaling matrix of Lemma C.3, kept in factored form: S = I_n[rows, :] (0/1) and
 * weights w, so that the rescaled sketch is diag(w)·S.
 */
export interface LeverageSample {
  /** The distinct rows drawn, increasing (k_eff = rows.length ≤ samples). */
  rows: Int32Array;
  /** How often each row was drawn, c_r. */
  counts: Int32Array;
  /** w_r = √(c_r/(k·p_r)): duplicates merged, so (diag(w)·S·A)ᵀ(diag(w)·S·A) = Σ_t a_{r_t}ᵀa_{r_t}/(k·p_{r_t}). */
  weights: Float64Array;
  /** p_i = ℓ_i/Σℓ over all n rows. */
  probabilities: Float64Array;
  /** k, the number of iid draws. */
  samples: number;
  /** d, the rank the default k was computed from (round(Σℓ)). */
  rank: number;
}

/**
 * Leverage-score row sampling (paper App. C, Lemma C.3 with docs/theory.md §10): k iid draws of rows
 * of A (n×d, f64) with p_i = ℓ_i/d, each weighted 1/√(k·p_i) (duplicates merged to √(c_r/(k p_r))).
 * Guarantee (matrix Chernoff, Tropp 2012): with k ≥ 12·d·ln(2d/δ₀), diag(w)·S·U has squared singular
 * values in [1/2, 3/2] for an orthonormal basis U of col(A), i.e. ½‖Ax‖² ≤ ‖diag(w)·S·A·x‖² ≤ 3/2·‖Ax‖²
 * for all x, with probability ≥ 1 − δ₀. With scores from the approximate method (error ε), raise k by
 * (1 + ε)/(1 − ε). Cost: the scores (see leverageScores) + O(n + k·log n). Deterministic in the seed.
 * Throws as leverageScores for A; ShapeError for scores of the wrong length; InputError for scores that
 * are negative, non-finite or all zero, or a bad seed; RangeError for δ ∉ (0, 1) or samples ∉ [1, 2²⁴] (or a δ whose default k exceeds 2²⁴).
 */
export function leverageSample(a: DenseMatrix<'f64'>, options: LeverageSampleOptions = {}): LeverageSample {
  const fn = 'leverageSample';
  requireF64Matrix(fn, 'a', a);
  checkOptionsObject(fn, options);
  const n = a.rows;
  const delta = options.delta ?? 0.005, seed = options.seed ?? 0;
  requireOpen(fn, 'options.delta', delta, 0, 1);
  requireSeed(fn, seed);
  if (options.samples !== undefined) requireInt(fn, 'options.samples', options.samples, 1, LIMITS.samples);
  const given = options.scores;
  if (given !== undefined) {
    if (!(given instanceof Float64Array)) throw new InputError(`${fn}: options.scores must be a Float64Array`);
    if (given.length !== n) throw new ShapeError(`${fn}: options.scores has length ${given.length}, expected n = ${n}`);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(given[i]) || given[i] < 0) throw new InputError(`${fn}: options.scores[${i}] = ${given[i]} must be finite and ≥ 0`);
    }
  }
  const scores = given ?? leverageScores(a);
  let total = 0;
  for (const s of scores) total += s;
  if (!(total > 0)) throw new InputError(`${fn}: every leverage score is 0 (A = 0?); there is nothing to sample`);
  const rank = Math.max(1, Math.round(total));
  const k = options.samples ?? Math.ceil(12 * rank * Math.log(2 * rank / delta));
  // a tiny δ (5e-324) made the default k infinite, and the draw loop never ended
  if (!(k <= LIMITS.samples)) throw new ArgumentRangeError(`${fn}: options.delta = ${delta} asks for k = ${k} draws, more than ${LIMITS.samples}; raise delta or give options.samples`);
  const probabilities = new Float64Array(n), cum = new Float64Array(n);
  let run = 0;
  for (let i = 0; i < n; i++) { probabilities[i] = scores[i] / total; run += scores[i]; cum[i] = run; }
  const g = rng(seed);
  const drawn = new Int32Array(n);
  for (let t = 0; t < k; t++) {
    const u = g.float() * run;
    let lo = 0, hi = n - 1;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (cum[mid] > u) hi = mid; else lo = mid + 1; }
    drawn[lo]++;
  }
  let distinct = 0;
  for (let i = 0; i < n; i++) if (drawn[i] > 0) distinct++;
  const rows = new Int32Array(distinct), counts = new Int32Array(distinct), weights = new Float64Array(distinct);
  for (let i = 0, t = 0; i < n; i++) {
    if (drawn[i] === 0) continue;
    rows[t] = i; counts[t] = drawn[i];
    weights[t] = Math.sqrt(drawn[i] / (k * probabilities[i]));
    t++;
  }
  return { rows, counts, weights, probabilities, samples: k, rank };
}

/**
 * diag(w)·S·B for a LeverageSample (S = I_n[rows, :]) and any n×c f64 matrix B: the rescaled sampled
 * rows, k_eff×c. Cost O(k_eff·c). Throws ShapeError when B does not have n = sample.probabilities.length
 * rows, InputError for a non-f64 or non-finite B.
 */
export function applyLeverageSample(sample: LeverageSample, b: DenseMatrix<'f64'>): DenseMatrix<'f64'> {
  const fn = 'applyLeverageSample';
  requireF64Matrix(fn, 'b', b);
  if (b.rows !== sample.probabilities.length) throw new ShapeError(`${fn}: b has ${b.rows} rows, expected n = ${sample.probabilities.length}`);
  const c = b.cols, out = DenseMatrix.zeros(sample.rows.length, c, 'f64');
  const o = out.data, src = b.data;
  sample.rows.forEach((r, t) => {
    const w = sample.weights[t];
    for (let j = 0; j < c; j++) o[t * c + j] = w * src[r * c + j];
  });
  return out;
}
