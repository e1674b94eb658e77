// eval, compress and certify reject a model whose forward on its graph overflows (issue 13, item 4): the
// weights are finite (the file loads) but a layer's output is not; one stderr line naming the layer, exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { readSafetensors, writeSafetensors } from '../../src/index.js';
import { run, scratch, spawn } from '../support/cli-harness.js';
import { encodeNpz, npy } from '../support/npy-encode.js';

const { at } = scratch('narrowgt-cli-finite-');
const checkpoint = readFileSync(new URL('../../../data/checkpoints/minesweeper-d64.safetensors', import.meta.url));

// The bundled checkpoint (7 features, 2 classes) with layers.0.w_2 scaled by 1e307 and stored as F64: every
// weight is finite, layer 0's output is +Inf in f32 and layer 1's ‖q‖·‖k‖ overflows f64.
{
  const { tensors, metadata } = readSafetensors(new Uint8Array(checkpoint));
  const out: Record<string, { data: Float32Array | Float64Array; shape: number[] }> = {};
  for (const [k, t] of tensors) {
    out[k] = { data: k === 'layers.0.w_2' ? Float64Array.from(t.data as Float32Array, (v) => v * 1e307) : t.data as Float32Array, shape: t.shape };
  }
  writeFileSync(at('hot.safetensors'), writeSafetensors(out, metadata));
  writeFileSync(at('good.safetensors'), checkpoint);
}

// A 40-node ring with chords and 7 features (the checkpoint's d_in), one split.
{
  const n = 40, feats: number[] = [], labels: number[] = [], edges: number[] = [];
  for (let i = 0; i < n; i++) for (let f = 0; f < 7; f++) feats.push(Math.sin(i * (f + 1)));
  for (let i = 0; i < n; i++) { edges.push(i, (i + 1) % n, i, (i + 7) % n); labels.push(i % 3 === 0 ? 1 : 0); }
  const mask = (p: number): number[] => Array.from({ length: n }, (_, i) => (i % 4 === p || (p === 0 && i % 4 === 3) ? 1 : 0));
  writeFileSync(at('ring7.npz'), encodeNpz({
    node_features: npy.f4([n, 7], feats), node_labels: npy.i8([n], labels), edges: npy.i8([2 * n, 2], edges),
    train_masks: npy.b1([1, n], mask(0)), val_masks: npy.b1([1, n], mask(1)), test_masks: npy.b1([1, n], mask(2)),
  }, 6));
}

test('eval: a model whose f32 forward overflows exits 2 with one line naming the layer', async () => {
  const good = await run('eval', '--model', at('good.safetensors'), '--graph', at('ring7.npz'), '--repeats', '1', '--json');
  assert.equal(good.status, 0, good.stderr);
  const r = await run('eval', '--model', at('hot.safetensors'), '--graph', at('ring7.npz'), '--repeats', '1');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^narrowgt: evaluateModel: layer 0 output is not finite \(.*f32 overflow\?\)\n$/);
  const p = spawn('eval', '--model', at('hot.safetensors'), '--graph', at('ring7.npz'), '--repeats', '1');
  assert.equal(p.status, 2, 'the executable too');
  assert.equal(p.stderr.trim().split('\n').length, 1, p.stderr);
});

test('compress: the overflowing model exits 2 naming the layer and writes nothing', async () => {
  const r = await run('compress', '--model', at('hot.safetensors'), '--graph', at('ring7.npz'), '--width', '8',
    '--out', at('narrow.safetensors'), '--compressed', at('hot-c.json'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^narrowgt: compressTrained: layer 1 attention overflows: .*overflows f64.*\n$/m);
  assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('narrowgt: ')).length, 1, 'one error line');
  assert.ok(!existsSync(at('narrow.safetensors')) && !existsSync(at('hot-c.json')));
});

test('certify: a reference whose forward overflows exits 2 naming certify and the layer', async () => {
  const c = await run('compress', '--model', at('good.safetensors'), '--graph', at('ring7.npz'), '--width', '8', '--compressed', at('c.json'));
  assert.equal(c.status, 0, c.stderr);
  const ok = await run('certify', '--model', at('good.safetensors'), '--compressed', at('c.json'), '--graph', at('ring7.npz'), '--json');
  assert.equal(ok.status, 0, ok.stderr);
  const r = await run('certify', '--model', at('hot.safetensors'), '--compressed', at('c.json'), '--graph', at('ring7.npz'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^narrowgt: certify: layer 1 attention overflows: .*overflows f64.*\n$/m);
  assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('narrowgt: ')).length, 1, 'one error line');
});
