// The bounded-shift single pass of the f32 attention kernel (attention_csr.ts, attention_csr_blocks.ts).
// Softmax is shift-invariant: a_ij = exp(s_ij − c_i) / Σ_u exp(s_iu − c_i) for any c_i. The exact path
// takes c_i = max_j s_ij, which needs every score of the row before the first exp (a pass of its own,
// the scores stored and re-read). By Cauchy–Schwarz every score of row i lies in [−U_i, U_i],
//   U_i = |scale|·‖q_i‖·max_j ‖k_j‖·(1 + 2⁻¹⁰)     (max over all rows of k, computed once per call;
// the 2⁻¹⁰ covers f32 rounding in the norms and dot products for D up to ≈ 16,000),
// so with c_i = m_i·ln2, m_i = ⌈U_i·log₂e⌉, every exp argument s_ij − c_i lies in [−2U_i − ln2, 0].
// When U_i ≤ SHIFT_LIMIT (20), one pass per row does everything: for four edges at a time the dot
// products, the exp, the running Σ p and the running Σ p·v_j. Scores are never stored, k_j and v_j are
// read in the same step, and no step waits for a running max (the dependency that made the fused
// online-softmax pass slow). The shift itself is free: the scores are computed in units of log₂
// (scale·log₂e folded into q_i) and p = 2^(y − m_i) with m_i folded into the rounding constant of
// exp2_f32x4_shifted_with, so no score is rounded by a subtraction.
// Rows with U_i > SHIFT_LIMIT (or a NaN/Inf bound) take the exact max-subtracted passes.
// Range and accuracy: the p are ≤ 2 (no overflow whatever v is) and ≥ 2^(−2·29−1), so no exponent
// n − m leaves [−60, 1] (exp2_f32x4_shifted_with needs [−126, 127]) and products p·v that go subnormal
// cost at most 2^(−149)·2^59 ≈ 4e−28 absolute on the output. The exp itself: see exp_f32x4.ts. The
// log₂ scores carry one more rounding than scale·(q_i·k_j) (the product scale·log₂e·q_i), the exact
// path one subtraction rounding (s − max) that this path does not have; measured against an f64
// reference on Tolokers (docs/performance.md) the two paths agree in accuracy.
// The loops are software-pipelined by one block of four edges: each step loads and dots block b + 1
// while it runs the exp and the weighted v rows of block b, so the loads of one block and the long
// dependent chain of the other's exp are in flight together.
import { dot4_f32, axpy4_f32, axpy4_row_f32, hsum_f32, hsum4_f32 } from "./attention_passes_f32";
import { EXP_F32, ROUND_BIASED, LN2_F32, exp2_f32x4_shifted_with } from "./exp_f32x4";

/** Rows whose score bound U_i is at most this take the single pass (exp arguments in [−2U_i − ln2, 0]). */
export const SHIFT_LIMIT: f32 = 20;
/** Head room for f32 rounding in U_i (relative). */
const BOUND_INFLATE: f32 = 1 + 1.0 / 1024;
const LOG2E: f32 = 1.44269504088896341;

let PBUF: usize = memory.data(16, 16);              // p of one block, for the broadcast loads at DV = 4

/** Points this instance's PBUF (16 bytes, 16-aligned) elsewhere: a thread-pool worker's own (threads.ts). */
export function set_bounded_pbuf(p: usize): void {
  PBUF = p;
}
const LANE_INDEX: usize = memory.data<i32>([0, 1, 2, 3], 16);

/**
 * max_j ‖k_j‖² over the nCols rows of k (d floats each), in f32; NaN if any entry is NaN, +Inf on
 * overflow (then no row takes the single pass). nCols ≤ 0 (unknown) gives +Inf.
 */
export function max_row_sq_norm_f32(k: usize, nCols: i32, d: i32): f32 {
  if (nCols <= 0) return Infinity;
  const stride = <usize>d << 2;
  let best: f32 = 0;
  let j = 0;
  if (d == 4) {                                 // four rows a step: one 4×4 transpose to four squared norms
    let m = f32x4.splat(0);
    for (; j + 4 <= nCols; j += 4) {
      const a = k + (<usize>j << 4);
      const x0 = v128.load(a), x1 = v128.load(a, 16), x2 = v128.load(a, 32), x3 = v128.load(a, 48);
      m = f32x4.max(m, hsum4_f32(f32x4.mul(x0, x0), f32x4.mul(x1, x1), f32x4.mul(x2, x2), f32x4.mul(x3, x3)));  // NaN-propagating max
    }
    best = max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  }
  for (; j < nCols; j++) {
    best = max(best, sq_norm_f32(k + <usize>j * stride, d));   // f32.max propagates NaN
  }
  return best;
}

@inline function sq_norm_f32(x: usize, d: i32): f32 {
  let acc = f32x4.splat(0);
  let t = 0;
  for (; t + 4 <= d; t += 4) {
    const a = v128.load(x + (<usize>t << 2));
    acc = f32x4.add(acc, f32x4.mul(a, a));
  }
  let s = hsum_f32(acc);
  for (; t < d; t++) { const a = load<f32>(x + (<usize>t << 2)); s += a * a; }
  return s;
}

/**
 * m_i = ⌈U_i·log₂e⌉ for row i when U_i ≤ SHIFT_LIMIT (so the shift c_i = m_i·ln2 ≥ U_i), else −1
 * (take the exact path; NaN and Inf bounds fail the test). kSq = max ‖k_j‖².
 */
@inline export function row_shift_f32(qi: usize, d: i32, kSq: f32, scale: f32): f32 {
  const u = abs(scale) * sqrt(sq_norm_f32(qi, d) * kSq) * BOUND_INFLATE;
  return u <= SHIFT_LIMIT ? ceil(u * LOG2E) : -1;
}

/** shifts[i] ← row_shift_f32 of row i for the nDst rows of q (d floats each); four rows a step at d = 4. */
export function row_shifts_f32(shifts: usize, q: usize, nDst: i32, d: i32, kSq: f32, scale: f32): void {
  let i = 0;
  if (d == 4) {
    const sc = f32x4.splat(abs(scale)), inflate = f32x4.splat(BOUND_INFLATE), ks = f32x4.splat(kSq);
    const lim = f32x4.splat(SHIFT_LIMIT), l2e = f32x4.splat(LOG2E), none = f32x4.splat(-1);
    for (; i + 4 <= nDst; i += 4) {
      const a = q + (<usize>i << 4);
      const x0 = v128.load(a), x1 = v128.load(a, 16), x2 = v128.load(a, 32), x3 = v128.load(a, 48);
      const sq = hsum4_f32(f32x4.mul(x0, x0), f32x4.mul(x1, x1), f32x4.mul(x2, x2), f32x4.mul(x3, x3));
      // the same operations, in the same order, as row_shift_f32 on each lane
      const u = f32x4.mul(f32x4.mul(sc, f32x4.sqrt(f32x4.mul(sq, ks))), inflate);
      v128.store(shifts + (<usize>i << 2), v128.bitselect(f32x4.ceil(f32x4.mul(u, l2e)), none, f32x4.le(u, lim)));
    }
  }
  for (; i < nDst; i++) store<f32>(shifts + (<usize>i << 2), row_shift_f32(q + <usize>i * (<usize>d << 2), d, kSq, scale));
}

/**
 * One row (or one column-block segment of a row) in a single pass with the fixed shift m·ln2:
 * returns Σ_e p_e, p_e = 2^(scale·log₂e·q_i·k_{col e} − m), and writes Σ_e p_e·v_{col e} to orow (adds
 * it when accumulate); stores p_e in s[e] when keep. Four edges a step: one 4×4 transpose to four
 * scores, one exp on four lanes, four weighted v rows folded into out_i. A ragged last block repeats
 * the last edge in its spare lanes with p = 0. DQ, DV = 4, 8, 12, 16 (literals after inlining) keep
 * q_i and out_i in registers, with scale·log₂e folded into q_i; 0 = any multiple of 4 (q_i read from
 * memory and the dot product scaled, out_i in L1).
 * Requires m from row_shift_f32 (every score within [−U, U], m = ⌈U·log₂e⌉ ≤ 29).
 */
@inline export function bounded_row_f32(DQ: i32, DV: i32, orow: usize, qi: usize, k: usize, v: usize, ci: usize, deg: i32,
                                        qStride: usize, vStride: usize, scale: f32, m: f32, s: usize,
                                        keep: bool, accumulate: bool): f32 {
  const C = EXP_F32;
  const ln2 = f32x4.splat(LN2_F32);
  const p0 = v128.load(C, 64), p1 = v128.load(C, 80), p2 = v128.load(C, 96), p3 = v128.load(C, 112);
  const p4 = v128.load(C, 128), p5 = v128.load(C, 144);
  const roundM = f32x4.splat(ROUND_BIASED - m);          // exact: an integer below 2²⁴
  const zero = f32x4.splat(0);
  const sv = f32x4.splat(scale * LOG2E);
  const q0 = DQ >= 4 ? f32x4.mul(v128.load(qi), sv) : zero, q1 = DQ >= 8 ? f32x4.mul(v128.load(qi, 16), sv) : zero;
  const q2 = DQ >= 12 ? f32x4.mul(v128.load(qi, 32), sv) : zero, q3 = DQ >= 16 ? f32x4.mul(v128.load(qi, 48), sv) : zero;
  let o0 = zero, o1 = zero, o2 = zero, o3 = zero;
  if (DV == 0 && !accumulate) memory.fill(orow, 0, vStride);
  let dv = zero;
  // column indices and p walked by pointer: constant load offsets, no index arithmetic per edge
  const ciEnd = ci + (<usize>(deg & ~3) << 2);
  let cp = ci, sp = s;
  // SAME: k_j and v_j at the same offset j·stride (equal literal widths), so a block carries the four
  // k addresses and finds v_j at the fixed distance v − k; else it carries the indices
  const SAME = DQ == DV && DQ != 0;
  const vd: usize = v - k;
  if (cp < ciEnd) {
    let j0 = <usize>load<i32>(cp), j1 = <usize>load<i32>(cp, 4), j2 = <usize>load<i32>(cp, 8), j3 = <usize>load<i32>(cp, 12);
    if (SAME) { j0 = k + j0 * qStride; j1 = k + j1 * qStride; j2 = k + j2 * qStride; j3 = k + j3 * qStride; }
    let x = SAME ? dot4_f32(DQ, qi, q0, q1, q2, q3, j0, j1, j2, j3, qStride)
                 : dot4_f32(DQ, qi, q0, q1, q2, q3, k + j0 * qStride, k + j1 * qStride, k + j2 * qStride, k + j3 * qStride, qStride);
    if (DQ == 0) x = f32x4.mul(x, sv);
    cp += 16;
    while (cp < ciEnd) {
      let n0 = <usize>load<i32>(cp), n1 = <usize>load<i32>(cp, 4), n2 = <usize>load<i32>(cp, 8), n3 = <usize>load<i32>(cp, 12);
      if (SAME) { n0 = k + n0 * qStride; n1 = k + n1 * qStride; n2 = k + n2 * qStride; n3 = k + n3 * qStride; }
      let xn = SAME ? dot4_f32(DQ, qi, q0, q1, q2, q3, n0, n1, n2, n3, qStride)
                    : dot4_f32(DQ, qi, q0, q1, q2, q3, k + n0 * qStride, k + n1 * qStride, k + n2 * qStride, k + n3 * qStride, qStride);
      if (DQ == 0) xn = f32x4.mul(xn, sv);
      const p = exp2_f32x4_shifted_with(x, roundM, ln2, p0, p1, p2, p3, p4, p5);
      if (keep) { v128.store(sp, p); sp += 16; }
      dv = f32x4.add(dv, p);
      // p's lanes broadcast: at DV = 4 through memory (a store and four load-splats run on the load
      // ports; the shuffle port is busy with the dot product's transposes): 4 % faster there, slower at 16
      if (DV == 4) v128.store(PBUF, p);
      const w0 = DV == 4 ? v128.load32_splat(PBUF) : v128.shuffle<f32>(p, p, 0, 0, 0, 0);
      const w1 = DV == 4 ? v128.load32_splat(PBUF, 4) : v128.shuffle<f32>(p, p, 1, 1, 1, 1);
      const w2 = DV == 4 ? v128.load32_splat(PBUF, 8) : v128.shuffle<f32>(p, p, 2, 2, 2, 2);
      const w3 = DV == 4 ? v128.load32_splat(PBUF, 12) : v128.shuffle<f32>(p, p, 3, 3, 3, 3);
      const v0 = SAME ? j0 + vd : v + j0 * vStride, v1 = SAME ? j1 + vd : v + j1 * vStride;
      const v2 = SAME ? j2 + vd : v + j2 * vStride, v3 = SAME ? j3 + vd : v + j3 * vStride;
      if (DV == 0) {
        axpy4_row_f32(orow, w0, w1, w2, w3, v0, v1, v2, v3, vStride);
      } else {
        o0 = axpy4_f32(o0, w0, w1, w2, w3, v128.load(v0), v128.load(v1), v128.load(v2), v128.load(v3));
        if (DV >= 8) o1 = axpy4_f32(o1, w0, w1, w2, w3, v128.load(v0, 16), v128.load(v1, 16), v128.load(v2, 16), v128.load(v3, 16));
        if (DV >= 12) o2 = axpy4_f32(o2, w0, w1, w2, w3, v128.load(v0, 32), v128.load(v1, 32), v128.load(v2, 32), v128.load(v3, 32));
        if (DV >= 16) o3 = axpy4_f32(o3, w0, w1, w2, w3, v128.load(v0, 48), v128.load(v1, 48), v128.load(v2, 48), v128.load(v3, 48));
      }
      x = xn; j0 = n0; j1 = n1; j2 = n2; j3 = n3;
      cp += 16;
    }
    // the last full block
    const p = exp2_f32x4_shifted_with(x, roundM, ln2, p0, p1, p2, p3, p4, p5);
    if (keep) { v128.store(sp, p); sp += 16; }
    dv = f32x4.add(dv, p);
    const w0 = v128.shuffle<f32>(p, p, 0, 0, 0, 0), w1 = v128.shuffle<f32>(p, p, 1, 1, 1, 1);
    const w2 = v128.shuffle<f32>(p, p, 2, 2, 2, 2), w3 = v128.shuffle<f32>(p, p, 3, 3, 3, 3);
    const v0 = SAME ? j0 + vd : v + j0 * vStride, v1 = SAME ? j1 + vd : v + j1 * vStride;
    const v2 = SAME ? j2 + vd : v + j2 * vStride, v3 = SAME ? j3 + vd : v + j3 * vStride;
    if (DV == 0) {
      axpy4_row_f32(orow, w0, w1, w2, w3, v0, v1, v2, v3, vStride);
    } else {
      o0 = axpy4_f32(o0, w0, w1, w2, w3, v128.load(v0), v128.load(v1), v128.load(v2), v128.load(v3));
      if (DV >= 8) o1 = axpy4_f32(o1, w0, w1, w2, w3, v128.load(v0, 16), v128.load(v1, 16), v128.load(v2, 16), v128.load(v3, 16));
      if (DV >= 12) o2 = axpy4_f32(o2, w0, w1, w2, w3, v128.load(v0, 32), v128.load(v1, 32), v128.load(v2, 32), v128.load(v3, 32));
      if (DV >= 16) o3 = axpy4_f32(o3, w0, w1, w2, w3, v128.load(v0, 48), v128.load(v1, 48), v128.load(v2, 48), v128.load(v3, 48));
    }
  }
  const left = deg & 3;
  if (left > 0) {
    const j0 = <usize>load<i32>(cp), j1 = <usize>load<i32>(cp + (left > 1 ? 4 : 0)), j2 = <usize>load<i32>(cp + (<usize>(left - 1) << 2));
    let x = dot4_f32(DQ, qi, q0, q1, q2, q3, k + j0 * qStride, k + j1 * qStride, k + j2 * qStride, k + j2 * qStride, qStride);
    if (DQ == 0) x = f32x4.mul(x, sv);
    let p = exp2_f32x4_shifted_with(x, roundM, ln2, p0, p1, p2, p3, p4, p5);
    p = v128.and(p, i32x4.gt_s(i32x4.splat(left), v128.load(LANE_INDEX)));   // spare lanes weigh 0
    if (keep) {
      store<f32>(sp, f32x4.extract_lane(p, 0));
      if (left > 1) store<f32>(sp, f32x4.extract_lane(p, 1), 4);
      if (left > 2) store<f32>(sp, f32x4.extract_lane(p, 2), 8);
    }
    dv = f32x4.add(dv, p);
    const w0 = v128.shuffle<f32>(p, p, 0, 0, 0, 0), w1 = v128.shuffle<f32>(p, p, 1, 1, 1, 1);
    const w2 = v128.shuffle<f32>(p, p, 2, 2, 2, 2);
    const v0 = v + j0 * vStride, v1 = v + j1 * vStride, v2 = v + j2 * vStride;
    if (DV == 0) {
      axpy4_row_f32(orow, w0, w1, w2, zero, v0, v1, v2, v2, vStride);
    } else {
      o0 = axpy4_f32(o0, w0, w1, w2, zero, v128.load(v0), v128.load(v1), v128.load(v2), zero);
      if (DV >= 8) o1 = axpy4_f32(o1, w0, w1, w2, zero, v128.load(v0, 16), v128.load(v1, 16), v128.load(v2, 16), zero);
      if (DV >= 12) o2 = axpy4_f32(o2, w0, w1, w2, zero, v128.load(v0, 32), v128.load(v1, 32), v128.load(v2, 32), zero);
      if (DV >= 16) o3 = axpy4_f32(o3, w0, w1, w2, zero, v128.load(v0, 48), v128.load(v1, 48), v128.load(v2, 48), zero);
    }
  }
  if (DV != 0) {
    if (accumulate) {
      v128.store(orow, f32x4.add(v128.load(orow), o0));
      if (DV >= 8) v128.store(orow, f32x4.add(v128.load(orow, 16), o1), 16);
      if (DV >= 12) v128.store(orow, f32x4.add(v128.load(orow, 32), o2), 32);
      if (DV >= 16) v128.store(orow, f32x4.add(v128.load(orow, 48), o3), 48);
    } else {
      v128.store(orow, o0);
      if (DV >= 8) v128.store(orow, o1, 16);
      if (DV >= 12) v128.store(orow, o2, 32);
      if (DV >= 16) v128.store(orow, o3, 48);
    }
  }
  return hsum_f32(dv);
}

/**
 * bounded_row_f32 for any dQK, dV multiples of 4 (the column-blocked loop's segments), accumulating
 * into orow; stores p_e in s[e] when keep (the same widths either way, so the output does not depend
 * on whether the weights are kept).
 */
export function bounded_segment_f32(orow: usize, qi: usize, k: usize, v: usize, ci: usize, len: i32, dQK: i32, dV: i32,
                                    scale: f32, m: f32, s: usize, keep: i32): f32 {
  const qs = <usize>dQK << 2, vs = <usize>dV << 2;
  if (dQK == dV) {
    if (dQK == 4) return keep ? bounded_row_f32(4, 4, orow, qi, k, v, ci, len, 16, 16, scale, m, s, true, true)
                              : bounded_row_f32(4, 4, orow, qi, k, v, ci, len, 16, 16, scale, m, s, false, true);
    if (dQK == 8) return keep ? bounded_row_f32(8, 8, orow, qi, k, v, ci, len, 32, 32, scale, m, s, true, true)
                              : bounded_row_f32(8, 8, orow, qi, k, v, ci, len, 32, 32, scale, m, s, false, true);
    if (dQK == 16) return keep ? bounded_row_f32(16, 16, orow, qi, k, v, ci, len, 64, 64, scale, m, s, true, true)
                               : bounded_row_f32(16, 16, orow, qi, k, v, ci, len, 64, 64, scale, m, s, false, true);
  }
  return keep ? bounded_row_f32(0, 0, orow, qi, k, v, ci, len, qs, vs, scale, m, s, true, true)
              : bounded_row_f32(0, 0, orow, qi, k, v, ci, len, qs, vs, scale, m, s, false, true);
}
