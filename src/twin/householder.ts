// Plain-TS twin of assembly/householder.ts: same names, same argument order, arrays in place of pointers.
// Unblocked (one reflector at a time) where the kernel is blocked: the two compute the same
// factorisation in exact arithmetic and agree to a few ulps times the dimension in f64.
// Factor layout (column-major: column j of A is w[j·m .. j·m+m)) as documented in the kernel file.

/** Σ x_i·y_i over x[xo..xo+n), y[yo..yo+n). */
export function dot_f64(x: Float64Array, xo: number, y: Float64Array, yo: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[xo + i] * y[yo + i];
  return s;
}

/** ‖x[xo..xo+n)‖₂, scaled when the plain sum of squares would under- or overflow. */
export function norm2_f64(x: Float64Array, xo: number, n: number): number {
  const ss = dot_f64(x, xo, x, xo, n);
  if (ss > 1e-290 && ss < 1e290) return Math.sqrt(ss);
  let amax = 0;
  for (let i = 0; i < n; i++) amax = Math.max(amax, Math.abs(x[xo + i]));
  if (amax === 0) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) { const t = x[xo + i] / amax; s += t * t; }
  return amax * Math.sqrt(s);
}

/** Householder reflector of x[p..p+len) (LAPACK dlarfg convention); writes β and v in place, returns τ. */
export function reflector_f64(x: Float64Array, p: number, len: number): number {
  if (len <= 1) return 0;
  const xnorm = norm2_f64(x, p + 1, len - 1);
  if (xnorm === 0) return 0;
  const alpha = x[p];
  const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, xnorm);
  const denom = alpha - beta;
  const inv = 1 / denom;
  if (Number.isFinite(inv)) for (let i = 1; i < len; i++) x[p + i] *= inv;
  else for (let i = 1; i < len; i++) x[p + i] /= denom;
  x[p] = beta;
  return (beta - alpha) / beta;
}

/** y[yo..yo+len) := (I − τ·[1; v][1; v]ᵀ)·y, v stored in v[vo+1..vo+len). */
export function apply_reflector_f64(v: Float64Array, vo: number, tau: number, y: Float64Array, yo: number, len: number): void {
  if (tau === 0) return;
  const s = tau * (y[yo] + dot_f64(v, vo + 1, y, yo + 1, len - 1));
  y[yo] -= s;
  for (let i = 1; i < len; i++) y[yo + i] -= s * v[vo + i];
}

/** dst (cols × rows) := srcᵀ, src rows × cols, both row-major. */
export function transpose_f64(dst: Float64Array, src: Float64Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) dst[j * rows + i] = src[i * cols + j];
}

/** Householder QR of row-major a (m×n) into the column-major factor w and tau (min(m, n)). */
export function householder_qr_f64(w: Float64Array, a: Float64Array, tau: Float64Array, m: number, n: number): void {
  transpose_f64(w, a, m, n);
  const k = Math.min(m, n);
  for (let j = 0; j < k; j++) {
    const col = j * m + j;
    const tj = reflector_f64(w, col, m - j);
    tau[j] = tj;
    for (let c = j + 1; c < n; c++) apply_reflector_f64(w, col, tj, w, c * m + j, m - j);
  }
}

/** b (m × ncols, row-major) := Q·b (trans 0) or Qᵀ·b (trans 1) with the first k reflectors of w. */
export function householder_apply_f64(b: Float64Array, w: Float64Array, tau: Float64Array, m: number, k: number,
  ncols: number, trans: number): void {
  const wrow = new Float64Array(ncols);
  for (let s = 0; s < k; s++) {
    const j = trans ? s : k - 1 - s;
    const tj = tau[j];
    if (tj === 0) continue;
    const v = j * m;
    for (let c = 0; c < ncols; c++) wrow[c] = b[j * ncols + c];
    for (let i = j + 1; i < m; i++) {
      const vi = w[v + i];
      if (vi === 0) continue;
      const ro = i * ncols;
      for (let c = 0; c < ncols; c++) wrow[c] += vi * b[ro + c];
    }
    for (let c = 0; c < ncols; c++) b[j * ncols + c] -= tj * wrow[c];
    for (let i = j + 1; i < m; i++) {
      const f = tj * w[v + i];
      if (f === 0) continue;
      const ro = i * ncols;
      for (let c = 0; c < ncols; c++) b[ro + c] -= f * wrow[c];
    }
  }
}

/** q (m × k, row-major) := the thin Q (first k columns of H_0···H_{k−1}); here simply Q applied to [I; 0]. */
export function householder_form_q_f64(q: Float64Array, w: Float64Array, tau: Float64Array, m: number, k: number): void {
  q.fill(0, 0, m * k);
  for (let i = 0; i < k; i++) q[i * k + i] = 1;
  householder_apply_f64(q, w, tau, m, k, k, 0);
}
