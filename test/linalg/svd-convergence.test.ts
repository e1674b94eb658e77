// A matrix on which the library's one-sided Jacobi SVD ran out of sweeps (ConvergenceError at 60) while it stopped
// rotating a pair only at |w_pᵀw_q| ≤ ε·‖w_p‖‖w_q‖. It is the 89×89 matrix that Prop. 4.3 inside the network handed to
// topRightSingularVectors at FC_SEED=3, 1000 runs (test/compress/prop-4.3-leverage/leverage.test.ts; docs/theory.md §19):
// rank 25 with singular values down to 1e-50, so dozens of rounding-level columns, which every rotation against a
// large column refills with noise of that column's rounding. With LAPACK dgesvj's stopping tolerance √m·ε
// (src/linalg/svd.ts) it converges. Checked here: convergence within the default sweeps, A = UΣVᵀ, orthonormal V,
// U orthonormal on the non-zero singular values, and the singular values against the tests' own Jacobi
// (test/support/jacobi-svd.ts) and against known identities (Σσ² = ‖A‖_F²).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { init, DenseMatrix, readNpy } from '../../src/index.js';
import { svd } from '../../src/linalg/svd.js';
import { jacobiSvd } from '../support/jacobi-svd.js';
import { mul, frob, gram, distanceFromIdentity, UNIT_ROUNDOFF } from '../support/matrices.js';

await init();

const bytes = new Uint8Array(readFileSync(new URL('../../../test/fixtures/svd/jacobi-noise-columns.npy', import.meta.url)));
const npy = readNpy(bytes);
const [m, n] = npy.shape;
const a = DenseMatrix.from(Float64Array.from(npy.data as Float64Array), m, n, 'f64');

test('svd converges on the 89×89 matrix with rounding-level columns that ran out of sweeps (FC_SEED=3, Prop 4.3)', () => {
  assert.equal(m, 89); assert.equal(n, 89);
  const { u, s, v } = svd(a);
  const normA = Math.sqrt(a.data.reduce((t, x) => t + x * x, 0));
  // A = UΣVᵀ to a few hundred roundings of ‖A‖_F (n·√m·u·‖A‖_F: the rotations' accumulated error)
  const us = Float64Array.from(u.data, (x, i) => x * s[i % n]);
  const vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vt[j * n + i] = v.data[i * n + j];
  const err = frob(mul(us, vt, m, n, n), a.data);
  assert.ok(err <= n * Math.sqrt(m) * UNIT_ROUNDOFF * normA, `‖A − UΣVᵀ‖_F = ${err} for ‖A‖_F = ${normA}`);
  assert.ok(distanceFromIdentity(gram(v.data, n, n), n) <= 10 * n * Math.sqrt(m) * UNIT_ROUNDOFF, 'VᵀV = I');
  // Σσ² = ‖A‖_F² (the rotations are orthogonal)
  const ss = s.reduce((t, x) => t + x * x, 0);
  assert.ok(Math.abs(ss - normA ** 2) <= 10 * n * UNIT_ROUNDOFF * normA ** 2, `Σσ² ${ss} vs ‖A‖_F² ${normA ** 2}`);
  // the singular values against the tests' own Jacobi: equal to rounding of σ₁ (absolute, as Jacobi guarantees)
  const ref = jacobiSvd(a.data, m, n);
  for (let i = 0; i < n; i++) {
    assert.ok(Math.abs(s[i] - ref.s[i]) <= 10 * n * UNIT_ROUNDOFF * ref.s[0], `σ_${i}: ${s[i]} vs ${ref.s[i]}`);
  }
  // descending, and the large ones relatively accurate
  for (let i = 1; i < n; i++) assert.ok(s[i] <= s[i - 1], 'descending');
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(s[i] - ref.s[i]) <= 1e-12 * ref.s[i], `σ_${i} relative`);
});
