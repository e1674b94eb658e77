import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, rng, scope, InputError, readSafetensors, modelToSafetensors, modelFromSafetensors, trainedToSafetensors } from '../../src/index.js';
import { fit, fittedModel } from '../../src/train/fit.js';
import { fineTune } from '../../src/train/fine-tune.js';
import { trainNodeClassifier, predictLogits } from '../../src/train/train.js';
import { evaluateMetric } from '../../src/train/metrics.js';
import { initParameters, type NetworkConfig } from '../../src/train/parameters.js';
import {
  batchNormStatistics, modelParameters, networkForward, parameterShapes, practicalStructure, structureOf,
} from '../../src/model/parameters.js';
import { compressPractical } from '../../src/compress/practical/practical.js';
import { practicalModel } from '../support/models.js';
import { smallTask } from '../support/trained-models.js';
import { tinyProblem } from './fixtures.js';

await init();
const SEED = Number(process.env.NARROWGT_TRAIN_SEED ?? 7);
console.log(`# fit-test seed ${SEED}; replay with NARROWGT_TRAIN_SEED=<seed>`);

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

test('fit keeps the best validation epoch: the returned parameters reproduce its reported val and test metric exactly', () => {
  scope(() => {
    const data = smallTask(rng(SEED), 60, 4);
    const r = fit(data, { width: 8, layers: 2, epochs: 60, lr: 0.02, patience: null, dropout: 0, seed: SEED });
    const vals = [...r.history.map((h) => h.val), r.last.val];
    const bestVal = Math.max(...vals);
    assert.equal(r.scores.val, bestVal, 'the kept epoch has the highest validation metric');
    assert.equal(r.epoch, vals.indexOf(bestVal), 'ties go to the earliest epoch');
    assert.equal(r.epochsRun, 60);
    assert.equal(r.stoppedEarly, false);
    const logits = predictLogits(r.parameters, r.config!, data.features, data.graph);
    assert.equal(evaluateMetric(data.metric, logits, data.labels, data.masks.val), r.scores.val);
    assert.equal(evaluateMetric(data.metric, logits, data.labels, data.masks.test), r.scores.test);
    // keepBest: false returns the last parameters instead (a control: the two differ here unless the best is last).
    const lastRun = fit(data, { width: 8, layers: 2, epochs: 60, lr: 0.02, patience: null, dropout: 0, seed: SEED, keepBest: false });
    assert.equal(lastRun.epoch, 60);
    assert.equal(lastRun.scores.val, r.last.val);
    // The model built from the kept parameters computes the same logits (BN folded with the graph's statistics).
    const model = fittedModel(r, data);
    const z = model.forward(data.features, data.graph, { dtype: 'f32' }).output;
    assert.ok(maxAbsDiff(z.data, logits.data) < 1e-4, `fitted model vs training forward: ${maxAbsDiff(z.data, logits.data)}`);
    model.free();
  });
});

test('trainNodeClassifier returns the best-validation epoch\'s parameters and reports that epoch (bestValidation = final)', () => {
  scope(() => {
    const data = tinyProblem(SEED, 30, 4, 3, 'f32');
    const r = trainNodeClassifier(data, { width: 8, layers: 2, epochs: 30, lr: 0.02, patience: null, seed: 3 });
    assert.equal(r.bestValidation.val, r.final.val);
    assert.equal(r.bestValidation.test, r.final.test);
    const logits = predictLogits(r.parameters, r.config, data.features, data.graph);
    assert.equal(evaluateMetric(data.metric, logits, data.labels, data.masks.val), r.bestValidation.val);
    assert.ok(r.history.every((h) => h.val <= r.bestValidation.val) && r.last.val <= r.bestValidation.val);
  });
});

test('the file written from trainNodeClassifier\'s result (what narrowgt train saves) evaluates to the reported best validation epoch', () => {
  scope(() => {
    const data = smallTask(rng(SEED + 7), 60, 4);
    const r = trainNodeClassifier({ ...data, features: data.features.clone('f32') }, { width: 8, layers: 2, epochs: 40, lr: 0.05, patience: null, dropout: 0, seed: 2 });
    assert.ok(r.bestValidation.epoch < r.last.epoch && r.last.val < r.bestValidation.val, 'the run must end below its best epoch for this check to bite');
    const model = modelFromSafetensors(trainedToSafetensors(r.config, r.parameters, data.features, data.graph, { dtype: 'F64' })).model;
    const z = model.forward(data.features, data.graph).output;
    assert.equal(evaluateMetric(data.metric, z, data.labels, data.masks.val), r.bestValidation.val);
    assert.equal(evaluateMetric(data.metric, z, data.labels, data.masks.test), r.bestValidation.test);
    model.free();
  });
});

test('patience stops the run once validation has not improved for that many epochs', () => {
  scope(() => {
    const data = smallTask(rng(SEED + 1), 60, 4);
    const full = fit(data, { width: 8, layers: 2, epochs: 200, lr: 0.05, patience: null, dropout: 0, seed: 1 });
    const r = fit(data, { width: 8, layers: 2, epochs: 200, lr: 0.05, patience: 5, dropout: 0, seed: 1 });
    assert.ok(r.stoppedEarly, `ran ${r.epochsRun} epochs`);
    assert.equal(r.epochsRun, r.epoch + 5, 'stopped exactly `patience` epochs after the best');
    assert.equal(r.history.length, r.epochsRun);
    assert.ok(r.epochsRun < 200);
    // Up to the stop, the run is the full run (same seed, same schedule): same epochs, same scores.
    assert.deepEqual(r.history.map((h) => h.val), full.history.slice(0, r.epochsRun).map((h) => h.val));
    for (const h of r.history.slice(r.epoch + 1)) assert.ok(h.val <= r.scores.val);
  });
});

test('fit from a given model (fine-tuning) keeps its structure: widths, skip and norm kinds, parameter names; the input model is unchanged', () => {
  scope(() => {
    const g = rng(SEED + 2);
    const task = smallTask(g, 48, 4);
    const wide = practicalModel(g, { dIn: 4, width: 6, depth: 2, beta: 1, classes: 2 });
    const narrow = compressPractical(wide, task.features, task.graph, { d: 3, hidden: 'select' }).narrow;
    const before = Float64Array.from(narrow.layers[0].wQ.data);
    const r = fit(task, { model: narrow, epochs: 15, lr: 0.01, patience: null, dropout: 0 });
    assert.equal(r.config, null);
    assert.deepEqual(r.structure, structureOf(narrow));
    assert.deepEqual([...r.parameters.keys()].sort(), [...modelParameters(narrow, 'f64').keys()].sort());
    const tuned = fittedModel(r, task);
    assert.deepEqual(tuned.widths, narrow.widths);
    assert.deepEqual(structureOf(tuned), structureOf(narrow));
    assert.deepEqual(Array.from(narrow.layers[0].wQ.data), Array.from(before), 'the input model is not changed');
    assert.ok(maxAbsDiff(tuned.layers[0].wQ.data, before) > 0, 'training changed the weights');
    // fineTune is the same fit: same kept epoch and scores.
    const ft = fineTune(narrow, task, { epochs: 15, lr: 0.01 });
    assert.equal(ft.keptEpoch, r.epoch);
    assert.deepEqual(ft.metrics, r.scores);
    assert.throws(() => fit(task, { model: narrow, width: 4 }), (e: unknown) => e instanceof InputError && /options\.width/.test(String(e)));
    tuned.free(); ft.model.free();
  });
});

test('one naming: the trained network\'s parameter names are the .safetensors names, with the same values (trained and compressed files)', () => {
  scope(() => {
    const data = tinyProblem(SEED + 3, 20, 4, 3, 'f32');
    const config: NetworkConfig = { inputDim: 4, width: 6, layers: 2, numClasses: 3 };
    const params = initParameters(config, SEED, 'f32');
    const file = readSafetensors(trainedToSafetensors(config, params, data.features, data.graph)).tensors;
    for (const [name, rows, cols] of parameterShapes(config)) {
      const t = file.get(name);
      assert.ok(t, `${name} is in the file`);
      assert.equal(t.data.length, rows * cols, name);
      assert.deepEqual(Array.from(t.data as Float32Array), Array.from(params.get(name)!.data), name);
    }
    const extra = [...file.keys()].filter((k) => !params.has(k));
    assert.ok(extra.length > 0 && extra.every((k) => /\.bn[12]\.running_(mean|var)$/.test(k)), `only the running statistics are not parameters: ${extra.join(', ')}`);
    // A model's parameters and its file carry the same names and values (modelParameters ↔ modelToSafetensors ↔ modelFromSafetensors).
    const wide = practicalModel(rng(SEED), { dIn: 4, width: 6, depth: 2, beta: 1, classes: 3 });
    const narrow = compressPractical(wide, data.features.clone('f64'), data.graph, { d: 3 }).narrow;
    const mp = modelParameters(narrow, 'f64');
    // (foldLogitScale: false keeps w_q as the model holds it; the default file folds the logit scale into w_q, same names.)
    assert.deepEqual([...readSafetensors(modelToSafetensors(narrow)).tensors.keys()].sort(), [...mp.keys()].sort());
    const unfolded = modelToSafetensors(narrow, { foldLogitScale: false });
    const tensors = readSafetensors(unfolded).tensors;
    assert.deepEqual([...tensors.keys()].sort(), [...mp.keys()].sort());
    for (const [name, m] of mp) assert.deepEqual(Array.from(tensors.get(name)!.data as Float64Array), Array.from(m.data), name);
    const back = modelParameters(modelFromSafetensors(unfolded).model, 'f64');
    for (const [name, m] of mp) assert.deepEqual(Array.from(back.get(name)!.data), Array.from(m.data), name);
  });
});

test('batch-norm modes: running statistics of the same graph give the batch-statistics logits; another graph\'s do not; none is an error', () => {
  scope(() => {
    const data = tinyProblem(SEED + 4, 25, 4, 3, 'f64');
    const other = tinyProblem(SEED + 5, 25, 4, 3, 'f64');
    const config: NetworkConfig = { inputDim: 4, width: 6, layers: 2, numClasses: 3 };
    const structure = practicalStructure(config);
    const params = initParameters(config, SEED, 'f64');
    const x = data.features.clone('f64');
    const batch = networkForward(structure, params, x, data.graph, { cache: false }).logits;
    const own = batchNormStatistics(structure, params, data.features, data.graph);
    const running = networkForward(structure, params, x, data.graph, { statistics: 'running', runningStatistics: own, cache: false }).logits;
    assert.ok(maxAbsDiff(batch.data, running.data) < 1e-10, `${maxAbsDiff(batch.data, running.data)}`);
    const foreign = batchNormStatistics(structure, params, other.features, other.graph);
    const wrong = networkForward(structure, params, x, data.graph, { statistics: 'running', runningStatistics: foreign, cache: false }).logits;
    assert.ok(maxAbsDiff(batch.data, wrong.data) > 1e-3, 'another graph\'s statistics change the logits');
    assert.throws(() => networkForward(structure, params, x, data.graph, { statistics: 'running' }), InputError);
  });
});

test('dropout: training with dropout is reproducible from the seed, differs from no dropout, and evaluates deterministically', () => {
  scope(() => {
    const data = smallTask(rng(SEED + 6), 40, 4);
    const opts = { width: 8, layers: 2, epochs: 12, lr: 0.02, patience: null, seed: 4 };
    const a = fit(data, { ...opts, dropout: 0.4 }), b = fit(data, { ...opts, dropout: 0.4 }), c = fit(data, { ...opts, dropout: 0 });
    assert.deepEqual(a.history.map((h) => h.loss), b.history.map((h) => h.loss));
    assert.notDeepEqual(a.history.map((h) => h.loss), c.history.map((h) => h.loss));
    // Epoch 0's scores are of the initial weights, measured without dropout: the same in both runs.
    assert.equal(a.initial.loss, c.initial.loss);
    assert.throws(() => fit(data, { ...opts, dropout: 1 }), /options\.dropout/);
    assert.throws(() => fit(data, { ...opts, patience: 0 }), /options\.patience/);
  });
});
