#!/usr/bin/env node
// The 2-layer MLP baseline of docs/experiments.md "Training defaults": X → ReLU(X·W_1ᵀ + b_1) (hidden 64,
// dropout on the hidden layer) → ·W_2ᵀ + b_2, on the same split as `narrowgt train` (split 0), trained full batch
// with AdamW + cosine (src/train/adamw.ts), the best validation epoch kept, patience as fit()'s. Not part of the
// library: it exists to compare the graph transformer against a model that ignores the graph.
//   node scripts/mlp-baseline.mjs GRAPH.npz [hidden=64,lr=0.01,wd=0.01,dropout=0.5,epochs=200,patience=30,seed=0]
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const dist = resolve(process.env.NARROWGT_DIST ?? new URL('../dist', import.meta.url).pathname);
const load = (p) => import(pathToFileURL(`${dist}/src/${p}`).href);
const lib = await load('index.js');
const { loadGraphFile } = await load('node/index.js');
const { linearForward, linearBackward } = await load('train/linear.js');
const { reluInPlace, reluBackwardInPlace } = await load('train/elementwise.js');
const { softmaxCrossEntropy } = await load('train/loss.js');
const { evaluateMetric } = await load('train/metrics.js');
const [path, spec = ''] = process.argv.slice(2);
if (!path) throw new Error('usage: mlp-baseline.mjs GRAPH.npz [hidden=…,lr=…,wd=…,dropout=…,epochs=…,patience=…,seed=…]');
const c = { hidden: 64, lr: 0.01, wd: 0.01, dropout: 0.5, epochs: 200, patience: 30, seed: 0,
  ...Object.fromEntries(spec.split(',').filter(Boolean).map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)])) };
await lib.init();
const g = loadGraphFile(path, { randomSplit: { train: 0.6, val: 0.2, seed: 0 }, selfLoops: true });
const x = g.features.dtype === 'f32' ? g.features : g.features.clone('f32');
const r = lib.rng(c.seed), drop = r.fork();
const uniform = (rows, cols, fanIn) => {
  const m = lib.DenseMatrix.zeros(rows, cols, 'f32'), b = 1 / Math.sqrt(fanIn);
  for (let i = 0; i < m.data.length; i++) m.data[i] = (2 * r.float() - 1) * b;
  return m;
};
const f = x.cols, H = c.hidden, C = g.numClasses;
const params = new Map([['w1', uniform(H, f, f)], ['b1', uniform(1, H, f)], ['w2', uniform(C, H, H)], ['b2', uniform(1, C, H)]]);
const forward = (p) => {
  const hidden = linearForward(x, params.get('w1'), params.get('b1'));
  reluInPlace(hidden);
  let mask = null;
  if (p > 0) {
    mask = new Float32Array(hidden.data.length);
    for (let i = 0; i < mask.length; i++) { mask[i] = drop.float() < p ? 0 : 1 / (1 - p); hidden.data[i] *= mask[i]; }
  }
  return { hidden, mask, logits: linearForward(hidden, params.get('w2'), params.get('b2')) };
};
const opt = new lib.AdamW({ weightDecay: c.wd });
const score = (logits) => Object.fromEntries(['train', 'val', 'test'].map((s) => [s, evaluateMetric(g.metric, logits, g.labels, g.masks[s])]));
let best = { epoch: -1, val: -Infinity, test: NaN };
let epoch = 0;
for (; epoch <= c.epochs; epoch++) {
  const s = lib.scope(() => score(forward(0).logits));
  if (s.val > best.val) best = { epoch, val: s.val, test: s.test, train: s.train };
  if (epoch === c.epochs || epoch - best.epoch >= c.patience) break;
  lib.scope(() => {
    const fw = forward(c.dropout);
    const { dLogits } = softmaxCrossEntropy(fw.logits, g.labels, g.masks.train);
    const g2 = linearBackward(dLogits, fw.hidden, params.get('w2'));
    const dh = g2.dX;
    if (fw.mask) for (let i = 0; i < dh.data.length; i++) dh.data[i] *= fw.mask[i];
    reluBackwardInPlace(dh, fw.hidden);
    const g1 = linearBackward(dh, x, params.get('w1'), false);
    opt.step(params, new Map([['w1', g1.dW], ['b1', g1.db], ['w2', g2.dW], ['b2', g2.db]]), lib.cosineLearningRate(c.lr, epoch, c.epochs));
  });
}
process.stdout.write(JSON.stringify({ graph: g.name, metric: g.metric, model: `MLP ${f}→${H}→${C}`, config: c, best, epochsRun: epoch }) + '\n');
