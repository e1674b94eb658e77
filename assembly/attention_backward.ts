// Backward pass of the fused CSR softmax attention (assembly/attention_csr.ts), f32 (f32x4) and f64 (f64x2).
// Given the forward's weights a_ij (perEdge output of attention_csr_*) and dOut = ∂L/∂out:
//   g_ij  = dOut_i · v_j
//   dS_ij = a_ij · (g_ij − Σ_u a_iu g_iu)              (softmax Jacobian, one row at a time)
//   dV_j += a_ij · dOut_i
//   dQ_i  = scale · Σ_j dS_ij k_j
//   dK_j += scale · dS_ij q_i
// One pass over each destination row; dV and dK are scattered to the source rows j. This is the
// single-threaded scatter form of "dK = scale·dSᵀQ, dV = Aᵀ dOut" — a pass over the transposed CSR
// computes the same sums, but would need an edge permutation; one thread needs no atomics, so the
// scatter costs nothing extra and the result is deterministic (edges are visited in CSR order).
// Cost O(m·(dQK + dV)), like the forward. Scratch: max-degree floats for g.
// Accuracy: f32 (f64) dot products and sums, relative error ~ deg·ε per row; the multiply-adds go through
// assembly/fma.ts (fused in the relaxed-SIMD build where the hardware has FMA).
// Preconditions: dQ, dK, dV distinct from each other and from the inputs; indices in range.

import { madd_f32x4, madd_f64x2 } from "./fma";

@inline export function dot_f32(x: usize, y: usize, d: i32): f32 {
  let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0);
  let t = 0;
  for (; t + 8 <= d; t += 8) {
    const o = <usize>t << 2;
    acc0 = madd_f32x4(v128.load(x + o), v128.load(y + o), acc0);
    acc1 = madd_f32x4(v128.load(x + o, 16), v128.load(y + o, 16), acc1);
  }
  for (; t + 4 <= d; t += 4) {
    const o = <usize>t << 2;
    acc0 = madd_f32x4(v128.load(x + o), v128.load(y + o), acc0);
  }
  acc0 = f32x4.add(acc0, acc1);
  let s = f32x4.extract_lane(acc0, 0) + f32x4.extract_lane(acc0, 1) +
          f32x4.extract_lane(acc0, 2) + f32x4.extract_lane(acc0, 3);
  for (; t < d; t++) s += load<f32>(x + (<usize>t << 2)) * load<f32>(y + (<usize>t << 2));
  return s;
}

@inline export function axpy_f32(y: usize, alpha: f32, x: usize, d: i32): void {
  const av = f32x4.splat(alpha);
  let t = 0;
  for (; t + 4 <= d; t += 4) {
    const o = <usize>t << 2;
    v128.store(y + o, madd_f32x4(av, v128.load(x + o), v128.load(y + o)));
  }
  for (; t < d; t++) {
    const o = <usize>t << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/**
 * dQ (nDst×dQK) ← scale·Σ_j dS_ij k_j; dK (nSrc×dQK) and dV (nSrc×dV) ← the scattered sums above
 * (all three are overwritten). weights: the m attention weights a_ij in CSR order.
 */
export function attention_csr_backward_f32(dQ: usize, dK: usize, dV: usize, dOut: usize, q: usize, k: usize, v: usize,
                                           weights: usize, rowPtr: usize, colIdx: usize, nDst: i32, nSrc: i32,
                                           dQK: i32, dVdim: i32, scale: f32, scratch: usize): void {
  const qStride = <usize>dQK << 2, vStride = <usize>dVdim << 2;
  memory.fill(dK, 0, <usize>nSrc * qStride);
  memory.fill(dV, 0, <usize>nSrc * vStride);
  for (let i = 0; i < nDst; i++) {
    const start = load<i32>(rowPtr + (<usize>i << 2));
    const end = load<i32>(rowPtr + (<usize>(i + 1) << 2));
    const dqi = dQ + <usize>i * qStride;
    memory.fill(dqi, 0, qStride);
    if (end <= start) continue;
    const doi = dOut + <usize>i * vStride;
    const qi = q + <usize>i * qStride;
    let c: f32 = 0;
    for (let e = start; e < end; e++) {
      const j = <usize>load<i32>(colIdx + (<usize>e << 2));
      const a = load<f32>(weights + (<usize>e << 2));
      const g = dot_f32(doi, v + j * vStride, dVdim);
      store<f32>(scratch + (<usize>(e - start) << 2), g);
      c += a * g;
      axpy_f32(dV + j * vStride, a, doi, dVdim);
    }
    for (let e = start; e < end; e++) {
      const j = <usize>load<i32>(colIdx + (<usize>e << 2));
      const a = load<f32>(weights + (<usize>e << 2));
      const ds = scale * a * (load<f32>(scratch + (<usize>(e - start) << 2)) - c);
      axpy_f32(dqi, ds, k + j * qStride, dQK);
      axpy_f32(dK + j * qStride, ds, qi, dQK);
    }
  }
}

// ---------------------------------------------------------------- f64 (gradient checks)

@inline function dot_f64(x: usize, y: usize, d: i32): f64 {
  let acc = f64x2.splat(0);
  let t = 0;
  for (; t + 2 <= d; t += 2) {
    const o = <usize>t << 3;
    acc = madd_f64x2(v128.load(x + o), v128.load(y + o), acc);
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; t < d; t++) s += load<f64>(x + (<usize>t << 3)) * load<f64>(y + (<usize>t << 3));
  return s;
}

@inline function axpy_f64(y: usize, alpha: f64, x: usize, d: i32): void {
  const av = f64x2.splat(alpha);
  let t = 0;
  for (; t + 2 <= d; t += 2) {
    const o = <usize>t << 3;
    v128.store(y + o, madd_f64x2(av, v128.load(x + o), v128.load(y + o)));
  }
  for (; t < d; t++) {
    const o = <usize>t << 3;
    store<f64>(y + o, load<f64>(y + o) + alpha * load<f64>(x + o));
  }
}

/** The f64 variant of attention_csr_backward_f32 (same arguments; everything in f64, scratch too). */
export function attention_csr_backward_f64(dQ: usize, dK: usize, dV: usize, dOut: usize, q: usize, k: usize, v: usize,
                                           weights: usize, rowPtr: usize, colIdx: usize, nDst: i32, nSrc: i32,
                                           dQK: i32, dVdim: i32, scale: f64, scratch: usize): void {
  const qStride = <usize>dQK << 3, vStride = <usize>dVdim << 3;
  memory.fill(dK, 0, <usize>nSrc * qStride);
  memory.fill(dV, 0, <usize>nSrc * vStride);
  for (let i = 0; i < nDst; i++) {
    const start = load<i32>(rowPtr + (<usize>i << 2));
    const end = load<i32>(rowPtr + (<usize>(i + 1) << 2));
    const dqi = dQ + <usize>i * qStride;
    memory.fill(dqi, 0, qStride);
    if (end <= start) continue;
    const doi = dOut + <usize>i * vStride;
    const qi = q + <usize>i * qStride;
    let c: f64 = 0;
    for (let e = start; e < end; e++) {
      const j = <usize>load<i32>(colIdx + (<usize>e << 2));
      const a = load<f64>(weights + (<usize>e << 3));
      const g = dot_f64(doi, v + j * vStride, dVdim);
      store<f64>(scratch + (<usize>(e - start) << 3), g);
      c += a * g;
      axpy_f64(dV + j * vStride, a, doi, dVdim);
    }
    for (let e = start; e < end; e++) {
      const j = <usize>load<i32>(colIdx + (<usize>e << 2));
      const a = load<f64>(weights + (<usize>e << 3));
      const ds = scale * a * (load<f64>(scratch + (<usize>(e - start) << 3)) - c);
      axpy_f64(dqi, ds, k + j * qStride, dQK);
      axpy_f64(dK + j * qStride, ds, qi, dQK);
    }
  }
}
