// One case of the scale benchmark, in its own process (so WASM memory starts empty and each case's peak is
// its own): generate a graph, optionally reorder it, then time one f32 attention layer at each width, and
// optionally the 4-layer forward and a training epoch, all through the public API. One JSON line on stdout.
//   node dist/bench/scale/case.js --kind sbm --n 100000 --order community [--widths 64,16,4] [--forward] [--epoch]
// Times are CPU time of this process (user + system, like `npm run bench -- --clock cpu`): the machine is
// shared, and time spent waiting for a core does not count. Each timed call: median of ≥ 5 runs and ≥ 1 s,
// after one warm-up run; when one run takes more than 4 s, the lesser of 2 runs (no warm-up), and past 20 s
// that one run.
import {
  init, backend, DenseMatrix, forward, graphBandwidth, permuteGraph, reorderNodes, rng, scope, sparseAttention,
  trainNodeClassifier, type CsrGraph, type NodeOrdering, type ReorderMethod,
} from '../../src/index.js';
import { wasmHeapBytes, resetWasmPeak } from '../../src/runtime/storage.js';
import { benchModel, LAYERS, WIDTH } from '../model-setup.js';
import { sbmGraph, uniformGraph } from './generators.js';

export type Order = 'none' | ReorderMethod;
export const FEATURES = 16;

export interface Timing { medianMs: number; runs: number; nsPerEntry: number; peakLiveBytes: number }
export interface CaseResult {
  kind: 'uniform' | 'sbm'; n: number; m: number; order: Order;
  generateSeconds: number; reorderSeconds: number; permuteSeconds: number;
  bandwidth: number; meanDistance: number;
  attention: ({ d: number } & (Timing | { error: string }))[];
  forward?: (Timing & { ratioToFloor: number; floorBytes: number }) | { error: string };
  epoch?: Timing | { error: string };
  load: number[];
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** CPU-time median of fn (see the file comment for how many runs). */
function time(fn: () => void): { medianMs: number; runs: number } {
  let t = cpuMs(); fn(); const first = cpuMs() - t;
  if (first > 20000) return { medianMs: first, runs: 1 };
  if (first > 4000) {
    t = cpuMs(); fn();
    return { medianMs: Math.min(first, cpuMs() - t), runs: 2 };
  }
  const runs: number[] = [];
  let total = 0;
  while (runs.length < 5 || (total < 1000 && runs.length < 50)) {
    t = cpuMs(); fn(); const dt = cpuMs() - t;
    runs.push(dt); total += dt;
  }
  runs.sort((a, b) => a - b);
  return { medianMs: runs[Math.floor(runs.length / 2)], runs: runs.length };
}

function message(e: unknown): string {
  return (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split('\n')[0];
}

function attention(graph: CsrGraph, d: number): Timing {
  const n = graph.numRows, r = rng(d);
  resetWasmPeak();
  return scope(() => {
    // as bench/attention.ts: q, k ~ N(0, 1)/√D, v ~ N(0, 1), scale 1
    // filled in place in WASM memory: no n×D copy in the JS heap (at 10⁷ nodes, D = 64, one is 2.5 GiB)
    const mk = (s: number): DenseMatrix<'f32'> => { const m = DenseMatrix.zeros(n, d, 'f32'); r.fillNormal(m.data, s); return m; };
    const q = mk(1 / Math.sqrt(d)), k = mk(1 / Math.sqrt(d)), v = mk(1), out = DenseMatrix.zeros(n, d, 'f32');
    const t = time(() => { sparseAttention(q, k, v, graph, { out }); });
    return { ...t, nsPerEntry: (t.medianMs * 1e6) / graph.numEdges, peakLiveBytes: wasmHeapBytes().peak };
  });
}

function features(n: number): DenseMatrix<'f32'> {
  const x = DenseMatrix.zeros(n, FEATURES, 'f32');
  rng(7).fillNormal(x.data);
  return x;
}

function forwardCase(graph: CsrGraph): NonNullable<CaseResult['forward']> {
  const n = graph.numRows;
  return scope(() => {
    const x = features(n), model = benchModel(FEATURES);
    const liveBefore = wasmHeapBytes().live;
    resetWasmPeak();
    const t = time(() => scope(() => { forward(model, x, graph, { dtype: 'f32' }); }));
    const graphBytes = (n + 1 + graph.numEdges) * 4, featureBytes = n * FEATURES * 4;
    // as bench/forward-memory.ts: the forward's peak live blocks on top of what was live before it
    const peak = graphBytes + featureBytes + (wasmHeapBytes().peak - liveBefore);
    const floorBytes = graphBytes + featureBytes + 3 * n * WIDTH * 4;
    model.free();
    return { ...t, nsPerEntry: (t.medianMs * 1e6) / (graph.numEdges * LAYERS), peakLiveBytes: peak, floorBytes, ratioToFloor: peak / floorBytes };
  });
}

function epochCase(graph: CsrGraph): Timing {
  const n = graph.numRows, r = rng(9);
  return scope(() => {
    const labels = new Int32Array(n), train = new Uint8Array(n), val = new Uint8Array(n), test = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = r.int(2);
      const s = r.float();
      if (s < 0.5) train[i] = 1; else if (s < 0.75) val[i] = 1; else test[i] = 1;
    }
    const data = { features: features(n), labels, masks: { train, val, test }, graph, metric: 'accuracy' as const, numClasses: 2 };
    // per-epoch CPU time from onEpoch's timestamps: epochs 2..4 (the first also holds the parameter setup)
    const stamps: number[] = [];
    resetWasmPeak();
    trainNodeClassifier(data, { epochs: 4, width: WIDTH, layers: LAYERS, dropout: 0, patience: null, onEpoch: () => { stamps.push(cpuMs()); } });
    const deltas = stamps.slice(1).map((s, i) => s - stamps[i]).sort((a, b) => a - b);
    const medianMs = deltas[Math.floor(deltas.length / 2)];
    return { medianMs, runs: deltas.length, nsPerEntry: (medianMs * 1e6) / (graph.numEdges * LAYERS), peakLiveBytes: wasmHeapBytes().peak };
  });
}

function parse(argv: string[]): { kind: 'uniform' | 'sbm'; n: number; order: Order; widths: number[]; forward: boolean; epoch: boolean } {
  const get = (name: string): string | undefined => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
  const kind = get('kind') ?? 'uniform', order = (get('order') ?? 'none') as Order, n = Number(get('n') ?? 1e4);
  if (kind !== 'uniform' && kind !== 'sbm') throw new Error(`scale case: --kind must be uniform or sbm, got ${kind}`);
  if (!['none', 'rcm', 'bfs', 'community'].includes(order)) throw new Error(`scale case: --order must be none, rcm, bfs or community, got ${order}`);
  if (!Number.isInteger(n) || n < 2) throw new Error(`scale case: --n must be an integer ≥ 2, got ${get('n')}`);
  const widths = (get('widths') ?? '64,16,4').split(',').filter(Boolean).map(Number);
  return { kind, n, order, widths, forward: argv.includes('--forward'), epoch: argv.includes('--epoch') };
}

const args = parse(process.argv.slice(2));
if ((await init()) !== 'wasm-simd') throw new Error(`scale case: the WASM SIMD kernels did not load (backend ${backend()})`);
const generated = args.kind === 'uniform' ? uniformGraph(args.n) : sbmGraph(args.n);
let graph = generated.pattern;
let reorderSeconds = 0, permuteSeconds = 0;
if (args.order !== 'none') {
  let t = performance.now();
  const ordering: NodeOrdering = reorderNodes(graph, { method: args.order, symmetric: true });
  reorderSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const permuted = permuteGraph(graph, ordering);
  permuteSeconds = (performance.now() - t) / 1000;
  graph.free();
  graph = permuted;
}
const { bandwidth, meanDistance } = graphBandwidth(graph);
const result: CaseResult = {
  kind: args.kind, n: args.n, m: graph.numEdges, order: args.order,
  generateSeconds: generated.seconds, reorderSeconds, permuteSeconds, bandwidth, meanDistance, attention: [], load: [],
};
// narrowest first: a width that does not fit in WASM memory then fails last
for (const d of [...args.widths].sort((a, b) => a - b)) {
  try { result.attention.push({ d, ...attention(graph, d) }); } catch (e) { result.attention.push({ d, error: message(e) }); }
}
if (args.forward) { try { result.forward = forwardCase(graph); } catch (e) { result.forward = { error: message(e) }; } }
if (args.epoch) { try { result.epoch = epochCase(graph); } catch (e) { result.epoch = { error: message(e) }; } }
const os = await import('node:os');
result.load = os.loadavg().map((x) => Math.round(x * 100) / 100);
process.stdout.write(`${JSON.stringify(result)}\n`);
