// The typed surface of the compiled AssemblyScript module (assembly/index.ts).
// Pointers are byte offsets into `memory`; every kernel trusts its arguments (the TS wrappers
// validate first), never throws and never allocates JS objects.

export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  memoryPages(): number;
  liveBytes(): number;
  peakBytes(): number;
  resetPeakBytes(): void;
  largeRegionCount(): number;
  first_nonfinite_f32(ptr: number, len: number): number;
  first_nonfinite_f64(ptr: number, len: number): number;
  max_row_sq_norm_f32(x: number, r0: number, r1: number, cols: number, out: number, part: number): void;
  max_row_sq_norm_f64(x: number, r0: number, r1: number, cols: number, out: number, part: number): void;
  csr_check_range(rowPtr: number, colIdx: number, r0: number, r1: number, e0: number, e1: number, maxDegree: number,
    numCols: number, out: number, part: number): void;
  gemm_f32(c: number, a: number, b: number, m: number, n: number, k: number, transA: number, transB: number): void;
  gemm_f64(c: number, a: number, b: number, m: number, n: number, k: number, transA: number, transB: number): void;
  gemm_ld_f32(c: number, a: number, b: number, m: number, n: number, k: number, transA: number, transB: number, lda: number, ldb: number, ldc: number): void;
  gemm_ld_f64(c: number, a: number, b: number, m: number, n: number, k: number, transA: number, transB: number, lda: number, ldb: number, ldc: number): void;
  attention_csr_f32(out: number, q: number, k: number, v: number, rowPtr: number, colIdx: number,
    nDst: number, dQK: number, dV: number, scale: number, scores: number, perEdge: number, nCols: number): void;
  attention_csr_range_f32(out: number, q: number, k: number, v: number, rowPtr: number, colIdx: number, r0: number, r1: number,
    dQK: number, dV: number, scale: number, scores: number, perEdge: number, nCols: number, plan: number): void;
  attention_plan_f32(rowPtr: number, colIdx: number, nDst: number, dQK: number, dV: number): number;
  thread_setup(base: number, bytes: number): void;
  attention_backward_rows_f32(dQ: number, dS: number, dOut: number, k: number, v: number, weights: number, rowPtr: number,
    colIdx: number, r0: number, r1: number, dQK: number, dVdim: number, scale: number): void;
  attention_backward_cols_f32(dK: number, dV: number, dS: number, dOut: number, q: number, weights: number, tRowPtr: number,
    tEdge: number, tDst: number, j0: number, j1: number, dQK: number, dVdim: number): void;
  attention_csr_f64(out: number, q: number, k: number, v: number, rowPtr: number, colIdx: number,
    nDst: number, dQK: number, dV: number, scale: number, scores: number, perEdge: number): void;
  attention_csr_backward_f32(dQ: number, dK: number, dV: number, dOut: number, q: number, k: number, v: number, weights: number,
    rowPtr: number, colIdx: number, nDst: number, nSrc: number, dQK: number, dVdim: number, scale: number, scratch: number): void;
  attention_csr_backward_f64(dQ: number, dK: number, dV: number, dOut: number, q: number, k: number, v: number, weights: number,
    rowPtr: number, colIdx: number, nDst: number, nSrc: number, dQK: number, dVdim: number, scale: number, scratch: number): void;
  add_f32(a: number, b: number, len: number): void;
  add_row_vector_f32(y: number, b: number, rows: number, cols: number): void;
  relu_f32(x: number, len: number): void;
  bias_relu_f32(y: number, b: number, rows: number, cols: number): void;
  add_bias_residual_f32(y: number, b: number, r: number, rows: number, cols: number): void;
  relu_backward_f32(g: number, x: number, len: number): void;
  mul_f32(a: number, b: number, len: number): void;
  dropout_f32(x: number, mask: number, len: number, first: number, p: number, keep: number, k0: number, k1: number): void;
  column_sums_f32(out: number, y: number, rows: number, cols: number, scratch: number): void;
  batch_norm_forward_f32(y: number, xhat: number, mean: number, invStd: number, z: number, gamma: number, beta: number,
    rows: number, cols: number, eps: number, scratch: number): void;
  batch_norm_backward_f32(dz: number, sumDy: number, sumDyX: number, dy: number, xhat: number, gamma: number, invStd: number,
    rows: number, cols: number, scratch: number): void;
  column_sums_cols_f32(out: number, y: number, rows: number, ld: number, c0: number, c1: number): void;
  batch_norm_forward_cols_f32(y: number, xhat: number, mean: number, invStd: number, z: number, gamma: number, beta: number,
    rows: number, ld: number, eps: number, c0: number, c1: number): void;
  batch_norm_backward_cols_f32(dz: number, sumDy: number, sumDyX: number, dy: number, xhat: number, gamma: number, invStd: number,
    rows: number, ld: number, c0: number, c1: number): void;
  householder_qr_f64(w: number, a: number, tau: number, m: number, n: number): void;
  householder_apply_f64(b: number, w: number, tau: number, m: number, k: number, ncols: number, trans: number): void;
  householder_form_q_f64(q: number, w: number, tau: number, m: number, k: number): void;
  pivoted_qr_f64(w: number, a: number, tau: number, jpvt: number, m: number, n: number): void;
  row_sq_norms_f64(out: number, a: number, rows: number, cols: number): void;
  col_sq_norms_f64(out: number, a: number, rows: number, cols: number): void;
  fwht_f64(a: number, count: number, n: number, width: number): void;
  gram_f64(g: number, y: number, m: number, n: number): void;
  trsm_right_upper_f64(x: number, y: number, r: number, inv: number, m: number, n: number): void;
  /** 1 in the relaxed-SIMD build (dist/kernels-relaxed.wasm), 0 in the plain one. */
  relaxed_simd_build(): number;
}
