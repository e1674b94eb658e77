import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, scope, DenseMatrix, InputError, ShapeError, FormatError } from '../../src/index.js';
import { rocAuc, accuracy } from '../../src/train/metrics.js';
import { AdamW, cosineLearningRate } from '../../src/train/adamw.js';
import { initParameters, type NetworkConfig } from '../../src/train/parameters.js';
import { trainNodeClassifier, predictLogits } from '../../src/train/train.js';
import { serializeTrained, deserializeTrained } from '../../src/train/serialize.js';
import { tinyProblem } from './fixtures.js';

await init();

test('rocAuc matches scikit-learn\'s roc_auc_score documentation example (0.75) and handles ties by midranks', () => {
  // sklearn.metrics.roc_auc_score docs: y = [0, 0, 1, 1], scores = [0.1, 0.4, 0.35, 0.8] → 0.75.
  assert.equal(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  // All scores tied: every positive–negative pair counts ½, so AUC = 0.5 exactly.
  assert.equal(rocAuc([1, 1, 1, 1, 1], [0, 1, 0, 1, 1]), 0.5);
  // One tie between a positive and a negative among otherwise separated scores: (5 + 0.5)/6.
  assert.equal(rocAuc([0.1, 0.2, 0.5, 0.5, 0.9], [0, 0, 0, 1, 1]), 5.5 / 6);
  // The mask selects nodes: the masked-out perfect inversion does not count.
  assert.equal(rocAuc([0.9, 0.1, 0.2, 0.8], [0, 1, 0, 1], [0, 0, 1, 1]), 1);
  assert.throws(() => rocAuc([0.1, 0.2], [1, 1]), InputError);
  assert.throws(() => rocAuc([0.1, 0.2], [0, 2]), InputError);
  assert.throws(() => rocAuc([0.1], [0, 1]), ShapeError);
});

test('rocAuc equals the pairwise definition P(s⁺ > s⁻) + ½P(s⁺ = s⁻) on random data with ties', () => {
  let seed = 12345;
  const next = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  const n = 300, s: number[] = [], y: number[] = [];
  for (let i = 0; i < n; i++) { s.push(Math.floor(next() * 20)); y.push(next() < 0.3 ? 1 : 0); }
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (y[i] === 1 && y[j] === 0) { den++; num += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0; }
  assert.ok(Math.abs(rocAuc(s, y) - num / den) < 1e-12);
});

test('accuracy counts arg-max hits on the mask', () => {
  const z = DenseMatrix.from([1, 2, 3, 0, 0, 5], 3, 2, 'f64');
  assert.equal(accuracy(z, [1, 0, 1]), 1);
  assert.equal(accuracy(z, [0, 0, 1], [1, 0, 0]), 0);
});

test('cosine schedule: base at step 0, half-way at T/2, → 0 at the end; warm-up is linear', () => {
  assert.equal(cosineLearningRate(0.1, 0, 100), 0.1);
  assert.ok(Math.abs(cosineLearningRate(0.1, 50, 100) - 0.05) < 1e-15);
  assert.ok(cosineLearningRate(0.1, 99, 100) < 0.1 * 3e-4);
  assert.equal(cosineLearningRate(0.1, 0, 100, 10), 0.01);
  assert.throws(() => cosineLearningRate(0.1, 100, 100), InputError);
});

test('AdamW\'s first step moves each weight by lr·sign(g) (bias correction) plus the decoupled decay lr·λ·θ', () => {
  scope(() => {
    const p = new Map([['w', DenseMatrix.from([1, -2, 3], 1, 3, 'f64')]]);
    const g = new Map([['w', DenseMatrix.from([0.5, -4, 0], 1, 3, 'f64')]]);
    new AdamW({ weightDecay: 0.1 }).step(p, g, 0.01);
    const d = p.get('w')!.data;
    // Loshchilov & Hutter 2019, Alg. 2, step 1: m̂ = g, v̂ = g², so Δ = −lr·g/(|g| + ε) − lr·λ·θ.
    assert.ok(Math.abs(d[0] - (1 - 0.01 * 0.1 * 1 - 0.01)) < 1e-9);
    assert.ok(Math.abs(d[1] - (-2 + 0.01 * 0.1 * 2 + 0.01)) < 1e-9);
    assert.ok(Math.abs(d[2] - (3 - 0.01 * 0.1 * 3)) < 1e-12);
  });
});

test('initParameters is seeded: same seed, same weights; another seed, other weights; bounds ±1/√fan_in', () => {
  scope(() => {
    const config: NetworkConfig = { inputDim: 5, width: 8, layers: 2, numClasses: 3 };
    const a = initParameters(config, 3, 'f64'), b = initParameters(config, 3, 'f64'), c = initParameters(config, 4, 'f64');
    assert.deepEqual(Array.from(a.get('layers.1.w_q')!.data), Array.from(b.get('layers.1.w_q')!.data));
    assert.notDeepEqual(Array.from(a.get('layers.1.w_q')!.data), Array.from(c.get('layers.1.w_q')!.data));
    for (const v of a.get('encoder.weight')!.data) assert.ok(Math.abs(v) <= 1 / Math.sqrt(5));
    for (const v of a.get('layers.0.bn1.weight')!.data) assert.equal(v, 1);
  });
});

test('training lowers the loss on a small graph, is reproducible from its seed, and the saved model reloads to the same logits', () => {
  scope(() => {
    const data = tinyProblem(11, 30, 4, 3, 'f32');
    const opts = { width: 8, layers: 2, lr: 0.01, epochs: 40, seed: 5 };
    const a = trainNodeClassifier(data, opts), b = trainNodeClassifier(data, opts);
    assert.ok(a.final.loss < 0.8 * a.history[0].loss, `loss ${a.history[0].loss} → ${a.final.loss}`);
    assert.deepEqual(a.history.map((h) => h.loss), b.history.map((h) => h.loss));
    const loaded = deserializeTrained(serializeTrained(a.config, a.parameters));
    const z1 = predictLogits(a.parameters, a.config, data.features, data.graph);
    const z2 = predictLogits(loaded.parameters, loaded.config, data.features, data.graph);
    assert.deepEqual(Array.from(z1.data), Array.from(z2.data));
  });
});

test('trainNodeClassifier and deserializeTrained reject bad input before any work', () => {
  const data = tinyProblem(1, 10, 3, 3, 'f32');
  assert.throws(() => trainNodeClassifier(data, { lr: -1 }), /options\.lr/);
  assert.throws(() => trainNodeClassifier(data, { width: 0 }), /options\.width/);
  assert.throws(() => trainNodeClassifier({ ...data, labels: new Int32Array(3) }), ShapeError);
  assert.throws(() => deserializeTrained('{"format":"other"}'), FormatError);
  assert.throws(() => deserializeTrained('not json'), FormatError);
});
