// Finite in, finite out or a typed error (issue 13, item 4): the forward scans x in the dtype it runs in and
// every layer's output as it is made, and names the public function the user called and the layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  init, DenseMatrix, csrFromEdges, rng, forward, modelFromSafetensors, readSafetensors, writeSafetensors, evaluateModel,
  sparseAttentionBackward, compressWithJl, Storage, NarrowgtError, InputError, NumericalError,
} from '../../src/index.js';

await init();
const checkpoint = new Uint8Array(readFileSync(new URL('../../../data/checkpoints/minesweeper-d64.safetensors', import.meta.url)));
const { model } = modelFromSafetensors(checkpoint);
const ring = (): ReturnType<typeof csrFromEdges> =>
  csrFromEdges([0, 1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7, 0], { symmetrize: true, selfLoops: true });
const graph = ring();
const x = DenseMatrix.from(rng(1).fillNormal(new Float32Array(8 * model.inputDim)), 8, model.inputDim, 'f32');

/** The checkpoint with one tensor's values multiplied by `factor`, stored as F64 (so 1e307·w stays finite in the file). */
function patched(name: string, factor: number): Uint8Array {
  const { tensors, metadata } = readSafetensors(checkpoint);
  const out: Record<string, { data: Float32Array | Float64Array; shape: number[] }> = {};
  for (const [k, t] of tensors) out[k] = { data: k === name ? Float64Array.from(t.data as Float32Array, (v) => v * factor) : t.data as Float32Array, shape: t.shape };
  return writeSafetensors(out, metadata);
}

const numerical = (re: RegExp) => (e: unknown): boolean => {
  assert.ok(e instanceof NumericalError && e instanceof NarrowgtError, `a NumericalError, got ${String(e)}`);
  assert.match((e as Error).message, re);
  return true;
};

test('forward: finite f64 x beyond the f32 range is scanned after the conversion to f32 (InputError, not NaN output)', () => {
  const big = DenseMatrix.from(Float64Array.from({ length: 8 * model.inputDim }, () => 1e39), 8, model.inputDim, 'f64');
  assert.throws(() => model.forward(big, graph, { dtype: 'f32' }), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.match((e as Error).message, /^GraphTransformer\.forward: x \(converted to f32\) has a non-finite value \(Infinity\) at index 0/);
    return true;
  });
  assert.ok(model.forward(big, graph, { dtype: 'f64' }).output.data.every(Number.isFinite), 'the same x is fine in f64');
});

test('forward: a layer whose output overflows is a NumericalError naming the public function and the layer', () => {
  const { model: hot } = modelFromSafetensors(patched('layers.0.w_2', 1e307));
  // f32: w_2·1e307 is +Inf once converted to f32, so layer 0's output is the first non-finite value
  assert.throws(() => hot.forward(x, graph, { dtype: 'f32' }), numerical(/^GraphTransformer\.forward: layer 0 output is not finite \(NaN at row 0, column 0; f32 overflow\?\)/));
  assert.throws(() => forward(hot, x, graph, { dtype: 'f32' }), numerical(/^forward: layer 0 output is not finite/));
  // f64: layer 0's output is finite (~1e307) and layer 1's ‖q‖·‖k‖ overflows
  assert.throws(() => hot.forward(x, graph), numerical(/^GraphTransformer\.forward: layer 1 attention overflows: .*overflows f64/));
  hot.free();
});

test('forward: activations of 1e30 overflow the f32 logits of the next layer: the layer is named, under forward\'s name', () => {
  const { model: hot } = modelFromSafetensors(patched('layers.0.w_1', 1e30));
  assert.throws(() => hot.forward(x, graph, { dtype: 'f32' }), numerical(/^GraphTransformer\.forward: layer 1 attention overflows: .*overflows f32/));
  assert.ok(hot.forward(x, graph).output.data.every(Number.isFinite), 'f64 holds the same activations');
  const { model: q } = modelFromSafetensors(patched('layers.0.w_q', 1e300));
  assert.throws(() => q.forward(x, graph, { dtype: 'f32' }), numerical(/^GraphTransformer\.forward: layer 0 attention overflows/));
  assert.throws(() => q.forward(x, graph, { dtype: 'f64' }), numerical(/^GraphTransformer\.forward: layer 0 attention overflows/));
  hot.free(); q.free();
});

test('evaluateModel passes its own name down to the forward', () => {
  const { model: hot } = modelFromSafetensors(patched('layers.0.w_2', 1e307));
  const data = {
    features: x, graph, labels: new Int32Array(8), numClasses: 2, metric: 'roc_auc' as const,
    masks: { train: new Uint8Array(8).fill(1), val: new Uint8Array(8).fill(1), test: new Uint8Array(8).fill(1) },
  };
  assert.throws(() => evaluateModel(hot, data as never), numerical(/^evaluateModel: layer 0 output is not finite/));
  hot.free();
});

test('forward options: null, a non-boolean trace and a non-string caller are typed errors', () => {
  assert.throws(() => model.forward(x, graph, null as never), (e: unknown) => e instanceof NarrowgtError && /^GraphTransformer\.forward: options must be an object/.test((e as Error).message));
  assert.throws(() => forward(model, x, graph, null as never), (e: unknown) => e instanceof NarrowgtError && /^forward: options must be an object/.test((e as Error).message));
  assert.throws(() => model.forward(x, graph, { trace: 'false' } as never), (e: unknown) => e instanceof TypeError && e instanceof NarrowgtError && /options\.trace must be true or false/.test((e as Error).message));
  assert.throws(() => model.forward(x, graph, { caller: 3 } as never), (e: unknown) => e instanceof InputError);
});

test('pattern arrays changed after validation are caught once per public call, under its name', () => {
  const p = ring();
  const ok = model.forward(x, p, { dtype: 'f32' }).output.data.slice();
  assert.ok(ok.every(Number.isFinite));
  const saved = p.colIdx.array[0];
  p.colIdx.array[0] = p.numCols + 1;
  assert.throws(() => model.forward(x, p, { dtype: 'f32' }), (e: unknown) => e instanceof InputError && /^GraphTransformer\.forward: pattern\.colIdx was changed/.test((e as Error).message));
  assert.throws(() => compressWithJl(model, x, p, { d: 8 }), (e: unknown) => e instanceof InputError && /^compressWithJl: pattern\.colIdx was changed/.test((e as Error).message));
  const n = p.numRows, m = p.numEdges, mk = (c: number) => DenseMatrix.zeros(n, c, 'f64');
  assert.throws(() => sparseAttentionBackward(mk(2), mk(3), mk(3), mk(2), Storage.alloc('f64', m), p),
    (e: unknown) => e instanceof InputError && /^sparseAttentionBackward: pattern\.colIdx was changed/.test((e as Error).message));
  p.colIdx.array[0] = saved;
  assert.deepEqual(model.forward(x, p, { dtype: 'f32' }).output.data, ok, 'restored: the same output');
  p.free();
});
