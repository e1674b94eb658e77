// Squared Euclidean norms of the rows or columns of a row-major f64 matrix (f64x2).
// Accuracy: plain sums of squares in f64, relative error ≤ cols·2⁻⁵³ (rows) / rows·2⁻⁵³ (columns).
// Squares overflow past |x| ≈ 1.3e154 and underflow below ≈ 1.5e-154; the TS wrapper detects both
// (an Infinity, or a tiny sum) and recomputes those few rows or columns with scaling.
// Summation order is fixed and mirrored exactly by src/twin/norms.ts, so both give the same bits.
// Preconditions: out does not alias a; rows, cols ≥ 0.

/**
 * out[i] = Σ_j a[i, j]² for each of the `rows` rows. Order per row: two f64x2 accumulators take
 * columns 4t, 4t+1 and 4t+2, 4t+3; then one more pair into the first; the two are added lane-wise,
 * the lanes summed, and an odd last column added last.
 */
export function row_sq_norms_f64(out: usize, a: usize, rows: i32, cols: i32): void {
  const stride = <usize>cols << 3;
  for (let i = 0; i < rows; i++) {
    const row = a + <usize>i * stride;
    let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const x0 = v128.load(row + (<usize>j << 3)), x1 = v128.load(row + (<usize>j << 3), 16);
      acc0 = f64x2.add(acc0, f64x2.mul(x0, x0));
      acc1 = f64x2.add(acc1, f64x2.mul(x1, x1));
    }
    if (j + 2 <= cols) {
      const x0 = v128.load(row + (<usize>j << 3));
      acc0 = f64x2.add(acc0, f64x2.mul(x0, x0));
      j += 2;
    }
    acc0 = f64x2.add(acc0, acc1);
    let s = f64x2.extract_lane(acc0, 0) + f64x2.extract_lane(acc0, 1);
    if (j < cols) {
      const x = load<f64>(row + (<usize>j << 3));
      s += x * x;
    }
    store<f64>(out + (<usize>i << 3), s);
  }
}

/** out[j] = Σ_i a[i, j]² for each of the `cols` columns, summed over i in order (SIMD across columns). */
export function col_sq_norms_f64(out: usize, a: usize, rows: i32, cols: i32): void {
  memory.fill(out, 0, <usize>cols << 3);
  const stride = <usize>cols << 3;
  for (let i = 0; i < rows; i++) {
    const row = a + <usize>i * stride;
    let j = 0;
    for (; j + 2 <= cols; j += 2) {
      const o = <usize>j << 3;
      const x = v128.load(row + o);
      v128.store(out + o, f64x2.add(v128.load(out + o), f64x2.mul(x, x)));
    }
    if (j < cols) {
      const o = <usize>j << 3;
      const x = load<f64>(row + o);
      store<f64>(out + o, load<f64>(out + o) + x * x);
    }
  }
}
