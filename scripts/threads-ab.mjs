// A/B of two builds of narrowgt on the thread pool, one process per run (alternate them on the command line):
//   node scripts/threads-ab.mjs DIR train      one 2-epoch training run (width 64 × 4 layers, Tolokers, f32) on 1, then
//                                               2 threads, after a warm-up: wall, CPU over all threads, busiest thread
//   node scripts/threads-ab.mjs DIR attention  one attention layer (Tolokers + self loops, D = 64, f32), 1 thread:
//                                               CPU median and min of 25 calls
//   node scripts/threads-ab.mjs DIR jobs       the pool's cost: 10 jobs whose worker part is long (the main thread's
//                                               CPU while it waits), then 10,000 tiny jobs (CPU per job and thread)
// DIR is a built checkout (npm run build); CPU per thread from /proc/self/task/*/schedstat (Linux). Set
// NARROWGT_TOLOKERS when DIR has no data/tolokers.npz.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dirArg, mode = 'train'] = process.argv.slice(2);
if (!dirArg) throw new Error('usage: node scripts/threads-ab.mjs DIR train|attention|jobs');
const dir = pathToFileURL(resolve(dirArg)).href;
const { DenseMatrix, init, rng, sparseAttention, useThreads } = await import(`${dir}/dist/src/index.js`);
await init(undefined, { threads: 2 });
const tids = () => readdirSync('/proc/self/task');
const ns = (ids) => ids.map((t) => Number(readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').split(' ')[0]) / 1e6);
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

if (mode === 'jobs') {
  const { loadedKernels } = await import(`${dir}/dist/src/runtime/init.js`);
  const { activePool } = await import(`${dir}/dist/src/runtime/threads/state.js`);
  const k = loadedKernels(), pool = activePool(), ids = tids(), N = 1 << 24, x = k.alloc(4 * N);
  let a = ns(ids), s = performance.now();
  for (let i = 0; i < 10; i++) pool.run(k, 'relu_f32', [{ args: [x, 4], scratch: 0 }, { args: [x, N], scratch: 0 }]);
  let b = ns(ids);
  console.log(JSON.stringify({ mode, longJobs: 10, wallMs: +(performance.now() - s).toFixed(1), cpuMsPerThread: b.map((v, i) => +(v - a[i]).toFixed(1)).filter((v) => v > 0.5), load: load() }));
  a = ns(ids); s = performance.now();
  for (let i = 0; i < 10000; i++) pool.run(k, 'relu_f32', [{ args: [x, 4096], scratch: 0 }, { args: [x + 16384, 4096], scratch: 0 }]);
  b = ns(ids);
  console.log(JSON.stringify({ mode, tinyJobs: 10000, wallMs: +(performance.now() - s).toFixed(1), cpuMsPerThread: b.map((v, i) => +(v - a[i]).toFixed(1)).filter((v) => v > 0.5), load: load() }));
  process.exit(0);
}

const { tolokers } = await import(`${dir}/dist/bench/graphs.js`);
const g = tolokers(), n = g.pattern.numRows, r = rng(1);
if (mode === 'attention') {
  useThreads(1);
  const mat = (s) => DenseMatrix.from(r.fillNormal(new Float32Array(n * 64), s), n, 64, 'f32');
  const q = mat(0.125), kk = mat(0.125), v = mat(1), out = DenseMatrix.zeros(n, 64, 'f32');
  const xs = [];
  for (let i = 0; i < 25; i++) { const c = process.cpuUsage(); sparseAttention(q, kk, v, g.pattern, { out, scale: 0.125 }); const u = process.cpuUsage(c); xs.push((u.user + u.system) / 1000); }
  xs.sort((p, q2) => p - q2);
  console.log(JSON.stringify({ mode, dir: dirArg, cpuMsMedian: +xs[12].toFixed(1), cpuMsMin: +xs[0].toFixed(1), load: load() }));
} else {
  const { trainNodeClassifier } = await import(`${dir}/dist/src/train/train.js`);
  const x = DenseMatrix.from(g.features.data, g.features.rows, g.features.cols, 'f32');
  const labels = new Int32Array(n), train = new Uint8Array(n), val = new Uint8Array(n), test = new Uint8Array(n);
  for (let i = 0; i < n; i++) { labels[i] = r.int(2); (i % 4 === 0 ? val : i % 4 === 1 ? test : train)[i] = 1; }
  const data = { features: x, labels, masks: { train, val, test }, graph: g.pattern, metric: 'roc_auc', numClasses: 2 };
  const run = () => trainNodeClassifier(data, { width: 64, layers: 4, lr: 0.01, epochs: 2, seed: 1 });
  run();
  const ids = tids(), res = { mode, dir: dirArg };
  for (const t of [1, 2]) {
    useThreads(t);
    const a = ns(ids), s = performance.now(); run(); const w = performance.now() - s, b = ns(ids);
    const per = b.map((v, i) => v - a[i]).filter((v) => v > 5);
    res[`threads${t}`] = { wallMs: Math.round(w), cpuMs: Math.round(per.reduce((p, q2) => p + q2, 0)), busiestMs: Math.round(Math.max(...per)) };
  }
  console.log(JSON.stringify({ ...res, load: load() }));
}
