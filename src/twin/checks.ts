// Plain-TS twin of the range checks of assembly/checks.ts (same names and argument order; arrays for pointers, and
// `out` the f64 slots the kernel writes: out[part] for the norms, out[2·part] and out[2·part + 1] for the CSR check).

/**
 * max_i Σ_j x_ij² over rows [r0, r1) in f64, in the kernel's order: four partial sums over the columns j ≡ 0, 1, 2, 3
 * (mod 4) of the first 4⌊cols/4⌋, added as (s0 + s1) + (s2 + s3), then the remaining columns one by one; the maximum
 * starts at 0 and propagates NaN. Serves max_row_sq_norm_f32 and max_row_sq_norm_f64.
 */
export function max_row_sq_norm(x: ArrayLike<number>, r0: number, r1: number, cols: number, out: Float64Array, part: number): void {
  let best = 0;
  const c4 = cols & ~3;
  for (let i = r0; i < r1; i++) {
    const o = i * cols;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let j = 0; j < c4; j += 4) {
      const a = x[o + j], b = x[o + j + 1], c = x[o + j + 2], d = x[o + j + 3];
      s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d;
    }
    let s = (s0 + s1) + (s2 + s3);
    for (let j = c4; j < cols; j++) s += x[o + j] * x[o + j];
    best = Math.max(best, s);
  }
  out[part] = best;
}

/**
 * The first row i in [r0, r1) whose length rowPtr[i + 1] − rowPtr[i] is negative or above maxDegree, and the first
 * entry e in [e0, e1) with colIdx[e] outside [0, numCols); −1 for none; written to out[2·part] and out[2·part + 1].
 */
export function csr_check_range(rowPtr: ArrayLike<number>, colIdx: ArrayLike<number>, r0: number, r1: number, e0: number, e1: number,
  maxDegree: number, numCols: number, out: Float64Array, part: number): void {
  let badRow = -1, badEntry = -1;
  for (let i = r0; i < r1; i++) {
    const len = rowPtr[i + 1] - rowPtr[i];
    if (len < 0 || len > maxDegree) { badRow = i; break; }
  }
  for (let e = e0; e < e1; e++) if ((colIdx[e] >>> 0) >= numCols) { badEntry = e; break; }
  out[2 * part] = badRow;
  out[2 * part + 1] = badEntry;
}
