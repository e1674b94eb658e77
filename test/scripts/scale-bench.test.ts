// The scale benchmark's plan and table printer (bench/scale/plan.ts, bench/scale/format.ts; docs/performance.md
// "Scale"): which cases a full run plans, and which clock each printed column takes, on made-up results whose
// cells are known. Nothing here runs or times the benchmark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makePlan, parseThreads, type PlanOptions } from '../../bench/scale/plan.js';
import { formatTables, merge, type ScaleFile } from '../../bench/scale/format.js';
import type { CaseResult } from '../../bench/scale/case.js';

const full: PlanOptions = {
  sizes: [1e4, 1e5, 1e6], kinds: ['uniform', 'sbm'], widths: [64, 16, 4], threads: [1, 2],
  forwardMax: 1e6, epochMax: 1e5, torch: true, torchMax: 1e6,
  bigSizes: [1e7], bigWidths: [4], bigCases: [{ kind: 'uniform', order: 'none' }, { kind: 'sbm', order: 'none' }, { kind: 'sbm', order: 'community' }],
};

test('parseThreads: sorted, repeats dropped, "all" is the cores, nonsense refused', () => {
  assert.deepEqual(parseThreads('2,1,2', 8), [1, 2]);
  assert.deepEqual(parseThreads('1,all', 4), [1, 4]);
  assert.throws(() => parseThreads('0,2', 4), /--threads/);
  assert.throws(() => parseThreads('1.5', 4), /--threads/);
});

test('makePlan: the full run — every order and width to 10⁶, 10⁷ at D = 4 for the big cases only, PyTorch to 10⁶', () => {
  const plan = makePlan(full);
  const at = (n: number) => plan.cases.filter((c) => c.n === n);
  for (const n of [1e4, 1e5, 1e6]) {
    assert.deepEqual(at(n).map((c) => `${c.kind}:${c.order}`), ['uniform:none', 'uniform:rcm', 'sbm:none', 'sbm:rcm', 'sbm:community']);
    for (const c of at(n)) {
      assert.deepEqual(c.widths, [64, 16, 4]);
      assert.equal(c.forward, true);
      assert.equal(c.epoch, n <= 1e5);
    }
  }
  assert.deepEqual(at(1e7).map((c) => `${c.kind}:${c.order}:${c.widths.join(',')}:${c.forward}:${c.epoch}`),
    ['uniform:none:4:false:false', 'sbm:none:4:false:false', 'sbm:community:4:false:false']);
  assert.deepEqual(plan.torch.map((p) => `${p.kind}:${p.n}:${p.order}`), [
    'uniform:10000:none', 'sbm:10000:shuffled', 'sbm:10000:blocks', 'uniform:100000:none', 'sbm:100000:shuffled', 'sbm:100000:blocks',
    'uniform:1000000:none', 'sbm:1000000:blocks']);
  assert.deepEqual(makePlan({ ...full, torch: false }).torch, []);
});

/** A case with attention at D = 64 and D = 4: per count [cpu, wall] ms. */
function made(n: number, m: number, d64: Record<number, [number, number]>, d4: Record<number, [number, number]>): CaseResult {
  const by = (x: Record<number, [number, number]>) => Object.entries(x).map(([t, [cpuMs, wallMs]]) => ({ threads: Number(t), cpuMs, wallMs, runs: 5 }));
  return {
    kind: 'uniform', n, m, order: 'none', generateSeconds: 0.1, reorderSeconds: 0, permuteSeconds: 0, bandwidth: 0, meanDistance: 0,
    attention: [{ d: 4, byThreads: by(d4), peakLiveBytes: 2 ** 20 }, { d: 64, byThreads: by(d64), peakLiveBytes: 3 * 2 ** 20 }], load: [1],
  };
}
const meta: ScaleFile['meta'] = { narrowgtVersion: 't', runtime: 'node', cpuModel: 'cpu', cores: 2, uptimeBefore: 'b', uptimeAfter: 'a' };
const file: ScaleFile = {
  meta,
  // m = 10⁶ entries, so ns/entry = ms
  cases: [made(1e4, 1e6, { 1: [10, 12], 2: [11, 6] }, { 1: [2, 2.5], 2: [2.2, 1.25] }), made(1e6, 1e6, { 1: [30, 31], 2: [33, 20] }, { 1: [3, 3], 2: [3, 2] })],
  torch: [
    { kind: 'uniform', n: 1e4, m: 1e6, d: 64, order: 'none', threads: 1, cpu_ms: 200, wall_ms: 210, runs: 3 },
    { kind: 'uniform', n: 1e4, m: 1e6, d: 64, order: 'none', threads: 2, cpu_ms: 400, wall_ms: 150, runs: 3 },
  ],
};

/** A markdown row's cells (split on the pipes that are not escaped as \\|). */
const cells = (line: string): string[] => line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());

/** The cells of the markdown rows under the header that starts with `head`. */
function rows(text: string, head: string): string[][] {
  const lines = text.split('\n'), i = lines.findIndex((l) => l.startsWith(`| ${head}`));
  assert.ok(i >= 0, `no table headed ${head}`);
  const out: string[][] = [];
  for (let j = i + 2; j < lines.length && lines[j].startsWith('|'); j++) out.push(cells(lines[j]));
  return out;
}

test('formatTables: 1 t is CPU time, 2 t wall time, speed-ups wall over wall; --clock wall takes wall at 1 t', () => {
  const text = formatTables(file);
  const header = cells(text.split('\n').find((l) => l.startsWith('| graph | nodes | entries'))!);
  const [r] = rows(text, 'graph | nodes | entries');
  const cell = (h: string) => r[header.indexOf(h)];
  assert.equal(cell('D = 64, 1 t'), '10.0');
  assert.equal(cell('D = 64, 2 t'), '6.00');
  assert.equal(cell('D = 4, 1 t'), '2.00');
  assert.equal(cell('D = 4, 2 t'), '1.25');
  assert.equal(cell('2 / 1 (D = 64 / 4)'), '2.00× / 2.00×');
  assert.equal(cell('peak WASM MiB (widest run)'), '3 (D = 64)');
  const [w] = rows(formatTables(file, { clock: 'wall' }), 'graph | nodes | entries');
  assert.equal(w[header.indexOf('D = 64, 1 t')], '12.0');
});

test('formatTables: PyTorch beside it at each count, the same clock on both sides', () => {
  const [r] = rows(formatTables(file), 'graph | nodes | PyTorch order');
  // narrowgt 1 t, PyTorch 1 t, ratio 1 t, narrowgt 2 t, PyTorch 2 t, ratio 2 t, PyTorch 2 / 1
  assert.deepEqual(r.slice(5), ['10.0', '200', '20.0×', '6.00', '150', '25.0×', '1.40×']);
});

test('formatTables: locality (10⁶ over 10⁴) and D = 64 over D = 4 per thread count', () => {
  const text = formatTables(file);
  assert.deepEqual(rows(text, 'graph | order | threads'), [['uniform', 'as generated', '1', '3.00×', '1.50×'], ['uniform', 'as generated', '2', '3.33×', '1.60×']]);
  assert.deepEqual(rows(text, 'graph | nodes | order | 1 t')[0], ['uniform', '10,000', 'as generated', '5.00×', '4.80×']);
});

test('merge and the one-thread files: medianMs reads as 1-thread CPU time, a later file replaces a case', () => {
  const old = { ...made(1e4, 1e6, {}, {}), attention: [{ d: 64, medianMs: 40, runs: 5, nsPerEntry: 40, peakLiveBytes: 0 }] } as unknown as CaseResult;
  const merged = merge([{ meta, cases: [old], torch: [] }, file]);
  assert.equal(merged.cases.length, 2);
  assert.equal(rows(formatTables(merged), 'graph | nodes | entries')[0][6], '10.0');
  const alone = formatTables({ meta, cases: [old], torch: [] });
  assert.equal(rows(alone, 'graph | nodes | entries')[0][6], '40.0');
});

test('formatTables --ticks: the busiest thread per run at 1 thread over t threads', () => {
  const c = made(1e4, 1e6, { 1: [10, 40], 2: [11, 40] }, { 1: [2, 2], 2: [2, 2] });
  // 1 thread: 200 ticks over 5 runs; 2 threads: 160 ticks over 10 runs (the busiest thread did 16 a run, not 40)
  (c.attention[1] as { byThreads: { busiestTicks?: number; runs: number }[] }).byThreads.forEach((b, i) => Object.assign(b, i === 0 ? { busiestTicks: 200, runs: 5 } : { busiestTicks: 160, runs: 10 }));
  const text = formatTables({ meta, cases: [c], torch: [] }, { ticks: true });
  const header = cells(text.split('\n').find((l) => l.startsWith('| graph | nodes | entries'))!);
  const [r] = rows(text, 'graph | nodes | entries');
  assert.equal(r[header.indexOf('2 / 1 (D = 64 / 4)')], '1.00× / 1.00×');
  assert.equal(r[header.indexOf('busiest 1 / 2 (D = 64 / 4)')], '2.50× / —');
  assert.equal(formatTables({ meta, cases: [c], torch: [] }).includes('busiest'), false);
});
