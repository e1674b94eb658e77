// A full forward of the 4-layer D = 64 network (bench/model-setup.ts) on Tolokers with self loops, f32
// (inference) and f64 (certificates). Its native peer, the same network in PyTorch, runs in
// scripts/bench-native.sh (scripts/bench-native/forward_torch.py); the peak memory of the f32 forward is
// measured in a fresh process by dist/bench/forward-memory.js and printed under the table.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  AdamW, DenseMatrix, forward, freeParameters, initParameters, networkBackward, networkForward, practicalStructure, scope,
} from '../src/index.js';
import { softmaxCrossEntropy } from '../src/train/loss.js';
import { tolokers } from './graphs.js';
import { benchModel, LAYERS, WIDTH } from './model-setup.js';
import type { Group, Suite } from './harness.js';

function memoryNote(): string[] {
  try {
    const out = execFileSync(process.execPath, [fileURLToPath(new URL('./forward-memory.js', import.meta.url))], { encoding: 'utf8' });
    const r = JSON.parse(out) as Record<string, number>;
    const mb = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
    return [`peak memory of the f32 forward (fresh process): ${mb(r.peakBytes)} = graph ${mb(r.graphBytes)} + features ${mb(r.featureBytes)} + ` +
      `peak live WASM blocks of the forward ${mb(r.peakLiveBytes)} (${r.peakLiveInND.toFixed(2)} n×D); floor (graph + features + 3 n×D) ${mb(r.floorBytes)}; ` +
      `ratio ${r.ratioToFloor.toFixed(2)} (target ≤ 1.5); WASM memory grew ${mb(r.wasmGrowthBytes)} from ${mb(r.wasmBytesBefore)} ` +
      `(TLSF doubles memory; ratio by growth ${r.growthRatioToFloor.toFixed(2)})`];
  } catch (e) {
    return [`peak memory: not measured (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`];
  }
}

/**
 * One full-batch training epoch of the practical network (the batch-norm network `narrowgt train` trains, 4
 * layers, D = 64): training forward with the backward's cache, cross-entropy, the one backward, one AdamW step
 * (the row src/experiments/bench-epoch.ts times phase by phase). No dropout, so every epoch does the same work;
 * the labels and train mask are synthetic (the bench graph carries no labels), which changes no cost.
 */
function trainingEpoch(g: ReturnType<typeof tolokers>): Group {
  const x = DenseMatrix.from(g.features.data, g.features.rows, g.features.cols, 'f32');
  const config = { inputDim: x.cols, width: WIDTH, layers: LAYERS, numClasses: 2 };
  const structure = practicalStructure(config);
  const params = initParameters(config, 0, 'f32');
  const labels = new Int32Array(x.rows), train = new Uint8Array(x.rows);
  for (let i = 0; i < x.rows; i++) { labels[i] = i % 2; train[i] = i % 2 === 0 || i % 3 === 0 ? 1 : 0; }
  const optimizer = new AdamW();
  return {
    suite: 'model', title: `one training epoch, Tolokers + self loops, D = ${WIDTH}, f32`,
    tasks: [{
      name: `networkForward + softmaxCrossEntropy + networkBackward + AdamW.step, ${LAYERS} layers, D = ${WIDTH}`, role: 'narrowgt',
      fn: () => scope(() => {
        const fwd = networkForward(structure, params, x, g.pattern);
        const { dLogits } = softmaxCrossEntropy(fwd.logits, labels, train);
        optimizer.step(params, networkBackward(structure, params, fwd.cache, dLogits, g.pattern), 1e-4);
      }),
    }],
    teardown: () => { freeParameters(params); x.free(); },
  };
}

export const modelSuite: Suite = {
  name: 'model',
  groups: async (): Promise<Group[]> => {
    const g = tolokers();
    const x = DenseMatrix.from(g.features.data, g.features.rows, g.features.cols, 'f32');
    const x64 = DenseMatrix.from(Float64Array.from(g.features.data), g.features.rows, g.features.cols, 'f64');
    const model = benchModel(g.features.cols);
    const call = `forward(model, x, tolokers, { dtype }) ${LAYERS} layers, D = ${WIDTH}`;
    return [{
      suite: 'model', title: `${LAYERS}-layer forward, Tolokers + self loops, D = ${WIDTH}`,
      tasks: [
        { name: `${call.replace('{ dtype }', "{ dtype: 'f32' }")}`, role: 'narrowgt', fn: () => scope(() => { forward(model, x, g.pattern, { dtype: 'f32' }); }) },
        { name: `${call.replace('{ dtype }', "{ dtype: 'f64' }")}`, role: 'narrowgt', fn: () => scope(() => { forward(model, x64, g.pattern, { dtype: 'f64' }); }) },
      ],
      teardown: () => { x.free(); x64.free(); model.free(); },
    }, trainingEpoch(g)];
  },
  notes: memoryNote,
};
