#!/usr/bin/env node
// Training-defaults sweep (docs/experiments.md "Training defaults"): trains the D = 64, 4-layer practical
// network once per configuration on one graph (split 0, as `narrowgt train` loads it) and prints one JSON line
// per run with the whole per-epoch history (train / val / test metric), so that the best-validation epoch and
// what a given patience would have kept can be read off the same run.
//   node scripts/training-defaults.mjs GRAPH.npz 'lr=0.01,wd=0.01,dropout=0,epochs=100' ['lr=…' …]
// Runs on the built package (npm run build first); NARROWGT_DIST points at another build's dist/ to compare.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const dist = resolve(process.env.NARROWGT_DIST ?? new URL('../dist', import.meta.url).pathname);
const lib = await import(pathToFileURL(`${dist}/src/index.js`).href);
const { loadGraphFile } = await import(pathToFileURL(`${dist}/src/node/index.js`).href);
const [path, ...configs] = process.argv.slice(2);
if (!path || configs.length === 0) throw new Error('usage: training-defaults.mjs GRAPH.npz lr=…,wd=…,dropout=…,epochs=…[,patience=…] …');
await lib.init();
const g = loadGraphFile(path, { randomSplit: { train: 0.6, val: 0.2, seed: 0 }, selfLoops: true });
for (const spec of configs) {
  const c = Object.fromEntries(spec.split(',').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)]));
  const history = [];
  const res = lib.trainNodeClassifier(g, {
    width: c.width ?? 64, layers: c.layers ?? 4, lr: c.lr, weightDecay: c.wd, dropout: c.dropout, epochs: c.epochs, seed: c.seed ?? 0,
    patience: c.patience ?? null, // the whole run unless asked: the history shows what any patience would keep
    onEpoch: (r) => history.push([r.epoch, +r.train.toFixed(4), +r.val.toFixed(4), +r.test.toFixed(4), +r.seconds.toFixed(2)]),
  });
  lib.freeParameters(res.parameters);
  process.stdout.write(JSON.stringify({ graph: g.name, metric: g.metric, config: c, best: res.bestValidation, final: res.final,
    seconds: +res.seconds.toFixed(1), history }) + '\n');
}
g.free();
