// Plain-TS twin of assembly/attention_csr.ts (same names and argument order; arrays for pointers).
// Two passes per row (scores, then exp-sum-accumulate); the accumulator is f64. The shift subtracted
// before the exp is the kernels' own: the row max, except in f32 where a row whose scores are bounded
// by U_i = |scale|·‖q_i‖·max_j‖k_j‖·(1 + 2⁻¹⁰) ≤ 20 uses c_i = ⌈U_i·log₂e⌉·ln2 ≥ U_i
// (assembly/attention_bounded_f32.ts).

/** Rows with a score bound ≤ SHIFT_LIMIT use it as the softmax shift (f32 only; as the kernel). */
const SHIFT_LIMIT = 20;
const BOUND_INFLATE = 1 + 1 / 1024;

function attention(out: Float32Array | Float64Array, q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>,
  rowPtr: Int32Array, colIdx: Int32Array, nDst: number, dQK: number, dV: number, scale: number,
  scores: Float32Array | Float64Array, perEdge: number, nCols: number): void {
  const acc = new Float64Array(dV);
  // max ‖k_j‖² (NaN if k has a NaN); nCols < 0: no bounded rows (the f64 kernel keeps the max)
  let kSq = nCols > 0 ? 0 : Infinity;
  for (let j = 0; j < nCols; j++) {
    let s = 0;
    for (let t = 0; t < dQK; t++) s += k[j * dQK + t] * k[j * dQK + t];
    kSq = Number.isNaN(s) || Number.isNaN(kSq) ? NaN : Math.max(kSq, s);
  }
  for (let i = 0; i < nDst; i++) {
    const start = rowPtr[i], end = rowPtr[i + 1];
    const oo = i * dV;
    if (end <= start) { out.fill(0, oo, oo + dV); continue; }
    acc.fill(0);
    const base = perEdge ? start : 0;
    let mx = -Infinity;
    const qo = i * dQK;
    for (let e = start; e < end; e++) {
      const ko = colIdx[e] * dQK;
      let s = 0;
      for (let t = 0; t < dQK; t++) s += q[qo + t] * k[ko + t];
      s *= scale;
      scores[base + e - start] = s;
      if (s > mx) mx = s;
    }
    let qSq = 0;
    for (let t = 0; t < dQK; t++) qSq += q[qo + t] * q[qo + t];
    const bound = Math.abs(scale) * Math.sqrt(qSq * kSq) * BOUND_INFLATE;
    if (bound <= SHIFT_LIMIT) mx = Math.ceil(bound * Math.LOG2E) * Math.LN2;   // the shift m·ln2; NaN fails the test
    let den = 0;
    for (let e = start; e < end; e++) {
      const p = Math.exp(scores[base + e - start] - mx);
      scores[base + e - start] = p;
      den += p;
      const vo = colIdx[e] * dV;
      for (let t = 0; t < dV; t++) acc[t] += p * v[vo + t];
    }
    for (let t = 0; t < dV; t++) out[oo + t] = acc[t] / den;
    if (perEdge) for (let e = start; e < end; e++) scores[base + e - start] /= den;
  }
}

export function attention_csr_f32(out: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array,
  rowPtr: Int32Array, colIdx: Int32Array, nDst: number, dQK: number, dV: number, scale: number,
  scores: Float32Array, perEdge: number, nCols: number): void {
  attention(out, q, k, v, rowPtr, colIdx, nDst, dQK, dV, scale, scores, perEdge, nCols);
}

export function attention_csr_f64(out: Float64Array, q: Float64Array, k: Float64Array, v: Float64Array,
  rowPtr: Int32Array, colIdx: Int32Array, nDst: number, dQK: number, dV: number, scale: number,
  scores: Float64Array, perEdge: number): void {
  attention(out, q, k, v, rowPtr, colIdx, nDst, dQK, dV, scale, scores, perEdge, -1);
}
