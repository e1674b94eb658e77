// The one seeded generator used everywhere: xoshiro128** (Blackman & Vigna 2018) on 32-bit integer
// arithmetic (Math.imul, >>>), seeded through splitmix32, so integers and uniforms are bit-identical in
// every JavaScript runtime. Normals use the Marsaglia polar method (Math.log, Math.sqrt: sqrt is exact
// everywhere; log may differ by 1 ULP between engines, so normals agree to ~1e-16 relative).
// see: https://prng.di.unimi.it/xoshiro128starstar.c
import { InputError } from '../runtime/errors.js';

export interface Rng {
  /** The seed this generator started from. */
  readonly seed: number;
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** Uniform double in [0, 1) with 53 random bits. */
  float(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
  permutation(n: number): Int32Array;
  /** Fills `out` with N(0, 1) samples times `scale`. */
  fillNormal<A extends Float32Array | Float64Array>(out: A, scale?: number): A;
  /** An independent generator derived from this one (for per-layer or per-try streams). */
  fork(): Rng;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A seeded generator; the same seed gives the same stream in every runtime. */
export function rng(seed = 0): Rng {
  if (!Number.isInteger(seed)) throw new InputError(`rng: seed must be an integer, got ${seed}`);
  const sm = splitmix32(seed >>> 0 ^ Math.floor(seed / 2 ** 32));
  let a = sm(), b = sm(), c = sm(), d = sm();
  if ((a | b | c | d) === 0) a = 1;
  let spare: number | null = null;
  const nextUint32 = (): number => {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return r;
  };
  const float = (): number => ((nextUint32() >>> 5) * 67108864 + (nextUint32() >>> 6)) / 9007199254740992;
  const self: Rng = {
    seed,
    nextUint32,
    float,
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0) throw new InputError(`rng.int: n must be a positive integer, got ${n}`);
      return Math.floor(float() * n);
    },
    normal(): number {
      if (spare !== null) { const s = spare; spare = null; return s; }
      let u: number, v: number, s: number;
      do {
        u = 2 * float() - 1;
        v = 2 * float() - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const f = Math.sqrt(-2 * Math.log(s) / s);
      spare = v * f;
      return u * f;
    },
    permutation(n: number): Int32Array {
      const p = new Int32Array(n);
      for (let i = 0; i < n; i++) p[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(float() * (i + 1));
        const t = p[i]; p[i] = p[j]; p[j] = t;
      }
      return p;
    },
    fillNormal(out, scale = 1) {
      for (let i = 0; i < out.length; i++) out[i] = self.normal() * scale;
      return out;
    },
    fork(): Rng {
      return rng((nextUint32() * 2 ** 21 + (nextUint32() >>> 11)) % Number.MAX_SAFE_INTEGER);
    },
  };
  return self;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
