import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  init, DenseMatrix, csrFromEdges, sparseAttention, fullPattern, scope, scopeAsync, rng, Storage,
  InputError, ShapeError, type CsrGraph, type FloatDType,
} from '../../src/index.js';
import { withBackend, worstRelative } from '../support/backends.js';
import { referenceAttention } from '../support/attention-reference.js';
import { fcParams, announceSeed } from '../support/fc.js';

announceSeed('test/attention/sparse-attention.test.ts');
await init();

// Random patterns with the awkward cases the foundation issue names: n = 1, isolated nodes,
// duplicate edges (kept with dedupe: false), single-edge graphs, bipartite (numCols ≠ numRows).
const patternArb = fc.record({
  nRows: fc.integer({ min: 1, max: 40 }),
  nCols: fc.integer({ min: 1, max: 40 }),
  edges: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 0, maxLength: 200 }),
  dedupe: fc.boolean(),
});
const caseArb = fc.record({
  pattern: patternArb,
  dQK: fc.integer({ min: 1, max: 23 }), // D not a multiple of 4
  dV: fc.integer({ min: 1, max: 23 }),
  scale: fc.double({ min: 0.05, max: 3, noNaN: true }),
  dtype: fc.constantFrom<FloatDType>('f32', 'f64'),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

test('sparseAttention (wasm and TS twin, f32 and f64) matches the f64 reference on random patterns; weights rows sum to 1; empty rows give 0', async () => {
  await fc.assert(fc.asyncProperty(caseArb, async ({ pattern, dQK, dV, scale, dtype, seed }) => {
    await scopeAsync(() => {
      const { nRows, nCols, edges, dedupe } = pattern;
      const g = csrFromEdges(edges.map((e) => e[0] % nRows), edges.map((e) => e[1] % nCols), { numNodes: nRows, numCols: nCols, dedupe });
      const r = rng(seed);
      const q = DenseMatrix.from(r.fillNormal(new Float64Array(nRows * dQK)), nRows, dQK, dtype);
      const k = DenseMatrix.from(r.fillNormal(new Float64Array(nCols * dQK)), nCols, dQK, dtype);
      const v = DenseMatrix.from(r.fillNormal(new Float64Array(nCols * dV)), nCols, dV, dtype);
      const ref = referenceAttention(q.data, k.data, v.data, g, dQK, dV, scale);
      const [rtol, atol] = dtype === 'f32' ? [2e-4, 2e-5] : [1e-11, 1e-12];
      const rp = g.rowPtr.array;
      return Promise.all(['wasm-simd', 'js'].map((which) => withBackend(which as 'js', () => {
        const { output, weights } = sparseAttention(q, k, v, g, { scale, returnWeights: true });
        assert.ok(worstRelative(output.data, ref.out, rtol, atol) <= 1, `${which} ${dtype} output`);
        assert.ok(worstRelative(weights!.array, ref.w, rtol, atol) <= 1, `${which} ${dtype} weights`);
        for (let i = 0; i < nRows; i++) {
          let sum = 0;
          for (let e = rp[i]; e < rp[i + 1]; e++) sum += weights!.array[e];
          if (rp[i + 1] > rp[i]) assert.ok(Math.abs(sum - 1) < 10 * rtol, `row ${i} weights sum ${sum}`);
          else for (let t = 0; t < dV; t++) assert.equal(output.data[i * dV + t], 0, `empty row ${i} is zero`);
        }
        const plain = sparseAttention(q, k, v, g, { scale });
        assert.deepEqual(plain.output.data, output.data, 'same output with and without weights');
      })));
    });
  }), fcParams(80));
});

test('sparseAttention with huge logits stays finite (max subtraction) and picks the arg-max neighbour', async () => {
  const g = fullPattern(3);
  const q = DenseMatrix.fromRows([[1000], [1000], [-1000]], 'f32');
  const k = DenseMatrix.fromRows([[1], [2], [3]], 'f32');
  const v = DenseMatrix.fromRows([[10], [20], [30]], 'f32');
  for (const which of ['wasm-simd', 'js'] as const) {
    const { output } = await withBackend(which, () => sparseAttention(q, k, v, g));
    assert.deepEqual(Array.from(output.data), [30, 30, 10], which);
  }
});

test('sparseAttention rejects bad operands before any work, naming the argument', () => {
  scope(() => {
    const g = csrFromEdges([0, 1, 1], [1, 0, 1], { numNodes: 2 });
    const q = DenseMatrix.zeros(2, 3, 'f32'), v = DenseMatrix.zeros(2, 5, 'f32');
    const out = DenseMatrix.zeros(2, 5, 'f32');
    out.data.fill(9);
    assert.throws(() => sparseAttention(q, DenseMatrix.zeros(2, 4, 'f32'), v, g), (e: unknown) => e instanceof ShapeError && /q has 3 columns but k has 4/.test(e.message));
    assert.throws(() => sparseAttention(DenseMatrix.zeros(3, 3, 'f32'), q, v, g), (e: unknown) => e instanceof ShapeError && /q has 3 rows but pattern has 2 rows/.test(e.message));
    assert.throws(() => sparseAttention(q, q, DenseMatrix.zeros(3, 5, 'f32'), g), /v has 3 rows but pattern has 2 columns/);
    assert.throws(() => sparseAttention(q, q.clone('f64') as never, v, g), (e: unknown) => e instanceof InputError && /k is f64 but q is f32/.test(e.message));
    assert.throws(() => sparseAttention(q, q, v, g, { out: DenseMatrix.zeros(2, 4, 'f32') }), /options.out is 2×4, expected 2×5/);
    assert.throws(() => sparseAttention(q, q, v, g, { weightsOut: Storage.alloc('f32', 2) }), /weightsOut must be a f32 Storage of length numEdges = 3/);
    assert.throws(() => sparseAttention(q, q, v, g, { scale: Number.NaN }), /options.scale must be a finite number/);
    assert.throws(() => sparseAttention(q, q, v, { numRows: 2 } as never), /pattern must be a CsrGraph/);
    const k = DenseMatrix.zeros(2, 3, 'f32');
    k.set(1, 2, Number.POSITIVE_INFINITY);
    assert.throws(() => sparseAttention(q, k, v, g, { out }), (e: unknown) => e instanceof InputError && /^sparseAttention: k has a non-finite value \(Infinity\) at index 5$/.test(e.message));
    assert.ok(out.data.every((x) => x === 9), 'out untouched after a rejected call');
  });
});
