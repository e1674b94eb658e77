// The scale benchmark (issue 15, docs/performance.md "Scale"): generated graphs from 10⁴ to 10⁷ nodes, uniform
// and community-structured (a shuffled stochastic block model), one f32 attention layer at D = 64, 16, 4 before
// and after reordering, the 4-layer forward and a training epoch where they take seconds, and PyTorch's
// gather/scatter attention (scripts/bench-native/scale_attention_torch.py) beside it, each at every thread
// count of --threads (default 1,2; "all" = the machine's cores).
//   npm run bench:scale -- [--sizes 1e4,1e5] [--kinds uniform,sbm] [--widths 64,16,4] [--orders none,rcm,community]
//                          [--threads 1,2] [--torch] [--torch-max 1e6] [--forward-max 1e6] [--epoch-max 1e5]
//                          [--big-sizes 1e7] [--big-widths 4] [--big-cases uniform:none,sbm:none,sbm:community]
//                          [--dry-run] [--out bench/results/scale-NAME.json]
// --big-sizes run only at --big-widths and only the (kind:order) pairs of --big-cases, without forward, epoch or
// PyTorch. --dry-run prints the cases and an estimate of the time on an idle machine (bench/scale/plan.ts), and
// runs nothing. Every case runs in a fresh process (bench/scale/case.ts), so each one's WASM memory and peak are
// its own; PyTorch runs once per graph with all thread counts (OMP/MKL/OpenBLAS_NUM_THREADS = the largest).
// Prints the markdown tables (bench/scale/format.ts) on stdout, progress on stderr; --out writes every measurement
// as JSON after each case (so a run cut short keeps what it measured). `node dist/bench/scale/table.js FILE.json`
// prints the tables again from it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMeta } from '../harness.js';
import type { CaseResult, Order } from './case.js';
import { formatTables, type TorchResult } from './format.js';
import { estimateCase, estimateTorch, makePlan, parseThreads, type Kind, type PlanOptions } from './plan.js';

const ALL_ORDERS: Order[] = ['none', 'rcm', 'bfs', 'community'];

function parse(argv: string[]): PlanOptions & { out?: string; dryRun: boolean } {
  const get = (name: string): string | undefined => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
  if (argv.includes('--help')) {
    process.stdout.write('usage: npm run bench:scale -- [--sizes 1e4,1e5,1e6] [--kinds uniform,sbm] [--widths 64,16,4] [--orders none,rcm,community] ' +
      '[--threads 1,2|all] [--torch] [--torch-max 1e6] [--forward-max 1e6] [--epoch-max 1e5] [--big-sizes 1e7] [--big-widths 4] ' +
      '[--big-cases uniform:none,sbm:none,sbm:community] [--dry-run] [--out FILE.json]\n');
    process.exit(0);
  }
  const list = (name: string, fallback: string): number[] => (get(name) ?? fallback).split(',').filter(Boolean).map(Number);
  const sizes = list('sizes', '1e4,1e5'), bigSizes = list('big-sizes', '');
  if ([...sizes, ...bigSizes].some((n) => !Number.isInteger(n) || n < 2)) throw new Error(`bench:scale: --sizes and --big-sizes must be integers ≥ 2, got ${get('sizes')} / ${get('big-sizes')}`);
  const kinds = (get('kinds') ?? 'uniform,sbm').split(',') as Kind[];
  if (kinds.some((k) => k !== 'uniform' && k !== 'sbm')) throw new Error(`bench:scale: --kinds are uniform and sbm, got ${get('kinds')}`);
  const widths = list('widths', '64,16,4'), bigWidths = list('big-widths', '4');
  if ([...widths, ...bigWidths].some((d) => !Number.isInteger(d) || d < 1)) throw new Error('bench:scale: --widths and --big-widths must be positive integers');
  const orders = get('orders')?.split(',') as Order[] | undefined;
  if (orders?.some((o) => !ALL_ORDERS.includes(o))) throw new Error(`bench:scale: --orders are ${ALL_ORDERS.join(', ')}, got ${get('orders')}`);
  const bigCases = (get('big-cases') ?? 'uniform:none,sbm:none,sbm:community').split(',').filter(Boolean).map((s) => {
    const [kind, order] = s.split(':') as [Kind, Order];
    if ((kind !== 'uniform' && kind !== 'sbm') || !ALL_ORDERS.includes(order)) throw new Error(`bench:scale: --big-cases are kind:order pairs (uniform:none,sbm:community), got ${s}`);
    return { kind, order };
  });
  return {
    sizes, kinds, widths, orders, threads: parseThreads(get('threads') ?? '1,2', os.availableParallelism()),
    torch: argv.includes('--torch'), torchMax: Number(get('torch-max') ?? 1e6),
    forwardMax: Number(get('forward-max') ?? 1e6), epochMax: Number(get('epoch-max') ?? 1e5),
    bigSizes, bigWidths, bigCases, out: get('out'), dryRun: argv.includes('--dry-run'),
  };
}

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const args = parse(process.argv.slice(2));
const plan = makePlan(args);
const uptime = (): string => { try { return execFileSync('uptime', { encoding: 'utf8' }).trim(); } catch { return 'uptime unavailable'; } };
const minutes = (s: number): string => `${(s / 60).toFixed(1)} min`;

if (args.dryRun) {
  const lines: string[] = [`scale plan: threads ${plan.threads.join(',')}; ${plan.cases.length} narrowgt cases, ${plan.torch.length} PyTorch processes; estimated on an idle machine (bench/scale/plan.ts):`];
  let total = 0;
  for (const n of [...new Set(plan.cases.map((c) => c.n))]) {
    for (const c of plan.cases.filter((x) => x.n === n)) {
      const e = estimateCase(c, plan.threads);
      total += e.seconds;
      lines.push(`  ${c.kind.padEnd(7)} n=${String(n).padEnd(8)} ${c.order.padEnd(9)} D=${c.widths.join(',').padEnd(8)} ${c.forward ? 'forward' : '       '} ${c.epoch ? 'epoch' : '     '}  ≈ ${e.seconds.toFixed(0).padStart(4)} s  (${Object.entries(e.parts).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')})`);
    }
    for (const p of plan.torch.filter((x) => x.n === n)) {
      const s = estimateTorch(p, plan.threads);
      total += s;
      lines.push(`  PyTorch ${p.kind.padEnd(7)} n=${String(n).padEnd(8)} ${p.order.padEnd(9)} D=${p.widths.join(',').padEnd(8)} threads ${plan.threads.join(',')}  ≈ ${s.toFixed(0).padStart(4)} s`);
    }
  }
  lines.push(`total ≈ ${minutes(total)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  process.exit(0);
}

const meta = { ...runMeta('cpu'), uptimeBefore: uptime(), uptimeAfter: '', threads: plan.threads };
const cases: CaseResult[] = [];
const torch: TorchResult[] = [];
const torchRuns: { kind: string; n: number; order: string; seconds: number; estimateSeconds: number; exit: number | null }[] = [];
const estimates: Record<string, number> = {};

function save(final: boolean): void {
  if (!args.out) return;
  const out = resolve(process.cwd(), args.out);
  if (!existsSync(dirname(out))) mkdirSync(dirname(out), { recursive: true });
  const body = { meta, complete: final, plan, estimates, cases, torch, torchRuns, ...(final ? { table: formatTables({ meta, cases, torch }) } : {}) };
  writeFileSync(`${out}.tmp`, `${JSON.stringify(body, null, 2)}\n`);
  renameSync(`${out}.tmp`, out);
  if (final) process.stderr.write(`scale: wrote ${out}\n`);
}

const threadList = plan.threads.join(',');
const maxThreads = String(plan.threads[plan.threads.length - 1]);
for (const n of [...new Set(plan.cases.map((c) => c.n))]) {
  for (const kind of ['uniform', 'sbm'] as const) {
    for (const c of plan.cases.filter((x) => x.n === n && x.kind === kind)) {
      const model = [...(c.forward ? ['--forward'] : []), ...(c.epoch ? ['--epoch'] : [])];
      const estimate = estimateCase(c, plan.threads).seconds;
      estimates[`${c.kind}|${c.n}|${c.order}`] = estimate;
      process.stderr.write(`scale: ${kind} n=${n} order=${c.order} D=${c.widths.join(',')} threads ${threadList} ${model.join(' ')} (≈ ${estimate.toFixed(0)} s) … (${uptime()})\n`);
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [resolve(here, 'case.js'), '--kind', kind, '--n', String(n), '--order', c.order, '--widths', c.widths.join(','), '--threads', threadList, ...model],
        { encoding: 'utf8', maxBuffer: 1 << 24 });
      const caseSeconds = (performance.now() - t0) / 1000;
      const line = r.stdout.trim().split('\n').pop() ?? '';
      if (r.status !== 0 || !line.startsWith('{')) {
        process.stderr.write(`scale: ${kind} n=${n} order=${c.order} failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}\n`);
        cases.push({ kind, n, m: 0, order: c.order, generateSeconds: 0, reorderSeconds: 0, permuteSeconds: 0, bandwidth: 0, meanDistance: 0, caseSeconds,
          attention: [{ d: 0, error: `process exited ${r.status}: ${r.stderr.trim().split('\n').pop()}` }], load: [] });
      } else {
        const result = JSON.parse(line) as CaseResult;
        result.caseSeconds = caseSeconds;
        cases.push(result);
        process.stderr.write(`scale:   took ${caseSeconds.toFixed(1)} s\n`);
      }
      save(false);
    }
    for (const p of plan.torch.filter((x) => x.n === n && x.kind === kind)) {
      const py = process.env.PYTHON ?? '/usr/bin/python3', script = resolve(root, 'scripts/bench-native/scale_attention_torch.py');
      const estimate = estimateTorch(p, plan.threads);
      process.stderr.write(`scale: PyTorch ${kind} n=${n} ${p.order} threads ${threadList} (≈ ${estimate.toFixed(0)} s) … (${uptime()})\n`);
      const t0 = performance.now();
      const r = spawnSync(py, [script, kind, String(n), threadList, p.widths.join(','), p.order], {
        encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, OMP_NUM_THREADS: maxThreads, MKL_NUM_THREADS: maxThreads, OPENBLAS_NUM_THREADS: maxThreads },
      });
      const seconds = (performance.now() - t0) / 1000;
      torchRuns.push({ kind, n, order: p.order, seconds, estimateSeconds: estimate, exit: r.status });
      const lines = (r.stdout ?? '').trim().split('\n').filter((l) => l.startsWith('{'));
      if (r.status !== 0 || !lines.length) process.stderr.write(`scale: PyTorch failed (exit ${r.status}): ${(r.stderr ?? String(r.error)).trim().split('\n').slice(-2).join(' | ')}\n`);
      else process.stderr.write(`scale:   took ${seconds.toFixed(1)} s\n`);
      for (const l of lines) torch.push(JSON.parse(l) as TorchResult);
      save(false);
    }
  }
}
meta.uptimeAfter = uptime();
process.stdout.write(`${formatTables({ meta, cases, torch })}\n`);
save(true);
