import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, scope, DenseMatrix, Storage, sparseAttention, rng, ShapeError, type GraphTransformer } from '../../src/index.js';
import { networkForward, modelParameters, practicalStructure, structureOf, type NetworkStructure } from '../../src/model/parameters.js';
import { networkBackward } from '../../src/train/backward.js';
import { softmaxCrossEntropy } from '../../src/train/loss.js';
import { initParameters, type NetworkConfig, type ParameterSet } from '../../src/train/parameters.js';
import { sparseAttentionBackward } from '../../src/train/attention-backward.js';
import { compressPractical } from '../../src/compress/practical/practical.js';
import { withBackend } from '../support/backends.js';
import { practicalModel } from '../support/models.js';
import { smallTask } from '../support/trained-models.js';
import { tinyProblem } from './fixtures.js';

await init();
const SEED = Number(process.env.NARROWGT_TRAIN_SEED ?? 7);
console.log(`# training-test seed ${SEED}; replay with NARROWGT_TRAIN_SEED=<seed>`);

/** ‖a − b‖ / max(‖a‖, ‖b‖, tiny): the relative error of a whole gradient tensor. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i] - b[i]) ** 2; na += a[i] ** 2; nb += b[i] ** 2; }
  return Math.sqrt(d) / Math.max(Math.sqrt(na), Math.sqrt(nb), 1e-300);
}

/** Central differences, step h, of f at every entry of every parameter. */
function finiteDifferences(params: ParameterSet<'f64'>, f: () => number, h: number): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const [name, m] of params) {
    const g = new Float64Array(m.rows * m.cols);
    for (let i = 0; i < g.length; i++) {
      const keep = m.data[i];
      m.data[i] = keep + h; const up = f();
      m.data[i] = keep - h; const down = f();
      m.data[i] = keep;
      g[i] = (up - down) / (2 * h);
    }
    out.set(name, g);
  }
  return out;
}

for (const which of ['wasm-simd', 'js'] as const) {
  test(`every parameter's gradient matches f64 central differences (h = 1e-5) within 1e-6 relative, ${which}`, async () => {
    await withBackend(which, () => scope(() => {
      const data = tinyProblem(SEED);
      const config: NetworkConfig = { inputDim: 3, width: 4, layers: 2, numClasses: 3 };
      const params = initParameters(config, SEED, 'f64');
      // Larger γ and nonzero β so that every path carries gradient.
      for (const [name, m] of params) if (name.includes('bn')) { const d = m.data; for (let i = 0; i < d.length; i++) d[i] += 0.3 * Math.sin(i + name.length); }
      const x = data.features as DenseMatrix<'f64'>;
      const structure = practicalStructure(config);
      const loss = (): number => scope(() => softmaxCrossEntropy(networkForward(structure, params, x, data.graph).logits, data.labels, data.masks.train).loss);
      const grads = scope(() => {
        const fwd = networkForward(structure, params, x, data.graph);
        const { dLogits } = softmaxCrossEntropy(fwd.logits, data.labels, data.masks.train);
        return [...networkBackward(structure, params, fwd.cache, dLogits, data.graph)];
      });
      const fd = finiteDifferences(params, loss, 1e-5);
      assert.equal(grads.length, params.size);
      let worst = 0;
      for (const [name, g] of grads) {
        if (name.endsWith('.b_2')) {
          // b_2 is added right before BN₂, which subtracts the column mean: its true gradient is exactly 0.
          for (const arr of [g.data, fd.get(name)!]) for (const v of arr) assert.ok(Math.abs(v) < 1e-9, `${name}: ${v} should be 0`);
          continue;
        }
        const err = relativeError(g.data, fd.get(name)!);
        worst = Math.max(worst, err);
        assert.ok(err < 1e-6, `${name}: relative error ${err.toExponential(2)}`);
      }
      console.log(`# ${which}: worst per-tensor relative error ${worst.toExponential(2)} over ${params.size} tensors`);
    }));
  });
}

test('the one backward on a compressed network (fine-tuning\'s case) matches central differences of the cross-entropy (f64, every tensor kind incl. matrix skips and affine norms)', () => {
  scope(() => {
    const g = rng(13);
    const task = smallTask(g, 24, 4);
    const wide = practicalModel(g, { dIn: 4, width: 6, depth: 2, beta: 1.5, classes: 2 });
    const model: GraphTransformer = compressPractical(wide, task.features, task.graph, { d: 3, hidden: 'select' }).narrow;
    const x = DenseMatrix.zeros(24, 4, 'f64');
    x.data.set(task.features.data);
    const params = modelParameters(model, 'f64');
    const structure = structureOf(model);
    assert.ok(structure.layers.some((l) => l.attentionSkip === 'matrix' && l.attentionNorm === 'affine'), 'the compressed network has matrix skips and affine norms');
    const loss = (): number => scope(() => softmaxCrossEntropy(networkForward(structure, params, x, task.graph).logits, task.labels, task.masks.train).loss);
    // scope() keeps what arrays reach, not Map values: return the entries.
    const grads = new Map(scope(() => {
      const fwd = networkForward(structure, params, x, task.graph);
      const { dLogits } = softmaxCrossEntropy(fwd.logits, task.labels, task.masks.train);
      return [...networkBackward(structure, params, fwd.cache, dLogits, task.graph)];
    }));
    assert.deepEqual([...grads.keys()].sort(), [...params.keys()].sort());
    const h = 1e-6;
    for (const [name, p] of params) {
      for (const k of [0, Math.floor(p.data.length / 2), p.data.length - 1]) {
        const keep = p.data[k];
        p.data[k] = keep + h; const up = loss();
        p.data[k] = keep - h; const down = loss();
        p.data[k] = keep;
        const numeric = (up - down) / (2 * h), analytic = grads.get(name)!.data[k];
        assert.ok(Math.abs(numeric - analytic) <= 1e-6 * Math.max(1, Math.abs(numeric)), `${name}[${k}]: ${analytic} vs ${numeric}`);
      }
    }
  });
});

test('the one backward with dropout matches central differences of the same-mask loss (f64, masks redrawn from one seed)', () => {
  scope(() => {
    const data = tinyProblem(SEED + 4);
    const config: NetworkConfig = { inputDim: 3, width: 4, layers: 2, numClasses: 3 };
    const structure: NetworkStructure = practicalStructure(config);
    const params = initParameters(config, SEED + 4, 'f64');
    const x = data.features as DenseMatrix<'f64'>;
    // The same seed draws the same masks, so the loss is a fixed differentiable function of the parameters.
    const run = () => networkForward(structure, params, x, data.graph, { dropout: 0.3, random: rng(99) });
    const loss = (): number => scope(() => softmaxCrossEntropy(run().logits, data.labels, data.masks.train).loss);
    const grads = new Map(scope(() => {
      const fwd = run();
      assert.ok(fwd.cache.encodedMask && fwd.cache.layers[0].hiddenMask, 'dropout masks are recorded');
      assert.ok(fwd.cache.layers[0].hiddenMask!.array.some((m) => m === 0), 'some hidden units are dropped');
      const { dLogits } = softmaxCrossEntropy(fwd.logits, data.labels, data.masks.train);
      return [...networkBackward(structure, params, fwd.cache, dLogits, data.graph)];
    }));
    const fd = finiteDifferences(params, loss, 1e-5);
    for (const [name, g] of grads) {
      if (name.endsWith('.b_2')) continue; // exactly 0 before BN₂ (see above)
      const err = relativeError(g.data, fd.get(name)!);
      assert.ok(err < 1e-6, `${name}: relative error ${err.toExponential(2)}`);
    }
    // Dropout changes the function: the deterministic forward differs.
    const a = scope(() => Float64Array.from(run().logits.data));
    const b = scope(() => Float64Array.from(networkForward(structure, params, x, data.graph).logits.data));
    assert.ok(relativeError(a, b) > 1e-3, 'dropout had no effect');
  });
});

test('attention backward kernel equals its twin and central differences of ⟨dOut, attention⟩ (f64, 1e-7 relative)', async () => {
  const data = tinyProblem(SEED + 1, 12);
  const r = rng(SEED);
  const n = 12, dQK = 3, dV = 5, scale = 0.7;
  const mk = (cols: number): DenseMatrix<'f64'> => DenseMatrix.from(r.fillNormal(new Float64Array(n * cols)), n, cols, 'f64');
  const q = mk(dQK), k = mk(dQK), v = mk(dV), dOut = mk(dV);
  const objective = (): number => scope(() => {
    const out = sparseAttention(q, k, v, data.graph, { scale }).output.data;
    let s = 0;
    for (let i = 0; i < out.length; i++) s += out[i] * dOut.data[i];
    return s;
  });
  const run = (): Float64Array[] => scope(() => {
    const f = sparseAttention(q, k, v, data.graph, { scale, returnWeights: true });
    const g = sparseAttentionBackward(dOut, q, k, v, f.weights as Storage<'f64'>, data.graph, { scale });
    return [Float64Array.from(g.dQ.data), Float64Array.from(g.dK.data), Float64Array.from(g.dV.data)];
  });
  const wasm = await withBackend('wasm-simd', run), js = await withBackend('js', run);
  for (let t = 0; t < 3; t++) assert.ok(relativeError(wasm[t], js[t]) < 1e-12, `kernel vs twin, output ${t}`);
  ['q', 'k', 'v'].forEach((name, t) => {
    const m = [q, k, v][t];
    const fd = new Float64Array(m.data.length);
    for (let i = 0; i < fd.length; i++) {
      const keep = m.data[i];
      m.data[i] = keep + 1e-5; const up = objective();
      m.data[i] = keep - 1e-5; const down = objective();
      m.data[i] = keep;
      fd[i] = (up - down) / 2e-5;
    }
    const err = relativeError(wasm[t], fd);
    assert.ok(err < 1e-7, `d${name}: relative error ${err.toExponential(2)}`);
  });
});

test('attention backward f32 kernel agrees with the f64 twin within 1e-4 relative', async () => {
  const data = tinyProblem(SEED + 2, 40);
  const r = rng(SEED + 2);
  const n = 40, dQK = 8, dV = 6;
  const raw = [dQK, dQK, dV, dV].map((c) => r.fillNormal(new Float64Array(n * c)));
  const run = (dtype: 'f32' | 'f64'): Float64Array[] => scope(() => {
    const [q, k, v, dOut] = raw.map((a, t) => DenseMatrix.from(a, n, [dQK, dQK, dV, dV][t], dtype));
    const f = sparseAttention(q, k, v, data.graph, { scale: 0.5, returnWeights: true });
    const g = sparseAttentionBackward(dOut, q, k, v, f.weights as Storage<typeof dtype>, data.graph, { scale: 0.5 });
    return [g.dQ, g.dK, g.dV].map((m) => Float64Array.from(m.data));
  });
  const f32 = await withBackend('wasm-simd', () => run('f32')), f64 = await withBackend('js', () => run('f64'));
  for (let t = 0; t < 3; t++) assert.ok(relativeError(f32[t], f64[t]) < 1e-4, `output ${t}: ${relativeError(f32[t], f64[t])}`);
});

test('sparseAttentionBackward rejects weights of the wrong length before any work', () => {
  const data = tinyProblem(SEED, 5);
  const m = DenseMatrix.zeros(5, 2, 'f64');
  assert.throws(() => sparseAttentionBackward(m, m, m, m, Storage.alloc('f64', 1), data.graph), ShapeError);
});

test('elementwise f32 kernels (BN forward/backward, column sums, bias, ReLU) agree with their f64 twins within 1e-5 relative', async () => {
  const { batchNormForward, batchNormBackward } = await import('../../src/train/batch-norm.js');
  const { columnSums, addRowVector } = await import('../../src/train/linear.js');
  const { reluInPlace, reluBackwardInPlace } = await import('../../src/train/elementwise.js');
  const r = rng(SEED + 3);
  const n = 203, p = 7; // odd sizes exercise the scalar tails and a partial flush block
  const raw = [n * p, p, p, n * p].map((len) => r.fillNormal(new Float64Array(len)));
  raw[0].forEach((v, i) => { raw[0][i] = 3 + 2 * v; });
  const run = (dtype: 'f32' | 'f64'): Float64Array[] => scope(() => {
    const z = DenseMatrix.from(raw[0], n, p, dtype), g = DenseMatrix.from(raw[1], 1, p, dtype), b = DenseMatrix.from(raw[2], 1, p, dtype);
    const dy = DenseMatrix.from(raw[3], n, p, dtype);
    const f = batchNormForward(z, g, b);
    const bw = batchNormBackward(dy, g, f.cache);
    const sums = columnSums(dy);
    const biased = z.clone(); addRowVector(biased, b);
    const relu = dy.clone(); reluInPlace(relu);
    const masked = z.clone(); reluBackwardInPlace(masked, relu);
    return [f.output, f.cache.normalized, bw.dz, bw.dGamma, bw.dBeta, sums, biased, relu, masked].map((m) => Float64Array.from(m.data));
  });
  const f32 = await withBackend('wasm-simd', () => run('f32')), f64 = await withBackend('js', () => run('f64'));
  f32.forEach((a, t) => assert.ok(relativeError(a, f64[t]) < 1e-5, `output ${t}: ${relativeError(a, f64[t])}`));
});
