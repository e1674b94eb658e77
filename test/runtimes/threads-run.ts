// The thread pool in one runtime (Node, Deno, Bun; scripts/runtimes/threads-browser.mjs does Chromium): init({ threads: 2 })
// must start 2 threads over a shared memory, and GEMM (f32, f64), the f32 attention forward with its weights and the
// f32 attention backward must give the same bits on 2 threads as on 1 (docs/runtimes.md, "Threads"). Each call is above
// the size where the dispatcher splits it (src/runtime/threads/splits.ts), and the pool's job count must grow, so the
// comparison is not 1 thread against 1. Prints one line `narrowgt-threads <JSON>`; scripts/runtimes/local.mjs judges it.
import * as lib from '../../src/index.js';
import { threadJobs } from '../../src/runtime/threads/state.js';

const out: Record<string, unknown> = {};
try {
  await lib.init(undefined, { threads: 2 });
  out.info = lib.threadInfo();
  const r = lib.rng(3), n = 192, nodes = 3000;
  const a32 = lib.DenseMatrix.from(r.fillNormal(new Float32Array(n * n)), n, n, 'f32');
  const a64 = lib.DenseMatrix.from(r.fillNormal(new Float64Array(n * n)), n, n, 'f64');
  const rows: number[] = [], cols: number[] = [];
  for (let i = 0; i < nodes; i++) for (let t = 0; t < 8; t++) { rows.push(i); cols.push(r.int(nodes)); }
  const pattern = lib.csrFromEdges(rows, cols, { numNodes: nodes, selfLoops: true });
  const mat = (d: number): lib.DenseMatrix<'f32'> => lib.DenseMatrix.from(r.fillNormal(new Float32Array(nodes * d)), nodes, d, 'f32');
  const q = mat(16), k = mat(16), v = mat(16), dOut = mat(16);
  const run = (): Float32Array[] | Float64Array[] => {
    const att = lib.sparseAttention(q, k, v, pattern, { scale: 0.25, returnWeights: true });
    const g = lib.sparseAttentionBackward(dOut, q, k, v, att.weights, pattern, { scale: 0.25 });
    return [lib.matmul(a32, a32).data, lib.matmul(a64, a64).data, att.output.data, att.weights.array, g.dQ.data, g.dK.data, g.dV.data]
      .map((x) => x.slice()) as Float32Array[];
  };
  lib.useThreads(1);
  const one = run();
  const threads = (out.info as lib.ThreadInfo).threads;
  lib.useThreads(threads);
  const jobs = threadJobs();
  const two = run();
  out.jobs = threadJobs() - jobs;
  out.same = one.map((x, i) => x.length === two[i].length && x.every((value, j) => Object.is(value, two[i][j])));
} catch (e) {
  out.error = String((e as Error)?.stack ?? e);
}
console.log(`narrowgt-threads ${JSON.stringify(out)}`);
lib.disposeThreads();
