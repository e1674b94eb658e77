// The relaxed-SIMD build (dist/kernels-relaxed.wasm: fused multiply-add, assembly/fma.ts) against the plain one:
//   node --experimental-wasm-relaxed-simd dist/bench/relaxed-simd.js [--simd plain|relaxed] [--rounds N] [--clock wall|cpu]
//   node_modules/.bin/deno run --allow-read dist/bench/relaxed-simd.js [--simd …]
// 1. GEMM 512³ in f32 and f64, and the randomized SVD's two f64 product shapes: both builds instantiated side by side in this process from the embedded bytes and
//    timed in alternation (median of N rounds each), so the ratio is a same-process one.
// 2. Randomized SVD 20000×256 (rank 16 + 1e-3 noise, the input of bench/linalg.ts), k = 16, p = 10, q = 2, f64,
//    through the library with the build init() loaded (--simd, default 'auto'): one build per process, so run the
//    script once per build, in alternation. scikit-learn's time on the same input: scripts/bench-native/rsvd_sklearn.py.
// --clock cpu times with this process's CPU time (process.cpuUsage) instead of the wall clock, as `npm run bench
// -- --clock cpu` does: on a shared machine the time spent waiting for a core then does not count.
// Prints one JSON line per figure (ms, median, with the min and max of the rounds). Needs relaxed SIMD for the
// relaxed figures (Node 20: --experimental-wasm-relaxed-simd); without it only the plain ones are printed.
import { DenseMatrix, embeddedWasmBytes, init, kernelBuild, randomizedSvd, relaxedSimdSupported, rng, scope, type SimdChoice } from '../src/index.js';
import type { KernelExports } from '../src/runtime/kernels.js';
import { lowRankPlusNoise } from './low-rank-input.js';

function arg(name: string, fallback: string): string {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
}
const rounds = Number(arg('--rounds', '7'));
const simd = arg('--simd', 'auto') as SimdChoice;
const clock = arg('--clock', 'wall');
if (clock !== 'wall' && clock !== 'cpu') throw new Error(`relaxed-simd bench: --clock is wall or cpu, not ${clock}`);
/** Milliseconds on the chosen clock. */
const now = clock === 'cpu' ? () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; } : () => performance.now();
const runtime = typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined' ? 'deno' : `node ${process.version}`;

function stats(times: number[]): { median: number; min: number; max: number } {
  const s = [...times].sort((a, b) => a - b);
  return { median: +s[s.length >> 1].toFixed(2), min: +s[0].toFixed(2), max: +s[s.length - 1].toFixed(2) };
}

function instantiate(build: 'plain' | 'relaxed'): KernelExports {
  const abort = () => { throw new Error(`relaxed-simd bench: the ${build} kernels aborted`); };
  return new WebAssembly.Instance(new WebAssembly.Module(embeddedWasmBytes(build) as BufferSource), { env: { abort } }).exports as unknown as KernelExports;
}

interface Shape { work: string; dtype: 'f32' | 'f64'; m: number; n: number; k: number; transA: number }
const SHAPES: Shape[] = [
  { work: 'gemm_f32 512³', dtype: 'f32', m: 512, n: 512, k: 512, transA: 0 },
  { work: 'gemm_f64 512³', dtype: 'f64', m: 512, n: 512, k: 512, transA: 0 },
  // the randomized SVD's two products per pass (k + p = 26 columns): A·Ω and Aᵀ·Y
  { work: 'gemm_f64 20000×256·256×26', dtype: 'f64', m: 20000, n: 26, k: 256, transA: 0 },
  { work: 'gemm_f64 (20000×256)ᵀ·20000×26', dtype: 'f64', m: 256, n: 26, k: 20000, transA: 1 },
];

/** One product per call on operands already in the instance's memory. */
function gemmTask(kernels: KernelExports, s: Shape): () => void {
  const size = s.dtype === 'f32' ? 4 : 8;
  const a = kernels.alloc(s.m * s.k * size), b = kernels.alloc(s.k * s.n * size), c = kernels.alloc(s.m * s.n * size);
  const g = rng(512);
  const view = (p: number, len: number) => s.dtype === 'f32' ? new Float32Array(kernels.memory.buffer, p, len) : new Float64Array(kernels.memory.buffer, p, len);
  g.fillNormal(view(a, s.m * s.k)); g.fillNormal(view(b, s.k * s.n));
  const gemm = s.dtype === 'f32' ? kernels.gemm_f32 : kernels.gemm_f64;
  return () => gemm(c, a, b, s.m, s.n, s.k, s.transA, 0);
}

const builds: ('plain' | 'relaxed')[] = relaxedSimdSupported() ? ['plain', 'relaxed'] : ['plain'];
const instances = builds.map((b) => ({ build: b, kernels: instantiate(b) }));
for (const shape of SHAPES) {
  const tasks = instances.map(({ build, kernels }) => ({ build, run: gemmTask(kernels, shape), times: [] as number[] }));
  for (const t of tasks) t.run(); // warm-up (compilation tiers)
  for (let r = 0; r < rounds; r++) {
    for (const t of tasks) {
      const t0 = now();
      t.run();
      t.times.push(now() - t0);
    }
  }
  for (const t of tasks) console.log(JSON.stringify({ runtime, clock, work: shape.work, build: t.build, ms: stats(t.times) }));
}

// one thread: scikit-learn runs on one, the cpu clock sums every thread, and the threaded build is plain SIMD only
await init(undefined, { simd, threads: 1 });
const L = DenseMatrix.from(lowRankPlusNoise(20000, 256, 16), 20000, 256, 'f64');
const svd = () => scope(() => { randomizedSvd(L, 16, { oversamples: 10, powerIters: 2, seed: 0 }); });
svd(); svd();
const times: number[] = [];
for (let r = 0; r < rounds; r++) {
  const t0 = now();
  svd();
  times.push(now() - t0);
}
console.log(JSON.stringify({ runtime, clock, work: 'randomizedSvd 20000×256 k=16 p=10 q=2', build: kernelBuild(), ms: stats(times) }));
