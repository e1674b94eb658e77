// Plain-TS twin of assembly/attention_backward_gather.ts (same names and argument order; arrays for pointers):
// the rows pass (dQ and the per-edge dS) and the cols pass (dK, dV gathered over the transposed pattern).
// Sums in f64, rounded when stored, as the twin of the scatter kernel (twin/attention_backward.ts) does.

export function attention_backward_rows_f32(dQ: Float32Array, dS: Float32Array, dOut: Float32Array, k: Float32Array,
  v: Float32Array, weights: Float32Array, rowPtr: Int32Array, colIdx: Int32Array, r0: number, r1: number, dQK: number,
  dVdim: number, scale: number): void {
  for (let i = r0; i < r1; i++) {
    const start = rowPtr[i], end = rowPtr[i + 1], qo = i * dQK, oo = i * dVdim;
    dQ.fill(0, qo, qo + dQK);
    let c = 0;
    for (let e = start; e < end; e++) {
      const vo = colIdx[e] * dVdim;
      let g = 0;
      for (let t = 0; t < dVdim; t++) g += dOut[oo + t] * v[vo + t];
      dS[e] = g;
      c += weights[e] * g;
    }
    for (let e = start; e < end; e++) {
      const ko = colIdx[e] * dQK;
      const ds = (dS[e] = scale * weights[e] * (dS[e] - c));
      for (let t = 0; t < dQK; t++) dQ[qo + t] += ds * k[ko + t];
    }
  }
}

export function attention_backward_cols_f32(dK: Float32Array, dV: Float32Array, dS: Float32Array, dOut: Float32Array,
  q: Float32Array, weights: Float32Array, tRowPtr: Int32Array, tEdge: Int32Array, tDst: Int32Array, j0: number, j1: number,
  dQK: number, dVdim: number): void {
  for (let j = j0; j < j1; j++) {
    const ko = j * dQK, vo = j * dVdim;
    dK.fill(0, ko, ko + dQK);
    dV.fill(0, vo, vo + dVdim);
    for (let t = tRowPtr[j]; t < tRowPtr[j + 1]; t++) {
      const e = tEdge[t], qo = tDst[t] * dQK, oo = tDst[t] * dVdim;
      for (let u = 0; u < dVdim; u++) dV[vo + u] += weights[e] * dOut[oo + u];
      for (let u = 0; u < dQK; u++) dK[ko + u] += dS[e] * q[qo + u];
    }
  }
}
