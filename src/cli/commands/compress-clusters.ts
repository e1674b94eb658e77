// `narrowgt compress --first-layer low-rank|jl` on a theory-variant network: Theorem 4.4 (compressByClusters; docs/theory.md
// §11) with its first layer by case (2) (topd of X) or case (1) (JL maps M_QK, M_V). Writes the narrow network and the
// twin with its certificate, which `certify` re-measures.
import { compressByClusters, modelToSafetensors, serialize, summarizeCertificate, formatAttentionPattern, type GraphTransformer } from '../../index.js';
import { CliError } from '../cli-error.js';
import { writeOutputs, type OutputFile, type PatternedGraph } from '../common.js';
import { endProgress, progress } from '../output.js';

export interface TheoryClustersRun {
  path: string;
  d: number;
  firstLayer: 'low-rank' | 'jl';
  jlEps: number | undefined;
  maxClusters: number | undefined;
  seed: number;
  out: string | undefined;
  compressed: string | undefined;
  dtype: 'F64' | 'F32';
  json: boolean;
}

/** Runs Theorem 4.4 on `model` (theory variant, checked by the caller) over the graph's features and pattern. */
export function compressTheoryClusters(cmd: string, model: GraphTransformer, g: PatternedGraph, o: TheoryClustersRun): void {
  if (model.inputDim !== g.numFeatures) throw new CliError(`${cmd}: --model reads ${model.inputDim} features; the graph has ${g.numFeatures}`);
  progress(`compress: Theorem 4.4 (${o.firstLayer === 'jl' ? 'case (1), JL first layer' : 'case (2), topd first layer'}) at width ${o.d}`);
  const c = compressByClusters(model, g.features, g.graph, {
    d: o.d, firstLayer: o.firstLayer, seed: o.seed, ...(o.jlEps !== undefined ? { jlEps: o.jlEps } : {}), ...(o.maxClusters !== undefined ? { maxClusters: o.maxClusters } : {}),
  });
  endProgress();
  c.pattern = g.pattern;
  const cert = c.certificate;
  const files: OutputFile[] = [];
  if (o.out) files.push({ path: o.out, option: 'out', data: modelToSafetensors(c.narrow, { dtype: o.dtype, pattern: g.pattern, metadata: { 'narrowgt.compressed': JSON.stringify({ from: o.path, d: o.d, construction: 'clusters', firstLayer: o.firstLayer }) } }) });
  if (o.compressed) files.push({ path: o.compressed, option: 'compressed', data: serialize(c) });
  writeOutputs(cmd, files);
  const summary = summarizeCertificate(cert);
  if (o.json) {
    console.log(JSON.stringify({
      model: o.path, graph: g.name ?? null, pattern: formatAttentionPattern(g.pattern), d: o.d, construction: 'clusters', firstLayer: o.firstLayer,
      widths: { reference: model.widths, narrow: c.narrow.widths },
      certificate: { holds: cert.holds, reasons: cert.reasons, outputError: cert.outputError, outputScale: cert.outputScale, maxLogRatio: cert.maxLogRatio,
        predictedOutputError: cert.predicted.outputError, alpha: cert.alpha, beta: cert.beta, parameters: cert.parameters, summary },
      out: o.out ?? null, compressed: o.compressed ?? null,
    }));
  } else {
    console.log(`${o.path} → width ${o.d} on ${g.name} by ${cert.theorem} (first layer: ${o.firstLayer})`);
    console.log(`widths ${model.widths.join('→')} → ${c.narrow.widths.join('→')}`);
    for (const line of summary.lines) console.log(`  ${line}`);
    for (const r of cert.reasons.slice(0, 5)) console.log(`  fails: ${r}`);
    if (o.out) console.log(`wrote ${o.out}`);
    if (o.compressed) console.log(`wrote ${o.compressed}`);
  }
  c.narrow.free();
}
