// The one dense SVD of src/linalg (one-sided Jacobi, src/linalg/svd.ts): identities A = UΣVᵀ, UᵀU = VᵀV = I,
// singular values against matrices of known spectrum, subnormal and huge scales (test/linalg/subnormal.test.ts
// checks the callers on the inputs where ml-matrix's SVD never returned).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { init, DenseMatrix, rng, ConvergenceError, InputError, ShapeError, NarrowgtError } from '../../src/index.js';
import { svd } from '../../src/linalg/svd.js';
import { fcParams, announceSeed } from '../support/fc.js';
import { withSpectrum, gaussian, mul, gram, frob, distanceFromIdentity, rankDeficient, UNIT_ROUNDOFF } from '../support/matrices.js';

announceSeed('test/linalg/svd.test.ts');
await init();

function reconstruct(u: DenseMatrix<'f64'>, s: Float64Array, v: DenseMatrix<'f64'>): Float64Array {
  const p = s.length, us = Float64Array.from(u.data, (x, i) => x * s[i % p]);
  const vt = new Float64Array(v.cols * v.rows);
  for (let i = 0; i < v.rows; i++) for (let j = 0; j < v.cols; j++) vt[j * v.rows + i] = v.data[i * v.cols + j];
  return mul(us, vt, u.rows, p, v.rows);
}

test('svd: A = UΣVᵀ, orthonormal U and V, singular values of a known spectrum, for tall, wide and square A', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 24 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (m, n, seed) => {
    const g = rng(seed), p = Math.min(m, n);
    const sigma = Float64Array.from({ length: p }, (_, i) => 10 ** (-8 * i / Math.max(p - 1, 1)) * (1 + g.float())).sort().reverse();
    const known = withSpectrum(g, m, n, sigma);
    const { u, s, v } = svd(known.a);
    assert.equal(u.rows, m); assert.equal(u.cols, p); assert.equal(v.rows, n); assert.equal(v.cols, p); assert.equal(s.length, p);
    const scale = sigma[0];
    assert.ok(frob(reconstruct(u, s, v), known.a.data) <= 50 * p * UNIT_ROUNDOFF * scale, 'A = UΣVᵀ');
    assert.ok(distanceFromIdentity(gram(u.data, m, p), p) <= 50 * p * UNIT_ROUNDOFF, 'UᵀU = I');
    assert.ok(distanceFromIdentity(gram(v.data, n, p), p) <= 50 * p * UNIT_ROUNDOFF, 'VᵀV = I');
    for (let i = 0; i < p; i++) {
      assert.ok(Math.abs(s[i] - sigma[i]) <= 50 * p * UNIT_ROUNDOFF * scale, `σ_${i}: ${s[i]} vs ${sigma[i]}`);
      if (i > 0) assert.ok(s[i] <= s[i - 1], 'non-increasing');
    }
    [known.a, u, v].forEach((x) => x.free());
  }), fcParams(60));
});

test('svd: a closed-form case, the zero matrix, and a rank-deficient A whose U is still orthonormal', () => {
  const a = DenseMatrix.fromRows([[3, 0], [4, 5]]);
  const r = svd(a);
  assert.ok(Math.abs(r.s[0] - 3 * Math.sqrt(5)) < 1e-14 && Math.abs(r.s[1] - Math.sqrt(5)) < 1e-14, `σ = ${Array.from(r.s)}`);
  const z = svd(DenseMatrix.zeros(4, 3, 'f64'));
  assert.deepEqual(Array.from(z.s), [0, 0, 0]);
  assert.ok(distanceFromIdentity(gram(z.u.data, 4, 3), 3) < 1e-15, 'U of the zero matrix is orthonormal');
  const low = rankDeficient(rng(5), 9, 7, 3);
  const d = svd(low);
  assert.ok(d.s[3] <= 1e-13 * d.s[0], 'three non-zero singular values');
  assert.ok(distanceFromIdentity(gram(d.u.data, 9, 7), 7) < 1e-12, 'U completed to an orthonormal set');
  assert.ok(frob(reconstruct(d.u, d.s, d.v), low.data) < 1e-12 * d.s[0]);
});

test('svd: subnormal and huge entries are scaled first (exact singular values of a scaled orthogonal matrix)', () => {
  for (const c of [1e-310, 4e-320, 1e300, 1.7e308]) {
    const a = DenseMatrix.fromRows([[c, 0, 0], [0, -c, 0], [0, 0, c / 2], [0, 0, 0]]);
    const { s } = svd(a);
    assert.deepEqual(Array.from(s), [c, c, c / 2].sort((x, y) => y - x), `scale ${c}`);
    if (c > 1e300) continue; // a Gaussian times c would overflow
    const g = gaussian(rng(1), 12, 6);
    const scaled = DenseMatrix.from(Float64Array.from(g.data, (x) => x * c), 12, 6, 'f64');
    const ref = svd(g).s, got = svd(scaled).s;
    for (let i = 0; i < 6; i++) assert.ok(Math.abs(got[i] / c - ref[i]) <= 1e-12 * ref[0] + (c < 1e-300 ? 1e-3 * ref[0] : 0), `scale ${c}, σ_${i}`);
  }
});

test('svd checks its arguments before any work and stops at its sweep cap with a ConvergenceError', () => {
  assert.throws(() => svd(DenseMatrix.zeros(0, 3, 'f64')), ShapeError);
  assert.throws(() => svd(DenseMatrix.zeros(2, 3, 'f32') as never), InputError);
  assert.throws(() => svd(DenseMatrix.fromRows([[1, Number.NaN]])), InputError);
  assert.throws(() => svd(DenseMatrix.fromRows([[1, 2]]), null as never), (e: unknown) => e instanceof NarrowgtError);
  assert.throws(() => svd(DenseMatrix.fromRows([[1, 2]]), { maxSweeps: 0 }), (e: unknown) => e instanceof RangeError && e instanceof NarrowgtError);
  assert.throws(() => svd(gaussian(rng(2), 30, 30), { maxSweeps: 1 }), ConvergenceError);
});
