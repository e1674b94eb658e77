// The shared benchmark harness: every area file (attention.ts, gemm.ts, linalg.ts) describes groups of
// tasks — narrowgt's call and its peers side by side, named by the literal call with its size — and this
// file times them with tinybench, one Bench per task so slow peers can take fewer samples.
// Setup happens outside the timed function; the timed function is the call alone.
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { Bench } from 'tinybench';

/** Who a task measures: narrowgt itself, or a peer it is compared with. */
export type Role = 'narrowgt' | 'peer';

export interface TaskSpec {
  /** The literal call with its size, e.g. "matmul(a, b) f32 512×512·512×512". */
  name: string;
  role: Role;
  /** The timed call. Must not allocate what a caller would preallocate. */
  fn: () => unknown;
  /** Minimum timed calls (default 5) and time budget in ms (default 1000); slow peers lower both. */
  iterations?: number;
  time?: number;
  /** Untimed calls before timing (default 1). */
  warmup?: number;
  /** Timed in the first round only (a peer that takes tens of seconds). */
  oneRound?: boolean;
}

export interface Group {
  suite: string;
  /** What the group computes, e.g. "attention, Tolokers + self loops, D = 64, f32". */
  title: string;
  tasks: TaskSpec[];
  /** Frees what the group's setup allocated (runs after its tasks). */
  teardown?: () => void;
}

/** A ratio between two task medians, printed under the table (e.g. D = 64 over D = 4). */
export interface DerivedRatio {
  label: string;
  numerator: string;
  denominator: string;
}

export interface Suite {
  name: string;
  /** Builds the groups lazily (loading data and peers happens here, outside any timing). */
  groups: () => Promise<Group[]>;
  ratios?: DerivedRatio[];
  /** Extra measured lines (e.g. peak memory), computed after the suite's timings and printed under the table. */
  notes?: () => string[];
}

export interface TaskResult {
  suite: string;
  group: string;
  task: string;
  role: Role;
  medianMs: number;
  meanMs: number;
  minMs: number;
  /** Relative margin of error of the mean, percent (tinybench's rme). */
  rmePercent: number;
  samples: number;
  /** This task's median over the group's first narrowgt median (> 1: narrowgt is that many times faster). */
  ratioToNarrowgt: number | null;
  /** True for the group's first narrowgt task, the one the ratios refer to. */
  base?: boolean;
  error?: string;
}

export interface RatioResult extends DerivedRatio {
  value: number | null;
}

export interface RunMeta {
  narrowgtVersion: string;
  runtime: string;
  v8: string;
  cpuModel: string;
  cores: number;
  arch: string;
  platform: string;
  loadAverage: number[];
  clock: Clock;
  /** Times each group was run; a task reports its round with the smallest median. */
  rounds: number;
  date: string;
  argv: string[];
}

export function runMeta(clock: Clock = 'wall', rounds = 1): RunMeta {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const cpus = os.cpus();
  return {
    narrowgtVersion: pkg.version,
    runtime: `node ${process.version}`,
    v8: process.versions.v8,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    arch: process.arch,
    platform: process.platform,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    clock,
    rounds,
    date: new Date().toISOString(),
    argv: process.argv.slice(2),
  };
}

function progress(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}`);
  else process.stderr.write(`${line}\n`);
}

/**
 * Which clock times a call: 'wall' (performance.now, the default) or 'cpu' (this process's user + system
 * CPU time, microsecond resolution), which a busy shared machine inflates far less: time spent waiting
 * for a core does not count. Peers running their own threads would be under-counted by 'cpu'; every peer
 * here runs on the calling thread (tfjs-backend-wasm is set to one thread).
 */
export type Clock = 'wall' | 'cpu';

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function timeTask(t: TaskSpec, clock: Clock): Promise<{ median: number; mean: number; min: number; rme: number; samples: number }> {
  const bench = new Bench({
    name: t.name,
    ...(clock === 'cpu' ? { now: cpuNow } : {}),
    time: t.time ?? 1000,
    iterations: t.iterations ?? 5,
    warmup: (t.warmup ?? 1) > 0,
    warmupIterations: t.warmup ?? 1,
    warmupTime: 0,
    throws: true,
  });
  bench.add(t.name, t.fn, { async: false });
  const [task] = await bench.run();
  const r = task.result;
  if (r.state !== 'completed') throw new Error(`bench: task ${t.name} ended in state ${r.state}`);
  const l = r.latency;
  return { median: l.p50, mean: l.mean, min: l.min, rme: l.rme, samples: l.samplesCount };
}

/** Runs the groups of the chosen suites in order, printing a progress line per task on stderr. */
export async function runSuites(suites: Suite[], filter: string | undefined, clock: Clock = 'wall', rounds = 1): Promise<{ results: TaskResult[]; ratios: RatioResult[]; notes: string[] }> {
  const results: TaskResult[] = [];
  const ratios: RatioResult[] = [];
  const notes: string[] = [];
  for (const suite of suites) {
    progress(`${suite.name}: setting up`);
    const groups = (await suite.groups()).filter((g) => !filter || `${g.suite}/${g.title}`.includes(filter) || suite.name === filter);
    const total = groups.reduce((s, g) => s + g.tasks.length, 0);
    let done = 0;
    for (const g of groups) {
      const rows: TaskResult[] = [];
      for (const t of g.tasks) {
        done++;
        const row: TaskResult = {
          suite: suite.name, group: g.title, task: t.name, role: t.role,
          medianMs: NaN, meanMs: NaN, minMs: NaN, rmePercent: NaN, samples: 0, ratioToNarrowgt: null,
        };
        rows.push(row);
      }
      // rounds: the group's tasks in turn, `rounds` times; each task keeps its least-disturbed round
      // (the round with the smallest median), so a burst of load on a shared machine hits one round only
      for (let round = 0; round < rounds; round++) {
        for (const [ti, t] of g.tasks.entries()) {
          const row = rows[ti];
          if (row.error || (round > 0 && t.oneRound)) continue;
          const tag = `[${suite.name} ${done - g.tasks.length + ti + 1}/${total}${rounds > 1 ? ` round ${round + 1}/${rounds}` : ''}]`;
          progress(`${tag} ${t.name} …`);
          try {
            const s = await timeTask(t, clock);
            if (!(s.median >= row.medianMs)) {
              Object.assign(row, { medianMs: s.median, meanMs: s.mean, minMs: s.min, rmePercent: s.rme, samples: s.samples });
            }
            progress(`${tag} ${t.name}: ${fmtMs(s.median)} ms`);
          } catch (e) {
            row.error = e instanceof Error ? e.message : String(e);
            progress(`${tag} ${t.name}: failed (${row.error})`);
          }
        }
      }
      g.teardown?.();
      const base = rows.find((r) => r.role === 'narrowgt' && Number.isFinite(r.medianMs));
      if (base) base.base = true;
      for (const r of rows) r.ratioToNarrowgt = base && Number.isFinite(r.medianMs) ? r.medianMs / base.medianMs : null;
      results.push(...rows);
    }
    for (const d of suite.ratios ?? []) {
      const num = results.find((r) => r.task === d.numerator), den = results.find((r) => r.task === d.denominator);
      const value = num && den && Number.isFinite(num.medianMs) && Number.isFinite(den.medianMs) ? num.medianMs / den.medianMs : null;
      if (num && den) ratios.push({ ...d, value });
    }
    if (suite.notes && groups.length) {
      progress(`${suite.name}: measuring notes`);
      notes.push(...suite.notes());
    }
  }
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  return { results, ratios, notes };
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

function fmtRatio(r: number | null, role: Role, base: boolean): string {
  if (r === null) return '—';
  if (base) return '1 (base)';
  if (role === 'narrowgt') return `${r.toFixed(2)}× the base row`;
  return r >= 1 ? `narrowgt ${r.toFixed(r >= 10 ? 1 : 2)}× faster` : `narrowgt ${(1 / r).toFixed(2)}× slower`;
}

/** The human table: one block per group, narrowgt first, then its peers with the ratio. */
export function formatTable(results: TaskResult[], ratios: RatioResult[], notes: string[], meta: RunMeta): string {
  const head = ['task', `median ms (${meta.clock})`, '± rme', 'samples', 'vs narrowgt (peer median / narrowgt median)'];
  const lines: string[][] = [];
  let group = '';
  for (const r of results) {
    if (r.group !== group) { group = r.group; lines.push([`— ${r.suite}: ${r.group}`, '', '', '', '']); }
    lines.push([`  ${r.task}`, fmtMs(r.medianMs), Number.isFinite(r.rmePercent) ? `${r.rmePercent.toFixed(1)}%` : '—',
      String(r.samples), r.error ? `error: ${r.error}` : fmtRatio(r.ratioToNarrowgt, r.role, r.base ?? false)]);
  }
  const widths = head.map((h, c) => Math.max(h.length, ...lines.filter((l) => l[1] !== '').map((l) => l[c].length)));
  const fmt = (l: string[]): string => l.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : c < 4 ? x.padStart(widths[c]) : x)).join('  ').trimEnd();
  const out = [`narrowgt ${meta.narrowgtVersion} · ${meta.runtime} · ${meta.cpuModel} (${meta.cores} cores, ${meta.arch}) · load ${meta.loadAverage.join(' ')}` +
    (meta.rounds > 1 ? ` · best of ${meta.rounds} rounds` : ''),
    fmt(head), fmt(widths.map((w) => '-'.repeat(w)))];
  for (const l of lines) out.push(l[1] === '' && l[0].startsWith('—') ? l[0] : fmt(l));
  if (ratios.length) {
    out.push('', 'derived ratios (median / median):');
    for (const d of ratios) out.push(`  ${d.label}: ${d.value === null ? '—' : `${d.value.toFixed(2)}×`}`);
  }
  if (notes.length) out.push('', ...notes);
  return out.join('\n');
}
