// Fused sparse attention over a CSR pattern, f32 (f32x4), one pass over each destination row.
//   s_ij = scale · q_i·k_j            for j in N(i) = colIdx[rowPtr[i] .. rowPtr[i+1])
//   a_ij = exp(s_ij − max_j s_ij) / Σ_u exp(s_iu − max_u s_iu)
//   out_i = Σ_j a_ij v_j              (out_i = 0 when N(i) is empty)
// Never forms an n×n matrix: the scores of one row live in `scores` (the per-edge weight output when
// the caller wants the attention weights, else a scratch of max-degree floats).
// Accuracy: f32 dot products and sums (relative error ~ deg·2⁻²⁴ per row); exp is AssemblyScript's
// Mathf.exp (< 1 ULP); the max subtraction keeps every exponent ≤ 0, so nothing overflows.
// Preconditions: out does not alias q, k or v; indices in range (checked by the TS wrapper).

@inline function dot_f32(x: usize, y: usize, d: i32): f32 {
  let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0);
  let t = 0;
  for (; t + 8 <= d; t += 8) {
    const o = <usize>t << 2;
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(x + o), v128.load(y + o)));
    acc1 = f32x4.add(acc1, f32x4.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
  }
  for (; t + 4 <= d; t += 4) {
    const o = <usize>t << 2;
    acc0 = f32x4.add(acc0, f32x4.mul(v128.load(x + o), v128.load(y + o)));
  }
  acc0 = f32x4.add(acc0, acc1);
  let s = f32x4.extract_lane(acc0, 0) + f32x4.extract_lane(acc0, 1) +
          f32x4.extract_lane(acc0, 2) + f32x4.extract_lane(acc0, 3);
  for (; t < d; t++) s += load<f32>(x + (<usize>t << 2)) * load<f32>(y + (<usize>t << 2));
  return s;
}

/** y += alpha·x over d floats. */
@inline function axpy_f32(y: usize, alpha: f32, x: usize, d: i32): void {
  const av = f32x4.splat(alpha);
  let t = 0;
  for (; t + 4 <= d; t += 4) {
    const o = <usize>t << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(av, v128.load(x + o))));
  }
  for (; t < d; t++) {
    const o = <usize>t << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/**
 * out (nDst×dV) ← softmax-attention of q (nDst×dQK) over k (·×dQK), v (·×dV) along the CSR rows.
 * scores: m floats indexed by edge when perEdge = 1 (they end as the attention weights a_ij),
 *         or max-degree floats reused per row when perEdge = 0.
 */
export function attention_csr_f32(out: usize, q: usize, k: usize, v: usize, rowPtr: usize, colIdx: usize,
                                  nDst: i32, dQK: i32, dV: i32, scale: f32, scores: usize, perEdge: i32): void {
  const qStride = <usize>dQK << 2, vStride = <usize>dV << 2;
  for (let i = 0; i < nDst; i++) {
    const start = load<i32>(rowPtr + (<usize>i << 2));
    const end = load<i32>(rowPtr + (<usize>(i + 1) << 2));
    const orow = out + <usize>i * vStride;
    memory.fill(orow, 0, vStride);
    if (end <= start) continue;
    const qi = q + <usize>i * qStride;
    const sBase = perEdge ? scores + (<usize>start << 2) : scores;
    let mx: f32 = -Infinity;
    for (let e = start; e < end; e++) {
      const j = load<i32>(colIdx + (<usize>e << 2));
      const s = scale * dot_f32(qi, k + <usize>j * qStride, dQK);
      store<f32>(sBase + (<usize>(e - start) << 2), s);
      mx = max(mx, s);
    }
    let den: f32 = 0;
    for (let e = start; e < end; e++) {
      const sp = sBase + (<usize>(e - start) << 2);
      const p = Mathf.exp(load<f32>(sp) - mx);
      store<f32>(sp, p);
      den += p;
      axpy_f32(orow, p, v + <usize>load<i32>(colIdx + (<usize>e << 2)) * vStride, dV);
    }
    const inv: f32 = 1 / den;
    const iv = f32x4.splat(inv);
    let t = 0;
    for (; t + 4 <= dV; t += 4) {
      const o = <usize>t << 2;
      v128.store(orow + o, f32x4.mul(v128.load(orow + o), iv));
    }
    for (; t < dV; t++) store<f32>(orow + (<usize>t << 2), load<f32>(orow + (<usize>t << 2)) * inv);
    if (perEdge) {
      for (let e = start; e < end; e++) {
        const sp = sBase + (<usize>(e - start) << 2);
        store<f32>(sp, load<f32>(sp) * inv);
      }
    }
  }
}

// ---------------------------------------------------------------- f64 (certificates need f64 accuracy)

@inline function dot_f64(x: usize, y: usize, d: i32): f64 {
  let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
  let t = 0;
  for (; t + 4 <= d; t += 4) {
    const o = <usize>t << 3;
    acc0 = f64x2.add(acc0, f64x2.mul(v128.load(x + o), v128.load(y + o)));
    acc1 = f64x2.add(acc1, f64x2.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
  }
  acc0 = f64x2.add(acc0, acc1);
  let s = f64x2.extract_lane(acc0, 0) + f64x2.extract_lane(acc0, 1);
  for (; t < d; t++) s += load<f64>(x + (<usize>t << 3)) * load<f64>(y + (<usize>t << 3));
  return s;
}

@inline function axpy_f64(y: usize, alpha: f64, x: usize, d: i32): void {
  const av = f64x2.splat(alpha);
  let t = 0;
  for (; t + 2 <= d; t += 2) {
    const o = <usize>t << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(av, v128.load(x + o))));
  }
  for (; t < d; t++) {
    const o = <usize>t << 3;
    store<f64>(y + o, load<f64>(y + o) + alpha * load<f64>(x + o));
  }
}

/** The f64 variant of attention_csr_f32 (same arguments; scores and weights in f64). */
export function attention_csr_f64(out: usize, q: usize, k: usize, v: usize, rowPtr: usize, colIdx: usize,
                                  nDst: i32, dQK: i32, dV: i32, scale: f64, scores: usize, perEdge: i32): void {
  const qStride = <usize>dQK << 3, vStride = <usize>dV << 3;
  for (let i = 0; i < nDst; i++) {
    const start = load<i32>(rowPtr + (<usize>i << 2));
    const end = load<i32>(rowPtr + (<usize>(i + 1) << 2));
    const orow = out + <usize>i * vStride;
    memory.fill(orow, 0, vStride);
    if (end <= start) continue;
    const qi = q + <usize>i * qStride;
    const sBase = perEdge ? scores + (<usize>start << 3) : scores;
    let mx: f64 = -Infinity;
    for (let e = start; e < end; e++) {
      const j = load<i32>(colIdx + (<usize>e << 2));
      const s = scale * dot_f64(qi, k + <usize>j * qStride, dQK);
      store<f64>(sBase + (<usize>(e - start) << 3), s);
      mx = max(mx, s);
    }
    let den: f64 = 0;
    for (let e = start; e < end; e++) {
      const sp = sBase + (<usize>(e - start) << 3);
      const p = Math.exp(load<f64>(sp) - mx);
      store<f64>(sp, p);
      den += p;
      axpy_f64(orow, p, v + <usize>load<i32>(colIdx + (<usize>e << 2)) * vStride, dV);
    }
    const inv: f64 = 1 / den;
    for (let t = 0; t < dV; t++) store<f64>(orow + (<usize>t << 3), load<f64>(orow + (<usize>t << 3)) * inv);
    if (perEdge) {
      for (let e = start; e < end; e++) {
        const sp = sBase + (<usize>(e - start) << 3);
        store<f64>(sp, load<f64>(sp) * inv);
      }
    }
  }
}
