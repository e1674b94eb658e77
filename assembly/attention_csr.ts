// Fused sparse attention over a CSR pattern, f32 (f32x4) and f64 (f64x2):
//   s_ij = scale · q_i·k_j            for j in N(i) = colIdx[rowPtr[i] .. rowPtr[i+1])
//   a_ij = exp(s_ij − c_i) / Σ_u exp(s_iu − c_i),  c_i = max_j s_ij (any c_i gives the same a_ij)
//   out_i = Σ_j a_ij v_j              (out_i = 0 when N(i) is empty)
// f32 rows whose scores are provably small (|scale|·‖q_i‖·max_j‖k_j‖ ≤ 20) use a fixed c_i ≥ that bound
// and go through the single pass of attention_bounded_f32.ts; the rest of this note is the exact path
// (and the f64 kernel, which always takes it).
// Never forms an n×n matrix. Per row, three short passes (attention_passes_f32.ts): scores and their
// max, exp and sum in place on the row's scores, then the weighted sum of v rows; each k_j and v_j row
// is read once per row and the scores stay in L1 (`scores` is the per-edge weight output when the
// caller wants the weights, else a scratch of max-degree floats). A single fused pass with an online
// softmax was tried and measured 1.5–2× slower: its exp, dot product and max form one dependency
// chain per block of edges that the out-of-order window cannot overlap; the split passes are short,
// independent loops. (The bounded pass is fused too, but has no running max to wait on.)
// Large graphs with sorted rows go through attention_csr_blocks.ts instead (same arithmetic per edge,
// edges visited column block by column block).
// Accuracy (f32): dot products and sums in f32 (relative error ~ (D + deg)·2⁻²⁴ per row); exp is
// exp_f32x4 (max relative error 8.3e-8, < 1 ULP; see exp_f32x4.ts). f64 keeps AssemblyScript's Math.exp
// (< 1 ULP): certificates need f64 accuracy, not speed.
// The output is the same whether or not the weights are kept (perEdge only adds stores).
// Preconditions: out does not alias q, k or v; indices in range (checked by the TS wrapper).
import { col, scores_rows_f32, exp_row_f32, gather_rows_f32, row_any_f32 } from "./attention_passes_f32";
import { BLOCK_BYTES, sorted_columns, attention_blocked_f32 } from "./attention_csr_blocks";
import { max_row_sq_norm_f32, row_shifts_f32, bounded_row_f32 } from "./attention_bounded_f32";
import { alloc, free } from "./memory";
import { madd_f64x2 } from "./fma";

// ---------------------------------------------------------------- f32

/** Touch-ahead (rows_f32 with far ≥ 0): rows read ahead, and the |j − i| within which a k_j, v_j row counts as cached. */
const TOUCH_AHEAD: i32 = 2;
const TOUCH_WINDOW: i32 = 2048;
/** k and v of at least this many bytes together take the touch-ahead (wide rows only): smaller ones stay in cache. */
const TOUCH_MIN_BYTES: usize = 16 << 20;
/** Where the touched words go, so the loads are not optimised away; never read. */
let touchSink: i32 = 0;

/** The `far` argument of the wide row loop: the first row's index when k and v are too large for the caches, else −1. */
@inline function touch_far(nCols: i32, qStride: usize, vStride: usize, row0: i32): i32 {
  return <usize>max(nCols, 0) * (qStride + vStride) >= TOUCH_MIN_BYTES ? row0 : -1;
}

/**
 * The row loop with both widths fixed: DQ, DV literals after inlining (0 = any multiple of 4). Rows
 * with a shift (shifts[i] ≥ 0, attention_bounded_f32.ts) take the single bounded pass, the others the
 * three exact passes.
 * far ≥ 0 (wide rows, k and v larger than the caches; far = the index of row 0 in the whole pattern): before row i,
 * one word of every 64-byte line of the k_j and v_j rows of row i + 2 is read, for its columns j farther than
 * 2,048 rows from it, so that those cache misses overlap row i's work instead of each other's. It reads, never
 * writes, and changes no arithmetic: the same bits with and without (docs/performance.md, "Where the community
 * order's cost goes").
 */
@inline function rows_f32(DQ: i32, DV: i32, out: usize, q: usize, k: usize, v: usize, rowPtr: usize, colIdx: usize,
                          nDst: i32, qStride: usize, vStride: usize, scale: f32, scores: usize, perEdge: i32,
                          shifts: usize, far: i32): void {
  let touch: i32 = 0;
  for (let i = 0; i < nDst; i++) {
    const start = load<i32>(rowPtr + (<usize>i << 2));
    const end = load<i32>(rowPtr + (<usize>(i + 1) << 2));
    if (far >= 0 && i + TOUCH_AHEAD < nDst) {
      const a0 = load<i32>(rowPtr + (<usize>(i + TOUCH_AHEAD) << 2)), a1 = load<i32>(rowPtr + (<usize>(i + TOUCH_AHEAD + 1) << 2));
      const row = far + i + TOUCH_AHEAD;
      for (let e = a0; e < a1; e++) {
        const j = load<i32>(colIdx + (<usize>e << 2));
        if (abs<i32>(j - row) <= TOUCH_WINDOW) continue;
        const kr = k + <usize>j * qStride, vr = v + <usize>j * vStride;
        for (let t: usize = 0; t < qStride; t += 64) touch ^= load<i32>(kr + t);
        for (let t: usize = 0; t < vStride; t += 64) touch ^= load<i32>(vr + t);
      }
    }
    const orow = out + <usize>i * vStride;
    if (end <= start) { memory.fill(orow, 0, vStride); continue; }
    const deg = end - start;
    const ci = colIdx + (<usize>start << 2);
    const s = perEdge ? scores + (<usize>start << 2) : scores;
    const qi = q + <usize>i * qStride;
    const m = load<f32>(shifts + (<usize>i << 2));
    if (m >= 0) {
      const den = perEdge ? bounded_row_f32(DQ, DV, orow, qi, k, v, ci, deg, qStride, vStride, scale, m, s, true, false)
                          : bounded_row_f32(DQ, DV, orow, qi, k, v, ci, deg, qStride, vStride, scale, m, s, false, false);
      const inv: f32 = 1 / den;
      scale_row_f32(DV, orow, vStride, inv);
      if (perEdge) scale_scores_f32(s, deg, inv);
      continue;
    }
    const mx = scores_rows_f32(DQ, s, qi, k, ci, deg, qStride, scale);
    const inv: f32 = 1 / exp_row_f32(s, deg, mx);
    gather_rows_f32(DV, orow, s, inv, v, ci, deg, vStride, false);
    if (perEdge) scale_scores_f32(s, deg, inv);
  }
  touchSink ^= touch;
}

/** orow[0 .. bytes) *= inv; DV = 4 … 16 (literal) unrolled, 0 = any multiple of 4. */
@inline function scale_row_f32(DV: i32, orow: usize, bytes: usize, inv: f32): void {
  const iv = f32x4.splat(inv);
  if (DV == 0) {
    for (let t: usize = 0; t < bytes; t += 16) v128.store(orow + t, f32x4.mul(v128.load(orow + t), iv));
    return;
  }
  v128.store(orow, f32x4.mul(v128.load(orow), iv));
  if (DV >= 8) v128.store(orow, f32x4.mul(v128.load(orow, 16), iv), 16);
  if (DV >= 12) v128.store(orow, f32x4.mul(v128.load(orow, 32), iv), 32);
  if (DV >= 16) v128.store(orow, f32x4.mul(v128.load(orow, 48), iv), 48);
}

/** s[0 .. deg) *= inv: the exponentials become the attention weights. */
function scale_scores_f32(s: usize, deg: i32, inv: f32): void {
  const iv = f32x4.splat(inv);
  let e = 0;
  for (; e + 4 <= deg; e += 4) v128.store(s + (<usize>e << 2), f32x4.mul(v128.load(s + (<usize>e << 2)), iv));
  for (; e < deg; e++) store<f32>(s + (<usize>e << 2), load<f32>(s + (<usize>e << 2)) * inv);
}

// One compiled row loop per common width: q_i and out_i stay in registers, no per-row dispatch.
function rows_f32_4(out: usize, q: usize, k: usize, v: usize, rowPtr: usize, colIdx: usize, nDst: i32, scale: f32, scores: usize, perEdge: i32, shifts: usize): void {
  rows_f32(4, 4, out, q, k, v, rowPtr, colIdx, nDst, 16, 16, scale, scores, perEdge, shifts, -1);
}
function rows_f32_8(out: usize, q: usize, k: usize, v: usize, rowPtr: usize, colIdx: usize, nDst: i32, scale: f32, scores: usize, perEdge: i32, shifts: usize): void {
  rows_f32(8, 8, out, q, k, v, rowPtr, colIdx, nDst, 32, 32, scale, scores, perEdge, shifts, -1);
}
function rows_f32_16(out: usize, q: usize, k: usize, v: usize, rowPtr: usize, colIdx: usize, nDst: i32, scale: f32, scores: usize, perEdge: i32, shifts: usize, far: i32): void {
  if (far >= 0) rows_f32(16, 16, out, q, k, v, rowPtr, colIdx, nDst, 64, 64, scale, scores, perEdge, shifts, far);
  else rows_f32(16, 16, out, q, k, v, rowPtr, colIdx, nDst, 64, 64, scale, scores, perEdge, shifts, -1);
}
function rows_f32_wide(out: usize, q: usize, k: usize, v: usize, rowPtr: usize, colIdx: usize, nDst: i32,
                       qStride: usize, vStride: usize, scale: f32, scores: usize, perEdge: i32, shifts: usize, far: i32): void {
  if (far >= 0) rows_f32(0, 0, out, q, k, v, rowPtr, colIdx, nDst, qStride, vStride, scale, scores, perEdge, shifts, far);
  else rows_f32(0, 0, out, q, k, v, rowPtr, colIdx, nDst, qStride, vStride, scale, scores, perEdge, shifts, -1);
}

/**
 * out (nDst×dV) ← softmax-attention of q (nDst×dQK) over k (·×dQK), v (·×dV) along the CSR rows.
 * scores: m floats indexed by edge when perEdge = 1 (they end as the attention weights a_ij),
 *         or max-degree floats reused per row when perEdge = 0.
 * nCols: the rows of k and v (for max_j‖k_j‖, the score bound); ≤ 0 means unknown: no row is bounded.
 * Temporary memory: 4 bytes a row (the shifts), and 12 more a row on the column-blocked path.
 * Cost per edge: 2·dQK + 2·dV flops, one exp, one read of k_j and of v_j.
 */
export function attention_csr_f32(out: usize, q: usize, k: usize, v: usize, rowPtr: usize, colIdx: usize,
                                  nDst: i32, dQK: i32, dV: i32, scale: f32, scores: usize, perEdge: i32, nCols: i32): void {
  if (nDst <= 0) return;
  const qStride = <usize>dQK << 2, vStride = <usize>dV << 2;
  // the per-row shifts of the bounded single pass (−1: exact path), from max ‖k_j‖² (attention_bounded_f32.ts)
  const shifts = alloc(<usize>nDst << 2);
  row_shifts_f32(shifts, q, nDst, dQK, max_row_sq_norm_f32(k, nCols, dQK), scale);
  attention_rows_f32(out, q, k, v, rowPtr, colIdx, nDst, dQK, dV, scale, scores, perEdge, nCols, shifts);
  free(shifts);
}

function attention_rows_f32(out: usize, q: usize, k: usize, v: usize, rowPtr: usize, colIdx: usize, nDst: i32, dQK: i32, dV: i32,
                            scale: f32, scores: usize, perEdge: i32, nCols: i32, shifts: usize): void {
  run_rows_f32(out, q, k, v, rowPtr, colIdx, nDst, dQK, dV, scale, scores, perEdge, shifts, attention_plan_f32(rowPtr, colIdx, nDst, dQK, dV),
               touch_far(nCols, <usize>dQK << 2, <usize>dV << 2, 0));
}

/**
 * The path attention_csr_f32 takes on these rows: 0 row by row, n > 0 column-blocked over n sorted columns.
 * Decided once for the whole pattern, so that a thread's row range (attention_csr_range_f32) takes the path the
 * single-threaded call takes and the results agree bit for bit.
 */
export function attention_plan_f32(rowPtr: usize, colIdx: usize, nDst: i32, dQK: i32, dV: i32): i32 {
  if (nDst <= 0 || (dQK & 3) != 0 || (dV & 3) != 0) return 0;
  const edges = load<i32>(rowPtr + (<usize>nDst << 2)) - load<i32>(rowPtr);
  const rowBytes = max(<usize>dQK << 2, <usize>dV << 2);
  // a cheap test first, so small graphs skip sorted_columns' O(edges) scan
  if (<usize>edges * rowBytes > 4 * BLOCK_BYTES) {
    const nSorted = sorted_columns(rowPtr, colIdx, nDst);
    const blockCols = max(1, <i32>(BLOCK_BYTES / rowBytes));
    // worth it when k or v overflows a block and the row segments stay long enough to block by 4
    if (nSorted > 2 * blockCols && edges / nDst >= 8 * ((nSorted + blockCols - 1) / blockCols)) return nSorted;
  }
  return 0;
}

function run_rows_f32(out: usize, q: usize, k: usize, v: usize, rowPtr: usize, colIdx: usize, nDst: i32, dQK: i32, dV: i32,
                      scale: f32, scores: usize, perEdge: i32, shifts: usize, plan: i32, far: i32): void {
  const qStride = <usize>dQK << 2, vStride = <usize>dV << 2;
  if ((dQK & 3) != 0 || (dV & 3) != 0) {
    for (let i = 0; i < nDst; i++) {
      const start = load<i32>(rowPtr + (<usize>i << 2));
      const end = load<i32>(rowPtr + (<usize>(i + 1) << 2));
      const orow = out + <usize>i * vStride;
      if (end <= start) { memory.fill(orow, 0, vStride); continue; }
      const s = perEdge ? scores + (<usize>start << 2) : scores;
      row_any_f32(orow, q + <usize>i * qStride, k, v, colIdx + (<usize>start << 2), end - start, dQK, dV, scale, s, perEdge,
                  load<f32>(shifts + (<usize>i << 2)));
    }
    return;
  }
  if (plan > 0) {
    const blockCols = max(1, <i32>(BLOCK_BYTES / max(qStride, vStride)));
    attention_blocked_f32(out, q, k, v, rowPtr, colIdx, nDst, dQK, dV, scale, scores, perEdge, plan, blockCols, shifts);
    return;
  }
  if (dQK == dV && dQK == 4) rows_f32_4(out, q, k, v, rowPtr, colIdx, nDst, scale, scores, perEdge, shifts);
  else if (dQK == dV && dQK == 8) rows_f32_8(out, q, k, v, rowPtr, colIdx, nDst, scale, scores, perEdge, shifts);
  else if (dQK == dV && dQK == 16) rows_f32_16(out, q, k, v, rowPtr, colIdx, nDst, scale, scores, perEdge, shifts, far);
  else rows_f32_wide(out, q, k, v, rowPtr, colIdx, nDst, qStride, vStride, scale, scores, perEdge, shifts, far);
}

/**
 * attention_csr_f32 on the rows [r0, r1) only, on the path `plan` (attention_plan_f32 of the whole pattern): what one
 * thread of the pool runs. Every row's arithmetic is the single-threaded call's, so any split of the rows gives the
 * same bits. With perEdge = 0 it takes its own max-degree scratch (threads must not share one), ignoring `scores`.
 * Temporary memory: 4 bytes a row, 12 more on the blocked path, and a max-degree scratch.
 */
export function attention_csr_range_f32(out: usize, q: usize, k: usize, v: usize, rowPtr: usize, colIdx: usize,
                                        r0: i32, r1: i32, dQK: i32, dV: i32, scale: f32, scores: usize, perEdge: i32,
                                        nCols: i32, plan: i32): void {
  const n = r1 - r0;
  if (n <= 0) return;
  const qStride = <usize>dQK << 2, vStride = <usize>dV << 2;
  const rp = rowPtr + (<usize>r0 << 2), qr = q + <usize>r0 * qStride;
  const shifts = alloc(<usize>n << 2);
  row_shifts_f32(shifts, qr, n, dQK, max_row_sq_norm_f32(k, nCols, dQK), scale);
  let own: usize = 0;
  if (!perEdge) {
    let maxDeg = 1;
    for (let i = 0; i < n; i++) maxDeg = max(maxDeg, load<i32>(rp + (<usize>(i + 1) << 2)) - load<i32>(rp + (<usize>i << 2)));
    own = alloc(<usize>maxDeg << 2);
  }
  run_rows_f32(out + <usize>r0 * vStride, qr, k, v, rp, colIdx, n, dQK, dV, scale, perEdge ? scores : own, perEdge, shifts, plan,
               touch_far(nCols, qStride, vStride, r0));
  if (own) free(own);
  free(shifts);
}

// ---------------------------------------------------------------- f64 (certificates need f64 accuracy)

@inline function dot_f64(x: usize, y: usize, d: i32): f64 {
  let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
  let t = 0;
  for (; t + 4 <= d; t += 4) {
    const o = <usize>t << 3;
    acc0 = madd_f64x2(v128.load(x + o), v128.load(y + o), acc0);
    acc1 = madd_f64x2(v128.load(x + o, 16), v128.load(y + o, 16), acc1);
  }
  acc0 = f64x2.add(acc0, acc1);
  let s = f64x2.extract_lane(acc0, 0) + f64x2.extract_lane(acc0, 1);
  for (; t < d; t++) s += load<f64>(x + (<usize>t << 3)) * load<f64>(y + (<usize>t << 3));
  return s;
}

/** orow ← Σ_e inv·s[e]·v[col e], two edges per visit of each output slice. */
function gather_f64(orow: usize, s: usize, inv: f64, v: usize, ci: usize, deg: i32, d: i32): void {
  const stride = <usize>d << 3;
  const even = <usize>(d & ~1) << 3;
  memory.fill(orow, 0, stride);
  let e = 0;
  for (; e + 2 <= deg; e += 2) {
    const a = load<f64>(s + (<usize>e << 3)) * inv, b = load<f64>(s + (<usize>(e + 1) << 3)) * inv;
    const w0 = f64x2.splat(a), w1 = f64x2.splat(b);
    const v0 = v + col(ci, e) * stride, v1 = v + col(ci, e + 1) * stride;
    let t: usize = 0;
    for (; t < even; t += 16) {
      v128.store(orow + t, f64x2.add(v128.load(orow + t), madd_f64x2(w1, v128.load(v1 + t), f64x2.mul(w0, v128.load(v0 + t)))));
    }
    if (t < stride) store<f64>(orow + t, load<f64>(orow + t) + (a * load<f64>(v0 + t) + b * load<f64>(v1 + t)));
  }
  if (e < deg) {
    const a = load<f64>(s + (<usize>e << 3)) * inv;
    const w0 = f64x2.splat(a);
    const v0 = v + col(ci, e) * stride;
    let t: usize = 0;
    for (; t < even; t += 16) v128.store(orow + t, madd_f64x2(w0, v128.load(v0 + t), v128.load(orow + t)));
    if (t < stride) store<f64>(orow + t, load<f64>(orow + t) + a * load<f64>(v0 + t));
  }
}

/** The f64 variant of attention_csr_f32 (same arguments; scores and weights in f64; exp is Math.exp). */
export function attention_csr_f64(out: usize, q: usize, k: usize, v: usize, rowPtr: usize, colIdx: usize,
                                  nDst: i32, dQK: i32, dV: i32, scale: f64, scores: usize, perEdge: i32): void {
  const qStride = <usize>dQK << 3, vStride = <usize>dV << 3;
  for (let i = 0; i < nDst; i++) {
    const start = load<i32>(rowPtr + (<usize>i << 2));
    const end = load<i32>(rowPtr + (<usize>(i + 1) << 2));
    const orow = out + <usize>i * vStride;
    if (end <= start) { memory.fill(orow, 0, vStride); continue; }
    const deg = end - start;
    const qi = q + <usize>i * qStride;
    const ci = colIdx + (<usize>start << 2);
    const s = perEdge ? scores + (<usize>start << 3) : scores;
    let mx: f64 = -Infinity;
    for (let e = 0; e < deg; e++) {
      const x = scale * dot_f64(qi, k + col(ci, e) * qStride, dQK);
      store<f64>(s + (<usize>e << 3), x);
      mx = max(mx, x);
    }
    let den: f64 = 0;
    for (let e = 0; e < deg; e++) {
      const a = s + (<usize>e << 3);
      const p = Math.exp(load<f64>(a) - mx);
      store<f64>(a, p);
      den += p;
    }
    const inv: f64 = 1 / den;
    gather_f64(orow, s, inv, v, ci, deg, dV);
    if (perEdge) {
      for (let e = 0; e < deg; e++) store<f64>(s + (<usize>e << 3), load<f64>(s + (<usize>e << 3)) * inv);
    }
  }
}
