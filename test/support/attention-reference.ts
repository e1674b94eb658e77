// The f64 oracle of the attention kernels: row softmax with the row max subtracted, then the weighted sum of v rows.
import type { CsrGraph } from '../../src/index.js';

/**
 * out_i = Σ_j softmax_j(scale·q_i·k_j) v_j for every row of `g` (or only `rows`), in f64; `w` holds the
 * weights in CSR order (0 for rows not computed).
 */
export function referenceAttention(q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, g: CsrGraph,
  dQK: number, dV: number, scale: number, rows?: number[]): { out: Float64Array; w: Float64Array } {
  const rp = g.rowPtr.array, ci = g.colIdx.array;
  const out = new Float64Array(g.numRows * dV), w = new Float64Array(g.numEdges);
  for (const i of new Set(rows ?? Array.from({ length: g.numRows }, (_, r) => r))) {
    let mx = -Infinity;
    for (let e = rp[i]; e < rp[i + 1]; e++) {
      let s = 0;
      for (let t = 0; t < dQK; t++) s += q[i * dQK + t] * k[ci[e] * dQK + t];
      w[e] = s * scale; mx = Math.max(mx, w[e]);
    }
    let den = 0;
    for (let e = rp[i]; e < rp[i + 1]; e++) { w[e] = Math.exp(w[e] - mx); den += w[e]; }
    for (let e = rp[i]; e < rp[i + 1]; e++) {
      w[e] /= den;
      for (let t = 0; t < dV; t++) out[i * dV + t] += w[e] * v[ci[e] * dV + t];
    }
  }
  return { out, w };
}
