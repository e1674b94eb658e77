// What a node order buys on the real graphs (issue 15 item 2; docs/performance.md, "Reordering the real graphs"):
// Tolokers, Minesweeper and Cora as loaded by the library, in their published order, in reverse Cuthill–McKee order
// and in the community order (reorderNodes, then permuteNodeData with the default sortColumns: false, and again with
// sortColumns: true); whether every attention and forward output maps back bit for bit is checked and recorded. Timed, one thread, f32, CPU
// time: one sparseAttention at D = 64, 16, 4 (q, k ~ N(0, 1)/√D, v ~ N(0, 1), scale 1, as bench/attention.ts), the
// 4-layer D = 64 forward of bench/model-setup.ts on the graph's own features, and a training epoch
// (trainNodeClassifier, width 64 × 4 layers, dropout 0, the graph's split 0; per-epoch CPU time from onEpoch,
// epochs after the first). The orders alternate within each round, so load hits them alike.
//   npm run build && nice -n 10 node dist/bench/reorder-real.js [--rounds 7] [--epochs 4] [--out bench/results/reorder-real.json]
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import {
  init, backend, threadInfo, DenseMatrix, forward, graphBandwidth, permuteNodeData, permuteRows, reorderNodes, rng, scope,
  sparseAttention, trainNodeClassifier, unpermuteRows, type CsrGraph, type NodeOrdering,
} from '../src/index.js';
import { benchModel, LAYERS, WIDTH } from './model-setup.js';
import { dataGraph } from './graphs.js';

// '+sorted': permuteGraph's sortColumns: true (rows sorted again; the sums then run in another order, so the outputs
// agree only to rounding, and a sorted graph may take the column-blocked path of assembly/attention_csr_blocks.ts)
type Order = 'none' | 'rcm' | 'community' | 'rcm+sorted' | 'community+sorted';
const ORDERS: Order[] = ['none', 'rcm', 'community', 'rcm+sorted', 'community+sorted'];
const GRAPHS = ['tolokers', 'minesweeper', 'cora'] as const;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const rounds = Number(arg('rounds', '7')), epochs = Number(arg('epochs', '4'));

function cpuMs(): number { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }
function median(xs: number[]): number { const s = xs.slice().sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }

/** Times `fns` (one per order) in alternating rounds; each sample is a batch of calls of ≥ ~20 ms. Returns CPU ms a call. */
function alternate(fns: (() => void)[]): number[][] {
  for (const f of fns) f();
  const t0 = cpuMs(); fns[0](); const one = Math.max(cpuMs() - t0, 0.01);
  const reps = Math.max(1, Math.ceil(20 / one));
  const out = fns.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    fns.forEach((f, i) => { const t = cpuMs(); for (let k = 0; k < reps; k++) f(); out[i].push((cpuMs() - t) / reps); });
  }
  return out;
}

/** max |a − b| / max |b|. */
function relDiff(a: Float32Array, b: Float32Array): number {
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); m = Math.max(m, Math.abs(b[i])); }
  return m > 0 ? d / m : d;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

if ((await init(undefined, { threads: 1 })) !== 'wasm-simd') throw new Error(`reorder-real: WASM SIMD did not load (${backend()})`);
const load0 = loadavg();
const results: Record<string, unknown>[] = [];
for (const name of GRAPHS) {
  const loaded = dataGraph(name);
  const n = loaded.numNodes;
  const base = { graph: loaded.graph, features: loaded.features, labels: loaded.labels, masks: { ...loaded.masks } as Record<string, Uint8Array> };
  const orderings = new Map<Order, NodeOrdering | null>();
  const data = new Map<Order, typeof base>();
  const info: Record<string, { reorderMs: number; meanDistance: number; bandwidth: number; communities?: number }> = {};
  for (const order of ORDERS) {
    if (order === 'none') { orderings.set(order, null); data.set(order, base); }
    else {
      const t = performance.now();
      const method = order.startsWith('rcm') ? 'rcm' : 'community';
      const o = reorderNodes(loaded.graph, { method, symmetric: true });
      const ms = performance.now() - t;
      orderings.set(order, o); data.set(order, permuteNodeData(base, o, { sortColumns: order.endsWith('+sorted') }) as typeof base);
      info[order] = { reorderMs: ms, ...graphBandwidth((data.get(order) as typeof base).graph),
        ...(o.communities ? { communities: Math.max(...o.communities) + 1 } : {}) };
      continue;
    }
    info[order] = { reorderMs: 0, ...graphBandwidth(loaded.graph) };
  }
  const entries = loaded.graph.numEdges;
  const row: Record<string, unknown> = { graph: name, nodes: n, entries, features: loaded.numFeatures, orders: info };
  // attention at each width: the inputs in the original order, permuted rows for the reordered graphs
  const attention: Record<string, unknown>[] = [];
  for (const d of [64, 16, 4]) {
    scope(() => {
      const r = rng(d);
      const mk = (s: number): DenseMatrix<'f32'> => { const m = DenseMatrix.zeros(n, d, 'f32'); r.fillNormal(m.data, s); return m; };
      const q = mk(1 / Math.sqrt(d)), k = mk(1 / Math.sqrt(d)), v = mk(1);
      const inputs = ORDERS.map((o) => {
        const ord = orderings.get(o);
        const g = (data.get(o) as typeof base).graph;
        return { g, ord, q: ord ? permuteRows(q, ord) : q, k: ord ? permuteRows(k, ord) : k, v: ord ? permuteRows(v, ord) : v, out: DenseMatrix.zeros(n, d, 'f32') };
      });
      const times = alternate(inputs.map((x) => () => { sparseAttention(x.q, x.k, x.v, x.g, { out: x.out }); }));
      // copies in the JS heap: an allocation may grow WASM memory and detach earlier views
      const ref = inputs[0].out.data.slice();
      const back = inputs.map((x) => (x.ord ? unpermuteRows(x.out, x.ord).data.slice() : ref));
      attention.push({ d, ...Object.fromEntries(ORDERS.map((o, i) => [o, { medianMs: median(times[i]), nsPerEntry: (median(times[i]) * 1e6) / entries, runs: times[i],
        bitsMapBack: sameBits(back[i], ref), relDiff: relDiff(back[i], ref) }])) });
    });
  }
  row.attention = attention;
  // the 4-layer D = 64 forward on the graph's own features
  scope(() => {
    const model = benchModel(loaded.numFeatures);
    const outs: DenseMatrix<'f32'>[] = [];
    let outCols = WIDTH;
    const fns = ORDERS.map((o, i) => () => scope(() => {
      const dd = data.get(o) as typeof base;
      const y = forward(model, dd.features, dd.graph, { dtype: 'f32' }).output;
      if (!outs[i]) { outs[i] = y.data.slice() as unknown as DenseMatrix<'f32'>; outCols = y.cols; }
    }));
    const times = alternate(fns);
    const ref = outs[0] as unknown as Float32Array;
    const mapsBack = ORDERS.map((o, i) => {
      const ord = orderings.get(o);
      if (!ord) return true;
      const y = DenseMatrix.from(outs[i] as unknown as Float32Array, n, outCols, 'f32');
      const b = unpermuteRows(y, ord).data.slice();
      return { bits: sameBits(b, ref), rel: relDiff(b, ref) };
    });
    row.forward = Object.fromEntries(ORDERS.map((o, i) => [o, { medianMs: median(times[i]), nsPerEntry: (median(times[i]) * 1e6) / (entries * LAYERS), runs: times[i],
      bitsMapBack: mapsBack[i] === true || (mapsBack[i] as { bits: boolean }).bits, relDiff: mapsBack[i] === true ? 0 : (mapsBack[i] as { rel: number }).rel }]));
    model.free();
  });
  // a training epoch: every order trains once per round (epochs after the first timed)
  const epochTimes = ORDERS.map(() => [] as number[]);
  // round −1 is a warm-up (the first training compiles the training path), not recorded
  for (let r = -1; r < Math.max(1, Math.floor(rounds / 3)); r++) {
    ORDERS.forEach((o, i) => {
      if (r < 0 && i > 0) return;
      const dd = data.get(o) as typeof base;
      const stamps: number[] = [];
      scope(() => {
        trainNodeClassifier({ ...dd, masks: dd.masks as unknown as typeof loaded.masks, metric: loaded.metric, numClasses: loaded.numClasses },
          { epochs, width: WIDTH, layers: LAYERS, dropout: 0, patience: null, onEpoch: () => { stamps.push(cpuMs()); } });
      });
      if (r >= 0) for (let e = 1; e < stamps.length; e++) epochTimes[i].push(stamps[e] - stamps[e - 1]);
    });
  }
  row.epoch = Object.fromEntries(ORDERS.map((o, i) => [o, { medianMs: median(epochTimes[i]), runs: epochTimes[i] }]));
  results.push(row);
  const fmt = (x: number): string => x.toFixed(x < 10 ? 2 : 1);
  for (const o of ORDERS) {
    const a = attention.map((x) => fmt((x[o] as { nsPerEntry: number }).nsPerEntry)).join(' / ');
    const f = (row.forward as Record<string, { medianMs: number }>)[o].medianMs, ep = (row.epoch as Record<string, { medianMs: number }>)[o].medianMs;
    process.stderr.write(`${name} ${o.padEnd(16)} mean|i-j| ${info[o].meanDistance.toFixed(0).padStart(6)}  attention ns/entry D=64/16/4 ${a}  forward ${fmt(f)} ms  epoch ${fmt(ep)} ms\n`);
  }
  for (const o of ORDERS) if (o !== 'none') (data.get(o) as typeof base).graph.free();
  loaded.free();
}
const report = { command: `node ${process.argv.slice(1).join(' ')}`, threads: threadInfo().threads, cpu: cpus()[0]?.model, loadBefore: load0, loadAfter: loadavg(), results };
const outPath = arg('out', '');
if (outPath) writeFileSync(outPath, `${JSON.stringify(report, null, 1)}\n`);
else process.stdout.write(`${JSON.stringify(report)}\n`);
