// The compress-and-sweep workflow behind `narrowgt demo` and `narrowgt experiment compression`: a trained network
// compressed to several widths (construction + certificate, then a short fine-tune), beside JL on Q/K only and
// narrow networks trained from scratch, with the metric, size, certificate and forward time of each.
import { scope } from '../../runtime/storage.js';
import type { LoadedGraph } from '../../data/load-graph.js';
import type { GraphTransformer } from '../../model/graph-transformer.js';
import { trainNodeClassifier } from '../../train/train.js';
import { freeParameters } from '../../train/parameters.js';
import { fineTune } from '../../train/fine-tune.js';
import { jlAttentionWidth, compressWithJl } from '../thm-3.3-jl/jl.js';
import type { HiddenCompression } from '../practical/practical.js';
import { compressTrained, countModelParameters, evaluateModel, rankResiduals, type RankResiduals, type SplitMetrics } from '../practical/trained.js';
import { medianMs } from './median-time.js';

export interface SweepOptions {
  widths: number[];
  hidden: HiddenCompression;
  /** Fine-tune every constructed network, once per learning rate, keeping the best validation (null: no fine-tune). */
  fineTune: { epochs: number; lrs: number[] } | null;
  /** Train narrow networks from scratch at each width, one run per lr, the best validation kept (null: skip). */
  scratch: { epochs: number; lrs: number[]; seed: number } | null;
  /** Also compress with JL on W_Q, W_K only (Theorem 3.3; the other maps stay D wide). */
  jl: boolean;
  /** Timed f32 forwards per network (median). */
  timingRepeats: number;
  onProgress?: (message: string) => void;
}

export interface SweepRow {
  d: number;
  parameters: number;
  widths: number[];
  constructed: SplitMetrics;
  certificate: { holds: boolean; outputError: number; outputScale: number; relativeError: number; maxLogRatio: number; predictedOutputError: number | null; failed: string[]; rankResiduals: RankResiduals };
  fineTuned: { metrics: SplitMetrics; keptEpoch: number; epochs: number; lr: number; seconds: number } | null;
  scratch: { metrics: SplitMetrics; lr: number; epochs: number; seconds: number } | null;
  jl: { test: number; eta: number; outputError: number; holds: boolean; parameters: number } | null;
  forwardMs: number;
  constructSeconds: number;
}

export interface SweepResult {
  graph: string;
  metric: string;
  numNodes: number;
  numEdges: number;
  reference: { widths: number[]; parameters: number; metrics: SplitMetrics; forwardMs: number };
  /** The JL rule d_JL(2m, ε = 0.1, δ = 0.1 / L) for this graph's attention (Sec. 3; L5 of docs/theory.md#16-shared-lemmas-l1-to-l7, docs/theory.md#4-theorem-33--jl-on-w_q-and-w_k). */
  jlRuleWidth: number;
  rows: SweepRow[];
  options: Omit<SweepOptions, 'onProgress'>;
  seconds: number;
}

function timeForward(model: GraphTransformer, g: LoadedGraph, repeats: number): number {
  return medianMs(() => scope(() => { model.forward(g.features, g.graph, { dtype: 'f32' }); }), repeats);
}

/** Runs the sweep (see the header). Cost per width: a construction + certificate, the fine-tune, the scratch runs. */
export function compressionSweep(model: GraphTransformer, g: LoadedGraph, options: SweepOptions): SweepResult {
  const started = performance.now();
  const say = options.onProgress ?? (() => {});
  const reference = { widths: model.widths, parameters: countModelParameters(model), metrics: evaluateModel(model, g), forwardMs: timeForward(model, g, options.timingRepeats) };
  const rows: SweepRow[] = [];
  for (const d of options.widths) {
    say(`width ${d}: construct and certify (${options.hidden} hidden layer)`);
    const res = compressTrained(model, g, { d, hidden: options.hidden });
    let fine: { model: GraphTransformer; row: NonNullable<SweepRow['fineTuned']> } | null = null;
    for (const lr of options.fineTune?.lrs ?? []) {
      const epochs = options.fineTune!.epochs;
      const ft = fineTune(res.compressed.narrow, g, { epochs, lr, onEpoch: (r) => say(`width ${d}: fine-tune lr ${lr} epoch ${r.epoch + 1}/${epochs} val ${r.val.toFixed(4)}`) });
      // Evaluated as the shipped file is (f32 forward of the model).
      const row = { metrics: evaluateModel(ft.model, g), keptEpoch: ft.keptEpoch, epochs, lr, seconds: ft.seconds };
      if (!fine || row.metrics.val > fine.row.metrics.val) { fine?.model.free(); fine = { model: ft.model, row }; } else ft.model.free();
    }
    const cert = res.compressed.certificate;
    const shipped = fine?.model ?? res.compressed.narrow;
    const row: SweepRow = {
      d, parameters: res.parameters.narrow, widths: res.compressed.narrow.widths, constructed: res.constructed,
      certificate: { holds: cert.holds, outputError: cert.outputError, outputScale: cert.outputScale, relativeError: cert.outputError / cert.outputScale,
        maxLogRatio: cert.maxLogRatio, predictedOutputError: cert.predicted.outputError, failed: cert.reasons, rankResiduals: rankResiduals(cert) },
      fineTuned: fine?.row ?? null,
      scratch: null, jl: null,
      forwardMs: timeForward(shipped, g, options.timingRepeats), constructSeconds: res.seconds,
    };
    res.compressed.narrow.free();
    fine?.model.free();
    if (options.jl) {
      say(`width ${d}: JL on W_Q, W_K (Theorem 3.3)`);
      const j = compressWithJl(model, g.features, g.graph, { d, seed: 0 });
      row.jl = { test: evaluateModel(j.narrow, g).test, eta: Math.max(...j.certificate.layers.map((l) => l.extra.eta ?? 0)), outputError: j.certificate.outputError,
        holds: j.certificate.holds, parameters: countModelParameters(j.narrow) };
      j.narrow.free();
    }
    if (options.scratch) {
      let best: SweepRow['scratch'] = null;
      for (const lr of options.scratch.lrs) {
        say(`width ${d}: train from scratch, lr ${lr}, ${options.scratch.epochs} epochs`);
        const t = trainNodeClassifier(g, { width: d, epochs: options.scratch.epochs, lr, seed: options.scratch.seed,
          onEpoch: (r) => { if (r.epoch % 10 === 0) say(`width ${d}: scratch lr ${lr} epoch ${r.epoch + 1}/${options.scratch!.epochs} val ${r.val.toFixed(4)}`); } });
        freeParameters(t.parameters);
        const m = { train: t.final.train, val: t.final.val, test: t.final.test };
        if (!best || m.val > best.metrics.val) best = { metrics: m, lr, epochs: options.scratch.epochs, seconds: t.seconds };
      }
      row.scratch = best;
    }
    rows.push(row);
  }
  const { onProgress: _drop, ...kept } = options;
  return {
    graph: g.name ?? '', metric: g.metric, numNodes: g.numNodes, numEdges: g.graph.numEdges, reference,
    jlRuleWidth: jlAttentionWidth(g.graph.numEdges, 0.1, 0.1, model.depth), rows, options: kept, seconds: (performance.now() - started) / 1000,
  };
}
