// The tests' reference SVD: one-sided (Hestenes) Jacobi, written here from the textbook algorithm (Golub & Van Loan,
// Matrix Computations, 4th ed., §8.6.4; Demmel & Veselić, "Jacobi's method is more accurate than QR", SIAM J. Matrix
// Anal. Appl. 13, 1992), independent of the library's src/linalg/svd.ts and of ml-matrix (whose SVD loops forever on
// some inputs, issue 16). It cannot hang: at most MAX_SWEEPS sweeps, then it throws. The input is scaled by its
// largest |entry| first, so neither tiny nor huge entries under- or overflow the column inner products.
//
// Orthogonalise the columns of W = A·V by plane rotations until every pair is orthogonal to |w_p·w_q| ≤
// tol·‖w_p‖‖w_q‖ (or one of them is below u·‖A‖_F); then σ_j = ‖w_j‖, u_j = w_j/σ_j and V is the product of the rotations (orthogonal to rounding,
// also for zero σ). A wide A is done through Aᵀ. Cost O(sweeps·m·n²) for m×n, m ≥ n: for the tests' small matrices.

/** A = U·diag(s)·Vᵀ with k = min(m, n): s descending, U m×k and V n×k row-major (a column of U is 0 where σ = 0). */
export interface JacobiSvd {
  s: Float64Array;
  u: Float64Array;
  v: Float64Array;
  m: number;
  n: number;
  k: number;
  sweeps: number;
}

const MAX_SWEEPS = 80;
const U_ROUND = 2 ** -53;

/**
 * SVD of the m×n row-major a by one-sided Jacobi. Throws on a non-finite entry, on a bad shape, and when the sweep cap
 * is reached (never loops forever).
 */
export function jacobiSvd(a: ArrayLike<number>, m: number, n: number): JacobiSvd {
  if (!(Number.isInteger(m) && Number.isInteger(n) && m >= 1 && n >= 1) || a.length !== m * n) {
    throw new RangeError(`jacobiSvd: a has ${a.length} entries, not ${m}×${n}`);
  }
  if (m < n) {
    // Aᵀ = V·diag(s)·Uᵀ: swap the factors.
    const t = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j];
    const r = jacobiSvd(t, n, m);
    return { s: r.s, u: r.v, v: r.u, m, n, k: r.k, sweeps: r.sweeps };
  }
  let scale = 0;
  for (let e = 0; e < a.length; e++) {
    if (!Number.isFinite(a[e])) throw new RangeError(`jacobiSvd: entry ${e} is ${a[e]}`);
    scale = Math.max(scale, Math.abs(a[e]));
  }
  // Columns of W (m each) and of V (n each), scaled so that max |w_ij| = 1.
  const w = Array.from({ length: n }, (_, j) => Float64Array.from({ length: m }, (_, i) => (scale > 0 ? a[i * n + j] / scale : 0)));
  const v = Array.from({ length: n }, (_, j) => { const c = new Float64Array(n); c[j] = 1; return c; });
  const tol = m * U_ROUND;
  // A column of norm ≤ u·‖A‖_F is at A's rounding level: rotating it moves no singular value by more than that, and
  // its inner products are noise that can keep a sweep rotating forever (with entries near 1e-323, ‖w_p‖² underflows
  // to 0 while w_p·w_q does not: ζ = ∞, t = 0, a rotation that changes nothing), so such pairs are left alone (Demmel–Veselić's relative accuracy is given up below u·‖A‖_F, absolute accuracy is kept).
  let fro2 = 0;
  for (const c of w) for (let i = 0; i < m; i++) fro2 += c[i] * c[i];
  const negligible = U_ROUND * U_ROUND * fro2;
  let sweeps = 0, rotated = true;
  while (rotated) {
    if (sweeps === MAX_SWEEPS) throw new Error(`jacobiSvd: no convergence in ${MAX_SWEEPS} sweeps (${m}×${n})`);
    sweeps++;
    rotated = false;
    for (let p = 0; p < n - 1; p++) for (let q = p + 1; q < n; q++) {
      const wp = w[p], wq = w[q];
      let alpha = 0, beta = 0, gamma = 0;
      for (let i = 0; i < m; i++) { alpha += wp[i] * wp[i]; beta += wq[i] * wq[i]; gamma += wp[i] * wq[i]; }
      if (alpha <= negligible || beta <= negligible || !(Math.abs(gamma) > tol * Math.sqrt(alpha) * Math.sqrt(beta))) continue;
      rotated = true;
      // The rotation that zeroes the (p, q) entry of WᵀW (Golub & Van Loan, Alg. 8.5.1, symmetric Schur 2×2).
      const zeta = (beta - alpha) / (2 * gamma);
      const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.hypot(1, zeta));
      const c = 1 / Math.hypot(1, t), s = c * t;
      for (let i = 0; i < m; i++) { const x = wp[i], y = wq[i]; wp[i] = c * x - s * y; wq[i] = s * x + c * y; }
      const vp = v[p], vq = v[q];
      for (let i = 0; i < n; i++) { const x = vp[i], y = vq[i]; vp[i] = c * x - s * y; vq[i] = s * x + c * y; }
    }
  }
  const norms = w.map((c) => Math.hypot(...c));
  const order = norms.map((_, j) => j).sort((x, y) => norms[y] - norms[x]);
  const k = n, s = new Float64Array(k), u = new Float64Array(m * k), vv = new Float64Array(n * k);
  order.forEach((j, t) => {
    s[t] = norms[j] * scale;
    for (let i = 0; i < m; i++) u[i * k + t] = norms[j] > 0 ? w[j][i] / norms[j] : 0;
    for (let i = 0; i < n; i++) vv[i * k + t] = v[j][i];
  });
  return { s, u, v: vv, m, n, k, sweeps };
}

/** ‖A‖₂ = σ₁ of the m×n row-major a, by jacobiSvd. */
export function jacobiNorm2(a: ArrayLike<number>, m: number, n: number): number {
  return jacobiSvd(a, m, n).s[0];
}
