// The column-blocked loop of the f32 attention kernel, for graphs whose k and v rows overflow L2.
// Row by row, every edge reads a random k_j and v_j row; on Tolokers at D = 64 they are 3 MB each and
// the reads go to L3 (half the kernel's time, measured: the same kernel on a graph whose columns all
// fall in 256 nodes runs 2× faster). Here the columns are cut into blocks of ≤ BLOCK_BYTES of k (or v)
// rows and every row is visited once per block, doing only its edges that fall in the block, so the
// random reads hit L2 while q_i and out_i stream in order.
import { alloc, free } from "./memory";
import { scores_f32, exp_row_f32, gather_f32 } from "./attention_passes_f32";
import { exp_f32, exp_f32x4 } from "./exp_f32x4";
import { bounded_segment_f32 } from "./attention_bounded_f32";

// Target bytes of k (pass 1) or v (pass 3) rows one column block may touch: well inside a 1–2 MB L2.
export const BLOCK_BYTES: usize = 512 << 10;

/**
 * 1 + the largest column index when every row's columns are sorted (csrFromEdges sorts them),
 * or −1 when some row is not sorted (the column-blocked path then does not apply).
 */
export function sorted_columns(rowPtr: usize, colIdx: usize, nDst: i32): i32 {
  let top = 0;
  for (let i = 0; i < nDst; i++) {
    const start = load<i32>(rowPtr + (<usize>i << 2)), end = load<i32>(rowPtr + (<usize>(i + 1) << 2));
    if (end <= start) continue;
    let e = start;
    for (; e + 5 <= end; e += 4) {
      const a = colIdx + (<usize>e << 2);
      if (v128.any_true(i32x4.lt_s(v128.load(a, 4), v128.load(a)))) return -1;
    }
    for (; e + 1 < end; e++) if (load<i32>(colIdx + (<usize>(e + 1) << 2)) < load<i32>(colIdx + (<usize>e << 2))) return -1;
    top = max(top, load<i32>(colIdx + (<usize>(end - 1) << 2)) + 1);
  }
  return top;
}

/** The first edge in [e, end) whose column is ≥ hi (columns sorted). */
@inline function first_at_least(colIdx: usize, e: i32, end: i32, hi: i32): i32 {
  const hv = i32x4.splat(hi);
  for (; e + 4 <= end; e += 4) {
    const below = i32x4.bitmask(i32x4.lt_s(v128.load(colIdx + (<usize>e << 2)), hv));
    if (below != 15) return e + ctz(~below);
  }
  while (e < end && load<i32>(colIdx + (<usize>e << 2)) < hi) e++;
  return e;
}

/**
 * attention_csr_f32 for graphs whose k and v rows do not fit in L2 (on Tolokers at D = 64 they are
 * 3 MB each): the columns are cut into blocks of ≤ BLOCK_BYTES of k rows (and as many v rows), and the
 * rows are visited once per block, each visit doing its three passes on the row's edges that fall in
 * the block. The softmax runs online across a row's blocks (Milakov & Gimelshein 2018): the row keeps
 * its running max, sum and output; when a later block raises the max, the sum and output are rescaled
 * by exp(m_old − m_new), so no score outlives its block. Rows whose scores are bounded
 * (attention_bounded_f32.ts: U_i ≤ SHIFT_LIMIT) use the fixed shift c_i = m_i·ln2 ≥ U_i instead: each segment is
 * one bounded_segment_f32 pass and the partial sums just add, no max and no rescaling. Temporary
 * memory 12·nDst bytes (+ one max-degree scratch when the weights are kept); the weights, when kept,
 * are exp(s − m)/den computed from the raw scores at the end (bounded rows: the stored p·(1/den)).
 * Needs the columns of every row sorted (sorted_columns); scores: as attention_csr_f32.
 */
// see: M. Milakov & N. Gimelshein, "Online normalizer calculation for softmax", arXiv:1805.02867 (2018)
export function attention_blocked_f32(out: usize, q: usize, k: usize, v: usize, rowPtr: usize, colIdx: usize,
                                      nDst: i32, dQK: i32, dV: i32, scale: f32, scores: usize, perEdge: i32,
                                      nCols: i32, blockCols: i32, shifts: usize): void {
  const qStride = <usize>dQK << 2, vStride = <usize>dV << 2;
  const nb = (nCols + blockCols - 1) / blockCols;
  const state = alloc(<usize>max(nDst, 1) * 12);   // per row: next edge (i32), running max, running sum
  let maxDeg = 0;
  for (let i = 0; i < nDst; i++) {
    const start = load<i32>(rowPtr + (<usize>i << 2));
    maxDeg = max(maxDeg, load<i32>(rowPtr + (<usize>(i + 1) << 2)) - start);
    const at = state + <usize>i * 12;
    store<i32>(at, start);
    store<f32>(at, -Infinity, 4);
    store<f32>(at, 0, 8);
  }
  // where one segment's scores and exponentials live: the caller's scratch, or ours when scores are the weights
  const work = perEdge ? alloc(<usize>max(maxDeg, 1) << 2) : scores;
  memory.fill(out, 0, <usize>nDst * vStride);
  for (let b = 0; b < nb; b++) {
    const hi = min(nCols, (b + 1) * blockCols);
    for (let i = 0; i < nDst; i++) {
      const at = state + <usize>i * 12;
      const e0 = load<i32>(at);
      const e1 = first_at_least(colIdx, e0, load<i32>(rowPtr + (<usize>(i + 1) << 2)), hi);
      if (e1 == e0) continue;
      store<i32>(at, e1);
      const len = e1 - e0;
      const ci = colIdx + (<usize>e0 << 2);
      const orow = out + <usize>i * vStride;
      const shift = load<f32>(shifts + (<usize>i << 2));
      if (shift >= 0) {
        const p = perEdge ? scores + (<usize>e0 << 2) : 0;
        store<f32>(at, load<f32>(at, 8) + bounded_segment_f32(orow, q + <usize>i * qStride, k, v, ci, len, dQK, dV, scale, shift, p, perEdge), 8);
        continue;
      }
      const mx = scores_f32(work, q + <usize>i * qStride, k, ci, len, dQK, scale);
      if (perEdge) memory.copy(scores + (<usize>e0 << 2), work, <usize>len << 2);
      let m = load<f32>(at, 4), den = load<f32>(at, 8);
      if (mx > m) {
        if (den != 0) {
          const c = exp_f32(m - mx);
          den *= c;
          scale_row(orow, vStride, c);
        }
        m = mx;
      }
      den += exp_row_f32(work, len, m);
      store<f32>(at, m, 4);
      store<f32>(at, den, 8);
      gather_f32(orow, work, 1, v, ci, len, dV, true);
    }
  }
  for (let i = 0; i < nDst; i++) {
    const at = state + <usize>i * 12;
    const den = load<f32>(at, 8);
    if (den == 0) continue;                                // no edges: the row stays 0
    const inv: f32 = 1 / den;
    scale_row(out + <usize>i * vStride, vStride, inv);
    if (perEdge) {
      const start = load<i32>(rowPtr + (<usize>i << 2)), end = load<i32>(rowPtr + (<usize>(i + 1) << 2));
      if (load<f32>(shifts + (<usize>i << 2)) >= 0) scale_any(scores + (<usize>start << 2), end - start, inv);   // p stored by the pass
      else weights_row(scores + (<usize>start << 2), end - start, load<f32>(at, 4), inv);
    }
  }
  if (perEdge) free(work);
  free(state);
}

/** row[0 .. bytes) *= c (bytes a multiple of 16). */
function scale_row(row: usize, bytes: usize, c: f32): void {
  const cv = f32x4.splat(c);
  for (let t: usize = 0; t < bytes; t += 16) v128.store(row + t, f32x4.mul(v128.load(row + t), cv));
}

/** s[0 .. n) *= c, any n. */
function scale_any(s: usize, n: i32, c: f32): void {
  const cv = f32x4.splat(c);
  let e = 0;
  for (; e + 4 <= n; e += 4) v128.store(s + (<usize>e << 2), f32x4.mul(v128.load(s + (<usize>e << 2)), cv));
  for (; e < n; e++) store<f32>(s + (<usize>e << 2), load<f32>(s + (<usize>e << 2)) * c);
}

/** The raw scores s[0 .. deg) become the weights exp(s − m)·inv. */
function weights_row(s: usize, deg: i32, m: f32, inv: f32): void {
  const mv = f32x4.splat(m), iv = f32x4.splat(inv);
  let e = 0;
  for (; e + 4 <= deg; e += 4) {
    const a = s + (<usize>e << 2);
    v128.store(a, f32x4.mul(exp_f32x4(f32x4.sub(v128.load(a), mv)), iv));
  }
  for (; e < deg; e++) store<f32>(s + (<usize>e << 2), exp_f32(load<f32>(s + (<usize>e << 2)) - m) * inv);
}
