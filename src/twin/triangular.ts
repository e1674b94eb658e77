// Plain-TS twin of assembly/triangular.ts: same name, same argument order, arrays in place of pointers,
// and the same operations in the same order (x_j = y_j·(1/R_jj), then y_c −= x_j·R_jc), so the same bits.

/** x (m×n, row-major) := y·R⁻¹ for R n×n upper triangular (row-major, nonzero diagonal); x may be y; inv: n scratch values. */
export function trsm_right_upper_f64(x: Float64Array, y: Float64Array, r: Float64Array, inv: Float64Array, m: number, n: number): void {
  if (x !== y) x.set(y.subarray(0, m * n));
  for (let j = 0; j < n; j++) inv[j] = 1 / r[j * n + j];
  for (let i = 0; i < m; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) {
      const xj = x[o + j] * inv[j];
      x[o + j] = xj;
      const rj = j * n;
      for (let c = j + 1; c < n; c++) x[o + c] -= xj * r[rj + c];
    }
  }
}
