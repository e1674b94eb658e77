// The scale benchmark's markdown tables (docs/performance.md "Scale"), from the JSON that run.ts writes: run.ts
// prints them at the end of a run, and table.ts prints them from one or more saved files, so the doc's tables are
// regenerated, never typed. Files of the one-thread benchmark (before --threads: `medianMs` per call, CPU time)
// read as 1-thread CPU figures without wall times.
// Which clock each column is: at 1 thread the CPU-time median (wall with { clock: 'wall' }), at t > 1 threads the
// wall-time median (CPU time sums every thread's); every speed-up "t / 1" is wall over wall.
import type { CaseResult, CountTiming, Order } from './case.js';

export interface TorchResult {
  kind: string; n: number; m: number; d: number; order: string; threads?: number;
  wall_ms?: number; cpu_ms?: number; runs: number; error?: string;
  /** The script before it took a list of thread counts: CPU time at 1 thread. */
  median_ms?: number;
}
export interface ScaleFile {
  meta: { narrowgtVersion: string; runtime: string; cpuModel: string; cores: number; uptimeBefore: string; uptimeAfter: string; date?: string; argv?: string[] };
  cases: CaseResult[];
  torch: TorchResult[];
}

type AnyTiming = { byThreads: CountTiming[]; peakLiveBytes: number } | { medianMs: number; runs: number; peakLiveBytes: number };
const isTiming = (t: unknown): t is AnyTiming => typeof t === 'object' && t !== null && ('byThreads' in t || 'medianMs' in t);
/** A call's figures per thread count, old files included. */
function counts(t: unknown): CountTiming[] {
  if (!isTiming(t)) return [];
  return 'byThreads' in t ? t.byThreads : [{ threads: 1, cpuMs: t.medianMs, wallMs: NaN, runs: t.runs }];
}
function torchCount(r: TorchResult): CountTiming {
  return r.cpu_ms === undefined && r.wall_ms === undefined ? { threads: r.threads ?? 1, cpuMs: r.median_ms ?? NaN, wallMs: NaN, runs: r.runs }
    : { threads: r.threads ?? 1, cpuMs: r.cpu_ms ?? NaN, wallMs: r.wall_ms ?? NaN, runs: r.runs };
}

export interface FormatOptions {
  clock?: 'cpu' | 'wall';
  /** Adds "busiest" columns: the busiest thread's CPU ticks at 1 thread over those at t (the speed-up free cores would give). */
  ticks?: boolean;
}

const num = (x: number, digits = 0): string => (Number.isFinite(x) ? x.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—');
const ns = (x: number): string => (!Number.isFinite(x) ? '—' : x >= 100 ? num(x) : x >= 10 ? num(x, 1) : num(x, 2));
const times = (x: number): string => (Number.isFinite(x) ? `${num(x, x >= 10 ? 1 : 2)}×` : '—');
const orderName = (o: Order): string => (o === 'none' ? 'as generated' : o);
const pow = (n: number): string => { const e = Math.log10(n); return Number.isInteger(e) ? `10${String(e).split('').map((c) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[Number(c)]).join('')}` : num(n); };

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** Merges files (later files add cases and PyTorch rows; a case or row measured twice keeps the later one). */
export function merge(files: ScaleFile[]): ScaleFile {
  const cases = new Map<string, CaseResult>(), torch = new Map<string, TorchResult>();
  for (const f of files) {
    for (const c of f.cases) cases.set(`${c.kind}|${c.n}|${c.order}`, c);
    for (const t of f.torch) torch.set(`${t.kind}|${t.n}|${t.order}|${t.d}|${t.threads ?? 1}`, t);
  }
  return { meta: files[files.length - 1].meta, cases: [...cases.values()], torch: [...torch.values()] };
}

export function formatTables(file: ScaleFile, options: FormatOptions = {}): string {
  const clock = options.clock ?? 'cpu';
  const cases = [...file.cases].sort((a, b) => a.n - b.n || (a.kind === b.kind ? 0 : a.kind === 'uniform' ? -1 : 1));
  const threadCounts = [...new Set([...cases.flatMap((c) => c.attention.flatMap((a) => counts(a).map((t) => t.threads))),
    ...file.torch.filter((t) => !t.error).map((t) => t.threads ?? 1)])].sort((a, b) => a - b);
  const widths = [...new Set(cases.flatMap((c) => c.attention.map((a) => a.d)).filter((d) => d > 0))].sort((a, b) => b - a);
  const tn = (t: number): string => `${t} t`;
  /** The figure of a count: 1 thread by `clock`, t > 1 by wall time. */
  const ms = (c: CountTiming | undefined): number => (!c ? NaN : c.threads === 1 && clock === 'cpu' ? c.cpuMs : c.wallMs);
  const at = (t: unknown, threads: number): CountTiming | undefined => counts(t).find((c) => c.threads === threads);
  const speedup = (t: unknown, threads: number): number => { const one = at(t, 1), k = at(t, threads); return one && k ? one.wallMs / k.wallMs : NaN; };
  // ticks are summed over all runs of a count: per run, so counts with different run numbers compare
  const busiest = (t: unknown, threads: number): number => {
    const one = at(t, 1), k = at(t, threads);
    return one?.busiestTicks && k?.busiestTicks ? (one.busiestTicks / one.runs) / (k.busiestTicks / k.runs) : NaN;
  };
  const tickCols = options.ticks ? threadCounts.filter((t) => t > 1) : [];
  const nsPer = (t: unknown, threads: number, entries: number): number => (ms(at(t, threads)) * 1e6) / entries;
  const att = (c: CaseResult, d: number): unknown => c.attention.find((a) => a.d === d);
  const many = threadCounts.filter((t) => t > 1);
  const out: string[] = [];

  const m = file.meta;
  out.push(`narrowgt ${m.narrowgtVersion} · ${m.runtime} · ${m.cpuModel} (${m.cores} cores)${m.date ? ` · ${m.date}` : ''}`,
    `before: ${m.uptimeBefore}`, `after:  ${m.uptimeAfter}`,
    `1 thread: ${clock === 'cpu' ? 'CPU' : 'wall'}-time median; ${many.length ? `${many.map(tn).join(', ')}: wall-time median; ` : ''}` +
    `ns/entry = time / pattern entries (/ 4 × entries for the forward and the epoch)${many.length ? '; "t / 1" = wall(1 thread) / wall(t threads)' : ''}`);
  const notStarted = cases.filter((c) => c.threads && c.threads.timed.length < c.threads.asked.length);
  if (notStarted.length) out.push(`threads did not start in ${notStarted.length} case(s): ${notStarted[0].threads!.reason}`);

  // 1. attention per width and thread count
  out.push('', '**Attention** (one f32 layer, ns per entry)', '');
  const head1 = ['graph', 'nodes', 'entries', 'order', 'reorder s', 'mean \\|i−j\\|',
    ...widths.flatMap((d) => threadCounts.map((t) => `D = ${d}, ${tn(t)}`)),
    ...many.map((t) => `${t} / 1 (D = ${widths.join(' / ')})`), ...tickCols.map((t) => `busiest 1 / ${t} (D = ${widths.join(' / ')})`),
    `D = ${widths[0]}, ${tn(1)}: ms`, 'peak WASM MiB (widest run)'];
  out.push(...table(head1, cases.map((c) => {
    const cells = widths.flatMap((d) => threadCounts.map((t) => { const a = att(c, d); return a && 'error' in (a as object) ? 'does not fit' : ns(nsPer(a, t, c.m)); }));
    const widest = c.attention.filter((a) => isTiming(a)).sort((a, b) => b.d - a.d)[0] as ({ d: number } & AnyTiming) | undefined;
    return [c.kind, num(c.n), num(c.m), orderName(c.order), c.order === 'none' ? '—' : num(c.reorderSeconds + c.permuteSeconds, 2), num(c.meanDistance),
      ...cells, ...many.map((t) => widths.map((d) => times(speedup(att(c, d), t))).join(' / ')),
      ...tickCols.map((t) => widths.map((d) => times(busiest(att(c, d), t))).join(' / ')),
      num(ms(at(att(c, widths[0]), 1)), 1), widest ? `${num(widest.peakLiveBytes / 2 ** 20)} (D = ${widest.d})` : '—'];
  })));

  // 2. PyTorch beside: the uniform graph as generated, the shuffled SBM as generated, the block-ordered SBM beside the community order
  const torch = file.torch.filter((t) => !t.error);
  if (torch.length) {
    const beside = (t: TorchResult): Order => (t.kind === 'sbm' && t.order === 'blocks' ? 'community' : 'none');
    const groups = [...new Set(torch.map((t) => `${t.kind}|${t.n}|${t.order}|${t.d}`))].map((k) => k.split('|'))
      .sort((a, b) => Number(a[1]) - Number(b[1]) || b[0].localeCompare(a[0]) || b[2].localeCompare(a[2]) || Number(b[3]) - Number(a[3]));
    out.push('', '**PyTorch beside it** (PyG-style gather/scatter attention, ns per entry; ratio = PyTorch / narrowgt at the same thread count)', '');
    const head2 = ['graph', 'nodes', 'PyTorch order', 'narrowgt order', 'D',
      ...threadCounts.flatMap((t) => [`narrowgt ${tn(t)}`, `PyTorch ${tn(t)}`, `ratio ${tn(t)}`]), ...many.map((t) => `PyTorch ${t} / 1`)];
    out.push(...table(head2, groups.map(([kind, n, order, d]) => {
      const rows = torch.filter((t) => t.kind === kind && t.n === Number(n) && t.order === order && t.d === Number(d));
      const c = cases.find((x) => x.kind === kind && x.n === Number(n) && x.order === beside(rows[0]));
      const a = c ? att(c, Number(d)) : undefined;
      const cells = threadCounts.flatMap((t) => {
        const r = rows.find((x) => (x.threads ?? 1) === t), tt = r ? torchCount(r) : undefined;
        const p = tt && r ? (ms(tt) * 1e6) / r.m : NaN, q = c ? nsPer(a, t, c.m) : NaN;
        return [ns(q), ns(p), times(p / q)];
      });
      const sp = many.map((t) => {
        const one = rows.find((x) => (x.threads ?? 1) === 1), k = rows.find((x) => x.threads === t);
        return times(one && k ? torchCount(one).wallMs / torchCount(k).wallMs : NaN);
      });
      return [kind, num(Number(n)), order, c ? orderName(c.order) : '—', d, ...cells, ...sp];
    })));
  }

  // 3. forward and epoch
  const model = cases.filter((c) => c.forward || c.epoch);
  if (model.length) {
    out.push('', '**The 4-layer D = 64 forward and a training epoch** (ms)', '');
    const head3 = ['graph', 'nodes', 'order', ...threadCounts.map((t) => `forward ${tn(t)}`), ...many.map((t) => `forward ${t} / 1`),
      ...tickCols.map((t) => `forward busiest 1 / ${t}`), 'forward peak / floor',
      ...threadCounts.map((t) => `epoch ${tn(t)}`), ...many.map((t) => `epoch ${t} / 1`), ...tickCols.map((t) => `epoch busiest 1 / ${t}`)];
    out.push(...table(head3, model.map((c) => {
      const f = c.forward, e = c.epoch;
      const cell = (x: unknown, t: number): string => (x === undefined ? 'skipped' : isTiming(x) ? num(ms(at(x, t))) : 'error');
      return [c.kind, num(c.n), orderName(c.order), ...threadCounts.map((t) => cell(f, t)), ...many.map((t) => times(speedup(f, t))),
        ...tickCols.map((t) => times(busiest(f, t))), f && 'ratioToFloor' in f ? num(f.ratioToFloor, 2) : '—',
        ...threadCounts.map((t) => cell(e, t)), ...many.map((t) => times(speedup(e, t))), ...tickCols.map((t) => times(busiest(e, t)))];
    })));
  }

  // 4. locality: ns/entry at the largest size ≤ 10⁶ over the smallest, per graph, order and thread count
  const sizes = [...new Set(cases.map((c) => c.n))].sort((a, b) => a - b);
  const lo = sizes[0], hi = [...sizes].reverse().find((n) => n <= 1e6 && n > lo);
  if (hi !== undefined) {
    out.push('', `**Locality**: ns/entry at ${pow(hi)} nodes over ns/entry at ${pow(lo)} (issue 15's target: ≤ 1.5× after reordering, community graphs)`, '');
    const head4 = ['graph', 'order', 'threads', ...widths.map((d) => `D = ${d}`)];
    const rows4: string[][] = [];
    for (const c of cases.filter((x) => x.n === hi)) {
      const base = cases.find((x) => x.n === lo && x.kind === c.kind && x.order === c.order);
      if (!base) continue;
      for (const t of threadCounts) rows4.push([c.kind, orderName(c.order), String(t), ...widths.map((d) => times(nsPer(att(c, d), t, c.m) / nsPer(att(base, d), t, base.m)))]);
    }
    out.push(...table(head4, rows4));
  }

  // 5. D = 4 against D = 64 (issue 15's target: ≥ 10×)
  const [wide, narrow] = [Math.max(...widths), Math.min(...widths)];
  if (wide !== narrow) {
    out.push('', `**D = ${narrow} against D = ${wide}**: time at D = ${wide} over time at D = ${narrow} (issue 15's target: ≥ 10×)`, '');
    const rows5 = cases.filter((c) => isTiming(att(c, wide)) && isTiming(att(c, narrow)))
      .map((c) => [c.kind, num(c.n), orderName(c.order), ...threadCounts.map((t) => times(ms(at(att(c, wide), t)) / ms(at(att(c, narrow), t))))]);
    out.push(...table(['graph', 'nodes', 'order', ...threadCounts.map(tn)], rows5));
  }

  const errors = cases.flatMap((c) => [...c.attention.filter((a) => 'error' in a).map((a) => `${c.kind} n=${c.n} ${c.order} D=${a.d}: ${(a as { error: string }).error}`),
    ...(c.forward && 'error' in c.forward ? [`${c.kind} n=${c.n} ${c.order} forward: ${c.forward.error}`] : []),
    ...(c.epoch && 'error' in c.epoch ? [`${c.kind} n=${c.n} ${c.order} epoch: ${c.epoch.error}`] : [])]);
  const torchErrors = file.torch.filter((t) => t.error).map((t) => `PyTorch ${t.kind} n=${t.n} ${t.order} D=${t.d}: ${t.error}`);
  const generation = cases.filter((c) => c.order === 'none').map((c) => `${c.kind} ${num(c.n)}: ${num(c.generateSeconds, 2)} s`);
  const loads = cases.map((c) => c.load[0]).filter((x) => x !== undefined);
  const caseSeconds = cases.map((c) => c.caseSeconds ?? 0).reduce((a, b) => a + b, 0);
  out.push('', `generation (pairs + CSR, wall): ${generation.join(', ')}`,
    ...(loads.length ? [`1-minute load average at the end of each case: ${Math.min(...loads)}–${Math.max(...loads)}`] : []),
    ...(caseSeconds ? [`narrowgt cases: ${num(caseSeconds / 60, 1)} min of wall time`] : []),
    ...(errors.length || torchErrors.length ? ['', 'not run:', ...[...errors, ...torchErrors].map((x) => `  ${x}`)] : []));
  return out.join('\n');
}
