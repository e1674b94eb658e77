// One case of the scale benchmark, in its own process (so WASM memory starts empty and each case's peak is
// its own): generate a graph, optionally reorder it, then time one f32 attention layer at each width, and
// optionally the 4-layer forward and a training epoch, all through the public API, at each thread count of
// --threads. One JSON line on stdout.
//   node dist/bench/scale/case.js --kind sbm --n 100000 --order community [--widths 64,16,4] [--threads 1,2] [--forward] [--epoch]
// init(undefined, { threads: max }) starts the pool once; useThreads(t) switches between the counts, alternating
// their order from round to round (as bench/threads/run.ts), so every count sees the same load. Every run records
// wall time (performance.now) and this process's CPU time (user + system, summed over all its threads, the
// workers included): on one thread CPU time is the figure that a shared machine inflates least, on t > 1 threads
// only the wall time says how long the call took (docs/performance.md "Scale" says which column is which).
// Each timed call: per thread count one warm-up run, then alternating rounds until every count has ≥ 5 runs
// and ≥ 1 s (median); when a warm-up run takes more than 4 s, the lesser of 2 runs (the warm-up counts), and
// past 20 s that one run. The epoch: one trainNodeClassifier run with the training defaults (dropout 0.5, so
// each epoch is a training forward with dropout, an evaluation forward, the backward and the AdamW step:
// src/train/fit.ts) and patience off; its epochs after the first alternate the thread counts (onEpoch switches
// them), 2 epochs per count, the lesser of the 2 kept.
import {
  init, backend, DenseMatrix, forward, graphBandwidth, permuteGraph, reorderNodes, rng, scope, sparseAttention,
  threadInfo, trainNodeClassifier, useThreads, type CsrGraph, type NodeOrdering, type ReorderMethod,
} from '../../src/index.js';
import { wasmHeapBytes, resetWasmPeak } from '../../src/runtime/storage.js';
import { TRAINING_DEFAULTS } from '../../src/train/fit.js';
import { benchModel, LAYERS, WIDTH } from '../model-setup.js';
import { parseThreads, type Order } from './plan.js';
import { addSpent, threadTicks } from '../thread-ticks.js';
import { sbmGraph, uniformGraph } from './generators.js';

export type { Order } from './plan.js';
export const FEATURES = 16;
/** Epochs timed per thread count (after the untimed first epoch). */
export const EPOCHS_PER_COUNT = 2;

/**
 * One thread count's figure for a timed call: medians (or the lesser of 2) of wall and CPU time, in ms; and over
 * all its timed runs, the CPU ticks (1/100 s) of the busiest thread and of all threads (Linux; absent elsewhere):
 * busiest at 1 thread over busiest at t estimates the speed-up on free cores (as bench/threads/run.ts).
 */
export interface CountTiming { threads: number; wallMs: number; cpuMs: number; runs: number; busiestTicks?: number; totalTicks?: number }
export interface Timing { byThreads: CountTiming[]; peakLiveBytes: number }
export interface ThreadsRecord {
  /** The counts asked for (--threads), those timed, and what threadInfo() said after init. */
  asked: number[]; timed: number[]; started: number; sharedMemory: boolean; reason: string | null;
}
export interface CaseResult {
  kind: 'uniform' | 'sbm'; n: number; m: number; order: Order;
  generateSeconds: number; reorderSeconds: number; permuteSeconds: number;
  bandwidth: number; meanDistance: number;
  threads?: ThreadsRecord;
  attention: ({ d: number } & (Timing | { error: string }))[];
  forward?: (Timing & { ratioToFloor: number; floorBytes: number }) | { error: string };
  epoch?: (Timing & { dropout: number; epochs: number }) | { error: string };
  /** Wall seconds of the whole case process, measured by run.ts. */
  caseSeconds?: number;
  /** CPU seconds of the whole case process (all threads), at its end: with caseSeconds, how loaded the run was. */
  cpuSeconds?: number;
  load: number[];
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** fn timed at each thread count of `counts`, alternating (see the file comment for how many runs). */
export function timeCounts(counts: number[], fn: () => void): CountTiming[] {
  const wall = new Map(counts.map((t) => [t, [] as number[]])), cpu = new Map(counts.map((t) => [t, [] as number[]]));
  const ticks = new Map(counts.map((t) => [t, new Map<string, number>()]));
  const once = (t: number): void => {
    useThreads(t);
    const k = threadTicks(), w = performance.now(), c = cpuMs();
    fn();
    cpu.get(t)!.push(cpuMs() - c); wall.get(t)!.push(performance.now() - w);
    addSpent(ticks.get(t)!, k, threadTicks());
  };
  for (const t of counts) once(t);
  const slowest = Math.max(...counts.map((t) => wall.get(t)![0]));
  let reduce: (xs: number[]) => number = median;
  if (slowest > 20000) reduce = (xs) => xs[0];
  else if (slowest > 4000) { for (const t of [...counts].reverse()) once(t); reduce = (xs) => Math.min(...xs); }
  else {
    for (const t of counts) { wall.get(t)!.length = 0; cpu.get(t)!.length = 0; ticks.get(t)!.clear(); } // the warm-ups
    for (let round = 0; ; round++) {
      const done = counts.every((t) => { const w = wall.get(t)!; return w.length >= 50 || (w.length >= 5 && w.reduce((a, b) => a + b, 0) >= 1000); });
      if (done) break;
      for (const t of round % 2 ? [...counts].reverse() : counts) once(t);
    }
  }
  return counts.map((t) => {
    const per = [...ticks.get(t)!.values()];
    return { threads: t, wallMs: reduce(wall.get(t)!), cpuMs: reduce(cpu.get(t)!), runs: wall.get(t)!.length,
      ...(per.length ? { busiestTicks: Math.max(...per), totalTicks: per.reduce((a, b) => a + b, 0) } : {}) };
  });
}

function message(e: unknown): string {
  return (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).split('\n')[0];
}

function attention(graph: CsrGraph, d: number, counts: number[]): Timing {
  const n = graph.numRows, r = rng(d);
  resetWasmPeak();
  return scope(() => {
    // as bench/attention.ts: q, k ~ N(0, 1)/√D, v ~ N(0, 1), scale 1
    // filled in place in WASM memory: no n×D copy in the JS heap (at 10⁷ nodes, D = 64, one is 2.5 GiB)
    const mk = (s: number): DenseMatrix<'f32'> => { const m = DenseMatrix.zeros(n, d, 'f32'); r.fillNormal(m.data, s); return m; };
    const q = mk(1 / Math.sqrt(d)), k = mk(1 / Math.sqrt(d)), v = mk(1), out = DenseMatrix.zeros(n, d, 'f32');
    const byThreads = timeCounts(counts, () => { sparseAttention(q, k, v, graph, { out }); });
    return { byThreads, peakLiveBytes: wasmHeapBytes().peak };
  });
}

function features(n: number): DenseMatrix<'f32'> {
  const x = DenseMatrix.zeros(n, FEATURES, 'f32');
  rng(7).fillNormal(x.data);
  return x;
}

function forwardCase(graph: CsrGraph, counts: number[]): NonNullable<CaseResult['forward']> {
  const n = graph.numRows;
  return scope(() => {
    const x = features(n), model = benchModel(FEATURES);
    const liveBefore = wasmHeapBytes().live;
    resetWasmPeak();
    const byThreads = timeCounts(counts, () => scope(() => { forward(model, x, graph, { dtype: 'f32' }); }));
    const graphBytes = (n + 1 + graph.numEdges) * 4, featureBytes = n * FEATURES * 4;
    // as bench/forward-memory.ts: the forward's peak live blocks on top of what was live before it (the largest
    // over all thread counts: a worker's allocations come from its arena, in the same memory)
    const peak = graphBytes + featureBytes + (wasmHeapBytes().peak - liveBefore);
    const floorBytes = graphBytes + featureBytes + 3 * n * WIDTH * 4;
    model.free();
    return { byThreads, peakLiveBytes: peak, floorBytes, ratioToFloor: peak / floorBytes };
  });
}

function epochCase(graph: CsrGraph, counts: number[]): NonNullable<CaseResult['epoch']> {
  const n = graph.numRows, r = rng(9);
  return scope(() => {
    const labels = new Int32Array(n), train = new Uint8Array(n), val = new Uint8Array(n), test = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = r.int(2);
      const s = r.float();
      if (s < 0.5) train[i] = 1; else if (s < 0.75) val[i] = 1; else test[i] = 1;
    }
    const data = { features: features(n), labels, masks: { train, val, test }, graph, metric: 'accuracy' as const, numClasses: 2 };
    // the thread count of each timed epoch: rounds of the counts, alternating their order ([1, 2, 2, 1] for 1,2)
    const schedule: number[] = [];
    for (let round = 0; round < EPOCHS_PER_COUNT; round++) schedule.push(...(round % 2 ? [...counts].reverse() : counts));
    // onEpoch runs after each epoch's update; epoch e + 1 runs between stamps e and e + 1, on schedule[e] threads.
    // The first epoch (also the parameter setup) is not timed; the run's last pass (scores only) comes after the
    // last stamp.
    const wallStamps: number[] = [], cpuStamps: number[] = [], tickStamps: Map<string, number>[] = [];
    resetWasmPeak();
    useThreads(counts[0]);
    const result = trainNodeClassifier(data, {
      epochs: schedule.length + 1, width: WIDTH, layers: LAYERS, patience: null,
      onEpoch: () => {
        cpuStamps.push(cpuMs()); wallStamps.push(performance.now()); tickStamps.push(threadTicks());
        const next = schedule[wallStamps.length - 1];
        if (next !== undefined) useThreads(next);
      },
    });
    const byThreads = counts.map((t) => {
      const at = schedule.flatMap((c, e) => (c === t ? [e] : []));
      const spent = new Map<string, number>();
      for (const e of at) addSpent(spent, tickStamps[e], tickStamps[e + 1]);
      const per = [...spent.values()];
      return {
        threads: t, runs: at.length, ...(per.length ? { busiestTicks: Math.max(...per), totalTicks: per.reduce((a, b) => a + b, 0) } : {}),
        wallMs: Math.min(...at.map((e) => wallStamps[e + 1] - wallStamps[e])),
        cpuMs: Math.min(...at.map((e) => cpuStamps[e + 1] - cpuStamps[e])),
      };
    });
    return { byThreads, peakLiveBytes: wasmHeapBytes().peak, dropout: TRAINING_DEFAULTS.dropout, epochs: schedule.length + 1 };
  });
}

function parse(argv: string[]): { kind: 'uniform' | 'sbm'; n: number; order: Order; widths: number[]; threads: string; forward: boolean; epoch: boolean } {
  const get = (name: string): string | undefined => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
  const kind = get('kind') ?? 'uniform', order = (get('order') ?? 'none') as Order, n = Number(get('n') ?? 1e4);
  if (kind !== 'uniform' && kind !== 'sbm') throw new Error(`scale case: --kind must be uniform or sbm, got ${kind}`);
  if (!['none', 'rcm', 'bfs', 'community'].includes(order)) throw new Error(`scale case: --order must be none, rcm, bfs or community, got ${order}`);
  if (!Number.isInteger(n) || n < 2) throw new Error(`scale case: --n must be an integer ≥ 2, got ${get('n')}`);
  const widths = (get('widths') ?? '64,16,4').split(',').filter(Boolean).map(Number);
  return { kind, n, order, widths, threads: get('threads') ?? '1,2', forward: argv.includes('--forward'), epoch: argv.includes('--epoch') };
}

{
  const args = parse(process.argv.slice(2));
  const os = await import('node:os');
  const asked = parseThreads(args.threads, os.availableParallelism());
  const max = asked[asked.length - 1];
  const b = await init(undefined, { threads: max });
  if (b !== 'wasm-simd') throw new Error(`scale case: the WASM SIMD kernels did not load (backend ${backend()})`);
  const info = threadInfo();
  // the counts the pool can run; a count it cannot (threads did not start) is left out, and why is recorded
  const counts = asked.filter((t) => t <= info.threads);
  const threads: ThreadsRecord = { asked, timed: counts, started: info.threads, sharedMemory: info.sharedMemory, reason: info.reason };
  if (counts.length < asked.length) process.stderr.write(`scale case: asked for ${max} threads, ${info.threads} started (${info.reason})\n`);
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
    generateSeconds: generated.seconds, reorderSeconds, permuteSeconds, bandwidth, meanDistance, threads, attention: [], load: [],
  };
  // narrowest first: a width that does not fit in WASM memory then fails last
  for (const d of [...args.widths].sort((a, b) => a - b)) {
    try { result.attention.push({ d, ...attention(graph, d, counts) }); } catch (e) { result.attention.push({ d, error: message(e) }); }
  }
  if (args.forward) { try { result.forward = forwardCase(graph, counts); } catch (e) { result.forward = { error: message(e) }; } }
  if (args.epoch) { try { result.epoch = epochCase(graph, counts); } catch (e) { result.epoch = { error: message(e) }; } }
  result.load = os.loadavg().map((x) => Math.round(x * 100) / 100);
  result.cpuSeconds = cpuMs() / 1000;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
