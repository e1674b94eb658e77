// `narrowgt train`: trains the practical graph transformer (App. D.2–D.3) on a graph and writes it as .safetensors
// (BatchNorm1d tensors with the full-batch statistics, so PyTorch loads it too).
import { trainedToSafetensors, formatAttentionPattern, trainNodeClassifier, freeParameters, TRAINING_DEFAULTS as D } from '../../index.js';
import { graphOptions, intOption, loadGraphOption, numberOption, requiredOption, writeOutput } from '../common.js';
import { CliError } from '../cli-error.js';
import { endProgress, progress, table } from '../output.js';
import type { Command } from './types.js';

export const train: Command = {
  name: 'train',
  summary: 'train a graph transformer on a graph and write it as .safetensors',
  usage: 'narrowgt train --out MODEL.safetensors [--graph G.npz] [--width 64] [--epochs 100] [--patience 30] [--lr 0.01] [--dropout 0.5] [--pattern graph+self-loops] [--json]',
  options: {
    ...graphOptions,
    out: { type: 'string', description: 'where to write the trained network (.safetensors)' },
    width: { type: 'string', description: 'D, the width of every layer', default: String(D.width) },
    layers: { type: 'string', description: 'number of transformer layers', default: String(D.layers) },
    epochs: { type: 'string', description: 'at most this many full-batch epochs (AdamW + cosine schedule); the best validation epoch is saved', default: String(D.epochs) },
    patience: { type: 'string', description: 'stop once validation has not improved for this many epochs (0: never stop early)', default: String(D.patience ?? 0) },
    lr: { type: 'string', description: 'base learning rate', default: String(D.lr) },
    'weight-decay': { type: 'string', description: 'AdamW weight decay', default: String(D.weightDecay) },
    dropout: { type: 'string', description: 'dropout on the encoder output and the FFN hidden layer, training only (docs/experiments.md "Training defaults")', default: String(D.dropout) },
    seed: { type: 'string', description: 'initialization seed', default: '0' },
    json: { type: 'boolean', description: 'machine-readable output on stdout' },
  },
  async run(values) {
    const cmd = 'train';
    const out = requiredOption(cmd, values, 'out', 'the .safetensors file to write');
    if (!out.endsWith('.safetensors')) throw new CliError(`${cmd}: --out must name a .safetensors file, got '${out}'`);
    const width = intOption(cmd, values, 'width', 1, 4096), layers = intOption(cmd, values, 'layers', 1, 64);
    const epochs = intOption(cmd, values, 'epochs', 1, 100_000), seed = intOption(cmd, values, 'seed', 0, 2 ** 31 - 1);
    const lr = numberOption(cmd, values, 'lr'), weightDecay = numberOption(cmd, values, 'weight-decay', 0, true);
    const dropout = numberOption(cmd, values, 'dropout', 0, true);
    const patienceFlag = intOption(cmd, values, 'patience', 0, 100_000), patience = patienceFlag === 0 ? null : patienceFlag;
    if (!(dropout < 1)) throw new CliError(`${cmd}: --dropout must lie in [0, 1), got ${dropout}`);
    const g = await loadGraphOption(cmd, values);
    try {
      const every = Math.max(1, Math.round(epochs / 20));
      const res = trainNodeClassifier(g, {
        width, layers, epochs, lr, weightDecay, seed, dropout, patience,
        onEpoch: (r) => { if (r.epoch % every === 0 || r.epoch === epochs - 1) progress(`train: epoch ${r.epoch + 1}/${epochs} loss ${r.loss.toFixed(4)} val ${r.val.toFixed(4)} (${r.seconds.toFixed(2)} s/epoch)`); },
      });
      endProgress();
      try {
        const metadata = {
          'narrowgt.trained': JSON.stringify({ graph: g.name ?? null, split: Number(values.split), width, layers, epochs, lr, weightDecay, dropout, seed,
            metric: g.metric, patience, keptEpoch: res.bestValidation.epoch, epochsRun: res.epochsRun, final: res.final }),
        };
        writeOutput(cmd, out, trainedToSafetensors(res.config, res.parameters, g.features, g.graph, { metadata, pattern: g.pattern }), 'out');
      } finally {
        freeParameters(res.parameters);
      }
      // final and bestValidation describe the saved parameters (the best validation epoch); last is where the run ended.
      const report = { out, graph: g.name ?? null, pattern: formatAttentionPattern(g.pattern), metric: g.metric, config: res.config, epochs, patience, lr,
        weightDecay, dropout, seed, final: res.final, bestValidation: res.bestValidation, last: res.last, epochsRun: res.epochsRun, stoppedEarly: res.stoppedEarly,
        seconds: res.seconds };
      if (values.json) { console.log(JSON.stringify(report)); return; }
      console.log(`trained ${layers}-layer D = ${width} network on ${g.name} (${g.numNodes} nodes, pattern ${report.pattern}) in ${res.seconds.toFixed(1)} s → ${out}`);
      console.log(`saved epoch ${res.bestValidation.epoch} (best validation ${g.metric}) of ${res.epochsRun} run${res.stoppedEarly ? ` (stopped early: patience ${patience})` : ''}`);
      console.log(table(['split', g.metric], [['train', res.final.train.toFixed(4)], ['val', res.final.val.toFixed(4)], ['test', res.final.test.toFixed(4)]]));
    } finally {
      g.free();
    }
  },
};
