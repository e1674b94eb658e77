// The f32 forward's element-wise kernels (bias + ReLU, bias + skip) against their twins, the forward's
// buffer reuse against the plain-loop reference on both backends (skip matrices, norms, biases, head),
// and its memory: no growth over repeated forwards, and the live-byte peak of one forward.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  init, DenseMatrix, createModel, forward, scope, wasmMemoryPages, rng, foldBatchNorm, type LayerWeights,
} from '../../src/index.js';
import { loadedKernels } from '../../src/runtime/init.js';
import { Storage, wasmHeapBytes, resetWasmPeak } from '../../src/runtime/storage.js';
import * as twin from '../../src/twin/elementwise.js';
import { withBackend } from '../support/backends.js';
import { gaussianInput, makePattern, maxRowDistanceTo, maxRowNorm, naiveForward, practicalModel, weightWithNorm } from '../support/models.js';

await init();

/** Runs a kernel on WASM copies of y (and b, r) and returns y's new bits. */
function onWasm(y: Float32Array, fn: (k: NonNullable<ReturnType<typeof loadedKernels>>, py: number) => void): Float32Array {
  const k = loadedKernels()!;
  const s = Storage.from('f32', y, 'wasm');
  fn(k, s.ptr);
  const out = Float32Array.from(s.array);
  s.free();
  return out;
}

function sample(g: ReturnType<typeof rng>, len: number): Float32Array {
  const a = Float32Array.from(g.fillNormal(new Float64Array(len), 2));
  // exact zeros, −0 and values that the bias pushes across 0 exercise the ReLU's edge cases
  for (let i = 0; i < len; i += 7) a[i] = i % 2 ? -0 : 0;
  return a;
}

test('bias_relu_f32 and add_bias_residual_f32 kernels equal their twins bit for bit (f32 bias, ragged widths, with and without bias)', () => {
  const g = rng(5);
  for (const [rows, cols] of [[1, 1], [3, 3], [5, 4], [7, 9], [33, 64], [2, 130]]) {
    const y = sample(g, rows * cols), r = sample(g, rows * cols), b = sample(g, cols);
    for (const withBias of [true, false]) {
      const bw = withBias ? Storage.from('f32', b, 'wasm') : null, rw = Storage.from('f32', r, 'wasm');
      const relu = onWasm(y, (k, py) => k.bias_relu_f32(py, bw ? bw.ptr : 0, rows, cols));
      const resid = onWasm(y, (k, py) => k.add_bias_residual_f32(py, bw ? bw.ptr : 0, rw.ptr, rows, cols));
      const self = onWasm(y, (k, py) => k.add_bias_residual_f32(py, bw ? bw.ptr : 0, py, rows, cols));
      bw?.free(); rw.free();
      const tRelu = Float32Array.from(y), tResid = Float32Array.from(y), tSelf = Float32Array.from(y);
      twin.bias_relu_f32(tRelu, withBias ? b : null, rows, cols);
      twin.add_bias_residual_f32(tResid, withBias ? b : null, r, rows, cols);
      twin.add_bias_residual_f32(tSelf, withBias ? b : null, tSelf, rows, cols);
      const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer));
      assert.deepEqual(bits(relu), bits(tRelu), `bias_relu ${rows}×${cols} bias=${withBias}`);
      assert.deepEqual(bits(resid), bits(tResid), `add_bias_residual ${rows}×${cols} bias=${withBias}`);
      assert.deepEqual(bits(self), bits(tSelf), `add_bias_residual (r = y) ${rows}×${cols} bias=${withBias}`);
      for (const v of relu) assert.ok(!(v < 0));
    }
  }
});

test('the ReLU keeps the model\'s rule x < 0 ? 0 : x: NaN and −0 pass through in the kernel and the twin', () => {
  const y = new Float32Array([NaN, -0, -1, 2, NaN]);
  const w = onWasm(y, (k, py) => k.bias_relu_f32(py, 0, 1, 5));
  const t = Float32Array.from(y); twin.bias_relu_f32(t, null, 1, 5);
  for (const a of [w, t]) {
    assert.ok(Number.isNaN(a[0]) && Number.isNaN(a[4]));
    assert.ok(Object.is(a[1], -0));
    assert.equal(a[2], 0); assert.equal(a[3], 2);
  }
});

test('the training ReLU (relu_f32, f32x4.max) and its twin agree on NaN (propagates) and −0 (becomes +0)', () => {
  const y = new Float32Array([NaN, -0, -1, 2, 0, -3, NaN, 5, -0]);
  const w = onWasm(y, (k, py) => k.relu_f32(py, y.length));
  const t = Float32Array.from(y); twin.relu_f32(t, t.length);
  for (const a of [w, t]) {
    assert.ok(Number.isNaN(a[0]) && Number.isNaN(a[6]), 'a NaN input is not hidden as 0');
    assert.ok(Object.is(a[1], 0) && Object.is(a[8], 0));
    assert.deepEqual([a[2], a[3], a[4], a[5], a[7]], [0, 2, 0, 0, 5]);
  }
});

/** A practical model with general skip matrices, norms, biases and a head (widths change across layers). */
function mixedModel(seed: number) {
  const g = rng(seed);
  const w = (r: number, c: number) => weightWithNorm(g, r, c, 1);
  const bn = (p: number) => foldBatchNorm({
    gamma: Array.from({ length: p }, () => 0.5 + g.float()), beta: Array.from({ length: p }, () => 0.1 * g.normal()),
    mean: Array.from({ length: p }, () => 0.1 * g.normal()), variance: Array.from({ length: p }, () => 0.5 + g.float()),
  });
  const bias = (p: number) => g.fillNormal(new Float64Array(p), 0.3);
  const layers: LayerWeights[] = [
    { wQ: w(6, 8), wK: w(6, 8), wV: w(12, 8), w1: w(9, 12), w2: w(12, 9), b1: bias(9), b2: bias(12), logitScale: 0.4,
      attentionSkip: w(12, 8), attentionNorm: bn(12), ffnSkip: 'identity', ffnNorm: null },
    { wQ: w(4, 12), wK: w(4, 12), wV: w(12, 12), w1: w(16, 12), w2: w(10, 16), b1: bias(16), b2: null,
      attentionSkip: 'identity', attentionNorm: null, ffnSkip: w(10, 12), ffnNorm: bn(10) },
    { wQ: w(10, 10), wK: w(10, 10), wV: w(10, 10), w1: w(10, 10), w2: w(10, 10), b1: null, b2: bias(10),
      attentionSkip: null, attentionNorm: bn(10), ffnSkip: null, ffnNorm: null },
  ];
  return createModel({ variant: 'practical', layers, encoder: { weight: w(8, 5), bias: bias(8) }, head: { weight: w(3, 10), bias: bias(3) } });
}

test('forward with reused buffers (skip matrices, norms, biases, head) matches the plain-loop reference: f64 to 1e-12, f32 to single precision, on both backends', async () => {
  for (const which of ['wasm-simd', 'js'] as const) {
    await withBackend(which, () => scope(() => {
      for (let seed = 0; seed < 6; seed++) {
        const model = mixedModel(seed);
        const g = rng(100 + seed);
        const n = 20 + 7 * seed;
        const x = gaussianInput(g, n, 5, 1), pattern = makePattern(g, 'sparse', n, 0.25);
        const x0 = Float64Array.from(x.data);
        const ref = naiveForward(model, x, pattern);
        const scale = Math.max(1, maxRowNorm(ref.output));
        const f64 = forward(model, x, pattern).output;
        assert.ok(maxRowDistanceTo(f64, ref.output) <= 1e-12 * scale, `${which} seed ${seed} f64`);
        const traced = forward(model, x, pattern, { trace: true }).output;
        assert.ok(maxRowDistanceTo(traced, ref.output) <= 1e-12 * scale, `${which} seed ${seed} f64 traced`);
        const f32 = forward(model, x, pattern, { dtype: 'f32' }).output;
        assert.ok(maxRowDistanceTo(f32, ref.output) <= 1e-4 * scale, `${which} seed ${seed} f32: ${maxRowDistanceTo(f32, ref.output)}`);
        assert.deepEqual(Array.from(x.data), Array.from(x0), 'x is read, never written');
      }
    }));
  }
});

test('repeated f32 and f64 forwards of a practical model (encoder, skips, norms, head; inputs f32 and f64) do not grow WASM memory or leak blocks', () => {
  const g = rng(9);
  const model = practicalModel(g, { dIn: 6, width: 32, depth: 3, beta: 1, classes: 4 });
  const x64 = gaussianInput(g, 300, 6, 1);
  const x32 = DenseMatrix.from(Float32Array.from(x64.data), 300, 6, 'f32');
  const pattern = makePattern(g, 'sparse', 300, 0.05);
  const once = () => {
    model.forward(x32, pattern, { dtype: 'f32' }).output.free();
    model.forward(x64, pattern, { dtype: 'f32' }).output.free();
    model.forward(x64, pattern).output.free();
    scope(() => { mixedModel(1).forward(gaussianInput(g, 40, 5, 1), makePattern(g, 'sparse', 40, 0.2), { dtype: 'f32' }); });
  };
  for (let i = 0; i < 3; i++) once();
  const pages = wasmMemoryPages(), live = wasmHeapBytes().live;
  for (let i = 0; i < 30; i++) once();
  assert.equal(wasmMemoryPages(), pages);
  assert.equal(wasmHeapBytes().live, live);
});

test('an f32 forward holds at most h, K, V, the attention output and a quarter of Q at once (Q over 1 MiB), plus O(n + weights) bytes; its bits equal the full-Q traced forward', () => {
  const g = rng(13);
  const n = 8300, D = 32; // Q is n·D·4 = 1.06 MB: formed in row blocks
  const model = practicalModel(g, { dIn: 6, width: D, depth: 2, beta: 1, classes: 4 });
  const x = DenseMatrix.from(Float32Array.from(gaussianInput(g, n, 6, 1).data), n, 6, 'f32');
  const pattern = makePattern(g, 'sparse', n, 12 / n);
  const nd = n * D * 4;
  model.forward(x, pattern, { dtype: 'f32' }).output.free(); // warm the attention scratch
  const before = wasmHeapBytes().live;
  resetWasmPeak();
  const out = model.forward(x, pattern, { dtype: 'f32' }).output;
  const peak = wasmHeapBytes().peak - before;
  // 4.25 n×D buffers, the attention kernel's 12 bytes a row, a block's row pointers, weight and bias copies
  assert.ok(peak <= 4.25 * nd + 16 * n + (64 << 10), `peak ${peak} bytes = ${(peak / nd).toFixed(2)} n×D`);
  scope(() => {
    const full = model.forward(x, pattern, { dtype: 'f32', trace: true }).output;
    assert.deepEqual(Array.from(out.data), Array.from(full.data), 'row-blocked Q vs full Q (traced path)');
  });
  out.free();
  assert.equal(wasmHeapBytes().live, before);
});

test('wasmHeapBytes counts a block while it lives and its peak until resetWasmPeak', () => {
  const base = wasmHeapBytes().live;
  resetWasmPeak();
  const a = Storage.alloc('f32', 1000);
  const mid = wasmHeapBytes();
  assert.ok(mid.live - base >= 4000 && mid.live - base <= 4000 + 64, `${mid.live - base}`);
  a.free();
  const end = wasmHeapBytes();
  assert.equal(end.live, base);
  assert.equal(end.peak, mid.live);
  resetWasmPeak();
  assert.equal(wasmHeapBytes().peak, base);
});
