// The largest graph each width fits (issue 15 item 3; docs/performance.md "Scale"): the 4-layer f32 forward
// (bench/model-setup.ts's network at width D: encoder 16 → D, 4 layers, identity skips) on uniform random graphs
// of average degree 26 (bench/scale/generators.ts), through the public API, each case in a fresh process.
// Per case: CPU time of one forward, the peak live bytes (graph + features + the forward's peak on top), and its
// ratio to the floor graph + features + 3 n×D.
//   node dist/bench/scale/limits.js --cases 2400000:8,10000000:4      the named (n, D) cases
//   node dist/bench/scale/limits.js --find 64,16,8,4 [--pattern js]    the largest n per width
// `--pattern js` (or a case n:D:js) keeps the pattern in the JS heap (CsrGraph.fromArrays(…, 'js')): the forward
// streams it into WASM one query block at a time, and the peak counts only the WASM side (no graph bytes).
// --find takes the largest n whose planned peak (forwardPlanBytes + graph + features) fits the 4 GiB WASM memory,
// runs it, and steps n down by 2 % until one runs. Big: run under `nice`, one at a time. JSON lines on stdout.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DenseMatrix, createModel, forward, forwardPlanBytes, init, rng, scope, type GraphTransformer } from '../../src/index.js';
import { wasmHeapBytes, resetWasmPeak } from '../../src/runtime/storage.js';
import { WASM_MEMORY_BYTES } from '../../src/runtime/block-size.js';
import { MAX_QUERY_BLOCKS, PLAN_HEADROOM_BYTES, planNetwork } from '../../src/model/forward-plan.js';
import { LAYERS } from '../model-setup.js';
import { uniformGraph, PAIRS_PER_NODE } from './generators.js';

const FEATURES = 16;

function weight(r: ReturnType<typeof rng>, rows: number, cols: number): DenseMatrix<'f64'> {
  return DenseMatrix.from(r.fillNormal(new Float64Array(rows * cols), 1 / Math.sqrt(cols)), rows, cols, 'f64');
}

/** bench/model-setup.ts's benchModel at width D. */
function model(D: number): GraphTransformer {
  const r = rng(0), layers = [];
  for (let l = 0; l < LAYERS; l++) {
    layers.push({
      wQ: weight(r, D, D), wK: weight(r, D, D), wV: weight(r, D, D), w1: weight(r, D, D), w2: weight(r, D, D),
      b1: new Float64Array(D), b2: new Float64Array(D), logitScale: 1 / Math.sqrt(D),
      attentionSkip: 'identity' as const, ffnSkip: 'identity' as const,
    });
  }
  return createModel({ variant: 'practical', activation: 'relu', layers, encoder: { weight: weight(r, D, FEATURES), bias: new Float64Array(D) } });
}

const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

// One thread: the forward's time is CPU time, which sums every thread of the process (init() would start them all).
const THREADS = 1;

async function runCase(n: number, D: number, where: 'wasm' | 'js'): Promise<void> {
  await init(undefined, { threads: THREADS });
  const t0 = performance.now();
  const graph = uniformGraph(n, 1, where === 'js' ? 'js' : 'auto').pattern;
  const genSeconds = (performance.now() - t0) / 1000;
  const m = graph.numEdges;
  const out: Record<string, unknown> = { n, D, m, pattern: where, genSeconds };
  try {
    scope(() => {
      const x = DenseMatrix.zeros(n, FEATURES, 'f32');
      rng(7).fillNormal(x.data);
      const net = model(D);
      const plan = forwardPlanBytes(net, graph, { dtype: 'f32' });
      const liveBefore = wasmHeapBytes().live;
      resetWasmPeak();
      const t = cpuMs();
      scope(() => { forward(net, x, graph, { dtype: 'f32' }); });
      const ms = cpuMs() - t;
      const graphBytes = where === 'js' ? 0 : (n + 1 + m) * 4, featureBytes = n * FEATURES * 4;
      const peak = graphBytes + featureBytes + (wasmHeapBytes().peak - liveBefore);
      // the floor always counts the graph; a JS-heap pattern is not in the WASM peak
      const floor = (n + 1 + m) * 4 + featureBytes + 3 * n * D * 4;
      Object.assign(out, {
        ok: true, cpuMs: Math.round(ms), nsPerEntry: (ms * 1e6) / (m * LAYERS), peakLiveBytes: peak, floorBytes: floor,
        ratioToFloor: peak / floor, plannedWorkBytes: plan.workBytes, measuredWorkBytes: wasmHeapBytes().peak - liveBefore,
      });
      net.free();
    });
  } catch (e) {
    Object.assign(out, { ok: false, error: (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, 300) });
  }
  const os = await import('node:os');
  out.load = os.loadavg().map((v) => Math.round(v * 100) / 100);
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** The planned peak of the case (n, D): graph + features + the forward's planned work, against what memory holds. */
function plannedFits(n: number, D: number, where: 'wasm' | 'js'): boolean {
  const m = Math.round(2 * PAIRS_PER_NODE * n + n); // pairs both ways plus self loops (a few repeats dropped)
  // a streamed pattern holds one query block's column indices (1/256 of them, and 10 % for the spread of degrees)
  const graphBytes = where === 'js' ? Math.ceil(m / MAX_QUERY_BLOCKS * 1.1) * 4 : (n + 1 + m) * 4, featureBytes = n * FEATURES * 4;
  const net = model(D);
  // the forward takes up to MAX_QUERY_BLOCKS row blocks of Q when memory is short
  const plan = planNetwork(net, n, FEATURES, 'f32', false, MAX_QUERY_BLOCKS, 0);
  net.free();
  return graphBytes + featureBytes + plan.workBytes + (1 << 20) <= WASM_MEMORY_BYTES - PLAN_HEADROOM_BYTES;
}

function child(n: number, D: number, where: 'wasm' | 'js'): Record<string, unknown> {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--case', `${n}:${D}:${where}`], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try { return JSON.parse(line) as Record<string, unknown>; } catch { return { n, D, ok: false, error: `exit ${r.status}: ${r.stderr.slice(-300)}` }; }
}

const argv = process.argv.slice(2);
const get = (name: string): string | undefined => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
if (get('case')) {
  const [n, D, where] = get('case')!.split(':');
  await runCase(Number(n), Number(D), where === 'js' ? 'js' : 'wasm');
} else {
  await init(undefined, { threads: THREADS });
  for (const c of (get('cases') ?? '').split(',').filter(Boolean)) {
    const [n, D, where] = c.split(':');
    process.stdout.write(`${JSON.stringify(child(Number(n), Number(D), where === 'js' ? 'js' : 'wasm'))}\n`);
  }
  const where = get('pattern') === 'js' ? 'js' : 'wasm';
  for (const D of (get('find') ?? '').split(',').filter(Boolean).map(Number)) {
    let lo = 1e4, hi = 1e9;
    while (hi - lo > 1e4) { const mid = Math.floor((lo + hi) / 2); if (plannedFits(mid, D, where)) lo = mid; else hi = mid; }
    let n = Math.floor(lo / 1e4) * 1e4;
    for (let tries = 0; tries < 4; tries++, n = Math.floor((n * 0.98) / 1e4) * 1e4) {
      const r = child(n, D, where);
      process.stdout.write(`${JSON.stringify({ find: D, plannedLargest: lo, ...r })}\n`);
      if (r.ok) break;
    }
  }
}
