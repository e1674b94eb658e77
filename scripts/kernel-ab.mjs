// Before/after for the attention and GEMM kernels: builds assembly/ as it was at a git revision
// (default 66ec2f9^, the commit before the kernels were made fast) into a temporary folder and times
// it against the current dist/kernels.wasm, alternating calls in one process on the same data.
//   npm run build && node scripts/kernel-ab.mjs [REV] [--reps N]
// CPU time per call (process.cpuUsage), minimum and median of N alternating calls (default 15), so a
// busy shared machine disturbs both builds alike. Outputs are compared too (worst relative difference).
// Reads the working tree's git history read-only (git archive); never touches the checkout.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const repsAt = args.indexOf('--reps');
const reps = repsAt >= 0 ? Number(args[repsAt + 1]) : 15;
const rev = args.find((a, i) => !a.startsWith('--') && (repsAt < 0 || i !== repsAt + 1)) ?? '66ec2f9^';

const { loadGraphFile } = await import(join(root, 'dist/src/node/index.js'));
const { init, rng } = await import(join(root, 'dist/src/index.js'));
await init(undefined, { forceJs: true }); // the graph in JS memory; the two kernel builds get copies

const dir = mkdtempSync(join(tmpdir(), 'narrowgt-ab-'));
let before;
try {
  execFileSync('sh', ['-c', `git -C "${root}" archive --format=tar "${rev}" assembly | tar -x -C "${dir}"`], { stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'node_modules/assemblyscript/bin/asc.js'), join(dir, 'assembly/index.ts'),
    '-O3', '--enable', 'simd', '--runtime', 'minimal', '--noAssert', '--initialMemory', '16', '-o', join(dir, 'before.wasm')], { stdio: 'inherit' });
  before = readFileSync(join(dir, 'before.wasm'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const after = readFileSync(join(root, 'dist/kernels.wasm'));
const imports = { env: { abort() { throw new Error('kernel abort'); } } };
const builds = [before, after].map((b) => new WebAssembly.Instance(new WebAssembly.Module(b), imports).exports);

function race(label, setups) {
  for (const s of setups) s.run();
  const ts = setups.map(() => []);
  for (let r = 0; r < reps; r++) setups.forEach((s, i) => { const c0 = process.cpuUsage(); s.run(); const c = process.cpuUsage(c0); ts[i].push((c.user + c.system) / 1000); });
  const a = setups[0].out(), b = setups[1].out();
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1e-6 + Math.abs(a[i])));
  const [x, y] = ts.map((t) => t.sort((p, q) => p - q));
  const mid = reps >> 1;
  console.log(`${label.padEnd(44)} before ${x[0].toFixed(2).padStart(7)} ms  after ${y[0].toFixed(2).padStart(7)} ms  gain ${(x[0] / y[0]).toFixed(2)}× (medians ${(x[mid] / y[mid]).toFixed(2)}×)  max rel diff ${worst.toExponential(1)}`);
}

const g = loadGraphFile(join(process.env.NARROWGT_SHARED ?? new URL('../../shared', import.meta.url).pathname, 'data/tolokers.npz'));
const n = g.graph.numRows, m = g.graph.numEdges, rp = g.graph.rowPtr.array, ci = g.graph.colIdx.array;
console.log(`kernels at ${rev} vs dist/kernels.wasm · Tolokers + self loops (${n} nodes, ${m} entries) · CPU time, min of ${reps}`);
for (const [d, bytes] of [[64, 4], [16, 4], [4, 4], [64, 8]]) {
  const T = bytes === 4 ? Float32Array : Float64Array, r = rng(d);
  const q = r.fillNormal(new T(n * d), 1 / Math.sqrt(d)), k = r.fillNormal(new T(n * d), 1 / Math.sqrt(d)), v = r.fillNormal(new T(n * d));
  race(`attention f${bytes * 8}, D = ${d}`, builds.map((K) => {
    const al = (len, b) => K.alloc(Math.max(len * b, 16));
    const pq = al(n * d, bytes), pk = al(n * d, bytes), pv = al(n * d, bytes), po = al(n * d, bytes), prp = al(n + 1, 4), pci = al(m, 4), ps = al(m, bytes);
    new T(K.memory.buffer, pq, n * d).set(q); new T(K.memory.buffer, pk, n * d).set(k); new T(K.memory.buffer, pv, n * d).set(v);
    new Int32Array(K.memory.buffer, prp, n + 1).set(rp); new Int32Array(K.memory.buffer, pci, m).set(ci);
    const f = bytes === 4 ? K.attention_csr_f32 : K.attention_csr_f64;
    return { run: () => f(po, pq, pk, pv, prp, pci, n, d, d, 1, ps, 0, n), out: () => new T(K.memory.buffer, po, n * d) };
  }));
}
for (const [mm, nn, kk, ta, bytes] of [[512, 512, 512, 0, 4], [11758, 64, 64, 0, 4], [64, 64, 11758, 1, 4], [512, 512, 512, 0, 8]]) {
  const T = bytes === 4 ? Float32Array : Float64Array, r = rng(mm + nn + kk);
  const a = r.fillNormal(new T(mm * kk)), b = r.fillNormal(new T(kk * nn));
  race(`GEMM f${bytes * 8} ${ta ? `${kk}×${mm}ᵀ` : `${mm}×${kk}`}·${kk}×${nn}`, builds.map((K) => {
    const pa = K.alloc(mm * kk * bytes), pb = K.alloc(kk * nn * bytes), pc = K.alloc(mm * nn * bytes);
    new T(K.memory.buffer, pa, mm * kk).set(a); new T(K.memory.buffer, pb, kk * nn).set(b);
    const f = bytes === 4 ? K.gemm_f32 : K.gemm_f64;
    return { run: () => f(pc, pa, pb, mm, nn, kk, ta, 0), out: () => new T(K.memory.buffer, pc, mm * nn) };
  }));
}
