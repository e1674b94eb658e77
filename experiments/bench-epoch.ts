#!/usr/bin/env node
// Training speed: one full-batch epoch (forward, loss, backward, AdamW step) of the 4-layer practical
// graph transformer, median of --repeats timed epochs after one warm-up epoch, written to experiments/results/bench-epoch.json.
//   node dist/experiments/bench-epoch.js --dataset tolokers --width 64 --repeats 5 [--threads 1]
// One thread unless --threads says otherwise (the native peer runs at one thread; the cpu clock sums every thread).
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { AdamW, DenseMatrix, init, initParameters, networkBackward, networkForward, practicalStructure, rng, scope, sparseAttention,
  sparseAttentionBackward, type Storage } from '../src/index.js';
// Training internals the benchmark times phase by phase (not part of the public entry).
import { softmaxCrossEntropy } from '../src/train/loss.js';
import { parseArgs, numberArg } from './args.js';
import { loadDataset, type DatasetName } from './datasets.js';

const args = parseArgs(process.argv.slice(2));
const dataset = (args.get('dataset') ?? 'tolokers') as DatasetName;
const width = numberArg(args, 'width', 64), repeats = numberArg(args, 'repeats', 5);
// --clock cpu: this process's CPU time (user + system) instead of the wall clock, like `npm run bench -- --clock cpu`
// and `scripts/bench-native.sh cpu`: on a shared machine the time spent waiting for a core then does not count.
const clock = args.get('clock') ?? 'wall';
if (clock !== 'wall' && clock !== 'cpu') throw new Error(`bench-epoch: --clock must be wall or cpu, got '${clock}'`);
const now = clock === 'cpu' ? (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; } : (): number => performance.now();
const threads = numberArg(args, 'threads', 1);
await init(undefined, { threads });
const g = loadDataset(args.get('data-dir') ?? '../shared/data', dataset, 0);
const config = { inputDim: g.numFeatures, width, layers: 4, numClasses: g.numClasses };
const params = initParameters(config, 0, 'f32');
const structure = practicalStructure(config);
const opt = new AdamW();
const phases = { forward: [] as number[], backward: [] as number[], step: [] as number[], total: [] as number[] };
for (let r = 0; r <= repeats; r++) {
  scope(() => {
    const t0 = now();
    const fwd = networkForward(structure, params, g.features, g.graph);
    const { dLogits } = softmaxCrossEntropy(fwd.logits, g.labels, g.masks.train);
    const t1 = now();
    const grads = networkBackward(structure, params, fwd.cache, dLogits, g.graph);
    const t2 = now();
    opt.step(params, grads, 0.01);
    const t3 = now();
    if (r > 0) { phases.forward.push(t1 - t0); phases.backward.push(t2 - t1); phases.step.push(t3 - t2); phases.total.push(t3 - t0); }
  });
}
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
// One attention layer alone (the ../shared/anchors task: random Q, K/√D scale, V on the same pattern).
const attention = { forward: [] as number[], backward: [] as number[] };
scope(() => {
  const r = rng(0), n = g.numNodes;
  const mk = (): DenseMatrix<'f32'> => DenseMatrix.from(r.fillNormal(new Float32Array(n * width)), n, width, 'f32');
  const q = mk(), k = mk(), v = mk(), dOut = mk();
  for (let t = 0; t <= repeats; t++) {
    scope(() => {
      const t0 = now();
      const f = sparseAttention(q, k, v, g.graph, { scale: 1 / Math.sqrt(width), returnWeights: true, checkFinite: false });
      const t1 = now();
      sparseAttentionBackward(dOut, q, k, v, f.weights as Storage<'f32'>, g.graph, { scale: 1 / Math.sqrt(width) });
      const t2 = now();
      if (t > 0) { attention.forward.push(t1 - t0); attention.backward.push(t2 - t1); }
    });
  }
});
const result = {
  task: `train epoch ${dataset} n=${g.numNodes} edges=${g.graph.numEdges} D=${width} L=4 (forward + CE + backward + AdamW)`,
  medianMs: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(median(v) * 10) / 10])),
  attentionLayerMedianMs: { forward: Math.round(median(attention.forward) * 10) / 10, backward: Math.round(median(attention.backward) * 10) / 10 },
  repeats, clock, threads, node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, date: new Date().toISOString(),
};
process.stdout.write(JSON.stringify(result, null, 1) + '\n');
if (args.get('out')) writeFileSync(args.get('out')!, JSON.stringify(result, null, 1) + '\n');
