// Plain-TS twin of assembly/hadamard.ts: same name, same argument order, an array in place of the pointer.
// The same butterflies in the same order as the kernel, so the results are bit-identical.

/** In place: `count` blocks of n×width (row-major), each multiplied by the unnormalised H_n along its n axis. */
export function fwht_f64(a: Float64Array, count: number, n: number, width: number): void {
  const blockLen = n * width;
  for (let b = 0; b < count; b++) {
    const base = b * blockLen;
    for (let seg = width; seg < blockLen; seg <<= 1) {
      for (let i0 = 0; i0 < blockLen; i0 += seg << 1) {
        const p = base + i0, q = p + seg;
        for (let j = 0; j < seg; j++) {
          const x = a[p + j], y = a[q + j];
          a[p + j] = x + y;
          a[q + j] = x - y;
        }
      }
    }
  }
}
