// Regression tests for the defects of issue 13 that live in files the lead owns (src/model, src/train,
// src/compress, src/io/model-safetensors.ts, src/io/trained-safetensors.ts). NOT run yet: the runner runs
// *.test.js only. Rename to lead-pending.test.ts once the fixes land. Each case failed on the main this branch
// started from (21864fb); after merging main (b374ec9) the deserialize cases, the non-finite checkpoint (now
// caught by sparseAttention's logit check, though under sparseAttention's name, not forward's) and F16 pass;
// the forward-per-layer and compress* option cases still fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  init, DenseMatrix, csrFromEdges, rng, modelFromSafetensors, modelToSafetensors, readSafetensors, writeSafetensors,
  serialize, deserialize, compressWithJl, NarrowgtError, InputError, FormatError, wasmMemoryPages,
} from '../../src/index.js';

await init();
const checkpoint = new Uint8Array(readFileSync(new URL('../../../data/checkpoints/minesweeper-d64.safetensors', import.meta.url)));
const { model } = modelFromSafetensors(checkpoint);
const graph = csrFromEdges([0, 1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7, 0], { symmetrize: true, selfLoops: true });
const x = DenseMatrix.from(rng(1).fillNormal(new Float32Array(8 * model.inputDim)), 8, model.inputDim, 'f32');

/** The checkpoint with one tensor's values multiplied by `factor` (or its metadata patched). */
function patched(name: string | null, factor: number, metadata: Record<string, string> = {}): Uint8Array {
  const { tensors, metadata: meta } = readSafetensors(checkpoint);
  const out: Record<string, { data: Float32Array | Float64Array; shape: number[] }> = {};
  for (const [k, t] of tensors) out[k] = { data: k === name ? Float64Array.from(t.data as Float32Array, (v) => v * factor) : t.data as Float32Array, shape: t.shape };
  return writeSafetensors(out, { ...meta, ...metadata });
}

test('deserialize: malformed JSON (null layer, non-object decoders) is a FormatError, not a TypeError', () => {
  const json = JSON.parse(serialize(model));
  const bad1 = structuredClone(json); bad1.layers[0] = null;
  assert.throws(() => deserialize(JSON.stringify(bad1)), FormatError);
  const bad2 = { ...json, format: 'narrowgt-compressed', narrow: json, decoders: [1, 2] };
  assert.throws(() => deserialize(JSON.stringify(bad2)), (e: unknown) => e instanceof NarrowgtError);
});

test('deserialize frees what it decoded when it fails late (WASM memory stays flat over 3,000 calls)', () => {
  const json = JSON.parse(serialize(model));
  json.layers[json.layers.length - 1].w2 = null; // fails after the earlier matrices are decoded
  const text = JSON.stringify(json);
  for (let i = 0; i < 100; i++) assert.throws(() => deserialize(text));
  const pages = wasmMemoryPages();
  for (let i = 0; i < 3000; i++) assert.throws(() => deserialize(text));
  assert.equal(wasmMemoryPages(), pages);
});

test('forward: finite f64 x beyond the f32 range, and activations that overflow inside a layer, are typed errors naming the layer', () => {
  const big = DenseMatrix.from(Float64Array.from({ length: 8 * model.inputDim }, () => 1e39), 8, model.inputDim, 'f64');
  assert.throws(() => model.forward(big, graph, { dtype: 'f32' }), (e: unknown) => e instanceof InputError);
  const { model: hot } = modelFromSafetensors(patched('layers.0.w_1', 1e30));
  assert.throws(() => hot.forward(x, graph, { dtype: 'f32' }), (e: unknown) => e instanceof NarrowgtError && /layer 0/.test((e as Error).message));
});

test('a checkpoint whose forward is non-finite on finite input (running variance 1e-45, bn_epsilon 0) is rejected', () => {
  assert.throws(() => {
    const { model: m } = modelFromSafetensors(patched('layers.0.w_q', 1e300));
    const y = m.forward(x, graph, { dtype: 'f32' }).output;
    if (!Array.from(y.data).every(Number.isFinite)) throw new Error('silent non-finite output');
  }, (e: unknown) => e instanceof NarrowgtError);
});

test('compress* option checks are NarrowgtErrors; compressWithJl checks eps as a number', () => {
  const x64 = x.clone('f64');
  assert.throws(() => compressWithJl(model, x64, graph, { eps: '0.5' } as never), (e: unknown) => e instanceof NarrowgtError);
  assert.throws(() => compressWithJl(model, x64, graph, { eps: 2 } as never), (e: unknown) => e instanceof RangeError && e instanceof NarrowgtError);
  assert.throws(() => compressWithJl(model, x64, graph, null as never), (e: unknown) => e instanceof NarrowgtError);
});

test('F16 export keeps the model usable (modelToSafetensors dtype F16 is wired by the input branch)', () => {
  const half = modelToSafetensors(model, { dtype: 'F16' });
  assert.ok(modelFromSafetensors(half).model.forward(x, graph, { dtype: 'f32' }).output.data.every(Number.isFinite));
});
