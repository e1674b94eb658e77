// Plain-TS twin of assembly/attention_backward.ts (same names and argument order; arrays for pointers).
// Same visiting order as the kernel (CSR rows, dK/dV scattered); per-edge dot products in f64.

function backward(dQ: Float32Array | Float64Array, dK: Float32Array | Float64Array, dV: Float32Array | Float64Array,
  dOut: ArrayLike<number>, q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, weights: ArrayLike<number>,
  rowPtr: Int32Array, colIdx: Int32Array, nDst: number, nSrc: number, dQK: number, dVdim: number, scale: number,
  scratch: Float32Array | Float64Array): void {
  dK.fill(0, 0, nSrc * dQK);
  dV.fill(0, 0, nSrc * dVdim);
  for (let i = 0; i < nDst; i++) {
    const start = rowPtr[i], end = rowPtr[i + 1];
    const qo = i * dQK, oo = i * dVdim;
    dQ.fill(0, qo, qo + dQK);
    let c = 0;
    for (let e = start; e < end; e++) {
      const vo = colIdx[e] * dVdim, a = weights[e];
      let g = 0;
      for (let t = 0; t < dVdim; t++) g += dOut[oo + t] * v[vo + t];
      scratch[e - start] = g;
      c += a * g;
      for (let t = 0; t < dVdim; t++) dV[vo + t] += a * dOut[oo + t];
    }
    for (let e = start; e < end; e++) {
      const ko = colIdx[e] * dQK;
      const ds = scale * weights[e] * (scratch[e - start] - c);
      for (let t = 0; t < dQK; t++) {
        dQ[qo + t] += ds * k[ko + t];
        dK[ko + t] += ds * q[qo + t];
      }
    }
  }
}

export function attention_csr_backward_f32(dQ: Float32Array, dK: Float32Array, dV: Float32Array, dOut: Float32Array,
  q: Float32Array, k: Float32Array, v: Float32Array, weights: Float32Array, rowPtr: Int32Array, colIdx: Int32Array,
  nDst: number, nSrc: number, dQK: number, dVdim: number, scale: number, scratch: Float32Array): void {
  backward(dQ, dK, dV, dOut, q, k, v, weights, rowPtr, colIdx, nDst, nSrc, dQK, dVdim, scale, scratch);
}

export function attention_csr_backward_f64(dQ: Float64Array, dK: Float64Array, dV: Float64Array, dOut: Float64Array,
  q: Float64Array, k: Float64Array, v: Float64Array, weights: Float64Array, rowPtr: Int32Array, colIdx: Int32Array,
  nDst: number, nSrc: number, dQK: number, dVdim: number, scale: number, scratch: Float64Array): void {
  backward(dQ, dK, dV, dOut, q, k, v, weights, rowPtr, colIdx, nDst, nSrc, dQK, dVdim, scale, scratch);
}
