// The bundled checkpoint through the model file formats (moved from test/fuzz/lead-pending.todo.ts, issue 13):
// F16 export stays usable, and malformed model JSON is a typed error that frees what it decoded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  init, DenseMatrix, csrFromEdges, rng, modelFromSafetensors, modelToSafetensors, serialize, deserialize,
  NarrowgtError, FormatError, wasmMemoryPages,
} from '../../src/index.js';

await init();
const checkpoint = new Uint8Array(readFileSync(new URL('../../../data/checkpoints/minesweeper-d64.safetensors', import.meta.url)));
const { model } = modelFromSafetensors(checkpoint);
const graph = csrFromEdges([0, 1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7, 0], { symmetrize: true, selfLoops: true });
const x = DenseMatrix.from(rng(1).fillNormal(new Float32Array(8 * model.inputDim)), 8, model.inputDim, 'f32');

test('deserialize: a model record with a null layer, or a compressed record with non-object decoders, is a typed error', () => {
  const json = JSON.parse(serialize(model));
  const bad1 = structuredClone(json); bad1.layers[0] = null;
  assert.throws(() => deserialize(JSON.stringify(bad1)), FormatError);
  const bad2 = { ...json, format: 'narrowgt-compressed', narrow: json, decoders: [1, 2] };
  assert.throws(() => deserialize(JSON.stringify(bad2)), (e: unknown) => e instanceof NarrowgtError);
});

test('deserialize frees what it decoded when it fails late (WASM memory stays flat over 500 calls)', () => {
  const json = JSON.parse(serialize(model));
  json.layers[json.layers.length - 1].w2 = null; // fails after the earlier matrices are decoded
  const text = JSON.stringify(json);
  for (let i = 0; i < 100; i++) assert.throws(() => deserialize(text), FormatError);
  const pages = wasmMemoryPages();
  for (let i = 0; i < 500; i++) assert.throws(() => deserialize(text), FormatError);
  assert.equal(wasmMemoryPages(), pages);
});

test('F16 export keeps the model usable: its f32 forward is finite and close to the F32 file\'s', () => {
  const half = modelFromSafetensors(modelToSafetensors(model, { dtype: 'F16' })).model;
  const y = half.forward(x, graph, { dtype: 'f32' }).output.data, ref = model.forward(x, graph, { dtype: 'f32' }).output.data;
  assert.ok(y.every(Number.isFinite));
  let worst = 0, scale = 0;
  for (let i = 0; i < y.length; i++) { worst = Math.max(worst, Math.abs(y[i] - ref[i])); scale = Math.max(scale, Math.abs(ref[i])); }
  assert.ok(worst <= 0.05 * scale, `F16 rounding moves the output by ${worst} against a scale of ${scale}`);
});
