// The scale benchmark (issue 15, docs/performance.md "Scale"): generated graphs from 10⁴ to 10⁷ nodes, uniform
// and community-structured (a shuffled stochastic block model), one f32 attention layer at D = 64, 16, 4 before
// and after reordering, the 4-layer forward and a training epoch where they take seconds, and PyTorch's
// gather/scatter attention (scripts/bench-native/scale_attention_torch.py) beside it, one thread each.
//   npm run bench:scale -- [--sizes 1e4,1e5] [--kinds uniform,sbm] [--torch] [--torch-max 1e6]
//                          [--orders none,rcm,community] [--forward-max 1e5] [--epoch-max 1e5] [--out bench/results/scale-NAME.json]
// Every case runs in a fresh process (bench/scale/case.ts), so each one's WASM memory and peak are its own.
// Prints a markdown table on stdout, progress on stderr; --out also writes every measurement as JSON.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMeta } from '../harness.js';
import type { CaseResult, Order, Timing } from './case.js';

interface TorchResult { kind: string; n: number; m: number; d: number; order: string; median_ms: number; ns_per_entry: number; runs: number; error?: string }

const ORDERS: Record<'uniform' | 'sbm', Order[]> = { uniform: ['none', 'rcm'], sbm: ['none', 'rcm', 'community'] };

function parse(argv: string[]): { sizes: number[]; kinds: ('uniform' | 'sbm')[]; torch: boolean; torchMax: number; forwardMax: number; epochMax: number; out?: string; widths: string; orders?: Order[] } {
  const get = (name: string): string | undefined => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
  if (argv.includes('--help')) {
    process.stdout.write('usage: npm run bench:scale -- [--sizes 1e4,1e5,1e6,1e7] [--kinds uniform,sbm] [--widths 64,16,4] [--orders none,rcm,community] [--torch] [--torch-max 1e6] [--forward-max 1e5] [--epoch-max 1e5] [--out FILE.json]\n');
    process.exit(0);
  }
  const sizes = (get('sizes') ?? '1e4,1e5').split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 2)) throw new Error(`bench:scale: --sizes must be integers ≥ 2, got ${get('sizes')}`);
  const kinds = (get('kinds') ?? 'uniform,sbm').split(',') as ('uniform' | 'sbm')[];
  if (kinds.some((k) => k !== 'uniform' && k !== 'sbm')) throw new Error(`bench:scale: --kinds are uniform and sbm, got ${get('kinds')}`);
  return {
    sizes, kinds, torch: argv.includes('--torch'), torchMax: Number(get('torch-max') ?? 1e6),
    forwardMax: Number(get('forward-max') ?? 1e5), epochMax: Number(get('epoch-max') ?? 1e5),
    out: get('out'), widths: get('widths') ?? '64,16,4', orders: get('orders')?.split(',') as Order[] | undefined,
  };
}

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const args = parse(process.argv.slice(2));
const uptime = (): string => { try { return execFileSync('uptime', { encoding: 'utf8' }).trim(); } catch { return 'uptime unavailable'; } };
const meta = { ...runMeta('cpu'), uptimeBefore: uptime(), uptimeAfter: '' };
const cases: CaseResult[] = [];
const torch: TorchResult[] = [];

for (const n of args.sizes) {
  for (const kind of args.kinds) {
    for (const order of args.orders ?? ORDERS[kind]) {
      const model = [...(n <= args.forwardMax ? ['--forward'] : []), ...(n <= args.epochMax ? ['--epoch'] : [])];
      process.stderr.write(`scale: ${kind} n=${n} order=${order} ${model.join(' ')} … (${uptime()})\n`);
      const r = spawnSync(process.execPath, [resolve(here, 'case.js'), '--kind', kind, '--n', String(n), '--order', order, '--widths', args.widths, ...model],
        { encoding: 'utf8', maxBuffer: 1 << 24 });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      if (r.status !== 0 || !line.startsWith('{')) {
        process.stderr.write(`scale: ${kind} n=${n} order=${order} failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}\n`);
        cases.push({ kind, n, m: 0, order, generateSeconds: 0, reorderSeconds: 0, permuteSeconds: 0, bandwidth: 0, meanDistance: 0, attention: [{ d: 0, error: `process exited ${r.status}: ${r.stderr.trim().split('\n').pop()}` }], load: [] });
        continue;
      }
      cases.push(JSON.parse(line) as CaseResult);
    }
    if (args.torch && n <= args.torchMax) {
      const py = process.env.PYTHON ?? '/usr/bin/python3', script = resolve(root, 'scripts/bench-native/scale_attention_torch.py');
      // past 10⁵ nodes PyTorch runs the SBM in block order only (a shuffled SBM gathers like the uniform graph)
      for (const order of kind === 'sbm' ? (n <= 1e5 ? ['shuffled', 'blocks'] : ['blocks']) : ['none']) {
        process.stderr.write(`scale: PyTorch ${kind} n=${n} ${order} … (${uptime()})\n`);
        const r = spawnSync(py, [script, kind, String(n), '1', args.widths, order], {
          encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
        });
        const lines = r.stdout.trim().split('\n').filter((l) => l.startsWith('{'));
        if (r.status !== 0 || !lines.length) process.stderr.write(`scale: PyTorch failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-2).join(' | ')}\n`);
        for (const l of lines) torch.push(JSON.parse(l) as TorchResult);
      }
    }
  }
}
meta.uptimeAfter = uptime();

const ok = (t: unknown): t is Timing => typeof t === 'object' && t !== null && 'medianMs' in t;
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)}`;
const num = (x: number, digits = 0): string => x.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ns = (x: number): string => (x >= 100 ? num(x) : x >= 10 ? num(x, 1) : num(x, 2));
const orderName = (o: Order): string => (o === 'none' ? 'as generated' : o);

const widths = args.widths.split(',').map(Number);
const head = ['graph', 'nodes', 'entries', 'order', 'reorder s', 'mean \\|i−j\\|',
  ...widths.map((d) => `D = ${d}: ns/entry`), `D = ${widths[0]}: ms`, 'PyTorch D = ' + widths[0] + ': ns/entry', 'ratio', 'peak WASM MiB (widest run)',
  'forward ms', 'forward peak / floor', 'epoch ms'];
const rows: string[] = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
for (const c of cases) {
  const att = new Map(c.attention.map((a) => [a.d, a]));
  const cells = widths.map((d) => { const a = att.get(d); return a && ok(a) ? ns(a.nsPerEntry) : a && 'error' in a ? 'does not fit' : '—'; });
  const wide = att.get(widths[0]);
  const widest = c.attention.filter((a) => ok(a)).sort((a, b) => b.d - a.d)[0];
  // PyTorch beside the graph as generated, and beside the community order: the SBM in its blocks' order
  const torchOrder = c.kind === 'sbm' ? (c.order === 'none' ? 'shuffled' : 'blocks') : 'none';
  const t = c.order === 'none' || (c.kind === 'sbm' && c.order === 'community')
    ? torch.find((x) => x.kind === c.kind && x.n === c.n && x.d === widths[0] && x.order === torchOrder && !x.error) : undefined;
  const ratio = t && wide && ok(wide) ? `${num(t.ns_per_entry / wide.nsPerEntry, 1)}×` : '—';
  const f = c.forward, e = c.epoch;
  rows.push(`| ${[c.kind, num(c.n), num(c.m), orderName(c.order), c.order === 'none' ? '—' : num(c.reorderSeconds + c.permuteSeconds, 2), num(c.meanDistance),
    ...cells, wide && ok(wide) ? num(wide.medianMs, 1) : '—', t ? `${num(t.ns_per_entry)}${c.kind === 'sbm' ? ` (${t.order})` : ''}` : '—', ratio,
    widest && ok(widest) ? `${mib(widest.peakLiveBytes)} (D = ${(widest as { d: number }).d})` : '—',
    f && ok(f) ? num(f.medianMs) : f ? 'error' : 'skipped', f && ok(f) ? num(f.ratioToFloor, 2) : '—', e && ok(e) ? num(e.medianMs) : e ? 'error' : 'skipped'].join(' | ')} |`);
}
const errors = cases.flatMap((c) => [...c.attention.filter((a) => 'error' in a).map((a) => `${c.kind} n=${c.n} ${c.order} D=${a.d}: ${(a as { error: string }).error}`),
  ...(c.forward && 'error' in c.forward ? [`${c.kind} n=${c.n} ${c.order} forward: ${c.forward.error}`] : []),
  ...(c.epoch && 'error' in c.epoch ? [`${c.kind} n=${c.n} ${c.order} epoch: ${c.epoch.error}`] : [])]);
const generation = cases.filter((c) => c.order === 'none').map((c) => `${c.kind} ${num(c.n)}: ${num(c.generateSeconds, 2)} s`);
const text = [`narrowgt ${meta.narrowgtVersion} · ${meta.runtime} · ${meta.cpuModel} (${meta.cores} cores) · CPU time, one thread`,
  `before: ${meta.uptimeBefore}`, `after:  ${meta.uptimeAfter}`, '', ...rows, '',
  `generation (pairs + CSR): ${generation.join(', ')}`, ...(errors.length ? ['', 'not run:', ...errors.map((x) => `  ${x}`)] : [])].join('\n');
process.stdout.write(`${text}\n`);
if (args.out) {
  const out = resolve(process.cwd(), args.out);
  if (!existsSync(dirname(out))) mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.tmp`, `${JSON.stringify({ meta, cases, torch, table: text }, null, 2)}\n`);
  renameSync(`${out}.tmp`, out);
  process.stderr.write(`scale: wrote ${out}\n`);
}
