// minimalWidth: the smallest d whose certificate holds and meets the output tolerance. Each answer is
// checked against direct calls of the construction at d and d − 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  init, minimalWidth, compressLowRank, compressExactLowRank, compressPractical, GraphTransformer, DenseMatrix, ConvergenceError, InputError, rng,
  type WidthTrial,
} from '../../../src/index.js';
import { gaussianInput, erPattern } from '../../support/models.js';
import { subspaceModel } from '../../support/trained-models.js';
import { nearLowRankInstance, clusteredInstance } from '../../support/compress-generators.js';
import { maxRowDistance, lift, traces } from '../../support/compress-measure.js';
import { announceSeed } from '../../support/fc.js';

announceSeed('test/compress/workflows/minimal-width.test.ts');
await init();

const inst = nearLowRankInstance({ n: 60, dIn: 12, width: 24, layers: 2, rank: 3, noiseX: 0.01, noiseW: 0.01, beta: 1, alpha0: 1, edgeProb: 0.05, seed: 21 });
const model = new GraphTransformer({ layers: inst.layers });

test('minimalWidth(lowRank, linear): the answer d meets the tolerance with a holding certificate, every smaller width tried fails it, and a direct compressLowRank at d − 1 confirms', () => {
  const at3 = compressLowRank(model, inst.x, inst.pattern, { d: 3 });
  const tolerance = 1.5 * at3.certificate.outputError; // met at d = 3 by construction of the tolerance
  const r = minimalWidth(model, inst.x, inst.pattern, { tolerance, method: 'lowRank', search: 'linear' });
  assert.equal(r.search, 'linear');
  assert.ok(r.d <= 3);
  assert.ok(r.compressed.certificate.holds && r.compressed.certificate.outputError <= tolerance);
  assert.deepEqual(r.trials.map((t) => t.d), Array.from({ length: r.d }, (_, i) => i + 1));
  for (const t of r.trials.slice(0, -1)) assert.ok(!t.meets && (t.outputError > tolerance || !t.holds));
  if (r.d > 1) {
    const below = compressLowRank(model, inst.x, inst.pattern, { d: r.d - 1 });
    assert.ok(below.certificate.outputError > tolerance || !below.certificate.holds);
  }
  // the returned model is the one measured: re-measure its output error from the traces
  const { narOut, refOut } = traces(model, r.compressed, inst.x, inst.pattern);
  assert.ok(Math.abs(maxRowDistance(lift(narOut, 'identity'), refOut) - r.compressed.certificate.outputError) <= 1e-12);
  console.log(`# lowRank: tolerance ${tolerance.toExponential(3)} → d = ${r.d}; errors ${r.trials.map((t) => `${t.d}:${t.outputError.toExponential(2)}`).join(' ')}`);
});

test("minimalWidth 'bisect' finds the same width as 'linear' on a monotone error curve, with fewer trials for a wide range", () => {
  const tolerance = 1.5 * compressLowRank(model, inst.x, inst.pattern, { d: 3 }).certificate.outputError;
  const lin = minimalWidth(model, inst.x, inst.pattern, { tolerance, method: 'lowRank', search: 'linear' });
  const errs = lin.trials.map((t) => t.outputError);
  for (let i = 1; i < errs.length; i++) assert.ok(errs[i] <= errs[i - 1], 'the error curve is monotone here');
  const bis = minimalWidth(model, inst.x, inst.pattern, { tolerance, method: 'lowRank', search: 'bisect', dMax: 24 });
  assert.equal(bis.d, lin.d);
  assert.ok(bis.trials.length <= 2 * Math.ceil(Math.log2(24)) + 1);
});

test('minimalWidth(exactLowRank) on exactly low-rank data returns a width ≤ the generating rank whose twin reproduces T(X) to 1e-8 relative', () => {
  const exact = nearLowRankInstance({ n: 50, dIn: 10, width: 20, layers: 2, rank: 2, noiseX: 0, noiseW: 0, beta: 1, alpha0: 1, edgeProb: 0.1, seed: 5 });
  const m = new GraphTransformer({ layers: exact.layers });
  const scale = m.forward(exact.x, exact.pattern).output;
  let outScale = 0;
  for (let i = 0; i < scale.rows; i++) { let s = 0; for (let j = 0; j < scale.cols; j++) s += scale.data[i * scale.cols + j] ** 2; outScale = Math.max(outScale, Math.sqrt(s)); }
  const r = minimalWidth(m, exact.x, exact.pattern, { tolerance: 1e-8 * outScale, method: 'exactLowRank' });
  assert.ok(r.d <= 2, `d = ${r.d}`);
  assert.ok(r.compressed.certificate.holds);
  if (r.d > 1) assert.ok(!compressExactLowRank(m, exact.x, exact.pattern, { d: r.d - 1 }).certificate.holds);
});

test('minimalWidth(clusters) starts at the number of given clusters and returns a holding certificate; jl returns a width meeting its tolerance', () => {
  const cl = clusteredInstance({ n: 60, clusters: 3, dIn: 10, width: 32, layers: 1, spread: 0.02, beta: 1, alpha0: 1, edgeProb: 0.3, biasScale: 0, seed: 4 });
  const m = new GraphTransformer({ layers: cl.layers });
  const r = minimalWidth(m, cl.x, cl.pattern, { tolerance: 0.05, method: 'clusters', constructionOptions: { clusters: [cl.labels] } });
  assert.equal(r.trials[0].d, 3);
  assert.ok(r.d >= 3 && r.compressed.certificate.holds && r.compressed.certificate.outputError <= 0.05);
  const j = minimalWidth(model, inst.x, inst.pattern, { tolerance: 0.05, method: 'jl', constructionOptions: { seed: 3 } });
  assert.ok(j.compressed.certificate.outputError <= 0.05 && j.compressed.narrow.layers[0].wQ.rows === j.d);
});

test('minimalWidth throws ConvergenceError naming the best width when no d ≤ dMax meets the tolerance, and rejects bad options before any work', () => {
  assert.throws(() => minimalWidth(model, inst.x, inst.pattern, { tolerance: 0, method: 'lowRank', dMax: 3 }),
    (e: unknown) => e instanceof ConvergenceError && /no width d ∈ \[1, 3\]/.test(e.message) && /smallest error/.test(e.message));
  assert.throws(() => minimalWidth(model, inst.x, inst.pattern, { tolerance: -1, method: 'lowRank' }), /minimalWidth: options\.tolerance/);
  assert.throws(() => minimalWidth(model, inst.x, inst.pattern, { tolerance: 1, method: 'svd' as never }), InputError);
  assert.throws(() => minimalWidth(model, inst.x, inst.pattern, { tolerance: 1, method: 'lowRank', dMin: 5, dMax: 4 }), RangeError);
  assert.throws(() => minimalWidth(model, inst.x, inst.pattern, { tolerance: 1, method: 'lowRank', search: 'random' as never }), InputError);
  assert.throws(() => minimalWidth(model, DenseMatrix.zeros(60, 3, 'f64'), inst.pattern, { tolerance: 1, method: 'lowRank' }), /minimalWidth: x has 3 columns/);
});

test("minimalWidth(practical, relative): a trained-style network whose stages have rank 4 gets d ≤ 4, each trial's relativeError is outputError/outputScale of a direct compressPractical, onTrial sees every trial, and d − 1 fails", () => {
  const g = rng(21);
  const pm = subspaceModel(g, { dIn: 6, width: 12, rank: 4, depth: 3, classes: 2 });
  const x = gaussianInput(g, 50, 6, 1), pattern = erPattern(g, 50, 0.2);
  const seen: WidthTrial[] = [];
  const r = minimalWidth(pm, x, pattern, { method: 'practical', tolerance: 1e-9, relative: true, search: 'bisect', constructionOptions: { hidden: 'full' }, onTrial: (t) => seen.push(t) });
  assert.ok(r.d <= 4, `d = ${r.d}`);
  assert.deepEqual(seen, r.trials);
  assert.ok(r.trials.every((t) => t.d >= 1 && t.d <= Math.max(...pm.widths)));
  const cert = r.compressed.certificate;
  assert.ok(cert.holds && cert.outputError <= 1e-9 * cert.outputScale);
  for (const t of r.trials) {
    const direct = compressPractical(pm, x, pattern, { d: t.d, hidden: 'full' }).certificate;
    assert.equal(t.outputError, direct.outputError);
    assert.equal(t.relativeError, direct.outputError / direct.outputScale);
    assert.equal(t.meets, direct.holds && t.relativeError <= 1e-9);
  }
  if (r.d > 1) {
    const below = compressPractical(pm, x, pattern, { d: r.d - 1, hidden: 'full' }).certificate;
    assert.ok(!below.holds || below.outputError > 1e-9 * below.outputScale);
  }
  // nothing meets a relative tolerance of 0 (round-off stays): ConvergenceError, and onTrial still saw each width
  const tried: WidthTrial[] = [];
  assert.throws(() => minimalWidth(pm, x, pattern, { method: 'practical', tolerance: 0, relative: true, dMax: 2, onTrial: (t) => tried.push(t) }),
    (e: unknown) => e instanceof ConvergenceError && /relative tolerance 0/.test(e.message));
  assert.deepEqual(tried.map((t) => t.d), [1, 2]);
  assert.throws(() => minimalWidth(pm, x, pattern, { method: 'practical', tolerance: 1, onTrial: 3 as never }), InputError);
});
