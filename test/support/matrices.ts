// Test matrices for the factorisations, built from the seeded rng only, and composable: each kind is a
// function of (rng, m, n, …) returning a row-major f64 DenseMatrix. Orthonormal factors come from
// modified Gram–Schmidt applied twice ("twice is enough", Giraud et al. 2005), written here on purpose so
// that the generators never depend on the code they test.
import fc from 'fast-check';
import { DenseMatrix, rng, type Rng } from '../../src/index.js';

/** m×n with iid N(0, 1) entries. */
export function gaussian(g: Rng, m: number, n: number): DenseMatrix<'f64'> {
  return DenseMatrix.from(g.fillNormal(new Float64Array(m * n)), m, n, 'f64');
}

/** m×k (k ≤ m) with orthonormal columns, row-major Float64Array: MGS twice on a Gaussian matrix. */
export function orthonormalColumns(g: Rng, m: number, k: number): Float64Array {
  if (k > m) throw new Error(`orthonormalColumns: k = ${k} > m = ${m}`);
  const q = g.fillNormal(new Float64Array(m * k));
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < j; i++) {
        let d = 0;
        for (let r = 0; r < m; r++) d += q[r * k + i] * q[r * k + j];
        for (let r = 0; r < m; r++) q[r * k + j] -= d * q[r * k + i];
      }
      let s = 0;
      for (let r = 0; r < m; r++) s += q[r * k + j] ** 2;
      s = Math.sqrt(s);
      for (let r = 0; r < m; r++) q[r * k + j] /= s;
    }
  }
  return q;
}

/** A with a known spectrum: A = U·diag(σ)·Vᵀ, U (m×r), V (n×r) random orthonormal, r = σ.length ≤ min(m, n). */
export interface KnownSpectrum {
  a: DenseMatrix<'f64'>;
  u: Float64Array;
  sigma: Float64Array;
  v: Float64Array;
}

export function withSpectrum(g: Rng, m: number, n: number, sigma: ArrayLike<number>): KnownSpectrum {
  const r = sigma.length;
  if (r > Math.min(m, n)) throw new Error(`withSpectrum: ${r} singular values for a ${m}×${n} matrix`);
  const u = orthonormalColumns(g, m, r), v = orthonormalColumns(g, n, r);
  const a = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let t = 0; t < r; t++) {
    const f = u[i * r + t] * sigma[t];
    if (f === 0) continue;
    for (let j = 0; j < n; j++) a[i * n + j] += f * v[j * r + t];
  }
  return { a: DenseMatrix.from(a, m, n, 'f64'), u, sigma: Float64Array.from(sigma), v };
}

/** Exactly rank r (in exact arithmetic): an m×r Gaussian times an r×n Gaussian. */
export function rankDeficient(g: Rng, m: number, n: number, r: number): DenseMatrix<'f64'> {
  const left = g.fillNormal(new Float64Array(m * r)), right = g.fillNormal(new Float64Array(r * n));
  const a = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let t = 0; t < r; t++) {
    const f = left[i * r + t];
    for (let j = 0; j < n; j++) a[i * n + j] += f * right[t * n + j];
  }
  return DenseMatrix.from(a, m, n, 'f64');
}

/** Gaussian with column j scaled by 10^(−decades·j/(n−1)) (and rows too when `rows`): badly scaled but well posed. */
export function graded(g: Rng, m: number, n: number, decades = 12, rows = false): DenseMatrix<'f64'> {
  const a = gaussian(g, m, n), d = a.data;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let e = n > 1 ? (decades * j) / (n - 1) : 0;
    if (rows) e += m > 1 ? (decades * i) / (m - 1) : 0;
    d[i * n + j] *= 10 ** -e;
  }
  return a;
}

/** Condition number `cond`: singular values spaced geometrically from 1 down to 1/cond, full rank. */
export function illConditioned(g: Rng, m: number, n: number, cond = 1e12): DenseMatrix<'f64'> {
  const k = Math.min(m, n);
  const sigma = Array.from({ length: k }, (_, i) => (k > 1 ? cond ** (-i / (k - 1)) : 1));
  return withSpectrum(g, m, n, sigma).a;
}

/**
 * Kahan's matrix as MATLAB's gallery('kahan', n, θ, pert) builds it (Kahan, Canad. Math. Bull. 9, 1966):
 * K = diag(1, s, …, s^{n−1})·(I − c·strictly-upper ones) + pert·ε·diag(n, n−1, …, 1), s = sin θ,
 * c = cos θ, ε = 2⁻⁵². Every column of the unperturbed K has norm 1 in every trailing block, so the
 * pivoted QR meets ties at each step; the tiny diagonal perturbation (MATLAB's default pert = 25) breaks
 * them in favour of the leftmost column, so column pivoting makes no interchange — the classical example
 * where CPQR does not reveal the rank.
 */
export function kahan(n: number, theta = 1.2, pert = 0): DenseMatrix<'f64'> {
  const s = Math.sin(theta), c = Math.cos(theta);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const si = s ** i;
    a[i * n + i] = si + pert * 2 ** -52 * (n - i);
    for (let j = i + 1; j < n; j++) a[i * n + j] = -c * si;
  }
  return DenseMatrix.from(a, n, n, 'f64');
}

/**
 * Q₀·K for K = kahan(n, θ, pert) and Q₀ an m×n (m ≥ n) random matrix with orthonormal columns: the same
 * R (up to row signs), but every Householder step now does real work.
 */
export function rotatedKahan(g: Rng, m: number, n: number, theta = 1.2, pert = 0): DenseMatrix<'f64'> {
  const q0 = orthonormalColumns(g, m, n);
  const k = kahan(n, theta, pert);
  const a = DenseMatrix.from(mul(q0, k.data, m, n, n), m, n, 'f64');
  k.free();
  return a;
}

export type MatrixKind = 'random' | 'rank-deficient' | 'graded' | 'ill-conditioned';

/** One matrix of the given kind (rank-deficient uses rank ⌈min(m, n)/2⌉). */
export function matrixOfKind(kind: MatrixKind, seed: number, m: number, n: number): DenseMatrix<'f64'> {
  const g = rng(seed);
  switch (kind) {
    case 'random': return gaussian(g, m, n);
    case 'rank-deficient': return rankDeficient(g, m, n, Math.ceil(Math.min(m, n) / 2));
    case 'graded': return graded(g, m, n, 12, seed % 2 === 1);
    case 'ill-conditioned': return illConditioned(g, m, n, 1e12);
  }
}

/** fast-check arbitrary over shapes (tall, wide, square, 1×n, m×1) and kinds, with a matrix seed. */
export function matrixCase(maxDim = 48) {
  const dim = fc.integer({ min: 1, max: maxDim });
  const shape = fc.oneof(
    fc.tuple(dim, dim),
    fc.tuple(fc.constant(1), dim),
    fc.tuple(dim, fc.constant(1)),
    dim.map((d) => [d, d] as [number, number]),
  );
  return fc.record({
    shape,
    kind: fc.constantFrom<MatrixKind>('random', 'rank-deficient', 'graded', 'ill-conditioned'),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
}

// ---------------------------------------------------------------- plain reference arithmetic (f64)

/** C = A·B for row-major A (m×k), B (k×n). */
export function mul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) {
    const x = a[i * k + p];
    if (x === 0) continue;
    for (let j = 0; j < n; j++) c[i * n + j] += x * b[p * n + j];
  }
  return c;
}

/** Aᵀ·A for row-major A (m×n). */
export function gram(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let r = 0; r < m; r++) for (let i = 0; i < n; i++) {
    const x = a[r * n + i];
    for (let j = 0; j < n; j++) c[i * n + j] += x * a[r * n + j];
  }
  return c;
}

/** Frobenius norm of x − y (y omitted: of x). */
export function frob(x: ArrayLike<number>, y?: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - (y ? y[i] : 0)) ** 2;
  return Math.sqrt(s);
}

/** ‖G − I‖_F for an n×n G. */
export function distanceFromIdentity(gm: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += (gm[i * n + j] - (i === j ? 1 : 0)) ** 2;
  return Math.sqrt(s);
}

/** Column j of a row-major m×n array. */
export function column(a: ArrayLike<number>, m: number, n: number, j: number): Float64Array {
  const c = new Float64Array(m);
  for (let i = 0; i < m; i++) c[i] = a[i * n + j];
  return c;
}

/** Machine epsilon ε = 2⁻⁵² (numpy's finfo.eps) and the unit roundoff u = ε/2 (LAPACK's dlamch('E')). */
export const EPS = 2 ** -52;
export const UNIT_ROUNDOFF = 2 ** -53;
