// `narrowgt experiment NAME`: 'compression' regenerates the tables and figures of docs/compression.md; the other
// names run the training experiments of the repository's experiments/ folder (Table 4, Table 1, Figure 1; built
// into dist/experiments, not shipped in the package) with their own arguments.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  compressionSweep, ConvergenceError, freeParameters, minimalWidth, modelFromSafetensors, trainedToSafetensors, trainNodeClassifier,
  type GraphTransformer, type HiddenCompression, type LoadedGraph, type WidthTrial,
} from '../../index.js';
import { CliError } from '../cli-error.js';
import {
  choiceOption, graphOptions, intListOption, intOption, loadGraphOption, numberListOption, numberOption, packageRoot, readModelFile, writeOutput,
} from '../common.js';
import { endProgress, progress } from '../output.js';
import { sweepSvg, sweepTable } from './demo.js';
import type { Command } from './types.js';

/** experiments/ entry points (dist/experiments/NAME.js) that `experiment NAME -- ARGS` runs as they are. */
const EXTERNAL = ['table4-runs', 'report', 'train-one', 'bench-epoch'] as const;

export const experiment: Command = {
  name: 'experiment',
  positionals: true,
  summary: "run an experiment: 'compression' (docs/compression.md) or table4-runs, report, train-one, bench-epoch",
  usage: 'narrowgt experiment compression [--graph G.npz] [--model WIDE.safetensors | --train-epochs N] [--widths …] [--out-json F] [--svg F]\n' +
    `       narrowgt experiment {${EXTERNAL.join('|')}} -- [their arguments]`,
  options: {
    ...graphOptions,
    model: { type: 'string', description: 'the wide network to compress (.safetensors); otherwise one is trained (--train-epochs)' },
    'train-epochs': { type: 'string', description: 'epochs of the wide D = 64 network trained when --model is absent', default: '100' },
    'train-lr': { type: 'string', description: 'its learning rate', default: '0.01' },
    'save-model': { type: 'string', description: 'write the wide network trained here (.safetensors)' },
    widths: { type: 'string', description: 'comma-separated widths d', default: '2,4,8,16,32' },
    hidden: { type: 'string', description: "FFN hidden layer of the construction: full, select or clusters", default: 'full' },
    'fine-tune-epochs': { type: 'string', description: 'fine-tune epochs per width (0: none)', default: '100' },
    lrs: { type: 'string', description: 'fine-tune learning rates tried (best validation kept)', default: '0.003,0.01' },
    'scratch-epochs': { type: 'string', description: 'epochs of the narrow networks trained from scratch (0: skip)', default: '100' },
    'scratch-lrs': { type: 'string', description: 'learning rates tried from scratch (best validation kept)', default: '0.01,0.1' },
    jl: { type: 'boolean', description: 'also compress with JL on W_Q, W_K only (Theorem 3.3)' },
    tolerance: { type: 'string', description: 'relative output error for the certified minimal width (0: skip the search)', default: '0.01' },
    'out-json': { type: 'string', description: 'write the results as JSON here' },
    svg: { type: 'string', description: 'write the SVG of test metric against width here' },
    json: { type: 'boolean', description: 'machine-readable output on stdout' },
  },
  async run(values, positionals) {
    const cmd = 'experiment';
    const [name, ...rest] = positionals;
    if (name === undefined) throw new CliError(`${cmd}: give an experiment name: compression, ${EXTERNAL.join(', ')}`);
    if ((EXTERNAL as readonly string[]).includes(name)) { runExternal(name, rest); return; }
    if (name !== 'compression') throw new CliError(`${cmd}: unknown experiment '${name}' (compression, ${EXTERNAL.join(', ')})`);
    if (rest.length) throw new CliError(`${cmd}: compression takes no positional arguments, got '${rest.join(' ')}'`);
    const widths = intListOption(cmd, values, 'widths', 1, 4096);
    const hidden = choiceOption<HiddenCompression>(cmd, values, 'hidden', ['full', 'select', 'clusters']);
    const ftEpochs = intOption(cmd, values, 'fine-tune-epochs', 0, 100_000), lrs = numberListOption(cmd, values, 'lrs');
    const scratchEpochs = intOption(cmd, values, 'scratch-epochs', 0, 100_000);
    const scratchLrs = numberListOption(cmd, values, 'scratch-lrs');
    const tolerance = numberOption(cmd, values, 'tolerance', 0, true);
    const trainEpochs = intOption(cmd, values, 'train-epochs', 1, 100_000), trainLr = numberOption(cmd, values, 'train-lr');
    for (const [k, ext] of [['out-json', '.json'], ['svg', '.svg'], ['save-model', '.safetensors'], ['model', '.safetensors']] as const) {
      const v = values[k];
      if (v !== undefined && !String(v).endsWith(ext)) throw new CliError(`${cmd}: --${k} must name a ${ext} file, got '${String(v)}'`);
    }
    const g = await loadGraphOption(cmd, values);
    let model: GraphTransformer | null = null;
    const started = performance.now();
    try {
      let source: string;
      if (values.model !== undefined) {
        model = readModelFile(cmd, values.model as string).model;
        source = values.model as string;
      } else {
        const res = trainNodeClassifier(g, { width: 64, epochs: trainEpochs, lr: trainLr, seed: 0,
          onEpoch: (r) => progress(`experiment: wide D = 64, epoch ${r.epoch + 1}/${trainEpochs} val ${r.val.toFixed(4)} (${r.seconds.toFixed(2)} s/epoch)`) });
        const bytes = trainedToSafetensors(res.config, res.parameters, g.features, g.graph, {
          metadata: { 'narrowgt.trained': JSON.stringify({ graph: g.name ?? null, split: Number(values.split), width: 64, layers: 4, epochs: trainEpochs, lr: trainLr, seed: 0 }) },
        });
        freeParameters(res.parameters);
        if (values['save-model']) writeOutput(cmd, values['save-model'] as string, bytes, 'save-model');
        model = modelFromSafetensors(bytes).model;
        source = `trained here: D = 64, ${trainEpochs} epochs, lr ${trainLr}, seed 0`;
      }
      if (model.inputDim !== g.numFeatures || model.outputDim !== g.numClasses) throw new CliError(`${cmd}: the model does not fit the graph`);
      const say = (m: string): void => progress(`experiment: ${m}`);
      const result = compressionSweep(model, g, {
        widths, hidden, fineTune: ftEpochs > 0 ? { epochs: ftEpochs, lrs } : null,
        scratch: scratchEpochs > 0 ? { epochs: scratchEpochs, lrs: scratchLrs, seed: 0 } : null, jl: Boolean(values.jl), timingRepeats: 5, onProgress: say,
      });
      const minimal = tolerance > 0 ? certifiedMinimalWidth(model, g, hidden, tolerance, say) : null;
      endProgress();
      const seconds = (performance.now() - started) / 1000;
      const report = { model: source, split: Number(values.split), ...result, certifiedMinimalWidth: minimal ? { tolerance, ...minimal } : null, totalSeconds: seconds };
      if (values['out-json']) writeOutput(cmd, values['out-json'] as string, JSON.stringify(report, null, 1) + '\n', 'out-json');
      if (values.svg) writeOutput(cmd, values.svg as string, sweepSvg(result, `${g.name}: compressed vs. trained narrow networks`), 'svg');
      if (values.json) { console.log(JSON.stringify(report)); return; }
      console.log(`${g.name} (split ${values.split}): reference ${source}; ${hidden} hidden layer; fine-tune ${ftEpochs} epochs, lr ∈ {${lrs.join(', ')}}; scratch ${scratchEpochs} epochs, lr ∈ {${scratchLrs.join(', ')}}`);
      console.log(sweepTable(result));
      if (minimal) {
        console.log(`certified minimal width (certificate holds, ‖ΔT‖ ≤ ${tolerance}·‖T‖): ${minimal.d ?? `none up to ${Math.max(...model.widths)}`}; tried ` +
          minimal.trials.map((t) => `d=${t.d}: ${t.relativeError.toExponential(2)}`).join(', '));
      }
      console.log(`JL rule d_JL(2m, 0.1, 0.1/L) = ${result.jlRuleWidth}; total ${seconds.toFixed(0)} s`);
    } finally {
      model?.free();
      g.free();
    }
  },
};

function runExternal(name: string, args: string[]): void {
  const script = join(packageRoot, 'dist', 'experiments', `${name}.js`);
  if (!existsSync(script)) {
    throw new CliError(`experiment: ${script} is missing: the training experiments live in the repository's experiments/ folder, not in the package (run npm run build in a checkout)`);
  }
  const r = spawnSync(process.execPath, [script, ...args], { stdio: 'inherit' });
  if (r.status !== 0) throw new CliError(`experiment: ${name} exited with ${r.status ?? r.signal}`);
}

/**
 * The smallest d whose certificate holds with max_i ‖T(X)_i − T̂(X)_i‖ ≤ tolerance·max_i ‖T(X)_i‖ (minimalWidth,
 * method 'practical', doubling then bisection over [1, D]), with every width tried; d is null when none meets it.
 */
function certifiedMinimalWidth(model: GraphTransformer, g: LoadedGraph, hidden: HiddenCompression, tolerance: number,
  say: (m: string) => void): { d: number | null; trials: WidthTrial[] } {
  const trials: WidthTrial[] = [];
  try {
    const r = minimalWidth(model, g.features, g.graph, {
      method: 'practical', tolerance, relative: true, search: 'bisect', constructionOptions: { hidden },
      onTrial: (t) => { trials.push(t); say(`certified minimal width: d = ${t.d} ${t.meets ? 'meets' : 'misses'} (${t.relativeError.toExponential(2)})`); },
    });
    r.compressed.narrow.free();
    return { d: r.d, trials };
  } catch (e) {
    if (e instanceof ConvergenceError) return { d: null, trials };
    throw e;
  }
}
