// The f32 attention backward (assembly/attention_backward.ts) cut for the thread pool: the scatter of dK and dV
// to the source rows becomes a gather over the transposed pattern, so both passes split into row ranges.
//   rows pass (destination rows i):  g_e = dOut_i·v_j, c_i = Σ a_e g_e, dS_e = scale·a_e·(g_e − c_i) stored per
//                                     edge, dQ_i = Σ_e dS_e k_j — each row's sums exactly as the scatter kernel does;
//   cols pass (source rows j):        dV_j = Σ a_e dOut_i, dK_j = Σ dS_e q_i over the edges e = (i, j) in increasing
//                                     e, which is the order the scatter adds them in (CSR order), so the result has
//                                     the scatter kernel's bits for any split.
// The transposed pattern: tRowPtr (nSrc + 1), and per entry the edge index tEdge and its destination row tDst,
// entries of each source row in increasing edge index (a stable counting sort, src/train/attention-backward.ts).
// Cost: the scatter kernel's O(m·(dQK + dV)) plus 4 bytes an edge for dS. No allocation.
import { dot_f32, axpy_f32 } from "./attention_backward";

/** The rows pass over destination rows [r0, r1): dQ rows and the per-edge dS (length m, CSR order). */
export function attention_backward_rows_f32(dQ: usize, dS: usize, dOut: usize, k: usize, v: usize, weights: usize,
                                            rowPtr: usize, colIdx: usize, r0: i32, r1: i32, dQK: i32, dVdim: i32,
                                            scale: f32): void {
  const qStride = <usize>dQK << 2, vStride = <usize>dVdim << 2;
  for (let i = r0; i < r1; i++) {
    const start = load<i32>(rowPtr + (<usize>i << 2));
    const end = load<i32>(rowPtr + (<usize>(i + 1) << 2));
    const dqi = dQ + <usize>i * qStride;
    memory.fill(dqi, 0, qStride);
    if (end <= start) continue;
    const doi = dOut + <usize>i * vStride;
    let c: f32 = 0;
    for (let e = start; e < end; e++) {
      const j = <usize>load<i32>(colIdx + (<usize>e << 2));
      const a = load<f32>(weights + (<usize>e << 2));
      const g = dot_f32(doi, v + j * vStride, dVdim);
      store<f32>(dS + (<usize>e << 2), g);
      c += a * g;
    }
    for (let e = start; e < end; e++) {
      const j = <usize>load<i32>(colIdx + (<usize>e << 2));
      const a = load<f32>(weights + (<usize>e << 2));
      const ds = scale * a * (load<f32>(dS + (<usize>e << 2)) - c);
      store<f32>(dS + (<usize>e << 2), ds);
      axpy_f32(dqi, ds, k + j * qStride, dQK);
    }
  }
}

/** The cols pass over source rows [j0, j1): dK and dV rows gathered from dS, the weights, q and dOut. */
export function attention_backward_cols_f32(dK: usize, dV: usize, dS: usize, dOut: usize, q: usize, weights: usize,
                                            tRowPtr: usize, tEdge: usize, tDst: usize, j0: i32, j1: i32,
                                            dQK: i32, dVdim: i32): void {
  const qStride = <usize>dQK << 2, vStride = <usize>dVdim << 2;
  for (let j = j0; j < j1; j++) {
    const dkj = dK + <usize>j * qStride, dvj = dV + <usize>j * vStride;
    memory.fill(dkj, 0, qStride);
    memory.fill(dvj, 0, vStride);
    const start = load<i32>(tRowPtr + (<usize>j << 2)), end = load<i32>(tRowPtr + (<usize>(j + 1) << 2));
    for (let t = start; t < end; t++) {
      const e = <usize>load<i32>(tEdge + (<usize>t << 2));
      const i = <usize>load<i32>(tDst + (<usize>t << 2));
      axpy_f32(dvj, load<f32>(weights + (e << 2)), dOut + i * vStride, dVdim);
      axpy_f32(dkj, load<f32>(dS + (e << 2)), q + i * qStride, dQK);
    }
  }
}
