// The tests' reference SVD (test/support/jacobi-svd.ts) against identities that need no other SVD.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { rng } from '../../src/index.js';
import { jacobiSvd } from './jacobi-svd.js';
import { fcParams, announceSeed } from './fc.js';

announceSeed('test/support/jacobi-svd.test.ts');

const u = 2 ** -53;

/** max |entries of (U diag(s) Vᵀ − A)|, ‖UᵀU − I‖ over the columns with σ > 0, ‖VᵀV − I‖. */
function residuals(a: ArrayLike<number>, m: number, n: number) {
  const r = jacobiSvd(a, m, n), k = r.k;
  let rec = 0, ou = 0, ov = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let x = 0;
    for (let t = 0; t < k; t++) x += r.u[i * k + t] * r.s[t] * r.v[j * k + t];
    rec = Math.max(rec, Math.abs(x - a[i * n + j]));
  }
  for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) {
    let x = 0, y = 0;
    for (let i = 0; i < m; i++) x += r.u[i * k + p] * r.u[i * k + q];
    for (let i = 0; i < n; i++) y += r.v[i * k + p] * r.v[i * k + q];
    if (r.s[p] > 0 && r.s[q] > 0) ou = Math.max(ou, Math.abs(x - (p === q ? 1 : 0)));
    ov = Math.max(ov, Math.abs(y - (p === q ? 1 : 0)));
  }
  return { r, rec, ou, ov };
}

test('jacobiSvd on hand-computed matrices: [[3, 0], [4, 5]] has σ = √45, √5; a diagonal gives |d| sorted; u·vᵀ has rank 1', () => {
  // σ₁σ₂ = |det| = 15 and σ₁² + σ₂² = ‖A‖_F² = 50, so σ² ∈ {45, 5}.
  const a = jacobiSvd([3, 0, 4, 5], 2, 2);
  assert.ok(Math.abs(a.s[0] - Math.sqrt(45)) <= 4 * u * Math.sqrt(45) && Math.abs(a.s[1] - Math.sqrt(5)) <= 8 * u * Math.sqrt(45), `${a.s}`);
  const d = jacobiSvd([0.5, 0, 0, 0, -3, 0, 0, 0, 2], 3, 3);
  assert.deepEqual(Array.from(d.s), [3, 2, 0.5]);
  const x = [1, 2, 2], y = [3, 4]; // ‖x‖ = 3, ‖y‖ = 5
  const o = jacobiSvd(x.flatMap((p) => y.map((q) => p * q)), 3, 2);
  assert.ok(Math.abs(o.s[0] - 15) <= 8 * u * 15 && o.s[1] <= 8 * u * 15, `${o.s}`);
  assert.deepEqual(Array.from(jacobiSvd(new Float64Array(6), 2, 3).s), [0, 0]);
});

test('jacobiSvd on random tall and wide matrices: A = U·diag(s)·Vᵀ, UᵀU = VᵀV = I, s descending, Σσ² = ‖A‖_F², σ₁ ≥ ‖Ax‖/‖x‖', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 2 ** 30 }), fc.constantFrom(1, 1e-300, 1e300), (m, n, seed, mag) => {
    const g = rng(seed), a = g.fillNormal(new Float64Array(m * n)).map((v) => v * mag);
    const { r, rec, ou, ov } = residuals(a, m, n);
    const fro2 = a.reduce((s, v) => s + (v / mag) ** 2, 0);
    const tol = 20 * Math.max(m, n) * u;
    assert.equal(r.k, Math.min(m, n));
    assert.ok(rec <= tol * r.s[0], `${m}×${n}: reconstruction ${rec} vs σ₁ ${r.s[0]}`);
    assert.ok(ou <= tol && ov <= tol, `${m}×${n}: orthogonality ${ou}, ${ov}`);
    for (let t = 1; t < r.k; t++) assert.ok(r.s[t] <= r.s[t - 1]);
    const sum = r.s.reduce((s, v) => s + (v / mag) ** 2, 0);
    assert.ok(Math.abs(sum - fro2) <= tol * fro2, `${m}×${n}: Σσ² ${sum} vs ‖A‖_F² ${fro2}`);
    // σ₁ = max ‖Ax‖/‖x‖ ≥ the ratio at a random x.
    const x = g.fillNormal(new Float64Array(n));
    let ax = 0;
    for (let i = 0; i < m; i++) { let s = 0; for (let j = 0; j < n; j++) s += (a[i * n + j] / mag) * x[j]; ax += s * s; }
    assert.ok(Math.sqrt(ax) / Math.hypot(...x) <= (r.s[0] / mag) * (1 + tol));
  }), fcParams(40));
});

test('jacobiSvd refuses non-finite entries and bad shapes instead of looping', () => {
  assert.throws(() => jacobiSvd([1, NaN, 0, 1], 2, 2), /entry 1 is NaN/);
  assert.throws(() => jacobiSvd([1, Infinity], 1, 2), /Infinity/);
  assert.throws(() => jacobiSvd([1, 2, 3], 2, 2), /not 2×2/);
});

test('jacobiSvd on a rank-2 matrix with denormal noise: rank 2 to rounding, A = U·diag(s)·Vᵀ, V orthogonal (the exact case that kept sweeping is in test/compress/thm-4.2-almost-low-rank)', () => {
  const g = rng(3), m = 48, n = 48, a = new Float64Array(m * n);
  const x = [g.fillNormal(new Float64Array(m)), g.fillNormal(new Float64Array(m))], y = [g.fillNormal(new Float64Array(n)), g.fillNormal(new Float64Array(n))];
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) a[i * n + j] = x[0][i] * y[0][j] + 0.5 * x[1][i] * y[1][j] + 4.4e-323 * (g.normal() > 0 ? 1 : -1) * (i + j);
  const { r, rec, ov } = residuals(a, m, n);
  assert.ok(r.s[1] > 0 && r.s[2] <= 64 * m * u * r.s[0], `${r.s.slice(0, 4)}`);
  assert.ok(rec <= 64 * m * u * r.s[0] && ov <= 64 * m * u, `${rec}, ${ov}`);
});
