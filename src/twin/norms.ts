// Plain-TS twin of assembly/norms.ts: same names, same argument order, arrays in place of pointers.
// The summation order mirrors the f64x2 lanes of the kernel exactly, so the results are bit-identical.

/** out[i] = Σ_j a[i, j]² (row-major rows×cols), in the kernel's lane order. */
export function row_sq_norms_f64(out: Float64Array, a: Float64Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    // lanes: (s0, s1) is the first accumulator, (t0, t1) the second
    let s0 = 0, s1 = 0, t0 = 0, t1 = 0;
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const x0 = a[o + j], x1 = a[o + j + 1], x2 = a[o + j + 2], x3 = a[o + j + 3];
      s0 += x0 * x0; s1 += x1 * x1; t0 += x2 * x2; t1 += x3 * x3;
    }
    if (j + 2 <= cols) {
      const x0 = a[o + j], x1 = a[o + j + 1];
      s0 += x0 * x0; s1 += x1 * x1;
      j += 2;
    }
    let s = (s0 + t0) + (s1 + t1);
    if (j < cols) s += a[o + j] * a[o + j];
    out[i] = s;
  }
}

/** out[j] = Σ_i a[i, j]², summed over i in order. */
export function col_sq_norms_f64(out: Float64Array, a: Float64Array, rows: number, cols: number): void {
  out.fill(0, 0, cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) out[j] += a[o + j] * a[o + j];
  }
}
