import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { init, DenseMatrix, matmul, ShapeError, InputError, scope, rng } from '../../src/index.js';
import { Matrix as MlMatrix } from 'ml-matrix';
import { withBackend, worstRelative } from '../support/backends.js';
import { fcParams, announceSeed } from '../support/fc.js';

announceSeed('test/linalg/matmul.test.ts');
await init();

/** f64 reference with explicit loops: C = op(A)·op(B). */
function reference(a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number, tA: boolean, tB: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += (tA ? a[p * m + i] : a[i * k + p]) * (tB ? b[j * k + p] : b[p * n + j]);
    c[i * n + j] = s;
  }
  return c;
}

/** |C − ref| ≤ tol · Σ_p |a_ip||b_pj| per entry: the standard forward error bound of a dot product. */
function absBound(a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number, tA: boolean, tB: boolean): Float64Array {
  const abs = (x: ArrayLike<number>) => Float64Array.from(x as ArrayLike<number>, Math.abs);
  return reference(abs(a), abs(b), m, n, k, tA, tB);
}

const shape = fc.record({
  m: fc.integer({ min: 1, max: 37 }),
  n: fc.integer({ min: 1, max: 37 }),
  k: fc.integer({ min: 1, max: 300 }), // crosses the KC = 256 slab boundary
  tA: fc.boolean(),
  tB: fc.boolean(),
  dtype: fc.constantFrom('f32' as const, 'f64' as const),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

test('matmul (wasm and TS twin) equals the f64 reference within k·ε·Σ|a||b| for random shapes, transposes and dtypes', async () => {
  await fc.assert(fc.asyncProperty(shape, async ({ m, n, k, tA, tB, dtype, seed }) => {
    const g = rng(seed);
    const aRows = tA ? k : m, aCols = tA ? m : k, bRows = tB ? n : k, bCols = tB ? k : n;
    const av = g.fillNormal(new Float64Array(aRows * aCols)), bv = g.fillNormal(new Float64Array(bRows * bCols));
    const A = DenseMatrix.from(av, aRows, aCols, dtype), B = DenseMatrix.from(bv, bRows, bCols, dtype);
    const ref = reference(A.data, B.data, m, n, k, tA, tB);
    const bound = absBound(A.data, B.data, m, n, k, tA, tB);
    const eps = dtype === 'f32' ? 2 ** -24 : 2 ** -53;
    for (const which of ['wasm-simd', 'js'] as const) {
      const C = await withBackend(which, () => matmul(A, B, { transA: tA, transB: tB }));
      assert.equal(C.rows, m); assert.equal(C.cols, n); assert.equal(C.dtype, dtype);
      for (let t = 0; t < m * n; t++) {
        const err = Math.abs(C.data[t] - ref[t]);
        assert.ok(err <= (k + 2) * eps * bound[t] + 1e-300, `${which} entry ${t}: |${C.data[t]} − ${ref[t]}| = ${err} > ${(k + 2) * eps * bound[t]}`);
      }
      C.free();
    }
    A.free(); B.free();
  }), fcParams(60));
});

test('matmul on the tall-skinny shape 1001×64 · 64×64 (f32) agrees with the TS twin to 1e-5 relative', async () => {
  const g = rng(7);
  const X = DenseMatrix.from(g.fillNormal(new Float32Array(1001 * 64)), 1001, 64);
  const W = DenseMatrix.from(g.fillNormal(new Float32Array(64 * 64)), 64, 64);
  const fast = await withBackend('wasm-simd', () => matmul(X, W));
  const slow = await withBackend('js', () => matmul(X, W));
  assert.ok(worstRelative(fast.data, slow.data, 1e-5, 1e-4) <= 1);
});

test('matmul writes into options.out and rejects a wrong out, mismatched shapes, mixed dtypes and NaN before work', () => {
  scope(() => {
    const A = DenseMatrix.zeros(3, 4, 'f64'), B = DenseMatrix.zeros(4, 5, 'f64');
    const out = DenseMatrix.zeros(3, 5, 'f64');
    out.data.fill(7);
    assert.equal(matmul(A, B, { out }), out);
    assert.ok(out.data.every((x) => x === 0));
    assert.throws(() => matmul(A, A), (e: unknown) => e instanceof ShapeError && /^matmul: inner dimensions differ: op\(a\) is 3×4, op\(b\) is 3×4/.test(e.message));
    assert.throws(() => matmul(A, B, { out: DenseMatrix.zeros(5, 3, 'f64') }), ShapeError);
    assert.throws(() => matmul(A, B, { out: A as never }), ShapeError);
    assert.throws(() => matmul(A, DenseMatrix.zeros(4, 5, 'f32') as never), (e: unknown) => e instanceof InputError && /b is f32/.test(e.message));
    const bad = DenseMatrix.zeros(4, 5, 'f64');
    bad.set(2, 3, Number.NaN);
    const before = out.data.slice();
    assert.throws(() => matmul(A, bad, { out }), (e: unknown) => e instanceof InputError && /^matmul: b has a non-finite value \(NaN\) at index 13/.test(e.message));
    assert.deepEqual(out.data, before, 'nothing written on error');
    bad.set(2, 3, -Infinity);
    assert.throws(() => matmul(bad, B, { transA: true }), /matmul: a has a non-finite value \(-Infinity\)/);
  });
});

test('DenseMatrix round-trips through ml-matrix and checks its shape', () => {
  const A = DenseMatrix.fromRows([[1, 2, 3], [4, 5, 6]]);
  const ml = A.toMl(MlMatrix);
  assert.equal(ml.rows, 2); assert.equal(ml.columns, 3); assert.equal(ml.get(1, 2), 6);
  assert.deepEqual(DenseMatrix.fromMl(ml).toRows(), [[1, 2, 3], [4, 5, 6]]);
  assert.throws(() => DenseMatrix.from([1, 2, 3], 2, 2), ShapeError);
  assert.throws(() => DenseMatrix.fromRows([[1, 2], [3]]), ShapeError);
  assert.throws(() => A.get(2, 0), RangeError);
  assert.deepEqual(A.transpose().toRows(), [[1, 4], [2, 5], [3, 6]]);
});
