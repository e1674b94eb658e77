// A graph transformer written and trained in plain PyTorch (scripts/python/torch_fixture.py: its own module, built
// from docs/compression.md's tensor names alone, saved as a plain state_dict with no narrowgt metadata) and the
// logits PyTorch computed; and narrowgt's narrow file of it, loaded back into that module with plain
// load_state_dict. The files are committed (test/fixtures/torch/), so this runs without PyTorch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { init, loadGraph, readNpy, readSafetensors, writeSafetensors, scope, DenseMatrix } from '../../src/index.js';
import { modelFromSafetensors } from '../../src/io/model-safetensors.js';
import { evaluateMetric } from '../../src/train/metrics.js';

await init();
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../../test/fixtures/torch/${name}`, import.meta.url)));
const graph = loadGraph(fixture('graph.npz')); // default pattern: graph + self loops, what the script's module uses

function logitsOf(file: string): Float64Array {
  const { model, pattern } = modelFromSafetensors(fixture(file));
  // PyTorch's file records nothing; narrowgt's compress recorded the pattern it ran on, the one used here.
  if (pattern) assert.deepEqual(pattern, { kind: 'graph', selfLoops: true }, `${file}'s pattern`);
  try {
    return scope(() => Float64Array.from(model.forward(graph.features, graph.graph).output.data));
  } finally {
    model.free();
  }
}

function torchLogits(file: string): Float64Array {
  const a = readNpy(fixture(file));
  assert.deepEqual(a.shape, [graph.numNodes, graph.numClasses]);
  return Float64Array.from(a.data as Float64Array);
}

function maxRelative(a: Float64Array, b: Float64Array): number {
  let diff = 0, scale = 0;
  for (let i = 0; i < a.length; i++) { diff = Math.max(diff, Math.abs(a[i] - b[i])); scale = Math.max(scale, Math.abs(b[i])); }
  return diff / scale;
}

function accuracy(logits: Float64Array, mask: Uint8Array): number {
  return scope(() => evaluateMetric('accuracy', DenseMatrix.from(logits, graph.numNodes, graph.numClasses, 'f64'), graph.labels, mask));
}

test('a plain PyTorch state_dict (no metadata, BatchNorm1d at running statistics, num_batches_tracked) computes in narrowgt the logits PyTorch computed, to round-off', () => {
  const ours = logitsOf('torch-model.safetensors'), theirs = torchLogits('torch-logits.npy');
  const rel = maxRelative(ours, theirs);
  // Both f64; the sums run in other orders (GEMM blocking, softmax), so a few ulps per operation over 2 layers.
  assert.ok(rel <= 1e-12, `max |narrowgt − PyTorch| / max |PyTorch| = ${rel}`);
  const recorded = JSON.parse(new TextDecoder().decode(fixture('torch.json'))).test_accuracy;
  assert.equal(accuracy(ours, graph.masks.test), accuracy(theirs, graph.masks.test));
  assert.equal(accuracy(theirs, graph.masks.test), recorded, 'the accuracy torch_fixture.py printed');
});

test("narrowgt's narrow file, loaded into the PyTorch module with plain load_state_dict (natural 1/√d_qk), gives narrowgt's logits", () => {
  const { metadata } = readSafetensors(fixture('narrow.safetensors'));
  assert.equal(metadata.logit_scales, undefined, 'no scale in metadata: it is folded into w_q');
  assert.equal(metadata.attention_pattern, '{"kind":"graph","selfLoops":true}');
  const ours = logitsOf('narrow.safetensors'), theirs = torchLogits('narrow-torch-logits.npy');
  const rel = maxRelative(ours, theirs);
  assert.ok(rel <= 1e-12, `max |narrowgt − PyTorch| / max |PyTorch| = ${rel}`);
  // The narrow network has d_qk = 4 but computes the wide network's logits (scale 1/√8): read with that scale applied
  // on top of the folded w_q (as the metadata of an unfolded file would say), the logits move far — the agreement
  // above is the fold's doing, not a coincidence of scales.
  const { tensors } = readSafetensors(fixture('narrow.safetensors'));
  const unfoldedScale = JSON.stringify([1 / Math.sqrt(8), 1 / Math.sqrt(8)]);
  const twice = writeSafetensors(Object.fromEntries([...tensors].map(([k, t]) => [k, { data: t.data as Float64Array, shape: t.shape }])), { logit_scales: unfoldedScale });
  const { model } = modelFromSafetensors(twice);
  const other = scope(() => Float64Array.from(model.forward(graph.features, graph.graph).output.data));
  model.free();
  assert.ok(maxRelative(other, theirs) > 1e-3, `scaled twice: ${maxRelative(other, theirs)}`);
});
