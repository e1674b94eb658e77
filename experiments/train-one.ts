#!/usr/bin/env node
// One training run, progress to stderr, the result as JSON on stdout (or --out FILE).
//   node dist/experiments/train-one.js --data ../shared/data/tolokers.npz --width 64 --lr 0.01 --epochs 100 --seed 0 --split 0
import { writeFileSync } from 'node:fs';
import { init, serializeTrained, trainNodeClassifier } from '../src/index.js';
import { loadGraphFile } from '../src/node/index.js';
import { parseArgs, numberArg } from './args.js';

const args = parseArgs(process.argv.slice(2));
await init();
const path = args.get('data') ?? '../shared/data/minesweeper.npz';
const split = numberArg(args, 'split', 0);
const selfLoops = (args.get('self-loops') ?? 'true') !== 'false';
const graph = loadGraphFile(path, { split, selfLoops });
const every = numberArg(args, 'log-every', 10);
const result = trainNodeClassifier(graph, {
  width: numberArg(args, 'width', 64), layers: numberArg(args, 'layers', 4), lr: numberArg(args, 'lr', 0.01),
  epochs: numberArg(args, 'epochs', 100), seed: numberArg(args, 'seed', 0), weightDecay: numberArg(args, 'weight-decay', 0.01),
  dropout: numberArg(args, 'dropout', 0), warmup: numberArg(args, 'warmup', 0), patience: null, keepBest: false, // as recorded: every epoch, the last saved
  onEpoch: (r) => {
    if (r.epoch % every === 0) process.stderr.write(`epoch ${r.epoch} lr ${r.lr.toExponential(2)} loss ${r.loss.toFixed(4)} train ${r.train.toFixed(4)} val ${r.val.toFixed(4)} test ${r.test.toFixed(4)} (${r.seconds.toFixed(2)} s)\n`);
  },
});
const summary = { data: path, split, config: result.config, final: result.final, bestValidation: result.bestValidation, seconds: result.seconds,
  secondsPerEpoch: result.seconds / result.history.length };
process.stderr.write(`final ${JSON.stringify(summary)}\n`);
const out = args.get('out');
if (out) writeFileSync(out, JSON.stringify({ ...summary, history: result.history }, null, 1));
const save = args.get('save');
if (save) writeFileSync(save, serializeTrained(result.config, result.parameters));
