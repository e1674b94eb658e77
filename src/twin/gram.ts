// Plain-TS twin of assembly/gram.ts: G = YᵀY with the kernel's summation order (each entry summed over a
// slab of GRAM_KC rows in row order, slabs added in turn), so the same bits.

/** Rows per slab, as in the kernel. */
export const GRAM_KC = 128;

/** g (n×n, row-major) := yᵀ·y for y m×n row-major. */
export function gram_f64(g: Float64Array, y: Float64Array, m: number, n: number): void {
  for (let p0 = 0; p0 < m; p0 += GRAM_KC) {
    const p1 = Math.min(m, p0 + GRAM_KC);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let s = 0;
        for (let p = p0; p < p1; p++) s += y[p * n + i] * y[p * n + j];
        g[i * n + j] = p0 === 0 ? s : g[i * n + j] + s;
      }
    }
  }
  for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) g[i * n + j] = g[j * n + i];
}
