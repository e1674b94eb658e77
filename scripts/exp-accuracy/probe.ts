// AssemblyScript probe for scripts/exp-accuracy.mjs: runs the kernel's exp_f32x4 (and Mathf.exp, for
// comparison) on every f32 whose bits lie in [fromBits, toBits) of the negative half-line, against
// f64 Math.exp (musl's exp, < 1 ULP in f64, so exact at f32 scale).
import { exp_f32x4 } from "../../assembly/exp_f32x4";

/** |y − ref| in units of the f32 ULP at ref (ref a positive normal f32 magnitude). */
@inline function ulps(y: f64, ref: f64): f64 {
  const e = <i32>((reinterpret<u32>(<f32>ref) >> 23) & 0xff);
  return Math.abs(y - ref) / Math.pow(2, <f64>(e - 127 - 23));
}

// stats[0..7]: max rel err, max ulp, sum ulp, count, worst x (rel), Mathf max rel, Mathf max ulp, Mathf sum ulp
export function sweep(stats: usize, fromBits: u32, toBits: u32): void {
  let maxRel = load<f64>(stats), maxUlp = load<f64>(stats, 8), sumUlp = load<f64>(stats, 16), count = load<f64>(stats, 24);
  let worstX = load<f64>(stats, 32), mRel = load<f64>(stats, 40), mUlp = load<f64>(stats, 48), mSum = load<f64>(stats, 56);
  for (let b = fromBits; b < toBits; b += 4) {
    const x0 = -reinterpret<f32>(b), x1 = -reinterpret<f32>(b + 1), x2 = -reinterpret<f32>(b + 2), x3 = -reinterpret<f32>(b + 3);
    const y = exp_f32x4(f32x4(x0, x1, x2, x3));
    for (let l = 0; l < 4; l++) {
      if (b + <u32>l >= toBits) break;
      const x = l == 0 ? x0 : l == 1 ? x1 : l == 2 ? x2 : x3;
      const yl = <f64>(l == 0 ? f32x4.extract_lane(y, 0) : l == 1 ? f32x4.extract_lane(y, 1) : l == 2 ? f32x4.extract_lane(y, 2) : f32x4.extract_lane(y, 3));
      const ref = Math.exp(<f64>x);
      const rel = Math.abs(yl - ref) / ref;
      if (rel > maxRel) { maxRel = rel; worstX = x; }
      const u = ulps(yl, ref);
      if (u > maxUlp) maxUlp = u;
      sumUlp += u;
      count += 1;
      const m = <f64>Mathf.exp(x);
      const mr = Math.abs(m - ref) / ref;
      if (mr > mRel) mRel = mr;
      const mu = ulps(m, ref);
      if (mu > mUlp) mUlp = mu;
      mSum += mu;
    }
  }
  store<f64>(stats, maxRel); store<f64>(stats, maxUlp, 8); store<f64>(stats, sumUlp, 16); store<f64>(stats, count, 24);
  store<f64>(stats, worstX, 32); store<f64>(stats, mRel, 40); store<f64>(stats, mUlp, 48); store<f64>(stats, mSum, 56);
}

/** exp_f32x4 of 4 values, for spot checks of the edges (0, −∞, below the cutoff). */
export function exp4(out: usize, a: f32, b: f32, c: f32, d: f32): void {
  v128.store(out, exp_f32x4(f32x4(a, b, c, d)));
}

// ---- exp2_f32x4 (the bounded-shift attention pass's 2^y, with m = 0), against f64 exp(y·ln2)
import { exp2_f32x4 } from "../../assembly/exp_f32x4";

// stats[0..4]: max rel err, max ulp, sum ulp, count, worst y. Sweeps y = sign·|y| for |y|'s bits in [fromBits, toBits).
export function sweep2(stats: usize, fromBits: u32, toBits: u32, sign: f32): void {
  let maxRel = load<f64>(stats), maxUlp = load<f64>(stats, 8), sumUlp = load<f64>(stats, 16), count = load<f64>(stats, 24);
  let worstX = load<f64>(stats, 32);
  for (let b = fromBits; b < toBits; b += 4) {
    const x0 = sign * reinterpret<f32>(b), x1 = sign * reinterpret<f32>(b + 1), x2 = sign * reinterpret<f32>(b + 2), x3 = sign * reinterpret<f32>(b + 3);
    const y = exp2_f32x4(f32x4(x0, x1, x2, x3));
    for (let l = 0; l < 4; l++) {
      if (b + <u32>l >= toBits) break;
      const x = l == 0 ? x0 : l == 1 ? x1 : l == 2 ? x2 : x3;
      const yl = <f64>(l == 0 ? f32x4.extract_lane(y, 0) : l == 1 ? f32x4.extract_lane(y, 1) : l == 2 ? f32x4.extract_lane(y, 2) : f32x4.extract_lane(y, 3));
      const ref = Math.exp(<f64>x * 0.6931471805599453);
      const rel = Math.abs(yl - ref) / ref;
      if (rel > maxRel) { maxRel = rel; worstX = x; }
      const u = ulps(yl, ref);
      if (u > maxUlp) maxUlp = u;
      sumUlp += u;
      count += 1;
    }
  }
  store<f64>(stats, maxRel); store<f64>(stats, maxUlp, 8); store<f64>(stats, sumUlp, 16); store<f64>(stats, count, 24);
  store<f64>(stats, worstX, 32);
}
