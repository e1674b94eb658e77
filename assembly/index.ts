// Re-exports only: one kernel family a file.
export { alloc_block as alloc, free, memoryPages, liveBytes, peakBytes, resetPeakBytes, largeRegionCount } from "./memory";
export { gemm_f32, gemm_f64, gemm_ld_f32, gemm_ld_f64 } from "./gemm";
export { attention_csr_f32, attention_csr_f64, attention_csr_range_f32, attention_plan_f32 } from "./attention_csr";
export { first_nonfinite_f32, first_nonfinite_f64, max_row_sq_norm_f32, max_row_sq_norm_f64, csr_check_range } from "./checks";
export { householder_qr_f64, householder_apply_f64, householder_form_q_f64 } from "./householder";
export { pivoted_qr_f64 } from "./qr_pivoted";
export { row_sq_norms_f64, col_sq_norms_f64 } from "./norms";
export { fwht_f64 } from "./hadamard";
export { attention_csr_backward_f32, attention_csr_backward_f64 } from "./attention_backward";
export { add_f32, add_row_vector_f32, relu_f32, bias_relu_f32, add_bias_residual_f32, relu_backward_f32, column_sums_f32, batch_norm_forward_f32, batch_norm_backward_f32, column_sums_cols_f32, batch_norm_forward_cols_f32, batch_norm_backward_cols_f32, mul_f32, dropout_f32 } from "./elementwise";
export { trsm_right_upper_f64 } from "./triangular";
export { gram_f64 } from "./gram";
export { relaxed_simd_build } from "./fma";
export { thread_setup } from "./threads";
export { attention_backward_rows_f32, attention_backward_cols_f32 } from "./attention_backward_gather";
