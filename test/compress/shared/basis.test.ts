// The bases the constructions share (src/compress/shared/basis.ts) and the certified spectral norm (src/linalg/spectral-norm.ts), against the tests' Jacobi SVD (test/support/jacobi-svd.ts) as an oracle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jacobiSvd } from '../../support/jacobi-svd.js';
import { init, DenseMatrix, scope, rng } from '../../../src/index.js';
import { orth, selectFeatures, singularValues } from '../../../src/compress/shared/basis.js';
import { spectralNorm } from '../../../src/linalg/spectral-norm.js';
import { fcParams, announceSeed } from '../../support/fc.js';
import { lowRankInput, makePattern, theoryModel } from '../../support/models.js';

announceSeed('test/compress/shared/basis.test.ts');
await init();

function lowRank(seed: number, p: number, q: number, rank: number): DenseMatrix<'f64'> {
  const g = rng(seed);
  const l = g.fillNormal(new Float64Array(p * rank)), r = g.fillNormal(new Float64Array(rank * q));
  const a = DenseMatrix.zeros(p, q, 'f64');
  for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) {
    let s = 0;
    for (let k = 0; k < rank; k++) s += l[i * rank + k] * r[k * q + j];
    a.data[i * q + j] = s;
  }
  return a;
}

const shapeArb = fc.record({ seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }), p: fc.integer({ min: 1, max: 40 }), q: fc.integer({ min: 1, max: 40 }), rank: fc.integer({ min: 1, max: 40 }) });

test('singularValues / spectralNorm match the reference Jacobi SVD (test/support/jacobi-svd.ts) to 1e-13·σ₁; orth(B) is orthonormal, has the exact rank and spans range(B) to 1e-13', () => {
  fc.assert(fc.property(shapeArb, ({ seed, p, q, rank }) => scope(() => {
    const r = Math.min(rank, p, q);
    const a = lowRank(seed, p, q, r);
    const ref = jacobiSvd(Float64Array.from(a.data), p, q).s;
    const s = singularValues(a);
    s.forEach((v, i) => assert.ok(Math.abs(v - ref[i]) <= 1e-13 * ref[0], `σ_${i} ${v} vs ${ref[i]}`));
    assert.ok(Math.abs(spectralNorm(a) - ref[0]) <= 1e-13 * ref[0], 'spectral norm');
    const o = orth(a);
    assert.equal(o.rank, r);
    const u = o.basis.data, k = o.rank;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
      let d = 0;
      for (let t = 0; t < p; t++) d += u[t * k + i] * u[t * k + j];
      assert.ok(Math.abs(d - (i === j ? 1 : 0)) <= 1e-13, `UᵀU[${i}][${j}] = ${d}`);
    }
    for (let j = 0; j < q; j++) {
      const c = new Float64Array(k);
      for (let t = 0; t < p; t++) for (let m = 0; m < k; m++) c[m] += u[t * k + m] * a.data[t * q + j];
      let res = 0;
      for (let t = 0; t < p; t++) { let y = a.data[t * q + j]; for (let m = 0; m < k; m++) y -= u[t * k + m] * c[m]; res += y * y; }
      assert.ok(Math.sqrt(res) <= 1e-13 * ref[0], `column ${j} leaves range(U)`);
    }
  })), fcParams(60));
});

test('selectFeatures (L7): rank r features S with y = y[:, S]·U_σᵀ to 1e-10 relative on exactly low-rank y', () => {
  fc.assert(fc.property(shapeArb, ({ seed, p, q, rank }) => scope(() => {
    const r = Math.min(rank, p, q);
    const y = lowRank(seed, p, q, r);
    const sel = selectFeatures(y);
    assert.equal(sel.rank, r);
    assert.equal(new Set(sel.indices).size, r);
    const u = sel.decoder.data, scale = Math.max(...singularValues(y));
    for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) {
      let v = 0;
      for (let k = 0; k < r; k++) v += y.data[i * q + sel.indices[k]] * u[j * r + k];
      assert.ok(Math.abs(v - y.data[i * q + j]) <= 1e-10 * scale, `entry (${i}, ${j})`);
    }
  })), fcParams(60));
});

test('regression: the rank-2 H^(ℓ+3/4) on which ml-matrix’s SVD never returned (Prop. 4.1 property case 47, seed 42) gets its singular values', () => {
  scope(() => {
    // Case {seed 967006960, n 25, d_in 5, D 64, L 3, W_1 = E·B of rank 2 with bias, identity σ, α₀ 0.04, full mask}.
    const g = rng(967006960);
    const model = theoryModel(g, { dIn: 5, width: 64, depth: 3, beta: 1, w1Rank: 2, bias: true, activation: 'identity' });
    const x = lowRankInput(g, 25, 5, 5, 0.04);
    const pattern = makePattern(g, 'full', 25, 0.28);
    const y = model.forward(x, pattern, { trace: true }).trace!.layers[2].threeQuarter;
    const s = singularValues(y);
    assert.equal(s.length, 25);
    assert.ok(s[2] <= 1e-10 * s[0], `rank ≤ 2: s = ${s.slice(0, 4)}`);
  });
});
