// The fast Walsh–Hadamard transform (unnormalised, Sylvester / natural order), f64 (f64x2).
// H_n has entries H[r, c] = (−1)^popcount(r & c); H_n·H_n = n·I. Cost n·log₂n additions per vector.
// Exact up to the rounding of each addition: every output is a signed sum of n inputs computed by
// log₂n butterflies, so its error is ≤ log₂n·2⁻⁵³·Σ|x| (Higham, Accuracy and Stability, §4).
// Each output element sees the same additions in the same order as in src/twin/hadamard.ts: same bits.
// see: Fino & Algazi, "Unified matrix treatment of the fast Walsh–Hadamard transform" (1976).
// Preconditions: n is a power of two (≥ 1); width ≥ 1.

/**
 * In place: `count` consecutive blocks, each an n×width row-major array, each transformed along its
 * n axis (that is, every one of the `width` columns of a block gets multiplied by H_n).
 * width = 1 transforms `count` contiguous vectors of length n; count = 1 transforms the columns of one matrix.
 */
export function fwht_f64(a: usize, count: i32, n: i32, width: i32): void {
  const blockLen = n * width;
  for (let b = 0; b < count; b++) {
    const base = a + (<usize>b * <usize>blockLen << 3);
    // A butterfly on rows r and r + h of a block is a butterfly on two contiguous segments of
    // h·width elements, so one loop over segment lengths covers every width.
    for (let seg = width; seg < blockLen; seg <<= 1) {
      for (let i0 = 0; i0 < blockLen; i0 += seg << 1) {
        const p = base + (<usize>i0 << 3), q = p + (<usize>seg << 3);
        let j = 0;
        for (; j + 2 <= seg; j += 2) {
          const o = <usize>j << 3;
          const x = v128.load(p + o), y = v128.load(q + o);
          v128.store(p + o, f64x2.add(x, y));
          v128.store(q + o, f64x2.sub(x, y));
        }
        if (j < seg) {
          const o = <usize>j << 3;
          const x = load<f64>(p + o), y = load<f64>(q + o);
          store<f64>(p + o, x + y);
          store<f64>(q + o, x - y);
        }
      }
    }
  }
}
