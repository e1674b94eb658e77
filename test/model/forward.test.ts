import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  init, DenseMatrix, GraphTransformer, createModel, forward, scope, wasmMemoryPages, rng,
  InputError, ShapeError, fullPattern,
} from '../../src/index.js';
import { fcParams, announceSeed } from '../support/fc.js';
import {
  gaussianInput, makePattern, maxRowDistanceTo, maxRowNorm, naiveForward, practicalModel, theoryModel, weightWithNorm,
  type PatternKind,
} from '../support/models.js';

announceSeed('test/model/forward.test.ts');
await init();

const caseArb = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  n: fc.integer({ min: 2, max: 40 }),
  dIn: fc.integer({ min: 1, max: 12 }),
  width: fc.integer({ min: 1, max: 24 }),
  queryKeyWidth: fc.integer({ min: 1, max: 24 }),
  depth: fc.integer({ min: 1, max: 3 }),
  beta: fc.constantFrom(0.5, 1, 2),
  kind: fc.constantFrom<PatternKind>('sparse', 'full', 'expander'),
  p: fc.double({ min: 0.05, max: 0.4, noNaN: true }),
  activation: fc.constantFrom<'relu' | 'identity'>('relu', 'identity'),
  bias: fc.boolean(),
});

test('forward (f64, theory model) equals the plain-loop reference of Sec. 2 (docs/theory.md §2) to 1e-12 relative, every traced stage too; exp(log a) = a and rows of a sum to 1', async () => {
  fc.assert(fc.property(caseArb, (c) => scope(() => {
    const g = rng(c.seed);
    const model = theoryModel(g, { dIn: c.dIn, width: c.width, depth: c.depth, beta: c.beta, activation: c.activation, bias: c.bias, queryKeyWidth: c.queryKeyWidth });
    const x = gaussianInput(g, c.n, c.dIn, 1);
    const pattern = makePattern(g, c.kind, c.n, c.p);
    const ref = naiveForward(model, x, pattern);
    const { output, trace } = model.forward(x, pattern, { trace: true });
    const scale = Math.max(maxRowNorm(ref.output), 1e-300);
    assert.ok(maxRowDistanceTo(output, ref.output) <= 1e-12 * scale, 'output');
    const rp = pattern.rowPtr.array;
    trace!.layers.forEach((lt, l) => {
      const nl = ref.layers[l];
      for (const [name, m, r] of [['input', lt.input, nl.input], ['half', lt.half, nl.half], ['threeQuarter', lt.threeQuarter, nl.threeQuarter], ['output', lt.output, nl.output]] as const) {
        assert.ok(maxRowDistanceTo(m, r) <= 1e-12 * Math.max(maxRowNorm(r), 1e-300), `layer ${l} ${name}`);
      }
      const sMax = Math.max(1, ...Array.from(nl.logits, Math.abs));
      for (let e = 0; e < pattern.numEdges; e++) {
        assert.ok(Math.abs(lt.logits[e] - nl.logits[e]) <= 1e-12 * sMax, `layer ${l} logit ${e}`);
        assert.ok(Math.abs(lt.logWeights[e] - nl.logWeights[e]) <= 1e-12 * sMax, `layer ${l} log-weight ${e}`);
        assert.ok(Math.abs(Math.exp(lt.logWeights[e]) - lt.weights[e]) <= 1e-12, `layer ${l} weight ${e}`);
      }
      for (let i = 0; i < c.n; i++) {
        let s = 0;
        for (let e = rp[i]; e < rp[i + 1]; e++) s += lt.weights[e];
        assert.ok(Math.abs(s - 1) <= 1e-12, `layer ${l} row ${i} sums to ${s}`);
      }
    });
    // f32 inference runs the same kernel; it agrees with f64 to single precision (errors grow ≤ β per map).
    const f32 = model.forward(x, pattern, { dtype: 'f32' }).output;
    assert.equal(f32.dtype, 'f32');
    const growth = Math.max(1, c.beta) ** (5 * c.depth);
    assert.ok(maxRowDistanceTo(f32, ref.output) <= 2e-5 * growth * Math.max(scale, 1), 'f32 output');
  })), fcParams(25));
});

test('forward of the practical variant (encoder, 1/√D logits, identity skips, folded BN, head) equals the plain-loop reference of App. D.2 (docs/theory.md §17) to 1e-12 relative', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 2, max: 30 }), fc.integer({ min: 1, max: 3 }), (seed, n, depth) => scope(() => {
    const g = rng(seed);
    const model = practicalModel(g, { dIn: 5, width: 12, depth, beta: 1.5, classes: 3 });
    const x = gaussianInput(g, n, 5, 1);
    const pattern = makePattern(g, 'sparse', n, 0.2);
    const ref = naiveForward(model, x, pattern);
    const out = forward(model, x, pattern).output;
    assert.equal(out.cols, 3);
    assert.ok(maxRowDistanceTo(out, ref.output) <= 1e-12 * Math.max(1, maxRowNorm(ref.output)));
  })), fcParams(15));
});

test('repeated forwards (f64 and f32, with and without trace, inside scope) do not grow WASM memory', () => {
  const g = rng(7);
  const model = theoryModel(g, { dIn: 8, width: 32, depth: 3, beta: 1 });
  const x = gaussianInput(g, 200, 8, 1);
  const pattern = makePattern(g, 'sparse', 200, 0.05);
  const once = () => {
    scope(() => { model.forward(x, pattern, { trace: true }); });
    model.forward(x, pattern, { dtype: 'f32' }).output.free();
  };
  for (let i = 0; i < 3; i++) once();
  const before = wasmMemoryPages();
  for (let i = 0; i < 30; i++) once();
  assert.equal(wasmMemoryPages(), before);
});

test('constructor and forward reject bad arguments with typed errors naming the argument, before any work', () => {
  const g = rng(3);
  const model = theoryModel(g, { dIn: 4, width: 6, depth: 2, beta: 1 });
  const pattern = fullPattern(5);
  assert.throws(() => model.forward(gaussianInput(g, 5, 3, 1), pattern), (e: Error) => e instanceof ShapeError && /forward: x has 3 columns/.test(e.message));
  assert.throws(() => model.forward(gaussianInput(g, 4, 4, 1), pattern), (e: Error) => e instanceof ShapeError && /pattern is 5×5/.test(e.message));
  const bad = gaussianInput(g, 5, 4, 1);
  bad.data[3] = NaN;
  assert.throws(() => model.forward(bad, pattern), (e: Error) => e instanceof InputError && /x has a non-finite/.test(e.message));
  assert.throws(() => model.forward(gaussianInput(g, 5, 4, 1), pattern, { dtype: 'f16' as 'f32' }), (e: Error) => e instanceof InputError && /options.dtype/.test(e.message));
  const w = (r: number, c: number) => weightWithNorm(g, r, c, 1);
  assert.throws(() => createModel({ layers: [{ wQ: w(6, 4), wK: w(6, 4), wV: w(6, 4), w1: w(6, 5), w2: w(6, 6) }] }),
    (e: Error) => e instanceof ShapeError && /layers\[0\]\.w1 is 6×5, expected 6×6/.test(e.message));
  assert.throws(() => createModel({ layers: [{ wQ: w(6, 4), wK: w(6, 4), wV: w(6, 4), w1: w(6, 6), w2: w(6, 6), ffnSkip: 'identity' }] }),
    (e: Error) => e instanceof InputError && /variant: 'practical'/.test(e.message));
  assert.throws(() => createModel({ layers: [{ wQ: w(6, 4), wK: w(6, 4), wV: w(6, 4), w1: w(6, 6), w2: w(6, 6), logitScale: -1 }] }),
    (e: Error) => e instanceof InputError && /logitScale/.test(e.message));
  assert.throws(() => new GraphTransformer({ layers: [] }), (e: Error) => e instanceof InputError && /spec.layers/.test(e.message));
  const f32 = DenseMatrix.zeros(6, 4, 'f32');
  assert.throws(() => createModel({ layers: [{ wQ: f32 as unknown as DenseMatrix<'f64'>, wK: w(6, 4), wV: w(6, 4), w1: w(6, 6), w2: w(6, 6) }] }),
    (e: Error) => e instanceof InputError && /layers\[0\]\.wQ is f32/.test(e.message));
});

test('per-layer widths: a narrow model with d×d_in, d×d, D×d and d×D maps chains and runs', () => {
  scope(() => {
    const g = rng(11);
    const w = (r: number, c: number) => weightWithNorm(g, r, c, 1);
    // layer 0: Q/K width 3, V width 4, hidden 9 (D×d), out 4 (d×D); layer 1 reads 4.
    const model = createModel({ layers: [
      { wQ: w(3, 7), wK: w(3, 7), wV: w(4, 7), w1: w(9, 4), w2: w(4, 9) },
      { wQ: w(2, 4), wK: w(2, 4), wV: w(4, 4), w1: w(4, 4), w2: w(5, 4) },
    ] });
    assert.deepEqual(model.widths, [7, 4, 5]);
    const x = gaussianInput(g, 10, 7, 1), pattern = fullPattern(10);
    const ref = naiveForward(model, x, pattern);
    assert.ok(maxRowDistanceTo(model.forward(x, pattern).output, ref.output) <= 1e-12 * maxRowNorm(ref.output));
  });
});
