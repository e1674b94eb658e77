// The largest eigenvalue of a symmetric positive semidefinite operator by Lanczos with full
// reorthogonalisation (Golub & Van Loan, Matrix Computations, 4th ed., §10.1): the spectral-norm fallback
// when power iteration stalls (σ₁ ≈ σ₂), and the spectral norm the certificates use. All f64.

export interface LanczosResult {
  /** The top Ritz value θ ≤ λ_max. */
  theta: number;
  /** The residual bound |β_k·y_k|: some eigenvalue lies within it of θ. */
  residual: number;
  /** Operator applications made. */
  steps: number;
  /** True when residual ≤ rtol·θ, or the Krylov space became invariant (exact up to rounding). */
  converged: boolean;
}

/**
 * Top eigenvalue of the dim×dim symmetric PSD operator `apply` (apply(v, out) writes A·v into out, which
 * arrives zeroed), from the start vector `start` (need not be normalised; must be nonzero). Stops when
 * |β_k·y_k| ≤ rtol·θ, when β_k ≈ 0 (an invariant subspace: θ is exact), after dim steps (the Krylov space
 * is then the whole space) or after maxSteps applications (converged: false).
 * Cost: steps·(one apply + 2·steps·dim for the two reorthogonalisation passes); memory steps·dim.
 * The stopping rule bounds the distance from θ to *some* eigenvalue; as for every Krylov method, θ can
 * settle on a lower eigenvalue only if `start` is (almost) orthogonal to the top eigenvector.
 */
export function lanczosTopEigenvalue(apply: (v: Float64Array, out: Float64Array) => void, dim: number, start: Float64Array,
  rtol: number, maxSteps: number): LanczosResult {
  const n0 = norm(start);
  const Q: Float64Array[] = [Float64Array.from(start, (t) => t / n0)];
  const alpha: number[] = [], beta: number[] = [];
  const w = new Float64Array(dim);
  let theta = 0, residual = Infinity;
  for (let k = 0; k < Math.min(dim, maxSteps); k++) {
    w.fill(0);
    apply(Q[k], w);
    alpha.push(dot(Q[k], w));
    for (let pass = 0; pass < 2; pass++) {
      for (const q of Q) {
        const c = dot(q, w);
        for (let i = 0; i < dim; i++) w[i] -= c * q[i];
      }
    }
    const bk = norm(w);
    theta = topEigenvalue(alpha, beta);
    if (theta === 0 && bk === 0) return { theta: 0, residual: 0, steps: k + 1, converged: true };
    residual = bk * lastEigenvectorComponent(alpha, beta, theta);
    if (k + 1 === dim || residual <= rtol * theta || bk <= 1e-15 * theta) {
      return { theta, residual, steps: k + 1, converged: true };
    }
    beta.push(bk);
    Q.push(Float64Array.from(w, (t) => t / bk));
  }
  return { theta, residual, steps: Math.min(dim, maxSteps), converged: false };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** ‖x‖₂, scaled by the largest entry so that neither tiny nor huge entries lose accuracy. */
function norm(x: Float64Array): number {
  let big = 0;
  for (let i = 0; i < x.length; i++) big = Math.max(big, Math.abs(x[i]));
  if (big === 0) return 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) { const t = x[i] / big; s += t * t; }
  return big * Math.sqrt(s);
}

/** Number of eigenvalues of the symmetric tridiagonal (alpha, beta) greater than x (Sturm count via LDLᵀ pivots). */
function countAbove(alpha: number[], beta: number[], x: number): number {
  let count = 0, d = 1;
  for (let i = 0; i < alpha.length; i++) {
    const b2 = i > 0 ? beta[i - 1] ** 2 : 0;
    d = alpha[i] - x - (i > 0 ? b2 / d : 0);
    if (d === 0) d = -1e-300;
    if (d > 0) count++;
  }
  return count;
}

/** The largest eigenvalue of the symmetric tridiagonal (alpha, beta), by bisection to the last bit. */
function topEigenvalue(alpha: number[], beta: number[]): number {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < alpha.length; i++) {
    const r = (i > 0 ? Math.abs(beta[i - 1]) : 0) + (i < beta.length ? Math.abs(beta[i]) : 0);
    lo = Math.min(lo, alpha[i] - r);
    hi = Math.max(hi, alpha[i] + r);
  }
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    if (mid <= lo || mid >= hi) break;
    if (countAbove(alpha, beta, mid) >= 1) lo = mid; else hi = mid;
  }
  return hi;
}

/** |last component| of the unit eigenvector of T for the eigenvalue theta, by two steps of inverse iteration. */
function lastEigenvectorComponent(alpha: number[], beta: number[], theta: number): number {
  const k = alpha.length;
  if (k === 1) return 1;
  let y = new Float64Array(k).fill(1 / Math.sqrt(k));
  const shift = theta * (1 + 1e-13) + 1e-300;
  for (let it = 0; it < 3; it++) {
    // Solve (T − shift·I) z = y by the tridiagonal (Thomas) algorithm; T − shift·I is negative definite.
    const c = new Float64Array(k), dd = new Float64Array(k), z = new Float64Array(k);
    dd[0] = alpha[0] - shift;
    z[0] = y[0];
    for (let i = 1; i < k; i++) {
      c[i] = beta[i - 1] / dd[i - 1];
      dd[i] = alpha[i] - shift - c[i] * beta[i - 1];
      z[i] = y[i] - c[i] * z[i - 1];
    }
    z[k - 1] /= dd[k - 1];
    for (let i = k - 2; i >= 0; i--) z[i] = (z[i] - beta[i] * z[i + 1]) / dd[i];
    const nz = norm(z);
    y = z.map((t) => t / nz);
  }
  return Math.abs(y[k - 1]);
}
