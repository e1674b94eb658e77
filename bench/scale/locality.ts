// Where the community-ordered SBM's extra cost per entry at 10⁶ nodes comes from (docs/performance.md, "Scale",
// "Issue 15's locality target"). One process, one thread, CPU time; every variant's graph is built first and the
// variants are then timed in alternating rounds (one call each per round), so machine load hits all alike.
//   node dist/bench/scale/locality.js [--n 10000,1000000] [--widths 64,4] [--rounds 5] [--community] [--simd auto|plain|relaxed] [--only blocks,near,…] [--wasm kernels.wasm] [--out file.json]
// Several sizes are timed in the same rounds, so their ratio sees the same load.
// Variants, all on bench/scale/generators.ts's SBM (blocks of 1,000, pIn = 0.9 unless said), in the generator's
// block order (the order a perfect community reordering gives: orderingFromPermutation of its shuffle):
//   blocks          the graph as the community order would lay it out at best;
//   blocks-sorted   the same with every row's columns sorted (permuteGraph sortColumns);
//   near            only the in-block entries (and the self loop) of `blocks`;
//   far             only the inter-block entries (and the self loop) of `blocks`;
//   pin1            an SBM with pIn = 1 (every partner in its block) in block order;
//   community       reorderNodes(…, 'community') of the shuffled graph (with --community; 15 s at 10⁶);
//   uniform         the uniform graph (every gather random).
// near + far − (self-loop row cost) against blocks says whether the two kinds of entry cost what they cost alone.
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import {
  init, backend, CsrGraph, DenseMatrix, graphBandwidth, orderingFromPermutation, permuteGraph, reorderNodes, rng,
  sparseAttention, threadInfo,
} from '../../src/index.js';
import { sbmGraph, uniformGraph } from './generators.js';

function cpuMs(): number { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** The generator's block order of sbmGraph(n, seed): sbmGraph renames generator node u to perm[u], perm = rng(seed + 1000).permutation(n). */
function blockOrdered(n: number, pIn: number, sortColumns = false): CsrGraph {
  const g = sbmGraph(n, 2, 1000, pIn).pattern;
  const perm = rng(2 + 1000).permutation(n);
  const out = permuteGraph(g, orderingFromPermutation(perm), { sortColumns });
  g.free();
  return out;
}

/** Keep the entries of `g` (block order) that `keep(i, j)` accepts, plus every self loop. */
function filtered(g: CsrGraph, keep: (i: number, j: number) => boolean): CsrGraph {
  const n = g.numRows, rp = g.rowPtr.array, ci = g.colIdx.array;
  const rowPtr = new Int32Array(n + 1), colIdx = new Int32Array(ci.length);
  let w = 0;
  for (let i = 0; i < n; i++) {
    for (let e = rp[i]; e < rp[i + 1]; e++) { const j = ci[e]; if (j === i || keep(i, j)) colIdx[w++] = j; }
    rowPtr[i + 1] = w;
  }
  return CsrGraph.fromArrays(n, n, rowPtr, colIdx.subarray(0, w));
}

const sizes = arg('n', '10000,1000000').split(',').map(Number), rounds = Number(arg('rounds', '5'));
const widths = arg('widths', '64,4').split(',').map(Number);
const simd = arg('simd', 'auto') as 'auto' | 'plain' | 'relaxed';
// --wasm file: a kernel build of your own (an experiment), loaded as init's source
const wasmPath = arg('wasm', '');
if ((await init(wasmPath ? readFileSync(wasmPath) : undefined, wasmPath ? { threads: 1 } : { threads: 1, simd })) !== 'wasm-simd') throw new Error(`locality: WASM SIMD did not load (${backend()})`);
process.stderr.write(`threads: ${JSON.stringify(threadInfo())}, simd ${simd}\n`);

const graphs: { n: number; name: string; g: CsrGraph }[] = [];
const sameBlock = (i: number, j: number): boolean => Math.floor(i / 1000) === Math.floor(j / 1000);
// --only a,b: just these variants (the 'blocks' graph is built in any case, for near and far)
const only = arg('only', '').split(',').filter(Boolean);
for (const n of sizes) {
  const blocks = blockOrdered(n, 0.9);
  graphs.push({ n, name: 'blocks', g: blocks });
  graphs.push({ n, name: 'blocks-sorted', g: blockOrdered(n, 0.9, true) });
  graphs.push({ n, name: 'near', g: filtered(blocks, sameBlock) });
  graphs.push({ n, name: 'far', g: filtered(blocks, (i, j) => !sameBlock(i, j)) });
  graphs.push({ n, name: 'pin1', g: blockOrdered(n, 1) });
  if (process.argv.includes('--community')) {
    const s = sbmGraph(n).pattern;
    const t = performance.now();
    const o = reorderNodes(s, { method: 'community', symmetric: true });
    process.stderr.write(`n=${n} community order: ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    graphs.push({ n, name: 'community', g: permuteGraph(s, o) });
    graphs.push({ n, name: 'community-sorted', g: permuteGraph(s, o, { sortColumns: true }) });
    s.free();
  }
  graphs.push({ n, name: 'uniform', g: uniformGraph(n).pattern });
}
graphs.splice(0, graphs.length, ...graphs.filter((x) => only.length === 0 || only.includes(x.name)));
const load0 = loadavg();

const results: Record<string, unknown>[] = [];
for (const d of widths) {
  // one q, k, v, out per size; every graph of every size timed once per round
  const mats = new Map<number, DenseMatrix<'f32'>[]>();
  for (const n of sizes) {
    const r = rng(d);
    const mk = (s: number): DenseMatrix<'f32'> => { const m = DenseMatrix.zeros(n, d, 'f32'); r.fillNormal(m.data, s); return m; };
    mats.set(n, [mk(1 / Math.sqrt(d)), mk(1 / Math.sqrt(d)), mk(1), DenseMatrix.zeros(n, d, 'f32')]);
  }
  const call = (n: number, g: CsrGraph): void => { const [q, k, v, out] = mats.get(n) as DenseMatrix<'f32'>[]; sparseAttention(q, k, v, g, { out }); };
  for (const { n, g } of graphs) call(n, g);   // warm-up
  const times = graphs.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    graphs.forEach(({ n, g }, gi) => {
      // small graphs: time a batch of calls so each sample is ≥ ~100 ms of work
      const reps = Math.max(1, Math.round(1e6 / n));
      const t = cpuMs();
      for (let r = 0; r < reps; r++) call(n, g);
      times[gi].push((cpuMs() - t) / reps);
    });
  }
  graphs.forEach(({ n, name, g }, gi) => {
    const ts = times[gi].slice().sort((a, b) => a - b), ms = ts[Math.floor(ts.length / 2)];
    const row = { n, d, graph: name, entries: g.numEdges, medianMs: ms, nsPerEntry: (ms * 1e6) / g.numEdges, nsPerRow: (ms * 1e6) / n,
      meanDistance: graphBandwidth(g).meanDistance, runs: ts };
    results.push(row);
    process.stderr.write(`n=${n} D=${d} ${name.padEnd(16)} entries ${g.numEdges.toString().padStart(9)}  ${ms.toFixed(2).padStart(9)} ms  ${row.nsPerEntry.toFixed(2).padStart(7)} ns/entry\n`);
  });
  for (const ms of mats.values()) for (const m of ms) m.free();
}
const report = { command: `node ${process.argv.slice(1).join(' ')}`, threads: 1, simd, wasm: wasmPath || 'embedded', loadBefore: load0, loadAfter: loadavg(), results };
const outPath = arg('out', '');
if (outPath) writeFileSync(outPath, `${JSON.stringify(report, null, 1)}\n`);
else process.stdout.write(`${JSON.stringify(report)}\n`);
