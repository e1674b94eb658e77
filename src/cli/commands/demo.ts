// `narrowgt demo` (what `npm start` runs): the bundled Minesweeper graph through the fused attention kernel at
// the paper's widths, WASM SIMD against the plain-TS twin, with the agreement between the two.
import { init, backend, setBackend, DenseMatrix, sparseAttention, rng, scope } from '../../index.js';
import { loadGraphFile, bundledGraphPath } from '../../node/index.js';
import { CliError } from '../cli-error.js';
import { table, progress, endProgress, medianMs } from '../output.js';
import type { Command } from './types.js';

export const demo: Command = {
  name: 'demo',
  summary: 'load a graph (default: bundled Minesweeper) and time one attention layer at D = 64, 16, 4',
  usage: 'narrowgt demo [--graph FILE.npz] [--json]',
  options: {
    graph: { type: 'string', description: 'an .npz graph (Platonov or Shchur layout)' },
    json: { type: 'boolean', description: 'machine-readable output' },
  },
  async run(values) {
    const path = (values.graph as string | undefined) ?? bundledGraphPath();
    if (!path.endsWith('.npz')) throw new CliError(`demo: --graph must name an .npz file, got '${path}'`);
    await init();
    const g = loadGraphFile(path);
    const rows: (string | number)[][] = [];
    const results: Record<string, unknown>[] = [];
    try {
      for (const d of [64, 16, 4]) {
        progress(`demo: attention at D = ${d} on ${g.name ?? path} (${g.numNodes} nodes, ${g.graph.numEdges} entries)`);
        scope(() => {
          const r = rng(d);
          const n = g.numNodes;
          const mk = () => DenseMatrix.from(r.fillNormal(new Float32Array(n * d), 1 / Math.sqrt(d)), n, d);
          const q = mk(), k = mk(), v = mk();
          const out = DenseMatrix.zeros(n, d);
          const wasmMs = medianMs(() => sparseAttention(q, k, v, g.graph, { out }));
          const fast = Float32Array.from(out.data);
          setBackend('js');
          let jsMs: number;
          try {
            jsMs = medianMs(() => sparseAttention(q, k, v, g.graph, { out }), 3);
          } finally {
            setBackend('wasm-simd');
          }
          let diff = 0;
          for (let i = 0; i < fast.length; i++) diff = Math.max(diff, Math.abs(fast[i] - out.data[i]));
          rows.push([d, wasmMs.toFixed(2), jsMs.toFixed(2), (jsMs / wasmMs).toFixed(1) + '×', diff.toExponential(1)]);
          results.push({ d, wasmMs, jsMs, speedup: jsMs / wasmMs, maxAbsDiff: diff });
        });
      }
    } finally {
      g.free();
      endProgress();
    }
    if (values.json) {
      console.log(JSON.stringify({ graph: g.name, nodes: g.numNodes, entries: g.graph.numEdges, backend: backend(), results }));
      return;
    }
    console.log(`${g.name}: ${g.numNodes} nodes, ${g.graph.numEdges} attention entries (symmetrized, self loops), backend ${backend()}`);
    console.log(table(['D', 'wasm ms', 'TS twin ms', 'speed-up', 'max |Δ|'], rows));
  },
};
