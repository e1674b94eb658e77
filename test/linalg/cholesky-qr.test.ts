import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { init, DenseMatrix, rng, kernelBuild } from '../../src/index.js';
import { choleskyQr2, choleskyQrGuarded, choleskyUpper, solveLeftUpper, solveRightUpper, gramOf } from '../../src/linalg/cholesky-qr.js';
import * as twin from '../../src/twin/triangular.js';
import * as twinGram from '../../src/twin/gram.js';
import { withBackend } from '../support/backends.js';
import { fcParams, announceSeed } from '../support/fc.js';
import { gaussian, rankDeficient, illConditioned, mul, gram, frob, distanceFromIdentity, UNIT_ROUNDOFF } from '../support/matrices.js';

announceSeed('test/linalg/cholesky-qr.test.ts');
await init();

/** An n×n upper-triangular R with diagonal entries of magnitude in [0.5, 2] and random signs. */
function upperTriangular(seed: number, n: number): Float64Array {
  const g = rng(seed), r = g.fillNormal(new Float64Array(n * n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) r[i * n + j] = 0;
    r[i * n + i] = (0.5 + 1.5 * Math.abs(Math.tanh(r[i * n + i]))) * (r[i * n + i] < 0 ? -1 : 1);
  }
  return r;
}

test('trsm_right_upper_f64: WASM and twin give the same bits, in place and out of place, and x·R = y to (n + 2)·u·|x|·|R| per entry', async () => {
  const shape = fc.record({
    m: fc.integer({ min: 1, max: 11 }), // the four-row loop and its one-row tail
    n: fc.integer({ min: 1, max: 29 }), // the f64x2 steps and their odd tails
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
  await fc.assert(fc.asyncProperty(shape, async ({ m, n, seed }) => {
    const y = gaussian(rng(seed), m, n), r = upperTriangular(seed + 1, n);
    const viaWasm = y.clone('f64'), viaJs = y.clone('f64');
    await withBackend('wasm-simd', () => solveRightUpper(viaWasm, r));
    await withBackend('js', () => solveRightUpper(viaJs, r));
    assert.deepEqual(viaWasm.data, viaJs.data, `${m}×${n}: WASM and twin differ`);
    // the twin called directly agrees too (same function the fallback runs)
    const direct = Float64Array.from(y.data);
    twin.trsm_right_upper_f64(direct, direct, r, new Float64Array(n), m, n);
    assert.deepEqual(direct, Float64Array.from(viaJs.data));
    // out of place: y is only read, the result is the same
    for (const which of ['wasm-simd', 'js'] as const) {
      const src = y.clone('f64'), dst = await withBackend(which, () => DenseMatrix.zeros(m, n, 'f64'));
      await withBackend(which, () => solveRightUpper(src, r, dst));
      assert.deepEqual(dst.data, viaWasm.data, `${which} ${m}×${n}: out of place differs`);
      assert.deepEqual(src.data, y.data, `${which} ${m}×${n}: y was modified`);
      src.free(); dst.free();
    }
    // backward error: |x·R − y| ≤ (n + 2)·u·(|x|·|R|) entrywise
    const x = viaWasm.data, xr = mul(x, r, m, n, n);
    const absR = r.map(Math.abs), absXR = mul(x.map(Math.abs), absR, m, n, n);
    for (let i = 0; i < m * n; i++) {
      assert.ok(Math.abs(xr[i] - y.data[i]) <= (n + 2) * UNIT_ROUNDOFF * absXR[i], `${m}×${n}: residual at ${i}`);
    }
    y.free(); viaWasm.free(); viaJs.free();
  }), fcParams(60));
});

// The plain build sums in the twin's order with the twin's roundings, so the same bits; the relaxed-SIMD build
// (assembly/fma.ts) may fuse each multiply-add, one rounding instead of two, so only the bound is shared: it holds
// for either (each fused step rounds once where the plain one rounds twice).
test('gram_f64: WASM and twin give the same bits (plain build), symmetric, within (m + 2)·u·Σ|y_pi·y_pj| of YᵀY', async () => {
  const shape = fc.record({
    m: fc.integer({ min: 1, max: 300 }), // crosses the 128-row slabs
    n: fc.integer({ min: 1, max: 13 }), // whole and ragged 4×4 tiles
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
  await fc.assert(fc.asyncProperty(shape, async ({ m, n, seed }) => {
    const y = gaussian(rng(seed), m, n);
    const [viaWasm, build] = await withBackend('wasm-simd', () => [gramOf(y), kernelBuild()] as const);
    const viaJs = await withBackend('js', () => gramOf(y));
    if (build === 'plain') assert.deepEqual(viaWasm, viaJs, `${m}×${n}: WASM and twin differ`);
    else assert.equal(build, 'relaxed');
    const direct = new Float64Array(n * n);
    twinGram.gram_f64(direct, Float64Array.from(y.data), m, n);
    assert.deepEqual(direct, viaJs);
    const ref = gram(y.data, m, n), absRef = gram(y.data.map(Math.abs), m, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      assert.equal(viaWasm[i * n + j], viaWasm[j * n + i], `${m}×${n}: not symmetric at ${i},${j}`);
      assert.ok(Math.abs(viaWasm[i * n + j] - ref[i * n + j]) <= (m + 2) * UNIT_ROUNDOFF * absRef[i * n + j], `${m}×${n}: G[${i}][${j}]`);
    }
    y.free();
  }), fcParams(60));
});

test('choleskyUpper: RᵀR = G for a positive definite G; null for an indefinite or singular one', () => {
  const a = gaussian(rng(3), 30, 7), g = gram(a.data, 30, 7);
  const r = choleskyUpper(g, 7);
  assert.ok(r !== null);
  for (let i = 0; i < 7; i++) for (let j = 0; j < i; j++) assert.equal(r[i * 7 + j], 0);
  const rtr = gram(r, 7, 7); // RᵀR
  assert.ok(frob(rtr, g) <= 50 * UNIT_ROUNDOFF * frob(g));
  assert.equal(choleskyUpper([1, 2, 2, 1], 2), null); // eigenvalues 3, −1
  assert.equal(choleskyUpper([1, 1, 1, 1], 2), null); // singular: second pivot 0
  assert.equal(choleskyUpper([Number.NaN], 1), null);
  a.free();
});

/**
 * A worst-case bound on the computed ‖y − Q·(Qᵀy)‖_F for the Q of choleskyQr2 (first order in u, with the
 * factor (1 + ω)² for the norms of Q and R it drops), from three stated error sources:
 * - loss of orthogonality: Y + ΔY = QR gives (I − QQᵀ)(Y + ΔY) = Q(I − QᵀQ)R, so ≤ ‖Q‖₂·‖QᵀQ − I‖_F·‖R‖₂ with
 *   ‖R‖₂ ≤ ‖Y‖(1 + ω); the test above asserts the computed ‖QᵀQ − I‖_F ≤ 10·m·n·u, and that Gram product has its
 *   own rounding γ_m·‖Q‖_F² ≤ m·n·u(1 + ω) (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., §3.5,
 *   |fl(AB) − AB| ≤ γ_m|A||B|), so the true ω ≤ 11·m·n·u;
 * - the range: each pass is a row-wise triangular solve, backward stable with |ΔR| ≤ γ_n|R| per row (Higham Thm 8.5;
 *   the header of src/linalg/cholesky-qr.ts), so two passes move Y by ‖ΔY‖_F ≤ 2·(n + 1)·√n·u·‖Y‖_F;
 * - the test's own plain loops: z = fl(Qᵀy) within γ_m‖Q‖_F‖y‖_F, fl(Qz) within γ_n‖Q‖_F‖z‖_F, ‖Q‖_F ≤ √n(1 + ω),
 *   and the subtraction y − Qz, 2u‖y‖: together (m + n + 2)·√n·u·‖y‖_F.
 * (Yamamoto et al., ETNA 44, 2015, bound the orthogonality of CholeskyQR2 by 6(m·n·u + n(n+1)·u) when κ(Y) is
 * below ≈ u^{−1/2}; the 10·m·n·u asserted above is of that order.)
 */
function projectionBound(m: number, n: number, normY: number): number {
  const u = UNIT_ROUNDOFF, omega = 11 * m * n * u;
  return normY * (omega + 2 * (n + 1) * Math.sqrt(n) * u + (m + n + 2) * Math.sqrt(n) * u) * (1 + omega) ** 2;
}

test('choleskyQr2: orthonormal Q (‖QᵀQ − I‖ ≤ 10·m·n·u) spanning y (‖y − Q·Qᵀy‖ within the derived bound projectionBound) on well and ill-conditioned tall matrices, both backends', async () => {
  const cases = fc.record({
    m: fc.integer({ min: 30, max: 400 }),
    n: fc.integer({ min: 1, max: 30 }),
    cond: fc.constantFrom(1, 1e3, 1e6, 1e7),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
  await fc.assert(fc.asyncProperty(cases, async ({ m, n, cond, seed }) => {
    const y = cond === 1 ? gaussian(rng(seed), m, n) : illConditioned(rng(seed), m, n, cond);
    for (const which of ['wasm-simd', 'js'] as const) {
      const q = await withBackend(which, () => choleskyQr2(y));
      assert.ok(q !== null, `${which} ${m}×${n} κ=${cond}: the guard refused a matrix with κ ≤ 1e7`);
      assert.equal(q.rows, m); assert.equal(q.cols, n);
      const label = `${which} ${m}×${n} κ=${cond}`;
      assert.ok(distanceFromIdentity(gram(q.data, m, n), n) <= 10 * m * n * UNIT_ROUNDOFF, `${label}: QᵀQ ≠ I`);
      // Qᵀy and the projection Q·(Qᵀy), by plain loops
      const qt = new Float64Array(n * m);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) qt[j * m + i] = q.data[i * n + j];
      const proj = mul(q.data, mul(qt, y.data, n, m, n), m, n, n);
      const bound = projectionBound(m, n, frob(y.data));
      assert.ok(frob(y.data, proj) <= bound, `${label}: ‖y − QQᵀy‖ = ${frob(y.data, proj)} > ${bound}`);
      // The bound can fail: Q with one entry moved by 1e-9 (far above rounding) leaves y outside its span by
      // ≈ 1e-9·‖y‖, above the bound (≤ 2e-11·‖y‖ at m = 400, n = 30).
      const bad = Float64Array.from(q.data);
      bad[0] += 1e-9;
      const badT = new Float64Array(n * m);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) badT[j * m + i] = bad[i * n + j];
      const badProj = mul(bad, mul(badT, y.data, n, m, n), m, n, n);
      assert.ok(frob(y.data, badProj) > bound, `${label}: a perturbed Q passed: ${frob(y.data, badProj)} ≤ ${bound}`);
      q.free();
    }
    y.free();
  }), fcParams(40));
});

test('choleskyQr2 returns null (the caller falls back to Householder QR) on rank-deficient, wide and non-finite input, and leaves y unchanged', async () => {
  for (const which of ['wasm-simd', 'js'] as const) {
    await withBackend(which, () => {
      const low = rankDeficient(rng(5), 80, 12, 6), before = Float64Array.from(low.data);
      assert.equal(choleskyQr2(low), null, `${which}: rank 6 of 12 columns`);
      assert.deepEqual(low.data, before);
      const zeroCol = gaussian(rng(6), 40, 5);
      for (let i = 0; i < 40; i++) zeroCol.data[i * 5 + 3] = 0;
      assert.equal(choleskyQr2(zeroCol), null, `${which}: a zero column`);
      const wide = gaussian(rng(7), 4, 9);
      assert.equal(choleskyQr2(wide), null, `${which}: wide`);
      const inf = gaussian(rng(8), 20, 3);
      inf.data[7] = Number.POSITIVE_INFINITY;
      assert.equal(choleskyQr2(inf), null, `${which}: an infinite entry`);
      low.free(); zeroCol.free(); wide.free(); inf.free();
    });
  }
});

test('choleskyQr2 on a tall 2000×26 sketch-like matrix (κ ≈ 3e5): orthonormal to 30·√(m·n)·u in practice', async () => {
  const sigma = Array.from({ length: 26 }, (_, i) => (i < 16 ? 2000 - 50 * i : 0.1 * 0.9 ** i));
  const y = DenseMatrix.from(illConditioned(rng(9), 2000, 26, 1).data, 2000, 26, 'f64');
  const d = y.data;
  for (let i = 0; i < 2000; i++) for (let j = 0; j < 26; j++) d[i * 26 + j] *= sigma[j];
  const q = choleskyQr2(y);
  assert.ok(q !== null);
  assert.ok(distanceFromIdentity(gram(q.data, 2000, 26), 26) <= 30 * Math.sqrt(2000 * 26) * UNIT_ROUNDOFF);
  q.free(); y.free();
});

test('choleskyQrGuarded: ‖QᵀQ − I‖_F ≤ 1/2 for the first pass, and Q·R₂⁻¹ (formed or applied to a small W by solveLeftUpper) is orthonormal', async () => {
  for (const [m, n, cond] of [[500, 26, 1e6], [300, 9, 1], [64, 64, 1e3]] as const) {
    const y = illConditioned(rng(m + n), m, n, cond);
    for (const which of ['wasm-simd', 'js'] as const) {
      await withBackend(which, () => {
        const f = choleskyQrGuarded(y);
        assert.ok(f !== null, `${which} ${m}×${n}`);
        assert.ok(distanceFromIdentity(gram(f.q.data, m, n), n) <= 0.5);
        // Q₁·(R₂⁻¹·I) = Q₁·R₂⁻¹: the implicit form used by randomizedSvd equals the explicit second pass
        const w = new Float64Array(n * n);
        for (let i = 0; i < n; i++) w[i * n + i] = 1;
        solveLeftUpper(f.r, w, n, n);
        const implicit = mul(f.q.data, w, m, n, n);
        assert.ok(distanceFromIdentity(gram(implicit, m, n), n) <= 10 * m * n * UNIT_ROUNDOFF, `${which} ${m}×${n}: implicit Q not orthonormal`);
        const explicit = choleskyQr2(y);
        assert.ok(explicit !== null);
        assert.ok(frob(implicit, explicit.data) <= 10 * m * n * UNIT_ROUNDOFF, `${which} ${m}×${n}: implicit and explicit Q differ`);
        f.q.free(); explicit.free();
      });
    }
    y.free();
  }
});

test('solveLeftUpper: R·X = W by back substitution', () => {
  const n = 7, c = 3, r = upperTriangular(11, n), w = rng(12).fillNormal(new Float64Array(n * c)), x = Float64Array.from(w);
  solveLeftUpper(r, x, n, c);
  assert.ok(frob(mul(r, x, n, n, c), w) <= 100 * UNIT_ROUNDOFF * frob(w));
});
