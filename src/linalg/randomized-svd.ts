// Randomized range finder and randomized SVD (f64) after Halko, Martinsson & Tropp (2011), following the
// choices of scikit-learn's randomized_svd: oversampling, the automatic number of power iterations, a
// normalizer between power iterations, work on Aᵀ when A is wide, and deterministic signs.
import { ArgumentRangeError, ArgumentTypeError } from '../runtime/errors.js';
import { scope } from '../runtime/storage.js';
import { rng as makeRng } from '../random/rng.js';
import { DenseMatrix, requireF64Matrix } from './dense.js';
import { svdArrays } from './svd.js';
import { checkOptionsObject, requireInt, LIMITS } from '../runtime/validate.js';
import { matmul } from './matmul.js';
import { qr } from './qr.js';
import { choleskyQr2, choleskyQrGuarded, solveLeftUpper, solveRightUpper } from './cholesky-qr.js';

/** How the sketch is re-normalized between power iterations. */
export type PowerIterationNormalizer = 'qr' | 'lu' | 'none';

export interface RangeFinderOptions {
  /** q, the number of power iterations (A·Aᵀ)^q·A·Ω (default 0). */
  powerIters?: number;
  /** Seed of the Gaussian test matrix Ω, drawn with rng(seed) (default 0). */
  seed?: number;
  /**
   * 'qr' (default): re-orthonormalize after every product, the stable choice (HMT Alg. 4.4) — by one
   * guarded CholeskyQR pass, which leaves a basis of the same range with ‖QᵀQ − I‖_F ≤ 1/2 (κ ≤ √3: what
   * keeping every direction needs), or Householder QR where that guard fails; 'lu': keep the
   * permuted unit-lower factor of a partially pivoted LU, cheaper and what scikit-learn uses by default;
   * 'none': no normalization, which loses the small directions to rounding once σ₁^{2q+1}/σ_k^{2q+1} > 1/ε.
   */
  normalizer?: PowerIterationNormalizer;
}

export interface RandomizedSvdOptions extends Omit<RangeFinderOptions, 'powerIters'> {
  /** p, extra sketch columns beyond k (default 10, as scikit-learn's n_oversamples). */
  oversamples?: number;
  /** q, or 'auto' (default): 7 when k < 0.1·min(m, n), else 4 (scikit-learn's n_iter='auto'). */
  powerIters?: number | 'auto';
}

/** a ≈ u·diag(s)·vᵀ. */
export interface RandomizedSvdResult {
  /** m×k, orthonormal columns; the entry of largest magnitude in each column is positive. */
  u: DenseMatrix<'f64'>;
  /** k singular values, non-increasing, ≥ 0. */
  s: Float64Array;
  /** n×k, orthonormal columns. */
  v: DenseMatrix<'f64'>;
}

const NORMALIZERS: readonly PowerIterationNormalizer[] = ['qr', 'lu', 'none'];

/** ArgumentTypeError unless x is an integer; ArgumentRangeError unless min ≤ x ≤ max. */
function checkCount(fn: string, name: string, x: unknown, min: number, max?: number): asserts x is number {
  requireInt(fn, name, x, min, max, true);
}

function checkRangeOptions(fn: string, o: Pick<RangeFinderOptions, 'seed' | 'normalizer'>): void {
  checkOptionsObject(fn, o);
  if (o.seed !== undefined && (typeof o.seed !== 'number' || !Number.isInteger(o.seed))) {
    throw new ArgumentTypeError(`${fn}: options.seed must be an integer, got ${String(o.seed)}`);
  }
  if (o.normalizer !== undefined && !NORMALIZERS.includes(o.normalizer)) {
    throw new ArgumentRangeError(`${fn}: options.normalizer must be 'qr', 'lu' or 'none', got ${String(o.normalizer)}`);
  }
}

/** scikit-learn's n_iter='auto': 7 power iterations when k < 0.1·min(m, n), 4 otherwise. */
export function defaultPowerIters(k: number, m: number, n: number): number {
  return k < 0.1 * Math.min(m, n) ? 7 : 4;
}

/** M or Mᵀ applied through matmul, where M is a or aᵀ (for wide a), without forming the transpose. */
interface Operator {
  rows: number;
  cols: number;
  /** M·X */
  times(x: DenseMatrix<'f64'>): DenseMatrix<'f64'>;
  /** Mᵀ·X */
  timesT(x: DenseMatrix<'f64'>): DenseMatrix<'f64'>;
}

function operatorOf(a: DenseMatrix<'f64'>, transpose: boolean): Operator {
  const nf = { checkFinite: false }; // a was scanned once on entry; the sketches are finite by construction
  return transpose
    ? {
      rows: a.cols, cols: a.rows,
      times: (x) => matmul(a, x, { ...nf, transA: true }),
      timesT: (x) => matmul(a, x, nf),
    }
    : {
      rows: a.rows, cols: a.cols,
      times: (x) => matmul(a, x, nf),
      timesT: (x) => matmul(a, x, { ...nf, transA: true }),
    };
}

/**
 * An orthonormal basis of the range of y (m×l, m ≥ l): CholeskyQR2 when its measured guard passes (full
 * numerical rank, the usual case, ≈ 5× faster on tall sketches), else the thin Q of Householder QR.
 */
function orthonormalize(y: DenseMatrix<'f64'>): DenseMatrix<'f64'> {
  return choleskyQr2(y) ?? householderQ(y);
}

function householderQ(y: DenseMatrix<'f64'>): DenseMatrix<'f64'> {
  const f = qr(y);
  const q = f.orthogonalMatrix;
  f.free();
  return q;
}

/**
 * The 'qr' normalizer between power iterations: a basis of the range of y with κ ≤ √3 (one guarded
 * CholeskyQR pass, ‖QᵀQ − I‖_F ≤ 1/2), else Householder's orthonormal Q. What re-normalizing has to achieve
 * is that the next product sees well-conditioned columns, so that no direction of the range is lost to
 * rounding; errors then grow by at most κ = √3 against an exactly orthonormal basis. The second pass that
 * would make the basis orthonormal is skipped there (it is one more triangular solve per product).
 */
function conditionedBasis(y: DenseMatrix<'f64'>): DenseMatrix<'f64'> {
  const f = choleskyQrGuarded(y);
  return f ? f.q : householderQ(y);
}

/**
 * P·L of a partially pivoted LU of y (m×l, m ≥ l), in place: the unit lower-trapezoidal factor with its
 * rows permuted back (scipy.linalg.lu(…, permute_l=True)). Same column space as y when y has full rank.
 */
function luNormalize(y: DenseMatrix<'f64'>): DenseMatrix<'f64'> {
  const m = y.rows, l = y.cols, d = y.data;
  const pos = new Int32Array(m).fill(l); // position of each row in the pivot order (l: never a pivot)
  for (let j = 0; j < l; j++) {
    let p = -1, best = -1;
    for (let i = 0; i < m; i++) {
      if (pos[i] < j) continue;
      const v = Math.abs(d[i * l + j]);
      if (v > best) { best = v; p = i; }
    }
    pos[p] = j;
    const piv = d[p * l + j];
    for (let i = 0; i < m; i++) {
      if (pos[i] <= j) continue;
      const f = piv === 0 ? 0 : d[i * l + j] / piv; // a zero pivot column is left as is (LAPACK getrf)
      d[i * l + j] = f;
      if (f !== 0) for (let c = j + 1; c < l; c++) d[i * l + c] -= f * d[p * l + c];
    }
  }
  for (let i = 0; i < m; i++) {
    const t = pos[i];
    for (let c = 0; c < l; c++) if (c >= t) d[i * l + c] = c === t ? 1 : 0;
  }
  return y;
}

function normalize(y: DenseMatrix<'f64'>, how: PowerIterationNormalizer): DenseMatrix<'f64'> {
  return how === 'qr' ? conditionedBasis(y) : how === 'lu' ? luNormalize(y) : y;
}

/** The last sketch (A·Aᵀ)^q·A·Ω, re-normalized between products, before its final orthonormalization. */
function sketch(op: Operator, size: number, q: number, seed: number, how: PowerIterationNormalizer): DenseMatrix<'f64'> {
  return scope(() => {
    const omega = DenseMatrix.zeros(op.cols, size, 'f64');
    omega.data.set(makeRng(seed).fillNormal(new Float64Array(op.cols * size)));
    let x = omega;
    for (let i = 0; i < q; i++) {
      x = normalize(op.times(x), how);
      x = normalize(op.timesT(x), how);
    }
    return op.times(x);
  });
}

/**
 * An m×size matrix Q with orthonormal columns whose range approximates the range of A: Q = orth(A·Ω) for a
 * Gaussian n×size Ω, after q power iterations (A·Aᵀ)^q·A·Ω re-normalized between products.
 * Reference: Halko, Martinsson & Tropp, SIAM Review 53 (2011), Alg. 4.3 (q = 0) and Alg. 4.4 (subspace
 * iteration); scikit-learn's randomized_range_finder.
 * Cost: (2q + 1) products with A or Aᵀ, 2·m·n·size flops each, plus 2q + 1 thin orthonormalizations of
 * m×size or n×size (CholeskyQR, see cholesky-qr.ts; Householder QR when its guard fails).
 * Accuracy: see randomizedSvd (HMT Thm. 10.8 and Cor. 10.10 bound ‖A − QQᵀA‖).
 * Throws InputError / ShapeError (a not a non-empty finite f64 DenseMatrix), TypeError / RangeError (size
 * not an integer in [1, min(m, n)], bad options) — before any work.
 */
export function randomizedRangeFinder(a: DenseMatrix<'f64'>, size: number, options: RangeFinderOptions = {}): DenseMatrix<'f64'> {
  const fn = 'randomizedRangeFinder';
  requireF64Matrix(fn, 'a', a);
  checkCount(fn, 'size', size, 1);
  if (size > Math.min(a.rows, a.cols)) throw new ArgumentRangeError(`${fn}: size must be ≤ min(m, n) = ${Math.min(a.rows, a.cols)}, got ${size}`);
  checkOptionsObject(fn, options);
  const q = options.powerIters ?? 0;
  checkCount(fn, 'options.powerIters', q, 0, LIMITS.powerIters);
  checkRangeOptions(fn, options);
  return scope(() => orthonormalize(sketch(operatorOf(a, false), size, q, options.seed ?? 0, options.normalizer ?? 'qr')));
}

/**
 * Randomized truncated SVD: a ≈ u·diag(s)·vᵀ with k components, u m×k and v n×k orthonormal, s descending.
 * Reference: Halko, Martinsson & Tropp, SIAM Review 53 (2011): Alg. 4.4 (range finder with power
 * iterations) then Alg. 5.1 (direct SVD of B = QᵀA), as scikit-learn's randomized_svd (which cites
 * Alg. 4.3 and the power scheme of §4.5): ℓ = min(k + oversamples, min(m, n)) sketch columns; wide A is
 * handled as Aᵀ; the SVD of B (ℓ×n) is that of the ℓ×ℓ R of a Householder QR of Bᵀ (svdArrays of svd.ts),
 * rotated back by that QR's Q; signs follow svd_flip (the entry of
 * largest magnitude in each column of u is made positive, so results are deterministic).
 * Cost: (2q + 2) products with A or Aᵀ at 2·m·n·ℓ flops each (gemm_f64), 2q + 1 thin orthonormalizations
 * (CholeskyQR2, Householder QR when that is not accurate; see cholesky-qr.ts), a QR of Bᵀ (O(n·ℓ²)) and
 * an O(ℓ³) SVD.
 * Accuracy: with p = ℓ − k ≥ 4, ‖A − u·diag(s)·vᵀ‖₂ ≤ σ_{k+1} + ‖(I − QQᵀ)A‖ where, with probability
 * ≥ 1 − 3·p^{−p}, ‖(I − QQᵀ)A‖ ≤ [(1 + 6√((k+p)·p·log p))·σ_{k+1}^{2q+1} + 3√(k+p)·(Σ_{j>k} σ_j^{2(2q+1)})^{1/2}]^{1/(2q+1)}
 * (HMT Thm. 10.8 applied to (AAᵀ)^q·A through Thm. 9.2; the expected-value form is Cor. 10.10), plus
 * rounding of order ε·σ₁. Every s_i ≤ σ_i, and σ_i − s_i ≤ ‖(I − QQᵀ)A‖.
 * Throws InputError / ShapeError (a not a non-empty finite f64 DenseMatrix), TypeError (k, oversamples,
 * powerIters or seed not integers), RangeError (k outside [1, min(m, n)], negative oversamples or
 * powerIters, unknown normalizer) — before any work.
 */
export function randomizedSvd(a: DenseMatrix<'f64'>, k: number, options: RandomizedSvdOptions = {}): RandomizedSvdResult {
  const fn = 'randomizedSvd';
  requireF64Matrix(fn, 'a', a);
  const m = a.rows, n = a.cols;
  checkCount(fn, 'k', k, 1);
  if (k > Math.min(m, n)) throw new ArgumentRangeError(`${fn}: k must be ≤ min(m, n) = ${Math.min(m, n)}, got ${k}`);
  checkOptionsObject(fn, options);
  const p = options.oversamples ?? 10;
  checkCount(fn, 'options.oversamples', p, 0);
  const pi = options.powerIters ?? 'auto';
  if (pi !== 'auto') checkCount(fn, "options.powerIters (an integer or 'auto')", pi, 0, LIMITS.powerIters);
  checkRangeOptions(fn, options);
  const q = pi === 'auto' ? defaultPowerIters(k, m, n) : pi;
  const size = Math.min(k + p, Math.min(m, n));
  const transpose = m < n; // scikit-learn's transpose='auto': sketch the longer side
  return scope(() => {
    const op = operatorOf(a, transpose);
    // The basis Q = Q₁·R₂⁻¹ of the sketch (CholeskyQR2) is never formed: R₂⁻¹ (κ ≤ √3) is applied to the
    // size-column products instead, MᵀQ = (MᵀQ₁)·R₂⁻¹ and Q·W = Q₁·(R₂⁻¹·W), which saves one m×size solve.
    const y = sketch(op, size, q, options.seed ?? 0, options.normalizer ?? 'qr');
    const f = choleskyQrGuarded(y);
    const basis = f ? f.q : householderQ(y);
    // B = QᵀM (size × op.cols) through Bᵀ = MᵀQ = Q_b·R (Householder), R = Ũ·Σ·Ṽᵀ (svd.ts, size × size):
    // B = Ṽ·Σ·(Q_b·Ũ)ᵀ. The SVD of the short side only; LAPACK's gesvd does the same QR first for tall input.
    const bt = op.timesT(basis);
    if (f) solveRightUpper(bt, f.r);
    const fb = qr(bt);
    const qb = fb.orthogonalMatrix, r = fb.upperTriangularMatrix;
    fb.free();
    const small = svdArrays(fn, r.data, size, size); // R = Ũ·Σ·Ṽᵀ (svd.ts: one-sided Jacobi, capped sweeps)
    const uSmall = DenseMatrix.from(firstColumns(small.v, size, size, k), size, k, 'f64');
    if (f) solveLeftUpper(f.r, uSmall.data, size, k);
    const left = matmul(basis, uSmall); // op.rows × k
    const right = matmul(qb, DenseMatrix.from(firstColumns(small.u, size, size, k), size, k, 'f64')); // op.cols × k
    const s = Float64Array.from(small.s.subarray(0, k), (x) => Math.max(0, x));
    const [u, v] = transpose ? [right, left] : [left, right];
    flipSigns(u, v);
    return { u, s, v };
  });
}

/** scikit-learn's svd_flip: make the largest-magnitude entry of each column of u positive, flipping v to match. */
function flipSigns(u: DenseMatrix<'f64'>, v: DenseMatrix<'f64'>): void {
  const k = u.cols, ud = u.data, vd = v.data;
  // one row-major pass over u (the first entry of largest magnitude wins ties, as before)
  const best = new Float64Array(k).fill(-1), sign = new Float64Array(k).fill(1);
  for (let i = 0, o = 0; i < u.rows; i++, o += k) {
    for (let j = 0; j < k; j++) {
      const x = ud[o + j], ax = Math.abs(x);
      if (ax > best[j]) { best[j] = ax; sign[j] = x < 0 ? -1 : 1; }
    }
  }
  // negate the flipped columns only, row by row (exact: the same bits as multiplying by −1)
  const flipped = Int32Array.from(sign.reduce<number[]>((list, x, j) => (x < 0 ? [...list, j] : list), []));
  if (flipped.length === 0) return;
  for (const d of [ud, vd]) {
    for (let o = 0; o < d.length; o += k) for (let t = 0; t < flipped.length; t++) d[o + flipped[t]] = -d[o + flipped[t]];
  }
}

/** The first k columns of a row-major rows×cols array. */
function firstColumns(a: Float64Array, rows: number, cols: number, k: number): Float64Array {
  const out = new Float64Array(rows * k);
  for (let i = 0; i < rows; i++) out.set(a.subarray(i * cols, i * cols + k), i * k);
  return out;
}
