// 2 threads against 1 in one process (useThreads switches between them, alternating, so both see the same load):
// one attention layer on Tolokers + self loops at D = 64 (f32), GEMM 512³ (f32), the 4-layer D = 64 forward on
// Tolokers (bench/model-setup.ts), and a 2-epoch training run (width 64, 4 layers) on Tolokers with random labels.
// Median wall time of `reps` alternating runs, and the process's CPU time (all threads); prints JSON with the load
// average beside it.
// Run: npm run build && node dist/bench/threads/run.js [reps]
import { readFileSync } from 'node:fs';
import { DenseMatrix, forward, init, matmul, rng, sparseAttention, threadInfo, useThreads } from '../../src/index.js';
import { trainNodeClassifier } from '../../src/train/train.js';
import { tolokers } from '../graphs.js';
import { benchModel } from '../model-setup.js';
import { addSpent, threadTicks } from '../thread-ticks.js';

const reps = Number(process.argv[2] ?? 7);
await init(undefined, { threads: 2 });
if (threadInfo().threads !== 2) throw new Error(`bench/threads: 2 threads did not start (${threadInfo().reason})`);
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

function compare(name: string, fn: () => void, n = reps): void {
  fn(); // warm up (and size the buffers)
  const times: Record<number, number[]> = { 1: [], 2: [] }, cpu: Record<number, number[]> = { 1: [], 2: [] };
  const perThread: Record<number, Map<string, number>> = { 1: new Map(), 2: new Map() };
  const before = load();
  for (let r = 0; r < n; r++) {
    for (const t of r % 2 ? [2, 1] : [1, 2]) {
      useThreads(t);
      const c = process.cpuUsage(), s = performance.now(), ticks = threadTicks();
      fn();
      addSpent(perThread[t], ticks, threadTicks());
      times[t].push(performance.now() - s);
      const d = process.cpuUsage(c);
      cpu[t].push((d.user + d.system) / 1000);
    }
  }
  const one = median(times[1]), two = median(times[2]);
  // summed per thread over all runs of a count (a sum of counter differences: no rounding bias from the 10 ms ticks)
  const busiest = { 1: Math.max(0, ...perThread[1].values()), 2: Math.max(0, ...perThread[2].values()) };
  const total = { 1: [...perThread[1].values()].reduce((x, y) => x + y, 0), 2: [...perThread[2].values()].reduce((x, y) => x + y, 0) };
  // cpu: the process's CPU time (all threads) per run: about equal on 1 and 2 threads when splitting adds no work
  console.log(JSON.stringify({ name, ms1: +one.toFixed(2), ms2: +two.toFixed(2), ratio: +(one / two).toFixed(2),
    cpuMs1: +median(cpu[1]).toFixed(1), cpuMs2: +median(cpu[2]).toFixed(1),
    // the busiest thread's CPU over all runs (ticks of 10 ms): on free cores the wall time follows it, so
    // busiest1 / busiest2 estimates the speed-up an idle machine would show
    busiestTicks1: busiest[1], busiestTicks2: busiest[2], totalTicks1: total[1], totalTicks2: total[2],
    idleEstimate: +(busiest[1] / Math.max(1, busiest[2])).toFixed(2), reps: n, loadBefore: before, loadAfter: load() }));
}

const g = tolokers();
const n = g.pattern.numRows, d = 64, r = rng(1);
const mat = (rows: number, cols: number, s = 1): DenseMatrix<'f32'> => DenseMatrix.from(r.fillNormal(new Float32Array(rows * cols), s), rows, cols, 'f32');
const q = mat(n, d, 1 / Math.sqrt(d)), k = mat(n, d, 1 / Math.sqrt(d)), v = mat(n, d), out = DenseMatrix.zeros(n, d, 'f32');
compare(`attention Tolokers D=${d} f32`, () => { sparseAttention(q, k, v, g.pattern, { out }); });
const a = mat(512, 512), b = mat(512, 512), c = DenseMatrix.zeros(512, 512, 'f32');
compare('gemm 512³ f32', () => { matmul(a, b, { out: c }); }, reps * 8); // 10 ms a run: more runs for the 10 ms ticks
const model = benchModel(g.features.cols);
const x = DenseMatrix.from(g.features.data, g.features.rows, g.features.cols, 'f32');
compare('forward 4 layers D=64 Tolokers f32', () => { forward(model, x, g.pattern, { dtype: 'f32' }).output.free(); });
const labels = new Int32Array(n), train = new Uint8Array(n), val = new Uint8Array(n), test = new Uint8Array(n);
for (let i = 0; i < n; i++) { labels[i] = r.int(2); (i % 4 === 0 ? val : i % 4 === 1 ? test : train)[i] = 1; }
const data = { features: x, labels, masks: { train, val, test }, graph: g.pattern, metric: 'roc_auc' as const, numClasses: 2 };
compare('training 2 epochs width 64 × 4 layers Tolokers f32', () => {
  trainNodeClassifier(data, { width: 64, layers: 4, lr: 0.01, epochs: 2, seed: 1 });
}, Math.max(3, reps >> 1));
