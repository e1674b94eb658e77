// Plain-TS twin of assembly/gemm.ts: same name, same argument order, arrays in place of pointers.
// The fallback where WASM is unavailable and the oracle the tests compare against.
// Sums in f64 (JS numbers) and rounds once on store, so for f32 it is slightly more accurate than the kernel.

function gemm(c: Float32Array | Float64Array, a: ArrayLike<number>, b: ArrayLike<number>,
  m: number, n: number, k: number, transA: number, transB: number): void {
  const ars = transA ? 1 : k, acs = transA ? m : 1;
  const brs = transB ? 1 : n, bcs = transB ? k : 1;
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let p = 0; p < k; p++) {
      const x = a[i * ars + p * acs];
      if (x === 0) continue;
      const bo = p * brs;
      for (let j = 0; j < n; j++) row[j] += x * b[bo + j * bcs];
    }
    c.set(row, i * n);
  }
}

/** C (m×n) = op(A)·op(B) in f32 storage. */
export function gemm_f32(c: Float32Array, a: Float32Array, b: Float32Array, m: number, n: number, k: number,
  transA: number, transB: number): void {
  gemm(c, a, b, m, n, k, transA, transB);
}

/** C (m×n) = op(A)·op(B) in f64. */
export function gemm_f64(c: Float64Array, a: Float64Array, b: Float64Array, m: number, n: number, k: number,
  transA: number, transB: number): void {
  gemm(c, a, b, m, n, k, transA, transB);
}
