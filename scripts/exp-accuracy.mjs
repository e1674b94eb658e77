// Measures the accuracy of the attention kernel's exp_f32x4 (assembly/exp_f32x4.ts) on every f32 in
// [−87.3365, 0] against f64 Math.exp, and of AssemblyScript's Mathf.exp for comparison.
//   node scripts/exp-accuracy.mjs [--stride N]     (N > 1 samples every N-th float: a quick look)
// With --exp2 [--range R]: the bounded-shift pass's exp2_f32x4 (2^y, m = 0) on every f32 y in [−R, R]
// (default R = 29, the pass's |y| ≤ 28.9) against f64 exp(y·ln2).
// Compiles scripts/exp-accuracy/probe.ts with the project's asc into a temporary folder. Not a test:
// the numbers it prints are the ones docs/performance.md and the kernel header quote.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const strideArg = process.argv.indexOf('--stride');
const stride = strideArg > 0 ? Number(process.argv[strideArg + 1]) : 1;
const dir = mkdtempSync(join(tmpdir(), 'narrowgt-exp-'));
try { main: {
  const out = join(dir, 'probe.wasm');
  execFileSync(process.execPath, [join(root, 'node_modules/assemblyscript/bin/asc.js'), join(root, 'scripts/exp-accuracy/probe.ts'),
    '-O3', '--enable', 'simd', '--runtime', 'stub', '--noAssert', '-o', out], { stdio: 'inherit', cwd: root });
  const { exports: k } = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(out)), { env: { abort() { throw new Error('abort'); } } });
  const stats = 32768; // well above the probe's static data (which starts at 1024)
  new Float64Array(k.memory.buffer, stats, 8).fill(0);
  const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
  if (process.argv.includes('--exp2')) {
    const rangeArg = process.argv.indexOf('--range');
    f32[0] = rangeArg > 0 ? Number(process.argv[rangeArg + 1]) : 29; const top2 = u32[0] + 1;
    const t0 = Date.now();
    for (const sign of [1, -1]) {
      for (let b = 0; b < top2; b += stride === 1 ? 1 << 24 : stride * 4) {
        k.sweep2(stats, b, Math.min(top2, b + (stride === 1 ? 1 << 24 : 4)), sign);
        if (stride === 1) process.stderr.write(`\r${sign > 0 ? '+' : '−'} ${(100 * Math.min(top2, b + (1 << 24)) / top2).toFixed(0)} %`);
      }
    }
    process.stderr.write('\n');
    const s = new Float64Array(k.memory.buffer, stats, 8);
    console.log(`exp2_f32x4 over ${s[3].toLocaleString('en')} floats in [−${f32[0]}, ${f32[0]}]${stride > 1 ? ` (every ${stride}th)` : ''}, ${((Date.now() - t0) / 1000).toFixed(0)} s:`);
    console.log(`  max relative error ${s[0].toExponential(3)} (at y = ${s[4]}), max ${s[1].toFixed(3)} ULP, mean ${(s[2] / s[3]).toFixed(3)} ULP`);
    break main;
  }
  f32[0] = 87.33654; const top = u32[0];
  const chunk = 1 << 24;
  const t0 = Date.now();
  if (stride === 1) {
    for (let b = 0; b < top; b += chunk) {
      k.sweep(stats, b, Math.min(top, b + chunk));
      process.stderr.write(`\r${(100 * Math.min(top, b + chunk) / top).toFixed(0)} %`);
    }
  } else {
    for (let b = 0; b < top; b += stride * 4) k.sweep(stats, b, b + 4);
  }
  process.stderr.write('\n');
  const s = new Float64Array(k.memory.buffer, stats, 8);
  const probe = new Float32Array(k.memory.buffer, 40960, 4);
  k.exp4(40960, 0, -Infinity, -87.34, -88);
  console.log(`exp_f32x4 over ${s[3].toLocaleString('en')} floats in [−87.3365, 0]${stride > 1 ? ` (every ${stride}th)` : ''}, ${((Date.now() - t0) / 1000).toFixed(0)} s:`);
  console.log(`  max relative error ${s[0].toExponential(3)} (at x = ${s[4]}), max ${s[1].toFixed(3)} ULP, mean ${(s[2] / s[3]).toFixed(3)} ULP`);
  console.log(`Mathf.exp (AssemblyScript, scalar) on the same floats: max relative error ${s[5].toExponential(3)}, max ${s[6].toFixed(3)} ULP, mean ${(s[7] / s[3]).toFixed(3)} ULP`);
  console.log(`edges: exp(0) = ${probe[0]}, exp(−∞) = ${probe[1]}, exp(−87.34) = ${probe[2]}, exp(−88) = ${probe[3]}`);
} } finally {
  rmSync(dir, { recursive: true, force: true });
}
