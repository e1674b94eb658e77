// A full forward of the 4-layer D = 64 network (bench/model-setup.ts) on Tolokers with self loops, f32
// (inference) and f64 (certificates). Its native peer, the same network in PyTorch, runs in
// scripts/bench-native.sh (scripts/bench-native/forward_torch.py); the peak memory of the f32 forward is
// measured in a fresh process by dist/bench/forward-memory.js and printed under the table.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DenseMatrix, forward, scope } from '../src/index.js';
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
    }];
  },
  notes: memoryNote,
};
