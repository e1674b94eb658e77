// The scale benchmark's plan (docs/performance.md "Scale"): which cases run.ts runs, in which order, and how
// long they should take on an idle machine (`--dry-run` prints both). The estimate is a cost model, not a
// measurement: per-entry times of the last full run (bench/results/scale-full.json, one thread, under load) and
// of the 10⁴ and 10⁵ smoke runs (bench/results/scale-smoke-*.json) and of one 10⁶ case with the forward and one
// 10⁷ case at D = 4 (bench/results/scale-check-1e6-1e7.jsonl: `node dist/bench/scale/case.js --kind uniform --n 1000000
// --widths 4 --forward`, then `--n 10000000 --widths 4`, nice -n 10, load 2.7–4.8), a speed-up assumed for t > 1 threads, and the
// run counts of case.ts's timing rule. Compare it with the `caseSeconds` the run records.
import type { ReorderMethod } from '../../src/index.js';

/** A case's node order: as generated, or a reorderNodes method. */
export type Order = 'none' | ReorderMethod;

export type Kind = 'uniform' | 'sbm';
export const ORDERS: Record<Kind, Order[]> = { uniform: ['none', 'rcm'], sbm: ['none', 'rcm', 'community'] };

export interface PlannedCase { kind: Kind; n: number; order: Order; widths: number[]; forward: boolean; epoch: boolean }
/** One PyTorch process: one graph (kind, n, order) at every width and thread count. */
export interface PlannedTorch { kind: Kind; n: number; order: 'none' | 'shuffled' | 'blocks'; widths: number[] }
export interface Plan { threads: number[]; cases: PlannedCase[]; torch: PlannedTorch[] }

export interface PlanOptions {
  sizes: number[]; kinds: Kind[]; widths: number[]; orders?: Order[]; threads: number[];
  forwardMax: number; epochMax: number; torch: boolean; torchMax: number;
  /** Sizes run only at bigWidths, only for the (kind, order) pairs of bigCases. */
  bigSizes: number[]; bigWidths: number[]; bigCases: { kind: Kind; order: Order }[];
}

/** "1,2", "all" (the machine's cores) or a mix ("1,all"): sorted, repeats dropped. */
export function parseThreads(spec: string, cores: number): number[] {
  const counts = spec.split(',').filter(Boolean).map((x) => (x === 'all' ? cores : Number(x)));
  if (!counts.length || counts.some((t) => !Number.isInteger(t) || t < 1 || t > 64)) throw new Error(`scale: --threads must be integers from 1 to 64 or "all", got ${spec}`);
  return [...new Set(counts)].sort((a, b) => a - b);
}

/** The cases in run order: by size, then kind (its narrowgt cases, then its PyTorch process). */
export function makePlan(o: PlanOptions): Plan {
  const cases: PlannedCase[] = [], torch: PlannedTorch[] = [];
  const sizes = [...new Set([...o.sizes, ...o.bigSizes])].sort((a, b) => a - b);
  for (const n of sizes) {
    const big = o.bigSizes.includes(n) && !o.sizes.includes(n);
    for (const kind of o.kinds) {
      const orders = big ? o.bigCases.filter((c) => c.kind === kind).map((c) => c.order) : o.orders ?? ORDERS[kind];
      for (const order of orders) {
        cases.push({ kind, n, order, widths: big ? o.bigWidths : o.widths, forward: !big && n <= o.forwardMax, epoch: !big && n <= o.epochMax });
      }
      // PyTorch beside the graph as generated and beside the community order (the SBM in its blocks' order);
      // past 10⁵ nodes the SBM runs in block order only (a shuffled SBM gathers like the uniform graph)
      if (o.torch && !big && n <= o.torchMax && orders.length) {
        for (const order of kind === 'sbm' ? (n <= 1e5 ? ['shuffled', 'blocks'] as const : ['blocks'] as const) : ['none'] as const) {
          torch.push({ kind, n, order, widths: o.widths });
        }
      }
    }
  }
  return { threads: o.threads, cases, torch };
}

// ---- the cost model (seconds on an idle machine; see the file comment) ----

/** Pattern entries of a generated graph: 25 pairs a node both ways plus the loop, a few repeats dropped. */
export const entries = (n: number): number => 26 * n;

/** Interpolates y over log10 n between anchors at 10⁴ … 10⁷ (clamped at the ends). */
function logInterp(anchors: number[], n: number): number {
  const x = Math.min(Math.max(Math.log10(n) - 4, 0), anchors.length - 1), i = Math.min(Math.floor(x), anchors.length - 2), f = x - i;
  return anchors[i] * (1 - f) + anchors[i + 1] * f;
}

/**
 * One-thread attention ns/entry, graph as generated, at 10⁴, 10⁵, 10⁶, 10⁷ nodes: 10⁴ and 10⁵ from the smoke runs
 * (CPU time, load 4–6), 10⁶ and 10⁷ scale-full.json's × 1.4 (what the smoke runs measured over it at 10⁵).
 */
const ATTENTION_NS: Record<number, number[]> = { 64: [42, 137, 185, 200], 16: [14.6, 45, 60, 70], 4: [7, 8.3, 23, 31] };
/** What an order does to that (scale-full.json at 10⁶: community 0.41–0.57, rcm 0.66–0.83 on the SBM). */
const ORDER_FACTOR: Record<Kind, Record<string, number>> = { uniform: { none: 1, rcm: 0.9, bfs: 0.9, community: 1 }, sbm: { none: 1, rcm: 0.72, bfs: 0.72, community: 0.5 } };
/** Wall speed-up assumed for t > 1 threads (docs/performance.md "Threads", idle: 1.54–1.78× on 2 threads). */
const speedup = (t: number): number => (t <= 1 ? 1 : Math.min(t, 1 + 0.7 * (t - 1)));
/** The 4-layer D = 64 forward, ns per (4 × entries): 0.10 s at 10⁴, 1.96 s at 10⁵, 24.5 s at 10⁶ (smoke runs, CPU, load 4–6). */
const FORWARD_NS = [99, 188, 236, 250];
/** One epoch of today's loop over one forward (forward with dropout + evaluation forward + backward): 5.6 at 10⁵. */
const EPOCH_OVER_FORWARD = 5.6;
/** Seconds a node: generation (pairs + CSR; uniform, sbm: 16 and 27 s at 10⁷ in scale-full.json) and reordering (the same, loaded). */
const GENERATE_S = { uniform: 1.6e-6, sbm: 2.7e-6 };
const REORDER_S: Record<string, number> = { none: 0, rcm: 7e-6, bfs: 7e-6, community: 1.5e-5 };
/** Filling q, k, v in JS (rng.fillNormal), seconds an element. */
const FILL_S = 8e-9;
/** A process's start and init (with its workers). */
const START_S = 0.5;
/**
 * PyTorch, one thread, ns/entry at 10⁴ and 10⁵ (smoke runs, CPU time, load 4–10) and 10⁶ (scale-full.json's × 1.5, what
 * the smoke run measured over it at 10⁵); t > 1 assumed 1.3× faster; NumPy's graph ≈ 150 ns an entry.
 */
const TORCH_NS: Record<number, number[]> = { 64: [955, 980, 1000], 16: [245, 293, 345], 4: [78, 141, 175] };
const TORCH_SPEEDUP = 1.3, TORCH_GRAPH_S = 1.5e-7, TORCH_START_S = 2;

/** Seconds case.ts's rule spends on a call taking s[t] seconds at each count: warm-ups, then the runs. */
function ruleSeconds(perCount: number[], slowLimit = 4, minRuns = 5, minTotal = 1, oneRunLimit = 20): number {
  const round = perCount.reduce((a, b) => a + b, 0), slowest = Math.max(...perCount);
  if (slowest > oneRunLimit) return round;
  if (slowest > slowLimit) return 2 * round;
  const rounds = Math.max(...perCount.map((s) => Math.min(50, Math.max(minRuns, Math.ceil(minTotal / s)))));
  return round * (1 + rounds);
}

export function estimateCase(c: PlannedCase, threads: number[]): { seconds: number; parts: Record<string, number> } {
  const m = entries(c.n), parts: Record<string, number> = {};
  parts.start = START_S + GENERATE_S[c.kind] * c.n + REORDER_S[c.order] * c.n * (c.kind === 'sbm' ? 1.3 : 1) + 4e-9 * m;
  for (const d of c.widths) {
    const ns = logInterp(ATTENTION_NS[d] ?? ATTENTION_NS[64], c.n) * ORDER_FACTOR[c.kind][c.order];
    const one = (ns * m) / 1e9;
    parts[`D=${d}`] = 4 * c.n * d * FILL_S + ruleSeconds(threads.map((t) => one / speedup(t)));
  }
  const fwd = (logInterp(FORWARD_NS, c.n) * 4 * m * (c.order === 'community' ? 0.65 : 1)) / 1e9;
  // a forward near 20 s a run may take either side of the one-run limit: counted as the lesser of 2 up to 30 s
  if (c.forward) parts.forward = ruleSeconds(threads.map((t) => fwd / speedup(t)), 4, 5, 1, 30);
  if (c.epoch) {
    const e = fwd * EPOCH_OVER_FORWARD;
    // the untimed first epoch, 2 per count, the last scoring pass
    parts.epoch = e * 1.2 + 2 * threads.reduce((s, t) => s + e / speedup(t), 0) + fwd;
  }
  return { seconds: Object.values(parts).reduce((a, b) => a + b, 0), parts };
}

export function estimateTorch(p: PlannedTorch, threads: number[]): number {
  const m = entries(p.n);
  let s = TORCH_START_S + TORCH_GRAPH_S * m;
  for (const d of p.widths) {
    const one = (logInterp(TORCH_NS[d] ?? TORCH_NS[64], p.n) * m) / 1e9;
    s += ruleSeconds(threads.map((t) => (t > 1 ? one / TORCH_SPEEDUP : one)), 4, 3, 1, Infinity);
  }
  return s;
}
