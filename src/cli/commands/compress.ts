// `narrowgt compress`: a trained network (.safetensors) to width d with a certificate on its graph, optionally
// fine-tuned; writes the narrow network (.safetensors) and the compressed twin with decoders and certificate (.json).
import { modelToSafetensors, summarizeCertificate, formatAttentionPattern, compressTrained, countModelParameters, evaluateModel, rankResiduals, serialize, type HiddenCompression } from '../../index.js';
import { CliError } from '../cli-error.js';
import {
  choiceOption, graphOptions, intOption, numberOption, readModelAndGraph, requiredOption, writeOutputs, checkPaths, type OutputFile,
} from '../common.js';
import { endProgress, progress, table } from '../output.js';
import type { Command } from './types.js';
import { compressTheoryClusters } from './compress-clusters.js';

export const compress: Command = {
  name: 'compress',
  summary: 'compress a trained network to width d with a certificate; optionally fine-tune it',
  usage: 'narrowgt compress --model WIDE.safetensors --width D [--graph G.npz] [--fine-tune-epochs N] [--out NARROW.safetensors] [--compressed C.json] [--json]\n'
    + '       narrowgt compress --model REFERENCE.safetensors --width D --hidden clusters --first-layer low-rank|jl [--jl-eps E] [--seed S] [--out …] [--compressed …]',
  options: {
    ...graphOptions,
    model: { type: 'string', description: 'the trained (practical-variant) network, .safetensors' },
    width: { type: 'string', description: 'the width d of the narrow network' },
    hidden: { type: 'string', description: "FFN hidden layer: 'full' (Thm 4.2, stays D wide), 'select' (d units, L7), 'clusters' (Thm 4.4 one-hot)", default: 'full' },
    'fine-tune-epochs': { type: 'string', description: 'fine-tune the constructed network for this many epochs (0: none)', default: '0' },
    lr: { type: 'string', description: 'fine-tune learning rate (cosine schedule)', default: '0.005' },
    seed: { type: 'string', description: "k-means seed for --hidden clusters (and the JL seed of --first-layer jl)", default: '0' },
    'first-layer': { type: 'string', description: "theory-variant --model with --hidden clusters: Theorem 4.4's layer 0 by 'low-rank' (case 2, topd of X) or 'jl' (case 1, JL maps)" },
    'max-clusters': { type: 'string', description: 'with --first-layer: the largest k k-means tries (default d, or min(d, 32) with jl)' },
    'jl-eps': { type: 'string', description: 'with --first-layer jl: redraw until the realised JL distortion max(η_QK, η_V) ≤ this ε (0 < ε < 1)' },
    out: { type: 'string', description: 'write the narrow network here (.safetensors; the fine-tuned one when fine-tuning)' },
    compressed: { type: 'string', description: 'write the constructed twin with its decoders and certificate here (.json, for `certify`)' },
    dtype: { type: 'string', description: "tensor type of --out: 'F64' (exact) or 'F32'", default: 'F64' },
    json: { type: 'boolean', description: 'machine-readable output on stdout' },
  },
  async run(values) {
    const cmd = 'compress';
    checkPaths(cmd, values, { outputs: ['out', 'compressed'] });
    const path = requiredOption(cmd, values, 'model', 'the trained .safetensors network');
    const d = intOption(cmd, values, 'width', 1, 1 << 16);
    const hidden = choiceOption<HiddenCompression>(cmd, values, 'hidden', ['full', 'select', 'clusters']);
    const epochs = intOption(cmd, values, 'fine-tune-epochs', 0, 100_000);
    const lr = numberOption(cmd, values, 'lr');
    const seed = intOption(cmd, values, 'seed', 0, 2 ** 31 - 1);
    const dtype = choiceOption(cmd, values, 'dtype', ['F64', 'F32'] as const);
    if (!path.endsWith('.safetensors')) throw new CliError(`${cmd}: --model must name a .safetensors file, got '${path}'`);
    const out = values.out as string | undefined, cjson = values.compressed as string | undefined;
    if (out !== undefined && !out.endsWith('.safetensors')) throw new CliError(`${cmd}: --out must name a .safetensors file, got '${out}'`);
    if (cjson !== undefined && !cjson.endsWith('.json')) throw new CliError(`${cmd}: --compressed must name a .json file, got '${cjson}'`);
    // Theorem 4.4 on a theory-variant network (compress-clusters.ts): its flags, checked before the files are read.
    const firstLayer = values['first-layer'] === undefined ? undefined : choiceOption(cmd, values, 'first-layer', ['low-rank', 'jl'] as const);
    const jlEps = values['jl-eps'] === undefined ? undefined : numberOption(cmd, values, 'jl-eps');
    if (jlEps !== undefined && (firstLayer !== 'jl' || !(jlEps < 1))) throw new CliError(`${cmd}: --jl-eps needs --first-layer jl and a value in (0, 1), got '${String(values['jl-eps'])}'`);
    if (firstLayer !== undefined && (hidden !== 'clusters' || epochs > 0)) throw new CliError(`${cmd}: --first-layer runs Theorem 4.4: give --hidden clusters and no --fine-tune-epochs`);
    if (values['max-clusters'] !== undefined && firstLayer === undefined) throw new CliError(`${cmd}: --max-clusters needs --first-layer (Theorem 4.4 on a theory-variant network)`);
    const maxClusters = values['max-clusters'] === undefined ? undefined : intOption(cmd, values, 'max-clusters', 1, d);
    const { model, g } = await readModelAndGraph(cmd, values, path);
    try {
      if (firstLayer !== undefined) {
        if (model.variant === 'practical') throw new CliError(`${cmd}: --first-layer applies to theory-variant networks (Theorem 4.4 by compressByClusters); --model is a trained practical network`);
        compressTheoryClusters(cmd, model, g, { path, d, firstLayer, jlEps, maxClusters, seed, out, compressed: cjson, dtype, json: Boolean(values.json) });
        return;
      }
      if (model.variant !== 'practical') throw new CliError(`${cmd}: --model is a theory-variant network; compress it with --hidden clusters --first-layer low-rank|jl (Theorem 4.4), or the library's compressLowRank / compressByClusters`);
      if (model.inputDim !== g.numFeatures || model.outputDim !== g.numClasses) {
        throw new CliError(`${cmd}: --model reads ${model.inputDim} features and writes ${model.outputDim} logits; the graph has ${g.numFeatures} features and ${g.numClasses} classes`);
      }
      progress(`compress: constructing and certifying width ${d} (${hidden} hidden layer)`);
      const res = compressTrained(model, g, {
        d, hidden, seed,
        fineTune: epochs > 0 ? { epochs, lr, onEpoch: (r) => progress(`compress: fine-tune epoch ${r.epoch + 1}/${epochs} loss ${r.loss.toFixed(4)} val ${r.val.toFixed(4)}`) } : false,
      });
      endProgress();
      const wide = evaluateModel(model, g);
      const cert = res.compressed.certificate;
      const shipped = res.fineTuned?.model ?? res.compressed.narrow;
      res.compressed.pattern = g.pattern;
      // Both files or neither: a failure on the second leaves the first target as it was.
      const files: OutputFile[] = [];
      if (out) files.push({ path: out, option: 'out', data: modelToSafetensors(shipped, { dtype, pattern: g.pattern, metadata: { 'narrowgt.compressed': JSON.stringify({ from: path, d, hidden, fineTuneEpochs: epochs, lr }) } }) });
      if (cjson) files.push({ path: cjson, option: 'compressed', data: serialize(res.compressed) });
      writeOutputs(cmd, files);
      const summary = summarizeCertificate(cert);
      const report = {
        model: path, graph: g.name ?? null, pattern: formatAttentionPattern(g.pattern), metric: g.metric, d, hidden,
        reference: { widths: model.widths, parameters: res.parameters.reference, ...wide },
        constructed: { widths: res.compressed.narrow.widths, parameters: res.parameters.narrow, ...res.constructed },
        // Evaluated like `eval` evaluates the written file (f32 forward of the model), not with the fine-tune's own forward.
        fineTuned: res.fineTuned ? { epochs, lr, keptEpoch: res.fineTuned.keptEpoch, parameters: countModelParameters(res.fineTuned.model), ...evaluateModel(res.fineTuned.model, g), seconds: res.fineTuned.seconds } : null,
        certificate: { holds: cert.holds, reasons: cert.reasons, outputError: cert.outputError, outputScale: cert.outputScale, maxLogRatio: cert.maxLogRatio,
          predictedOutputError: cert.predicted.outputError, alpha: cert.alpha, beta: cert.beta, rankResiduals: rankResiduals(cert), summary },
        out: out ?? null, compressed: cjson ?? null, seconds: res.seconds,
      };
      if (values.json) { console.log(JSON.stringify(report)); return; }
      const f = (v: number): string => v.toFixed(4);
      const rows: (string | number)[][] = [
        ['reference', model.widths.join('→'), res.parameters.reference, f(wide.train), f(wide.val), f(wide.test)],
        ['constructed', res.compressed.narrow.widths.join('→'), res.parameters.narrow, f(res.constructed.train), f(res.constructed.val), f(res.constructed.test)],
      ];
      if (res.fineTuned && report.fineTuned) {
        const m = report.fineTuned;
        rows.push([`fine-tuned (${epochs} ep., kept ${res.fineTuned.keptEpoch})`, res.fineTuned.model.widths.join('→'), countModelParameters(res.fineTuned.model), f(m.train), f(m.val), f(m.test)]);
      }
      console.log(`${path} → width ${d} on ${g.name} (${g.metric})`);
      console.log(table(['network', 'widths', 'params', 'train', 'val', 'test'], rows));
      console.log(`certificate of the constructed network (${cert.theorem}):`);
      for (const line of summary.lines) console.log(`  ${line}`);
      const rr = rankResiduals(cert);
      console.log(`rank-${d} hypothesis (Lemma C.1 residuals of the reference): max ${(rr.relative * rr.scale).toExponential(3)} = ${rr.relative.toFixed(3)}·√α (ε_0 = ${rr.input.toExponential(2)}, ε½ ≤ ${Math.max(...rr.half).toExponential(2)}, ε′ ≤ ${Math.max(...rr.output).toExponential(2)})`);
      for (const r of cert.reasons.slice(0, 5)) console.log(`  fails: ${r}`);
      if (res.fineTuned) console.log('note: the certificate covers the constructed network; fine-tuning changes the function, so its output is measured, not certified');
      if (out) console.log(`wrote ${out}`);
      if (cjson) console.log(`wrote ${cjson}`);
    } finally {
      model.free();
      g.free();
    }
  },
};
