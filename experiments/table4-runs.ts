#!/usr/bin/env node
// Runs a grid of trainings for Table 4 / Figure 1 / Table 1 and appends one JSON line per run.
//   node dist/experiments/table4-runs.js --dataset minesweeper --width 64 --lrs 0.01 --epochs 100 --runs 0,1,2 --out experiments/results/table4-runs.jsonl
// Run r uses initialization seed r and split r (see datasets.ts). Runs already in the file are skipped,
// so an interrupted command resumes. Progress goes to stderr.
// Beyond the paper's grid (lr × epochs), --dropout P and --self-loops false are part of a run's configuration
// (the paper states neither; see docs/experiments.md): lines record both, and --best compares like with like.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { freeParameters, init, modelNorms, toGraphTransformer, trainNodeClassifier, type LoadedGraph, type TrainResult } from '../src/index.js';
import { parseArgs, numberArg, listArg } from './args.js';
import { DATASETS, loadDataset, type DatasetName } from './datasets.js';
import { selectConfig, type Run } from './select.js';

const args = parseArgs(process.argv.slice(2));

/**
 * Table 1's norms of a trained network (Sec. 5, App. D; docs/theory.md#18-table-1-how-the-norms-are-measured) by
 * modelNorms on its GraphTransformer, written with the field names every line of experiments/results/ already uses.
 */
function table1Norms(res: TrainResult, graph: LoadedGraph) {
  const model = toGraphTransformer(res.parameters, res.config, graph.features, graph.graph);
  try {
    const n = modelNorms(model, graph.features, graph.graph);
    return {
      operatorNorms: n.layers.map((l) => [l.operatorNorms.wQ, l.operatorNorms.wK, l.operatorNorms.wV, l.operatorNorms.w1, l.operatorNorms.w2]),
      vectorNormMeans: n.layers.map((l) => l.meanInputNorm), vectorNormMaxima: n.layers.map((l) => l.maxInputNorm),
      operatorNormAverage: n.averageOperatorNorm, operatorNormMax: n.beta, vectorNormAverage: n.averageInputNorm, vectorNormMax: n.maxInputNorm,
    };
  } finally {
    model.free();
  }
}
const dataset = (args.get('dataset') ?? 'minesweeper') as DatasetName;
if (!DATASETS.includes(dataset)) throw new Error(`table4-runs: --dataset must be one of ${DATASETS.join(', ')}`);
const dir = args.get('data-dir') ?? '../shared/data';
const width = numberArg(args, 'width', 64);
let lrs = listArg(args, 'lrs', [0.1, 0.01, 0.001]);
let epochsList = listArg(args, 'epochs', [50, 100, 150, 200]);
const runs = listArg(args, 'runs', [0]);
const weightDecay = numberArg(args, 'weight-decay', 0.01), dropout = numberArg(args, 'dropout', 0);
const selfLoopsArg = args.get('self-loops') ?? 'true';
if (selfLoopsArg !== 'true' && selfLoopsArg !== 'false') throw new Error(`table4-runs: --self-loops must be true or false, got '${selfLoopsArg}'`);
const selfLoops = selfLoopsArg === 'true';
const out = args.get('out') ?? 'experiments/results/table4-runs.jsonl';
await init();

// --best: take the (lr, epochs) that report.js selects (select.ts: the highest mean final validation metric,
// compared on the runs every configuration has) among the runs already in the file for this dataset, width,
// dropout and self-loop choice, instead of --lrs / --epochs.
if (args.get('best') === 'true') {
  const prior: Run[] = existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  const { chosen, configs } = selectConfig(prior, dataset, width, (r) => (r.dropout ?? 0) === dropout && (r.selfLoops ?? true) === selfLoops);
  if (!chosen.length) throw new Error(`table4-runs: --best found no earlier ${dataset} width ${width} runs in ${out}`);
  lrs = [chosen[0].lr]; epochsList = [chosen[0].epochs];
  const c = configs.find((x) => x.lr === chosen[0].lr && x.epochs === chosen[0].epochs)!;
  process.stderr.write(`# --best: lr ${c.lr} epochs ${c.epochs} (mean validation ${c.selectionVal.toFixed(4)} on the runs every configuration has)\n`);
}

const key = (r: { dataset: string; width: number; lr: number; epochs: number; run: number; dropout?: number; selfLoops?: boolean }): string =>
  `${r.dataset}/${r.width}/${r.lr}/${r.epochs}/${r.run}/${r.dropout ?? 0}/${r.selfLoops ?? true}`;
const done = new Set(existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => key(JSON.parse(l))) : []);

for (const run of runs) {
  const graph = loadDataset(dir, dataset, run, { selfLoops });
  for (const lr of lrs) {
    for (const epochs of epochsList) {
      if (done.has(key({ dataset, width, lr, epochs, run, dropout, selfLoops }))) continue;
      process.stderr.write(`# ${dataset} width ${width} lr ${lr} epochs ${epochs} dropout ${dropout} self loops ${selfLoops} run ${run}\n`);
      const res = trainNodeClassifier(graph, { width, layers: 4, lr, epochs, seed: run, weightDecay, dropout, patience: null, keepBest: false, // the recorded protocol: every epoch, the last one scored
        onEpoch: (r) => { if (r.epoch % 25 === 0) process.stderr.write(`  epoch ${r.epoch} loss ${r.loss.toFixed(4)} val ${r.val.toFixed(4)} (${r.seconds.toFixed(2)} s)\n`); } });
      const norms = table1Norms(res, graph);
      freeParameters(res.parameters);
      const line = { dataset, width, lr, epochs, run, split: dataset === 'cora' ? `random seed ${run}` : run % 10, weightDecay, dropout, selfLoops,
        metric: graph.metric, final: res.final, bestValidation: res.bestValidation, seconds: res.seconds,
        secondsPerEpoch: res.seconds / epochs, norms };
      appendFileSync(out, JSON.stringify(line) + '\n');
      process.stderr.write(`  -> test ${res.final.test.toFixed(4)} val ${res.final.val.toFixed(4)} in ${res.seconds.toFixed(0)} s\n`);
    }
  }
  graph.free();
}
