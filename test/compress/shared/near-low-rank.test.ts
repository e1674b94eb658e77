// topRightSingularVectors (src/compress/shared/near-low-rank.ts; topd of docs/theory.md#1-conventions) on linalg's
// one SVD (src/linalg/svd.ts): orthonormal, the top-d right singular subspace of H (against the tests' Jacobi SVD, test/support/jacobi-svd.ts, as an
// independent oracle), and the documented sign rule — the largest-|entry| of each column is positive — for tall
// and wide H alike, so a negated H gives the same basis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jacobiSvd } from '../../support/jacobi-svd.js';
import { init, DenseMatrix, scope, rng } from '../../../src/index.js';
import { topRightSingularVectors } from '../../../src/compress/shared/near-low-rank.js';
import { fcParams, announceSeed } from '../../support/fc.js';

announceSeed('test/compress/shared/near-low-rank.test.ts');
await init();

/** H = L·diag(σ)·R with σ_k = 2^-k: a gap of 2 between consecutive singular values. */
function graded(seed: number, n: number, D: number): DenseMatrix<'f64'> {
  const g = rng(seed), k = Math.min(n, D);
  const l = g.fillNormal(new Float64Array(n * k)), r = g.fillNormal(new Float64Array(k * D));
  const h = DenseMatrix.zeros(n, D, 'f64');
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) {
    let s = 0;
    for (let t = 0; t < k; t++) s += l[i * k + t] * 2 ** -t * r[t * D + j];
    h.data[i * D + j] = s;
  }
  return h;
}

const arb = fc.record({ seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }), n: fc.integer({ min: 1, max: 30 }), D: fc.integer({ min: 1, max: 30 }), d: fc.integer({ min: 1, max: 8 }) });

test('topRightSingularVectors: orthonormal columns spanning the reference (Jacobi, test/support/jacobi-svd.ts) top-d right singular subspace (1e-8), largest-|entry| of each column positive, the same basis for −H', () => {
  fc.assert(fc.property(arb, ({ seed, n, D, d }) => scope(() => {
    const h = graded(seed, n, D);
    const p = topRightSingularVectors(h, d);
    const keep = Math.min(d, n, D);
    assert.deepEqual([p.rows, p.cols], [D, keep]);
    const pd = Array.from(p.data);
    for (let a = 0; a < keep; a++) for (let b = 0; b < keep; b++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += pd[j * keep + a] * pd[j * keep + b];
      assert.ok(Math.abs(s - (a === b ? 1 : 0)) <= 1e-12, `PᵀP[${a}][${b}] = ${s}`);
    }
    for (let c = 0; c < keep; c++) {
      let big = 0;
      for (let j = 0; j < D; j++) if (Math.abs(pd[j * keep + c]) > Math.abs(big)) big = pd[j * keep + c];
      assert.ok(big > 0, `column ${c}: largest-|entry| ${big} is positive`);
    }
    // the same subspace as the oracle's: ‖PPᵀ − VVᵀ‖_max small (gap σ_k/σ_{k+1} = 2)
    const sv = jacobiSvd(Float64Array.from(h.data), n, D), v = { get: (i: number, c: number) => sv.v[i * sv.k + c] };
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) {
      let a = 0, b = 0;
      for (let c = 0; c < keep; c++) { a += pd[i * keep + c] * pd[j * keep + c]; b += v.get(i, c) * v.get(j, c); }
      assert.ok(Math.abs(a - b) <= 1e-8, `projector (${i}, ${j}): ${a} vs ${b}`);
    }
    const neg = DenseMatrix.from(h.data.map((x) => -x), n, D, 'f64');
    const pn = topRightSingularVectors(neg, d);
    assert.deepEqual(Array.from(pn.data).map((x, i) => Math.abs(x - pd[i]) <= 1e-10), pd.map(() => true), '−H gives the same signed basis');
  })), fcParams(60));
});
