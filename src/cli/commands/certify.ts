// `narrowgt certify`: re-measures a compressed twin (written by `compress --compressed`) against its reference on a
// graph — the same graph and split, or another one — and prints every check of its certificate.
import { summarizeCertificate, formatAttentionPattern, certify, deserialize, GraphTransformer, type Certificate, type CompressedModel } from '../../index.js';
import { CliError } from '../cli-error.js';
import { graphOptions, readBytes, readModelAndGraph, requiredOption, type PatternedGraph } from '../common.js';
import { endProgress, progress, table } from '../output.js';
import type { Command } from './types.js';

const INPUT_NAMES = { reference: 'the reference (--model)', narrow: 'the twin (--compressed)', pattern: 'the attention pattern', features: 'the features' } as const;

/** 'a', 'a and b', 'a, b and c'. */
function listed(items: string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** One line: which inputs differ from those the compressed model's certificate was computed on (its recorded digests). */
function describeInputsMatch(match: Certificate['inputsMatchRecorded']): string {
  if (!match) return 'inputs: the compressed model\'s certificate recorded no digests, so whether these are its inputs is unknown';
  const differ = (Object.keys(INPUT_NAMES) as (keyof typeof INPUT_NAMES)[]).filter((k) => !match[k]);
  return differ.length === 0
    ? 'inputs: reference, twin, attention pattern and features are those the certificate in --compressed was computed on (SHA-256)'
    : `inputs: ${listed(differ.map((k) => INPUT_NAMES[k]))} differ${differ.length === 1 ? 's' : ''} from those the certificate in --compressed was computed on (SHA-256)`;
}

export const certifyCommand: Command = {
  name: 'certify',
  summary: 'recheck a compressed network against its reference on a graph; print the certificate',
  usage: 'narrowgt certify --model WIDE.safetensors --compressed C.json [--graph G.npz] [--split 0] [--all] [--json]',
  options: {
    ...graphOptions,
    model: { type: 'string', description: 'the reference network (.safetensors)' },
    compressed: { type: 'string', description: 'the compressed twin with decoders (.json, from `compress --compressed`)' },
    all: { type: 'boolean', description: 'list every check (default: the failing ones and a per-kind summary)' },
    json: { type: 'boolean', description: 'print the whole certificate as JSON on stdout' },
  },
  async run(values) {
    const cmd = 'certify';
    const modelPath = requiredOption(cmd, values, 'model', 'the reference .safetensors network');
    const cPath = requiredOption(cmd, values, 'compressed', 'the .json written by compress --compressed');
    if (!cPath.endsWith('.json')) throw new CliError(`${cmd}: --compressed must name a .json file, got '${cPath}'`);
    if (!modelPath.endsWith('.safetensors')) throw new CliError(`${cmd}: --model must name a .safetensors file, got '${modelPath}'`);
    const parsed = deserialize(new TextDecoder().decode(readBytes(cmd, cPath, 'compressed')));
    if (parsed instanceof GraphTransformer || (parsed as { format?: string }).format === 'narrowgt-certificate') {
      throw new CliError(`${cmd}: --compressed '${cPath}' holds a ${parsed instanceof GraphTransformer ? 'model' : 'certificate'}, not a compressed twin`);
    }
    const compressed = parsed as CompressedModel;
    let model: GraphTransformer | null = null;
    let g: PatternedGraph | null = null;
    try {
      ({ model, g } = await readModelAndGraph(cmd, values, modelPath, [{ option: 'compressed', pattern: compressed.pattern ?? null }]));
      if (compressed.narrow.depth !== model.depth || model.inputDim !== g.numFeatures) {
        throw new CliError(`${cmd}: --compressed (${compressed.narrow.depth} layers) does not match --model (${model.depth} layers, ${model.inputDim} features) and the graph (${g.numFeatures} features)`);
      }
      progress(`certify: two traced f64 forwards on ${g.name} and the ${compressed.construction} checks`);
      const cert = certify(model, compressed, g.features, g.graph);
      endProgress();
      const summary = summarizeCertificate(cert);
      if (values.json) { console.log(JSON.stringify({ ...cert, summary })); return; }
      console.log(`${cert.theorem}, on ${g.name} (${cert.numNodes} nodes, ${cert.numEdges} attention entries, pattern ${formatAttentionPattern(g.pattern)})`);
      for (const line of summary.lines) console.log(line);
      console.log(describeInputsMatch(cert.inputsMatchRecorded));
      console.log(`α = ${cert.alpha.toPrecision(4)}, β = ${cert.beta.toPrecision(4)}`);
      const counted = cert.checks.filter((c) => c.applicable);
      const shown = values.all ? cert.checks : cert.checks.filter((c) => c.applicable && !c.holds);
      const kinds = [...new Set(cert.checks.map((c) => c.kind))];
      console.log(table(['kind', 'checks', 'hold', 'not applicable'], kinds.map((k) => [k, cert.checks.filter((c) => c.kind === k).length,
        counted.filter((c) => c.kind === k && c.holds).length, cert.checks.filter((c) => c.kind === k && !c.applicable).length])));
      if (shown.length) {
        console.log(table(['layer', 'check', 'measured', 'bound', 'holds'], shown.map((c) => [c.layer ?? '-', c.name, c.measured.toExponential(3), c.bound.toExponential(3),
          !c.applicable ? 'n/a' : c.holds ? 'yes' : 'NO'])));
      }
    } finally {
      model?.free();
      compressed.narrow.free();
      g?.free();
    }
  },
};
