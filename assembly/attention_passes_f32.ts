// The three passes of one attention row in f32, shared by the row-by-row and the column-blocked
// loops of attention_csr.ts and attention_csr_blocks.ts (see there for the whole computation):
//   1. s_e = scale · q_i·k_{col e} and their max        scores_rows_f32 / scores_f32
//   2. s_e ← exp(s_e − max), returning Σ s_e              exp_row_f32
//   3. out_i (+)= Σ_e w_e · v_{col e}                      gather_rows_f32 / gather_f32
// Edges go four at a time: pass 1 keeps four dot products in flight and reduces them with one 4×4
// transpose, pass 3 folds four weighted v rows into each output vector before touching memory. A
// ragged last block of a row repeats the row's last edge in its spare lanes (weight 0, score −∞ for
// the max), so no edge takes a scalar path. D = 4, 8, 16 (pass 1) and 4, 8, 12, 16 (pass 3), passed
// as literals to the @inline bodies, keep q_i and out_i in registers; D = 0 there means "any multiple
// of 4", walked 8 floats a step with out_i in L1.
// Widths that are not a multiple of 4 go through row_any_f32 (plain loops, same exp).
import { EXP_F32, EXP_BIAS, exp_f32, exp_f32x4_with } from "./exp_f32x4";
import { madd_f32x4 } from "./fma";

const LANE_INDEX: usize = memory.data<i32>([0, 1, 2, 3], 16);

/** [Σ a, Σ b, Σ c, Σ d]: four horizontal sums with one 4×4 transpose. */
@inline export function hsum4_f32(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

@inline export function hsum_f32(a: v128): f32 {
  const s = f32x4.add(a, v128.shuffle<f32>(a, a, 2, 3, 0, 1));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1);
}

/** max of the 4 lanes. pmax, not max: f32x4.max's NaN and ±0 rules cost V8 eight instructions, pmax one. */
@inline function hmax_f32(a: v128): f32 {
  const s = f32x4.pmax(a, v128.shuffle<f32>(a, a, 2, 3, 0, 1));
  return max(f32x4.extract_lane(s, 0), f32x4.extract_lane(s, 1));
}

@inline export function col(ci: usize, e: i32): usize {
  return <usize>load<i32>(ci + (<usize>e << 2));
}

// ---------------------------------------------------------------- pass 1: scores and their max (f32)

/** q_i·k_j for one edge, any d (the path for widths that are not a multiple of 4). */
@inline function dot_f32(x: usize, y: usize, d: i32): f32 {
  let acc = f32x4.splat(0);
  let t = 0;
  for (; t + 4 <= d; t += 4) acc = madd_f32x4(v128.load(x + (<usize>t << 2)), v128.load(y + (<usize>t << 2)), acc);
  let s = hsum_f32(acc);
  for (; t < d; t++) s += load<f32>(x + (<usize>t << 2)) * load<f32>(y + (<usize>t << 2));
  return s;
}

/**
 * [q_i·k_0, q_i·k_1, q_i·k_2, q_i·k_3] for four k rows. D = 4, 8, 16 (a literal after inlining)
 * take q_i from registers q0..q3; D = 0 means "stride bytes, a multiple of 16", walked 8 floats a step.
 */
@inline export function dot4_f32(D: i32, qi: usize, q0: v128, q1: v128, q2: v128, q3: v128,
                          k0: usize, k1: usize, k2: usize, k3: usize, stride: usize): v128 {
  if (D == 4) {
    return hsum4_f32(f32x4.mul(q0, v128.load(k0)), f32x4.mul(q0, v128.load(k1)),
                     f32x4.mul(q0, v128.load(k2)), f32x4.mul(q0, v128.load(k3)));
  }
  if (D == 8) {
    return hsum4_f32(madd_f32x4(q1, v128.load(k0, 16), f32x4.mul(q0, v128.load(k0))),
                     madd_f32x4(q1, v128.load(k1, 16), f32x4.mul(q0, v128.load(k1))),
                     madd_f32x4(q1, v128.load(k2, 16), f32x4.mul(q0, v128.load(k2))),
                     madd_f32x4(q1, v128.load(k3, 16), f32x4.mul(q0, v128.load(k3))));
  }
  if (D == 16) {
    return hsum4_f32(
      f32x4.add(madd_f32x4(q1, v128.load(k0, 16), f32x4.mul(q0, v128.load(k0))),
                madd_f32x4(q3, v128.load(k0, 48), f32x4.mul(q2, v128.load(k0, 32)))),
      f32x4.add(madd_f32x4(q1, v128.load(k1, 16), f32x4.mul(q0, v128.load(k1))),
                madd_f32x4(q3, v128.load(k1, 48), f32x4.mul(q2, v128.load(k1, 32)))),
      f32x4.add(madd_f32x4(q1, v128.load(k2, 16), f32x4.mul(q0, v128.load(k2))),
                madd_f32x4(q3, v128.load(k2, 48), f32x4.mul(q2, v128.load(k2, 32)))),
      f32x4.add(madd_f32x4(q1, v128.load(k3, 16), f32x4.mul(q0, v128.load(k3))),
                madd_f32x4(q3, v128.load(k3, 48), f32x4.mul(q2, v128.load(k3, 32)))));
  }
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  const end8 = stride & ~(<usize>31);
  let t: usize = 0;
  for (; t < end8; t += 32) {
    const x0 = v128.load(qi + t), x1 = v128.load(qi + t, 16);
    const b0 = k0 + t, b1 = k1 + t, b2 = k2 + t, b3 = k3 + t;
    a0 = f32x4.add(a0, madd_f32x4(x1, v128.load(b0, 16), f32x4.mul(x0, v128.load(b0))));
    a1 = f32x4.add(a1, madd_f32x4(x1, v128.load(b1, 16), f32x4.mul(x0, v128.load(b1))));
    a2 = f32x4.add(a2, madd_f32x4(x1, v128.load(b2, 16), f32x4.mul(x0, v128.load(b2))));
    a3 = f32x4.add(a3, madd_f32x4(x1, v128.load(b3, 16), f32x4.mul(x0, v128.load(b3))));
  }
  if (t < stride) {
    const x0 = v128.load(qi + t);
    a0 = madd_f32x4(x0, v128.load(k0 + t), a0);
    a1 = madd_f32x4(x0, v128.load(k1 + t), a1);
    a2 = madd_f32x4(x0, v128.load(k2 + t), a2);
    a3 = madd_f32x4(x0, v128.load(k3 + t), a3);
  }
  return hsum4_f32(a0, a1, a2, a3);
}

/**
 * Scores of edges [0, deg) of one row into s, four edges a block; returns their max. A ragged last
 * block repeats the row's last edge in its spare lanes, stores only the real lanes and keeps the
 * spare ones out of the max, so no edge takes a scalar path.
 */
@inline export function scores_rows_f32(D: i32, s: usize, qi: usize, k: usize, ci: usize, deg: i32, stride: usize, scale: f32): f32 {
  const zero = f32x4.splat(0);
  const q0 = D >= 4 ? v128.load(qi) : zero, q1 = D >= 8 ? v128.load(qi, 16) : zero;
  const q2 = D >= 12 ? v128.load(qi, 32) : zero, q3 = D >= 16 ? v128.load(qi, 48) : zero;
  const sv = f32x4.splat(scale);
  let mv = f32x4.splat(-Infinity);
  let e = 0;
  for (; e + 4 <= deg; e += 4) {
    const k0 = k + col(ci, e) * stride, k1 = k + col(ci, e + 1) * stride;
    const k2 = k + col(ci, e + 2) * stride, k3 = k + col(ci, e + 3) * stride;
    const x = f32x4.mul(dot4_f32(D, qi, q0, q1, q2, q3, k0, k1, k2, k3, stride), sv);
    v128.store(s + (<usize>e << 2), x);
    mv = f32x4.pmax(mv, x);
  }
  const left = deg - e;
  if (left > 0) {
    const last = deg - 1;
    const k0 = k + col(ci, e) * stride, k1 = k + col(ci, min(e + 1, last)) * stride, k2 = k + col(ci, min(e + 2, last)) * stride;
    let x = f32x4.mul(dot4_f32(D, qi, q0, q1, q2, q3, k0, k1, k2, k2, stride), sv);
    const a = s + (<usize>e << 2);
    store<f32>(a, f32x4.extract_lane(x, 0));
    if (left > 1) store<f32>(a, f32x4.extract_lane(x, 1), 4);
    if (left > 2) store<f32>(a, f32x4.extract_lane(x, 2), 8);
    x = v128.bitselect(x, f32x4.splat(-Infinity), i32x4.gt_s(i32x4.splat(left), v128.load(LANE_INDEX)));
    mv = f32x4.pmax(mv, x);
  }
  return hmax_f32(mv);
}

/** Scores of edges [0, deg) of one row into s, for d a multiple of 4; returns their max. */
export function scores_f32(s: usize, qi: usize, k: usize, ci: usize, deg: i32, d: i32, scale: f32): f32 {
  if (d == 4) return scores_rows_f32(4, s, qi, k, ci, deg, 16, scale);
  if (d == 8) return scores_rows_f32(8, s, qi, k, ci, deg, 32, scale);
  if (d == 16) return scores_rows_f32(16, s, qi, k, ci, deg, 64, scale);
  return scores_rows_f32(0, s, qi, k, ci, deg, <usize>d << 2, scale);
}

// ---------------------------------------------------------------- pass 2: exp and its sum (f32)

/** s ← exp(s − mx) over deg entries; returns Σ s. */
@inline export function exp_row_f32(s: usize, deg: i32, mx: f32): f32 {
  const C = EXP_F32;
  const log2e = v128.load(C), round = v128.load(C, 16), ln2hi = v128.load(C, 32), ln2lo = v128.load(C, 48);
  const p0 = v128.load(C, 64), p1 = v128.load(C, 80), p2 = v128.load(C, 96), p3 = v128.load(C, 112);
  const p4 = v128.load(C, 128), p5 = v128.load(C, 144), one = v128.load(C, 160), lowest = v128.load(C, 176);
  const bias = v128.load(EXP_BIAS);
  const mv = f32x4.splat(mx);
  let dv = f32x4.splat(0);
  let e = 0;
  for (; e + 4 <= deg; e += 4) {
    const a = s + (<usize>e << 2);
    const p = exp_f32x4_with(f32x4.sub(v128.load(a), mv), log2e, round, ln2hi, ln2lo, p0, p1, p2, p3, p4, p5, one, lowest, bias);
    v128.store(a, p);
    dv = f32x4.add(dv, p);
  }
  let den = hsum_f32(dv);
  for (; e < deg; e++) {
    const a = s + (<usize>e << 2);
    const p = exp_f32(load<f32>(a) - mx);
    store<f32>(a, p);
    den += p;
  }
  return den;
}

// ---------------------------------------------------------------- pass 3: weighted sum of v rows (f32)

/**
 * o_i += Σ w_e·v_e over the rows of one block of four edges, w = [w0 w1 w2 w3]. D = 4, 8, 12, 16
 * keep o_i in registers (returned through o0..o3 by the caller's loop); D = 0: o_i in memory at orow.
 */
@inline export function axpy4_f32(o: v128, w0: v128, w1: v128, w2: v128, w3: v128, a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  return f32x4.add(o, f32x4.add(madd_f32x4(w1, a1, f32x4.mul(w0, a0)), madd_f32x4(w3, a3, f32x4.mul(w2, a2))));
}

/** orow[0 .. stride) += w0·v0 + w1·v1 + w2·v2 + w3·v3 (stride a multiple of 16 bytes), two slices a step. */
@inline export function axpy4_row_f32(orow: usize, w0: v128, w1: v128, w2: v128, w3: v128,
                               v0: usize, v1: usize, v2: usize, v3: usize, stride: usize): void {
  const end8 = stride & ~(<usize>31);
  let t: usize = 0;
  for (; t < end8; t += 32) {
    const o = orow + t, a0 = v0 + t, a1 = v1 + t, a2 = v2 + t, a3 = v3 + t;
    v128.store(o, axpy4_f32(v128.load(o), w0, w1, w2, w3, v128.load(a0), v128.load(a1), v128.load(a2), v128.load(a3)));
    v128.store(o, axpy4_f32(v128.load(o, 16), w0, w1, w2, w3, v128.load(a0, 16), v128.load(a1, 16), v128.load(a2, 16), v128.load(a3, 16)), 16);
  }
  if (t < stride) {
    const o = orow + t;
    v128.store(o, axpy4_f32(v128.load(o), w0, w1, w2, w3, v128.load(v0 + t), v128.load(v1 + t), v128.load(v2 + t), v128.load(v3 + t)));
  }
}

/**
 * orow ← Σ_e inv·s[e]·v[col e] over the row's edges, four a block (orow += … when accumulate).
 * A ragged last block gives its spare lanes weight 0 and the row's last edge.
 */
@inline export function gather_rows_f32(D: i32, orow: usize, s: usize, inv: f32, v: usize, ci: usize, deg: i32, stride: usize, accumulate: bool): void {
  const iv = f32x4.splat(inv);
  let o0 = f32x4.splat(0), o1 = f32x4.splat(0), o2 = f32x4.splat(0), o3 = f32x4.splat(0);
  if (D == 0) {
    if (!accumulate) memory.fill(orow, 0, stride);
  } else if (accumulate) {
    o0 = v128.load(orow);
    if (D >= 8) o1 = v128.load(orow, 16);
    if (D >= 12) o2 = v128.load(orow, 32);
    if (D >= 16) o3 = v128.load(orow, 48);
  }
  let e = 0;
  while (e < deg) {
    const left = deg - e;
    let w: v128, v0: usize, v1: usize, v2: usize, v3: usize;
    if (left >= 4) {
      w = f32x4.mul(v128.load(s + (<usize>e << 2)), iv);
      v0 = v + col(ci, e) * stride; v1 = v + col(ci, e + 1) * stride;
      v2 = v + col(ci, e + 2) * stride; v3 = v + col(ci, e + 3) * stride;
    } else {
      const a = s + (<usize>e << 2);
      let x = f32x4.splat(0);
      x = f32x4.replace_lane(x, 0, load<f32>(a));
      if (left > 1) x = f32x4.replace_lane(x, 1, load<f32>(a, 4));
      if (left > 2) x = f32x4.replace_lane(x, 2, load<f32>(a, 8));
      w = f32x4.mul(x, iv);
      const last = deg - 1;
      v0 = v + col(ci, e) * stride; v1 = v + col(ci, min(e + 1, last)) * stride;
      v2 = v + col(ci, min(e + 2, last)) * stride; v3 = v2;
    }
    const w0 = v128.shuffle<f32>(w, w, 0, 0, 0, 0), w1 = v128.shuffle<f32>(w, w, 1, 1, 1, 1);
    const w2 = v128.shuffle<f32>(w, w, 2, 2, 2, 2), w3 = v128.shuffle<f32>(w, w, 3, 3, 3, 3);
    if (D == 0) {
      axpy4_row_f32(orow, w0, w1, w2, w3, v0, v1, v2, v3, stride);
    } else {
      o0 = axpy4_f32(o0, w0, w1, w2, w3, v128.load(v0), v128.load(v1), v128.load(v2), v128.load(v3));
      if (D >= 8) o1 = axpy4_f32(o1, w0, w1, w2, w3, v128.load(v0, 16), v128.load(v1, 16), v128.load(v2, 16), v128.load(v3, 16));
      if (D >= 12) o2 = axpy4_f32(o2, w0, w1, w2, w3, v128.load(v0, 32), v128.load(v1, 32), v128.load(v2, 32), v128.load(v3, 32));
      if (D >= 16) o3 = axpy4_f32(o3, w0, w1, w2, w3, v128.load(v0, 48), v128.load(v1, 48), v128.load(v2, 48), v128.load(v3, 48));
    }
    e += 4;
  }
  if (D != 0) {
    v128.store(orow, o0);
    if (D >= 8) v128.store(orow, o1, 16);
    if (D >= 12) v128.store(orow, o2, 32);
    if (D >= 16) v128.store(orow, o3, 48);
  }
}

/** orow ← Σ_e inv·s[e]·v[col e] for d a multiple of 4 (orow += … when accumulate). */
export function gather_f32(orow: usize, s: usize, inv: f32, v: usize, ci: usize, deg: i32, d: i32, accumulate: bool): void {
  if (d == 4) gather_rows_f32(4, orow, s, inv, v, ci, deg, 16, accumulate);
  else if (d == 8) gather_rows_f32(8, orow, s, inv, v, ci, deg, 32, accumulate);
  else if (d == 12) gather_rows_f32(12, orow, s, inv, v, ci, deg, 48, accumulate);
  else if (d == 16) gather_rows_f32(16, orow, s, inv, v, ci, deg, 64, accumulate);
  else gather_rows_f32(0, orow, s, inv, v, ci, deg, <usize>d << 2, accumulate);
}

/**
 * One destination row for widths that are not a multiple of 4: scores and max, then exp and sum,
 * then the weighted sum of v rows (three short passes over the row's scores, kept in s). The exp
 * subtracts shift·ln2 instead of the max when shift ≥ 0 (the row's bounded shift m_i of
 * attention_bounded_f32.ts, as the single pass uses).
 */
export function row_any_f32(orow: usize, qi: usize, k: usize, v: usize, ci: usize, deg: i32, dQK: i32, dV: i32,
                     scale: f32, s: usize, perEdge: i32, shift: f32): void {
  const qStride = <usize>dQK << 2, vStride = <usize>dV << 2;
  let mx: f32 = -Infinity;
  for (let e = 0; e < deg; e++) {
    const x = scale * dot_f32(qi, k + col(ci, e) * qStride, dQK);
    store<f32>(s + (<usize>e << 2), x);
    mx = max(mx, x);
  }
  if (shift >= 0) mx = shift * <f32>0.693147180559945309;   // the bounded shift m·ln2 (attention_bounded_f32.ts) when the row has one
  let den: f32 = 0;
  for (let e = 0; e < deg; e++) {
    const a = s + (<usize>e << 2);
    const p = exp_f32(load<f32>(a) - mx);
    store<f32>(a, p);
    den += p;
  }
  const inv: f32 = 1 / den;
  memory.fill(orow, 0, vStride);
  for (let e = 0; e < deg; e++) {
    const w = load<f32>(s + (<usize>e << 2)) * inv;
    if (perEdge) store<f32>(s + (<usize>e << 2), w);
    const v0 = v + col(ci, e) * vStride;
    const wv = f32x4.splat(w);
    let t: usize = 0;
    for (; t + 16 <= vStride; t += 16) v128.store(orow + t, madd_f32x4(wv, v128.load(v0 + t), v128.load(orow + t)));
    for (; t < vStride; t += 4) store<f32>(orow + t, load<f32>(orow + t) + w * load<f32>(v0 + t));
  }
}
