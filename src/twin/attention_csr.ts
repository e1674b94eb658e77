// Plain-TS twin of assembly/attention_csr.ts (same names and argument order; arrays for pointers).
// Two passes per row (max, then exp-sum-accumulate) exactly like the kernels; the accumulator is f64.

function attention(out: Float32Array | Float64Array, q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>,
  rowPtr: Int32Array, colIdx: Int32Array, nDst: number, dQK: number, dV: number, scale: number,
  scores: Float32Array | Float64Array, perEdge: number): void {
  const acc = new Float64Array(dV);
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
  scores: Float32Array, perEdge: number): void {
  attention(out, q, k, v, rowPtr, colIdx, nDst, dQK, dV, scale, scores, perEdge);
}

export function attention_csr_f64(out: Float64Array, q: Float64Array, k: Float64Array, v: Float64Array,
  rowPtr: Int32Array, colIdx: Int32Array, nDst: number, dQK: number, dV: number, scale: number,
  scores: Float64Array, perEdge: number): void {
  attention(out, q, k, v, rowPtr, colIdx, nDst, dQK, dV, scale, scores, perEdge);
}
