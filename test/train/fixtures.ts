// A small random node-classification problem for the training tests (seeded, printed by the tests).
import { DenseMatrix, csrFromEdges, rng, type CsrGraph } from '../../src/index.js';
import type { NodeClassificationData } from '../../src/train/train.js';

/** n nodes, about 3 random out-edges each plus self loops, f features, C classes, 50/25/25 masks. */
export function tinyProblem(seed: number, n = 9, f = 3, C = 3, dtype: 'f32' | 'f64' = 'f64'): NodeClassificationData & { graph: CsrGraph } {
  const r = rng(seed);
  const rows: number[] = [], cols: number[] = [];
  for (let i = 0; i < n; i++) for (let t = 0; t < 3; t++) { rows.push(i); cols.push(r.int(n)); }
  const graph = csrFromEdges(rows, cols, { numNodes: n, selfLoops: true });
  const x = new Float64Array(n * f);
  r.fillNormal(x);
  const labels = new Int32Array(n), train = new Uint8Array(n), val = new Uint8Array(n), test = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % C;
    const u = r.float();
    (u < 0.5 ? train : u < 0.75 ? val : test)[i] = 1;
  }
  train[0] = 1; train[1] = 1;
  return { features: DenseMatrix.from(x, n, f, dtype), labels, masks: { train, val, test }, graph, metric: C === 2 ? 'roc_auc' : 'accuracy', numClasses: C };
}
