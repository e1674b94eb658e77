// exp on four f32 lanes at once, for the softmax of the attention kernels (arguments ≤ 0 only).
// Cody–Waite range reduction x = n·ln2 + r, |r| ≤ ln2/2, a degree-6 polynomial for exp(r) (the Cephes
// expf coefficients), and 2ⁿ built directly in the exponent bits. 24 SIMD operations for 4 values.
// Accuracy: max relative error 8.31e-8 (0.99 ULP of the result) against f64 Math.exp over all
// 1,118,743,631 f32 in [−87.3365, 0] — measured by `node scripts/exp-accuracy.mjs` (AssemblyScript's
// scalar Mathf.exp, which the kernel used before: 5.96e-8, 0.50 ULP). The attention output's own error
// (f32 dot products and sums, ~(D + deg)·2⁻²⁴ relative) is far larger than either. Below −87.3365 the result is 0 (the true value is < 2⁻¹²⁶, under f32's
// normal range); −∞ gives 0. Positive arguments are not supported (the softmax subtracts the max).
// see: S. L. Moshier, Cephes Math Library, expf.c; W. J. Cody & W. Waite, Software Manual for the Elementary Functions (1980)

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;          // ln 2 split so that n·LN2_HI is exact (Cody & Waite)
const LN2_LO: f32 = -2.12194440e-4;
const ROUND: f32 = 12582912.0;           // 1.5·2²³: adding it rounds to an integer held in the low bits
const EXP_MIN: f32 = -87.33654;          // below: exp underflows f32's normal range; we return 0
export const ROUND_BIASED: f32 = 12583039.0;    // ROUND + 127: the low bits then hold n + 127, the exponent of 2ⁿ (exact in f32)

// The constants as 4-lane rows in static memory: V8 rebuilds a v128 constant inside every loop
// iteration (3 instructions), a load from here costs one.
export const EXP_F32: usize = memory.data<f32>([
  LOG2E, LOG2E, LOG2E, LOG2E, ROUND, ROUND, ROUND, ROUND,
  LN2_HI, LN2_HI, LN2_HI, LN2_HI, LN2_LO, LN2_LO, LN2_LO, LN2_LO,
  1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4,
  1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3,
  8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3,
  4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2,
  1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1,
  5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1,
  1, 1, 1, 1, EXP_MIN, EXP_MIN, EXP_MIN, EXP_MIN,
  ROUND_BIASED, ROUND_BIASED, ROUND_BIASED, ROUND_BIASED,
], 16);
export const EXP_BIAS: usize = memory.data<i32>([127, 127, 127, 127], 16);

/**
 * exp of each lane for x ≤ 0: x = n·ln2 + r with |r| ≤ ln2/2, exp(r) by a degree-6 polynomial
 * (Cephes expf coefficients), then scaled by 2ⁿ built in the exponent bits.
 * Max relative error 1.2e-7 on [−87.3, 0]; 0 below −87.3365 and for −∞. Inputs > 0 are not supported.
 */
// see: S. L. Moshier, Cephes Math Library, expf.c; W. J. Cody & W. Waite, Software Manual for the Elementary Functions (1980)
@inline export function exp_f32x4(x: v128): v128 {
  const C = EXP_F32;
  return exp_f32x4_with(x, v128.load(C), v128.load(C, 16), v128.load(C, 32), v128.load(C, 48),
    v128.load(C, 64), v128.load(C, 80), v128.load(C, 96), v128.load(C, 112), v128.load(C, 128), v128.load(C, 144),
    v128.load(C, 160), v128.load(C, 176), v128.load(EXP_BIAS));
}

/** exp_f32x4 with its constants passed in, so a loop can hold them in registers (V8 does not hoist loads). */
@inline export function exp_f32x4_with(x: v128, log2e: v128, round: v128, ln2hi: v128, ln2lo: v128,
                                p0: v128, p1: v128, p2: v128, p3: v128, p4: v128, p5: v128,
                                one: v128, lowest: v128, bias: v128): v128 {
  const t = f32x4.add(f32x4.mul(x, log2e), round);
  const n = f32x4.sub(t, round);
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(n, ln2hi)), f32x4.mul(n, ln2lo));
  let y = f32x4.add(f32x4.mul(p0, r), p1);
  y = f32x4.add(f32x4.mul(y, r), p2);
  y = f32x4.add(f32x4.mul(y, r), p3);
  y = f32x4.add(f32x4.mul(y, r), p4);
  y = f32x4.add(f32x4.mul(y, r), p5);
  y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(y, r), r), r), one);
  // t's low mantissa bits hold n (two's complement); (n + 127) << 23 is 2ⁿ for n in [−126, 0]
  const scale = i32x4.shl(i32x4.add(t, bias), 23);
  return v128.and(f32x4.mul(y, scale), f32x4.ge(x, lowest));
}

/** exp_f32x4 on one value (the ragged tail of a row), so every edge gets the same function. */
@inline export function exp_f32(x: f32): f32 {
  return f32x4.extract_lane(exp_f32x4(f32x4.splat(x)), 0);
}

/**
 * 2^(y − m) on each lane, for the bounded-shift attention pass (attention_bounded_f32.ts), which
 * computes its scores in units of log₂ (q_i pre-multiplied by scale·log₂e) so that
 * exp(s − m·ln2) = 2^(y − m) with y = s·log₂e. y = n + f with n = round(y), |f| ≤ ½ (f = y − n is
 * exact), r = f·ln2 (one rounding, |r| ≤ ln2/2), e^r − 1 by the degree-6 polynomial of exp_f32x4_with
 * (the same Cephes expf coefficients, evaluated in Estrin's scheme: a shorter chain of dependent
 * operations, so more blocks of edges are in flight), and 2^(n−m) built in the exponent bits, where
 * the integer m ≥ 0 is folded into the rounding constant (roundShifted = ROUND_BIASED − m, exact in
 * f32): the shift costs nothing per lane. The result is 2^(n−m) + 2^(n−m)·(e^r − 1) (the product is
 * exact, so a single rounding as in (1 + (e^r − 1))·2^(n−m)). 19 SIMD operations, 9 constant
 * registers (roundShifted, ln2, p0..p5; no log2e, no ln2 split, no "one", no underflow mask).
 * Valid while n − m lies in [−126, 127]; no clamping: callers guarantee it (the attention pass has
 * |y| ≤ 28.9·(1 + 2⁻¹⁰), m ≤ 29). Accuracy (m = 0): `node scripts/exp-accuracy.mjs --exp2`.
 */
@inline export function exp2_f32x4_shifted_with(y: v128, roundShifted: v128, ln2: v128,
                                                p0: v128, p1: v128, p2: v128, p3: v128, p4: v128, p5: v128): v128 {
  const t = f32x4.add(y, roundShifted);          // n − m + 127 in the low mantissa bits
  const n = f32x4.sub(t, roundShifted);
  const r = f32x4.mul(f32x4.sub(y, n), ln2);
  const r2 = f32x4.mul(r, r);
  const a = f32x4.add(f32x4.mul(p0, r), p1), b = f32x4.add(f32x4.mul(p2, r), p3), c = f32x4.add(f32x4.mul(p4, r), p5);
  const z = f32x4.add(f32x4.mul(f32x4.add(f32x4.mul(a, r2), b), r2), c);   // p0 r⁵ + … + p5
  const em1 = f32x4.add(f32x4.mul(z, r2), r);                             // e^r − 1
  // t's low mantissa bits hold n − m + 127 (the constant's own mantissa bits above them shift out)
  const s2 = i32x4.shl(t, 23);
  return f32x4.add(f32x4.mul(s2, em1), s2);
}

export const LN2_F32: f32 = 0.693147180559945309;

/** exp2_f32x4_shifted_with with m = 0 and its constants loaded here (the accuracy probe). */
@inline export function exp2_f32x4(y: v128): v128 {
  const C = EXP_F32;
  return exp2_f32x4_shifted_with(y, v128.load(C, 192), f32x4.splat(LN2_F32),
    v128.load(C, 64), v128.load(C, 80), v128.load(C, 96), v128.load(C, 112), v128.load(C, 128), v128.load(C, 144));
}
