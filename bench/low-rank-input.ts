// The rSVD benchmarks' input, shared by bench/linalg.ts and bench/relaxed-simd.ts (which also runs under Deno, so
// this file imports nothing but the library): seeded Gaussian matrices and L = G₁·G₂ + 1e-3·N, f64.
import { rng } from '../src/index.js';

/** A rows×cols row-major matrix of N(0, 1) entries from rng(seed). */
export function gaussian(seed: number, rows: number, cols: number): Float64Array {
  return rng(seed).fillNormal(new Float64Array(rows * cols));
}

/** L = G₁·G₂ + 1e-3·N: n×d of rank r plus noise, like node embeddings Hᵀ. */
export function lowRankPlusNoise(n: number, d: number, r: number): Float64Array {
  const g1 = gaussian(1, n, r), g2 = gaussian(2, r, d), noise = gaussian(3, n, d);
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) {
    let s = 0;
    for (let t = 0; t < r; t++) s += g1[i * r + t] * g2[t * d + j];
    out[i * d + j] = s + 1e-3 * noise[i * d + j];
  }
  return out;
}
