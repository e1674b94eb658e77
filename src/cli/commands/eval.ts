// `narrowgt eval`: a model file's metric on a graph's masks, its size and its f32 forward time.
import { formatAttentionPattern, countModelParameters, evaluateModel, scope } from '../../index.js';
import { CliError } from '../cli-error.js';
import { graphOptions, intOption, readModelAndGraph, requiredOption } from '../common.js';
import { medianMs, table } from '../output.js';
import type { Command } from './types.js';

export const evalCommand: Command = {
  name: 'eval',
  summary: "evaluate a .safetensors model on a graph: metric, parameters, forward time",
  usage: 'narrowgt eval --model MODEL.safetensors [--graph G.npz] [--split 0] [--repeats 5] [--json]',
  options: {
    ...graphOptions,
    model: { type: 'string', description: 'the network (.safetensors, docs/compression.md naming)' },
    repeats: { type: 'string', description: 'timed forwards (median reported)', default: '5' },
    json: { type: 'boolean', description: 'machine-readable output on stdout' },
  },
  async run(values) {
    const cmd = 'eval';
    const path = requiredOption(cmd, values, 'model', 'the .safetensors network to evaluate');
    const repeats = intOption(cmd, values, 'repeats', 1, 1000);
    if (!path.endsWith('.safetensors')) throw new CliError(`${cmd}: --model must name a .safetensors file, got '${path}'`);
    const { model, g } = await readModelAndGraph(cmd, values, path);
    try {
      try {
        if (model.inputDim !== g.numFeatures) throw new CliError(`${cmd}: --model reads ${model.inputDim} features but the graph has ${g.numFeatures}`);
        if (model.outputDim !== g.numClasses) throw new CliError(`${cmd}: --model writes ${model.outputDim} logits but the graph has ${g.numClasses} classes`);
        const metrics = evaluateModel(model, g);
        const ms = medianMs(() => scope(() => { model.forward(g.features, g.graph, { dtype: 'f32' }); }), repeats);
        const report = { model: path, graph: g.name ?? null, pattern: formatAttentionPattern(g.pattern), metric: g.metric, widths: model.widths, parameters: countModelParameters(model), ...metrics, forwardMs: ms };
        if (values.json) { console.log(JSON.stringify(report)); return; }
        console.log(`${path}: widths ${model.widths.join('→')}, ${report.parameters} parameters, f32 forward ${ms.toFixed(1)} ms on ${g.name}, pattern ${report.pattern} (median of ${repeats})`);
        console.log(table(['split', g.metric], [['train', metrics.train.toFixed(4)], ['val', metrics.val.toFixed(4)], ['test', metrics.test.toFixed(4)]]));
      } finally {
        model.free();
      }
    } finally {
      g.free();
    }
  },
};
