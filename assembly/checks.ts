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
