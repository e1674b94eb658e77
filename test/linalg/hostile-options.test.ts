// Regression tests for issue 13's option and size defects in the public functions of src/linalg, src/graph,
// src/attention and src/data: options = null, non-boolean flags, plain RangeError/TypeError that escaped
// `instanceof NarrowgtError`, sizes that wrapped the 32-bit allocator, unbounded work counts, and messages
// from a freed matrix that named neither function nor argument.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  init, DenseMatrix, matmul, randomizedSvd, randomizedRangeFinder, kmeans, selectRows, jlMatrix, jlTransform, jlMinDim,
  operatorNorm, rowNorms, columnNorms, leverageScores, leverageSample, pivotedQr, csrFromEdges, expanderPattern,
  graphWithExpander, sparseAttention, randomSplit, rng, NarrowgtError, Storage,
} from '../../src/index.js';
import { gaussian } from '../support/matrices.js';

await init();

const isNarrowgt = (pattern?: RegExp) => (e: unknown): boolean => {
  assert.ok(e instanceof NarrowgtError, `expected a NarrowgtError, got ${String(e)}`);
  if (pattern) assert.match((e as Error).message, pattern);
  return true;
};

test('options = null is a NarrowgtError naming the function in every public function that takes options', () => {
  const a = gaussian(rng(1), 8, 4), g = csrFromEdges([0, 1], [1, 0]);
  const q = DenseMatrix.zeros(2, 2, 'f64');
  const calls: [string, () => unknown][] = [
    ['matmul', () => matmul(a, a, null as never)],
    ['randomizedSvd', () => randomizedSvd(a, 2, null as never)],
    ['randomizedRangeFinder', () => randomizedRangeFinder(a, 2, null as never)],
    ['kmeans', () => kmeans(a, 2, null as never)],
    ['selectRows', () => selectRows(a, 2, null as never)],
    ['jlMatrix', () => jlMatrix(2, 4, null as never)],
    ['jlTransform', () => jlTransform(a, 2, null as never)],
    ['jlMinDim', () => jlMinDim(10, 0.5, 0.1, null as never)],
    ['operatorNorm', () => operatorNorm(a, null as never)],
    ['rowNorms', () => rowNorms(a, null as never)],
    ['columnNorms', () => columnNorms(a, null as never)],
    ['leverageScores', () => leverageScores(a, null as never)],
    ['leverageSample', () => leverageSample(a, null as never)],
    ['pivotedQr', () => pivotedQr(a, null as never)],
    ['csrFromEdges', () => csrFromEdges([0], [0], null as never)],
    ['expanderPattern', () => expanderPattern(8, 2, null as never)],
    ['sparseAttention', () => sparseAttention(q, q, q, g, null as never)],
    ['randomSplit', () => randomSplit(4, null as never)],
  ];
  for (const [fn, call] of calls) assert.throws(call, isNarrowgt(new RegExp(`^${fn}: options must be an object`)), fn);
});

test('option checks throw NarrowgtErrors (RangeError / TypeError semantics kept by subclassing)', () => {
  const a = gaussian(rng(2), 8, 4);
  const cases: [() => unknown, ErrorConstructor][] = [
    [() => randomizedSvd(a, 2, { oversamples: -1 }), RangeError],
    [() => randomizedSvd(a, 1.5), TypeError],
    [() => kmeans(a, 2, { restarts: 0 }), RangeError],
    [() => kmeans(a, 2, { tol: -1 }), RangeError],
    [() => selectRows(a, 0), RangeError],
    [() => jlMinDim(10, 2, 0.1), RangeError],
    [() => jlMinDim(10, '0.5' as never, 0.1), TypeError],
    [() => operatorNorm(a, { tol: 2 }), RangeError],
    [() => leverageScores(a, { rtol: -1 }), RangeError],
    [() => leverageSample(a, { samples: 0 }), RangeError],
    [() => pivotedQr(a, { tol: -1 }), RangeError],
    [() => jlMatrix(2, 4, { kind: 'sparse-sign', density: 2 }), RangeError],
  ];
  for (const [call, kind] of cases) {
    assert.throws(call, (e: unknown) => e instanceof kind && e instanceof NarrowgtError);
  }
});

test("matmul's flags are booleans: { transA: 'false' } and checkFinite: NaN are rejected, not read as truthy", () => {
  const a = DenseMatrix.fromRows([[1, 2], [3, 4], [5, 6]]), b = DenseMatrix.fromRows([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  assert.throws(() => matmul(a, b, { transA: 'false' as never }), isNarrowgt(/^matmul: options\.transA must be true or false, got "false"/));
  assert.throws(() => matmul(b, a, { transB: 1 as never }), isNarrowgt(/^matmul: options\.transB must be true or false/));
  const bad = DenseMatrix.fromRows([[Number.NaN, 0, 0]]);
  assert.throws(() => matmul(bad, b, { checkFinite: Number.NaN as never }), isNarrowgt(/^matmul: options\.checkFinite must be true or false, got NaN/));
  assert.deepEqual(Array.from(matmul(a, b, { transA: true, transB: false }).data), [1, 3, 5, 2, 4, 6], 'a real true still transposes');
});

test('sizes beyond one WASM block (4 GiB less 64 MiB, MAX_BLOCK_BYTES) are InputErrors naming the function before anything is allocated', () => {
  for (const [rows, cols] of [[65536, 16384], [32768, 32768], [2 ** 20, 2 ** 20]] as const) {
    assert.throws(() => DenseMatrix.zeros(rows, cols, 'f32'), isNarrowgt(/^DenseMatrix\.zeros: a \d+×\d+ f32 matrix needs \d+ bytes/));
  }
  const wide = DenseMatrix.zeros(1, 40000, 'f32'), tall = DenseMatrix.zeros(40000, 1, 'f32');
  assert.throws(() => matmul(tall, wide), isNarrowgt(/^matmul: the 40000×40000 product needs 6400000000 bytes/));
  assert.throws(() => jlMatrix(40000, 40000), isNarrowgt(/^jlMatrix: a 40000×40000 map needs/));
  assert.throws(() => randomSplit(2 ** 31), isNarrowgt(/^randomSplit: n needs/));
  assert.throws(() => Storage.alloc('f64', 2 ** 29), isNarrowgt(/^Storage\.alloc: 536870912 f64 elements need 4294967296 bytes/));
  assert.throws(() => Storage.alloc('f32', 2 ** 30, 'js'), isNarrowgt(/^Storage\.alloc: 1073741824 f32 elements need/));
  wide.free(); tall.free();
});

test('work counts are bounded (powerIters, samples, restarts, numNodes), each a NarrowgtError before any work', () => {
  const a = gaussian(rng(3), 8, 4);
  const t0 = performance.now();
  assert.throws(() => randomizedSvd(a, 2, { powerIters: 2 ** 31 }), isNarrowgt(/options\.powerIters.*≤ 100/));
  assert.throws(() => randomizedRangeFinder(a, 2, { powerIters: 101 }), isNarrowgt(/≤ 100/));
  assert.throws(() => leverageSample(a, { samples: 2 ** 53 }), isNarrowgt(/options\.samples must be an integer ≥ 1 and ≤ 16777216/));
  assert.throws(() => leverageSample(a, { delta: 5e-324 }), isNarrowgt(/options\.delta = 5e-324 asks for k = Infinity draws/));
  assert.throws(() => kmeans(a, 2, { restarts: 2 ** 32 + 1 }), isNarrowgt(/options\.restarts must be an integer ≥ 1 and ≤ 10000/));
  assert.throws(() => kmeans(a, 2, { maxIterations: 2 ** 40 }), isNarrowgt(/options\.maxIterations/));
  assert.throws(() => operatorNorm(a, { maxIterations: 2 ** 40 }), isNarrowgt(/options\.maxIterations/));
  assert.throws(() => csrFromEdges([0], [0], { numNodes: 2 ** 31 }), isNarrowgt(/^csrFromEdges: options\.numNodes must be an integer ≥ 0 and ≤ 268435455/));
  assert.throws(() => csrFromEdges([0], [0], { symmetrize: 'yes' as never }), isNarrowgt(/^csrFromEdges: options\.symmetrize must be true or false/));
  assert.throws(() => expanderPattern(2 ** 27, 4), isNarrowgt(/^expanderPattern: n·degree/));
  assert.throws(() => expanderPattern(0, 1e300), isNarrowgt(/^expanderPattern: degree must be a positive even integer ≤ 65536/)); // found by the fuzz suite: 5e299 empty permutations
  assert.ok(performance.now() - t0 < 1000, 'all rejected at once');
});

test('a freed matrix is an InputError naming the public function and the argument', () => {
  const a = gaussian(rng(4), 6, 3);
  a.free();
  for (const [fn, call] of [['matmul', () => matmul(a, a, { transA: true })], ['randomizedSvd', () => randomizedSvd(a, 1)],
    ['operatorNorm', () => operatorNorm(a)], ['kmeans', () => kmeans(a, 2)]] as const) {
    assert.throws(call, isNarrowgt(new RegExp(`^${fn}: (a|x) was freed`)), fn);
  }
  const g = csrFromEdges([0, 1], [1, 0]);
  g.free();
  assert.throws(() => graphWithExpander(g, 2), isNarrowgt(/^graphWithExpander: graph\.rowPtr was freed/));
  // reached past the public checks, a freed array says what happened instead of "the array was freed"
  assert.throws(() => a.data, /Storage\.array: a matrix, graph or model was used after free\(\)/);
});

test('finite in, finite out or a typed error: the overflows the fuzz suite found (matmul, squared norms, k-means, jlMinDim, logits)', () => {
  const huge = DenseMatrix.fromRows([[1e200, 1e200], [1, 2]]);
  assert.throws(() => matmul(huge, huge), isNarrowgt(/^matmul: the product of the finite a and b overflows the f64 range/));
  assert.throws(() => rowNorms(huge, { squared: true }), isNarrowgt(/^rowNorms: the squared norm of row 0 .* overflows f64/));
  assert.ok(rowNorms(huge).every(Number.isFinite), 'the norms themselves are scaled and finite');
  const big = DenseMatrix.from(Float64Array.from({ length: 12 }, (_, i) => (i % 2 ? 1e300 : -1e300)), 6, 2, 'f64');
  assert.throws(() => kmeans(big, 2), isNarrowgt(/^kmeans: x has entries up to 1e\+300, whose squared distances/));
  assert.throws(() => jlMinDim(10, 5e-324, 0.1), isNarrowgt(/^jlMinDim: eps = 5e-324 asks for Infinity dimensions/));
  const g = csrFromEdges([0, 1], [1, 0], { selfLoops: true });
  const q = DenseMatrix.from(Float32Array.from([3e20, 1, 2e20, 1]), 2, 2, 'f32');
  assert.throws(() => sparseAttention(q, q, q, g, { scale: 0, checkFinite: false }), isNarrowgt(/^sparseAttention: max\(1, \|options\.scale\|\)·max‖q_i‖·max‖k_j‖ = .* overflows f32/));
});
