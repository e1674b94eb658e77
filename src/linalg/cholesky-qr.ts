// Orthonormal basis of a tall-skinny f64 matrix by CholeskyQR2, guarded by a measurement, for the range
// finder of the randomized SVD. Two passes of Q := Y·R⁻¹ with RᵀR = YᵀY (Cholesky of the Gram matrix):
// the first makes Y nearly orthonormal, the second finishes the job. The flops are two Gram products
// (assembly/gram.ts) and two row-wise triangular solves (assembly/triangular.ts), against Householder QR's BLAS-2
// reflector loops plus forming Q: on the 20000×26 sketches of the benchmark, ≈ 5× less time.
//
// When it is safe (Yamamoto, Nakatsukasa, Yanagisawa & Fukaya, "Roundoff error analysis of the
// CholeskyQR2 algorithm", ETNA 44, 2015): one CholeskyQR pass on X with δ = 8·κ(X)·√(m·n·u + n(n+1)·u) ≤ 1
// gives ‖QᵀQ − I‖₂ ≤ (5/64)·δ², so the second pass, applied to a Q₁ with κ(Q₁) close to 1, gives
// ‖QᵀQ − I‖ = O((m·n + n²)·u), the accuracy of Householder QR. Their condition on the first pass,
// κ(Y) ≲ u^{−1/2}, cannot be checked cheaply beforehand, so it is not relied on: the second pass runs
// only when the measured ‖Q₁ᵀQ₁ − I‖_F ≤ 1/2, i.e. κ(Q₁)² ≤ 3, which puts it well inside that
// condition for any m·n < 10¹³. Otherwise (a pivot that is not positive, a non-finite value, a Y of
// numerically deficient rank) the caller gets null and uses Householder QR.
// The range is kept: each row solve is backward stable, q·(R + ΔR) = y with |ΔR| ≤ (n + 1)·u·|R|, so the
// computed Q₁ spans the columns of Y + ΔY with ‖ΔY‖ ≲ (n + 1)·u·‖Q₁‖·‖R‖ ≈ (n + 1)·u·‖Y‖ — the same order
// as Householder QR's backward error, whatever κ(Y).
import { runKernel } from '../runtime/dispatch.js';
import { Storage, type DType } from '../runtime/storage.js';
import * as twin from '../twin/triangular.js';
import * as twinGram from '../twin/gram.js';
import { DenseMatrix } from './dense.js';

/** The second pass runs only when ‖Q₁ᵀQ₁ − I‖_F ≤ this (κ(Q₁)² ≤ (1 + ½)/(1 − ½) = 3). */
const FIRST_PASS_TOLERANCE = 0.5;

/**
 * The upper-triangular R with RᵀR = g (n×n, row-major, only the upper triangle is read), or null when a
 * pivot is not a positive finite number (g not numerically positive definite). Plain Cholesky–Banachiewicz.
 */
export function choleskyUpper(g: ArrayLike<number>, n: number): Float64Array | null {
  const r = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = g[j * n + j];
    for (let k = 0; k < j; k++) d -= r[k * n + j] * r[k * n + j];
    if (!(d > 0) || !Number.isFinite(d)) return null;
    const rjj = Math.sqrt(d);
    r[j * n + j] = rjj;
    for (let c = j + 1; c < n; c++) {
      let s = g[j * n + c];
      for (let k = 0; k < j; k++) s -= r[k * n + j] * r[k * n + c];
      r[j * n + c] = s / rjj;
    }
  }
  return r;
}

/** into := y·R⁻¹ (R n×n upper triangular, nonzero diagonal; into is y, the default, or a same-shape matrix not sharing its storage) on the active backend. */
export function solveRightUpper(y: DenseMatrix<'f64'>, r: Float64Array, into: DenseMatrix<'f64'> = y): void {
  const m = y.rows, n = y.cols;
  // the kernel reads R and its scratch of n reciprocals from WASM memory; the twin reads r itself
  const rs = Storage.alloc('f64', n * n), inv = Storage.alloc('f64', n);
  try {
    rs.array.set(r);
    const same = into === y;
    runKernel({
      args: [into.storage, y.storage, rs, inv] as Storage<DType>[],
      writes: [into.storage as Storage<DType>],
      // into === y: one pointer for both (a storage outside WASM memory would otherwise be copied in twice)
      kernel: (k, [px, py, pr, pi]) => k.trsm_right_upper_f64(px, same ? px : py, pr, pi, m, n),
      twin: () => twin.trsm_right_upper_f64(into.data, y.data, r, inv.array, m, n),
    });
  } finally {
    inv.free();
    rs.free();
  }
}

/** YᵀY (n×n) as a plain array, on the active backend (assembly/gram.ts: upper tiles only). */
export function gramOf(y: DenseMatrix<'f64'>): Float64Array {
  const m = y.rows, n = y.cols;
  const gs = Storage.alloc('f64', n * n);
  try {
    runKernel({
      args: [gs, y.storage] as Storage<DType>[], writes: [gs as Storage<DType>],
      kernel: (k, [pg, py]) => k.gram_f64(pg, py, m, n),
      twin: () => twinGram.gram_f64(gs.array, y.data, m, n),
    });
    return Float64Array.from(gs.array); // a plain array, out of WASM memory before gs is freed
  } finally {
    gs.free();
  }
}

/** ‖G − I‖_F (NaN when G holds a NaN). */
function distanceFromIdentity(g: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const d = g[i * n + j] - (i === j ? 1 : 0);
    s += d * d;
  }
  return Math.sqrt(s);
}

/** One guarded CholeskyQR pass: q = y·R₁⁻¹ with ‖qᵀq − I‖_F ≤ 1/2, and r = R₂, the Cholesky factor of qᵀq. */
export interface GuardedCholeskyQr {
  /** m×n, κ(q) ≤ √3, spanning the columns of y (up to the backward error of the solve). */
  q: DenseMatrix<'f64'>;
  /** n×n upper triangular, row-major: q·r⁻¹ has orthonormal columns (the second CholeskyQR pass). */
  r: Float64Array;
}

/**
 * The first CholeskyQR pass on y and the factor of the second, or null when the guard fails (see the top
 * of this file); y itself is not modified. For callers that only need a well-conditioned basis (between
 * power iterations), or that can apply r⁻¹ to a smaller matrix instead of to q. Cost 3·m·n² flops.
 */
export function choleskyQrGuarded(y: DenseMatrix<'f64'>): GuardedCholeskyQr | null {
  const m = y.rows, n = y.cols;
  if (m < n) return null;
  const r1 = choleskyUpper(gramOf(y), n);
  if (r1 === null) return null;
  const q = DenseMatrix.zeros(m, n, 'f64');
  solveRightUpper(y, r1, q);
  const g2 = gramOf(q);
  const r2 = distanceFromIdentity(g2, n) <= FIRST_PASS_TOLERANCE ? choleskyUpper(g2, n) : null;
  if (r2 === null) {
    q.free();
    return null;
  }
  return { q, r: r2 };
}

/**
 * An m×n matrix with orthonormal columns spanning the columns of y (m ≥ n, full numerical rank), by
 * CholeskyQR2 — or null when the measured guard says it would not be accurate (see the top of this file);
 * y itself is not modified. Cost: 2·(m·n² + m·n²) flops (two Gram products, two triangular solves).
 */
export function choleskyQr2(y: DenseMatrix<'f64'>): DenseMatrix<'f64'> | null {
  const f = choleskyQrGuarded(y);
  if (f === null) return null;
  solveRightUpper(f.q, f.r);
  return f.q;
}

/** w (n×c, row-major) := R⁻¹·w for R n×n upper triangular (back substitution, plain TS: n and c are small). */
export function solveLeftUpper(r: Float64Array, w: Float64Array, n: number, c: number): void {
  for (let i = n - 1; i >= 0; i--) {
    const d = r[i * n + i];
    for (let j = 0; j < c; j++) {
      let s = w[i * c + j];
      for (let t = i + 1; t < n; t++) s -= r[i * n + t] * w[t * c + j];
      w[i * c + j] = s / d;
    }
  }
}
