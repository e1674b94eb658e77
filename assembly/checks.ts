// Input validation scans run where the data lives: finding a NaN or ±Inf in an n×D matrix in JS would
// cost as much as a cheap kernel call. A float is non-finite iff its exponent bits are all ones.

/** Index of the first non-finite f32 in [ptr, ptr + 4·len), or −1. */
export function first_nonfinite_f32(ptr: usize, len: i32): i32 {
  const mask = i32x4.splat(0x7f800000);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const x = v128.and(v128.load(ptr + (<usize>i << 2)), mask);
    if (v128.any_true(i32x4.eq(x, mask))) break;
  }
  for (; i < len; i++) {
    if ((load<u32>(ptr + (<usize>i << 2)) & 0x7f800000) == 0x7f800000) return i;
  }
  return -1;
}

/** Index of the first non-finite f64 in [ptr, ptr + 8·len), or −1. */
export function first_nonfinite_f64(ptr: usize, len: i32): i32 {
  const mask = i64x2.splat(0x7ff0000000000000);
  let i = 0;
  for (; i + 2 <= len; i += 2) {
    const x = v128.and(v128.load(ptr + (<usize>i << 3)), mask);
    if (v128.any_true(i64x2.eq(x, mask))) break;
  }
  for (; i < len; i++) {
    if ((load<u64>(ptr + (<usize>i << 3)) & 0x7ff0000000000000) == 0x7ff0000000000000) return i;
  }
  return -1;
}

// The argument checks of sparseAttention (src/attention/sparse-attention.ts) as row-range kernels, so the thread pool
// splits them (src/runtime/threads/): each range writes its own f64 result slots at `out`, indexed by `part`
// (src/runtime/dispatch.ts runSlotted), the caller combines the slots in part order (the first failure of the first failing range is the first failure overall; a max is exact).

/**
 * The largest squared row norm max_i Σ_j x_ij² over rows [r0, r1) of a row-major f32 matrix with `cols` columns, in f64:
 * each x_ij is widened to f64 and squared; the row's sum keeps four partial sums (columns j ≡ 0, 1, 2, 3 mod 4 of the
 * first 4⌊cols/4⌋), adds them as (s0 + s1) + (s2 + s3), then the remaining columns one by one; the maximum starts at 0
 * and propagates NaN (f64.max), so a NaN or ±Inf anywhere in the rows makes the result non-finite. Writes it as an f64
 * at out + 8·part. src/twin/checks.ts is the same order in JS.
 */
export function max_row_sq_norm_f32(x: usize, r0: i32, r1: i32, cols: i32, out: usize, part: i32): void {
  let best: f64 = 0;
  const stride = <usize>cols << 2, c4 = cols & ~3;
  for (let i = r0; i < r1; i++) {
    const row = x + <usize>i * stride;
    let a = f64x2.splat(0), b = f64x2.splat(0);
    for (let j = 0; j < c4; j += 4) {
      const v = v128.load(row + (<usize>j << 2));
      const lo = f64x2.promote_low_f32x4(v), hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
      a = f64x2.add(a, f64x2.mul(lo, lo));
      b = f64x2.add(b, f64x2.mul(hi, hi));
    }
    let s = (f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1)) + (f64x2.extract_lane(b, 0) + f64x2.extract_lane(b, 1));
    for (let j = c4; j < cols; j++) { const t = <f64>load<f32>(row + (<usize>j << 2)); s += t * t; }
    best = max(best, s);
  }
  store<f64>(out + (<usize>part << 3), best);
}

/** max_row_sq_norm_f32 for f64 data (the same order of the sums: four partial sums, then the remaining columns). */
export function max_row_sq_norm_f64(x: usize, r0: i32, r1: i32, cols: i32, out: usize, part: i32): void {
  let best: f64 = 0;
  const stride = <usize>cols << 3, c4 = cols & ~3;
  for (let i = r0; i < r1; i++) {
    const row = x + <usize>i * stride;
    let a = f64x2.splat(0), b = f64x2.splat(0);
    for (let j = 0; j < c4; j += 4) {
      const lo = v128.load(row + (<usize>j << 3)), hi = v128.load(row + (<usize>j << 3) + 16);
      a = f64x2.add(a, f64x2.mul(lo, lo));
      b = f64x2.add(b, f64x2.mul(hi, hi));
    }
    let s = (f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1)) + (f64x2.extract_lane(b, 0) + f64x2.extract_lane(b, 1));
    for (let j = c4; j < cols; j++) { const t = load<f64>(row + (<usize>j << 3)); s += t * t; }
    best = max(best, s);
  }
  store<f64>(out + (<usize>part << 3), best);
}

/**
 * A CSR pattern's arrays against what was validated (CsrGraph.assertIntact): the first row i in [r0, r1) whose length
 * rowPtr[i + 1] − rowPtr[i] is negative or above `maxDegree`, and the first entry e in [e0, e1) with colIdx[e] outside
 * [0, numCols) (one unsigned compare: a negative index is a huge unsigned one); −1 for none. Writes the two as f64 at
 * out + 16·part and out + 16·part + 8.
 */
export function csr_check_range(rowPtr: usize, colIdx: usize, r0: i32, r1: i32, e0: i32, e1: i32, maxDegree: i32,
  numCols: i32, out: usize, part: i32): void {
  let badRow = -1;
  for (let i = r0; i < r1; i++) {
    const len = load<i32>(rowPtr + (<usize>(i + 1) << 2)) - load<i32>(rowPtr + (<usize>i << 2));
    if (<u32>len > <u32>maxDegree) { badRow = i; break; }
  }
  let badEntry = -1;
  const limit = i32x4.splat(numCols);
  let e = e0;
  for (; e + 4 <= e1; e += 4) {
    if (v128.any_true(i32x4.ge_u(v128.load(colIdx + (<usize>e << 2)), limit))) break;
  }
  for (; e < e1; e++) {
    if (<u32>load<i32>(colIdx + (<usize>e << 2)) >= <u32>numCols) { badEntry = e; break; }
  }
  store<f64>(out + (<usize>part << 4), <f64>badRow);
  store<f64>(out + (<usize>part << 4) + 8, <f64>badEntry);
}
