// The "plain JS loop" peer of the performance issue, as the shared anchors' js_peers.mjs writes it:
// Float32Array CSR attention with the output row as accumulator and Math.exp. Kept verbatim in spirit
// (only typed) so the in-process ratio matches the anchor's ~252 ms row.

/** out ← softmax attention along the CSR rows, the way a JS user writes it without SIMD. */
export function plainJsCsrAttention(out: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array,
  rowPtr: Int32Array, col: Int32Array, n: number, D: number, s: Float32Array): void {
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
      let acc = 0;
      const j = col[e];
      for (let t = 0; t < D; t++) acc += q[i * D + t] * k[j * D + t];
      s[e] = acc;
      if (acc > mx) mx = acc;
    }
    let den = 0;
    for (let e = rowPtr[i]; e < rowPtr[i + 1]; e++) { s[e] = Math.exp(s[e] - mx); den += s[e]; }
    for (let t = 0; t < D; t++) out[i * D + t] = 0;
    for (let e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
      const w = s[e] / den, j = col[e];
      for (let t = 0; t < D; t++) out[i * D + t] += w * v[j * D + t];
    }
  }
}
