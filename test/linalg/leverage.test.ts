import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { jacobiSvd } from '../support/jacobi-svd.js';
import {
  init, DenseMatrix, rng, leverageScores, leverageSample, applyLeverageSample, InputError, ShapeError,
} from '../../src/index.js';
import { leverageSketchSizes } from '../../src/linalg/leverage.js';
import { withBackend } from '../support/backends.js';
import { fcParams, announceSeed } from '../support/fc.js';
import { binomialUpperLimit } from '../support/binomial.js';
import { gaussian, rankDeficient, illConditioned } from '../support/matrices.js';

announceSeed('test/linalg/leverage.test.ts');
await init();

/** Reference scores from the tests' Jacobi SVD (test/support/jacobi-svd.ts) of A itself: squared row norms of U_r, r = #{σ > rtol·σ₁}. */
function svdScores(a: DenseMatrix<'f64'>, rtol = Math.max(a.rows, a.cols) * 2 ** -52): { scores: Float64Array; rank: number } {
  const svd = jacobiSvd(Float64Array.from(a.data), a.rows, a.cols);
  const s = svd.s, u = { get: (i: number, t: number) => svd.u[i * svd.k + t] };
  let rank = 0;
  while (rank < s.length && s[rank] > rtol * s[0]) rank++;
  const scores = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) for (let t = 0; t < rank; t++) scores[i] += u.get(i, t) ** 2;
  return { scores, rank };
}

/** The coherent test matrix of Prop. 4.3's tests (docs/theory.md §10): A = G/√D with column d−1 zeroed, plus 3·I on the first d rows; row d−1 alone spans direction d−1 (leverage 1). */
function coherent(seed: number, n: number, d: number): DenseMatrix<'f64'> {
  const g = rng(seed), a = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d - 1; j++) a[i * d + j] = g.normal() / Math.sqrt(n);
  for (let j = 0; j < d; j++) a[j * d + j] += 3;
  return DenseMatrix.from(a, n, d, 'f64');
}

test('exact leverage scores equal the squared row norms of U_r from the reference (Jacobi) SVD, lie in [0, 1] and sum to rank(A)', async () => {
  await fc.assert(fc.asyncProperty(fc.record({
    n: fc.integer({ min: 1, max: 60 }), d: fc.integer({ min: 1, max: 12 }), rankFrac: fc.double({ min: 0, max: 1, noNaN: true }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  }), async ({ n, d, rankFrac, seed }) => {
    const full = Math.min(n, d), r = Math.max(1, Math.round(rankFrac * full));
    const a = r === full ? gaussian(rng(seed), n, d) : rankDeficient(rng(seed), n, d, r);
    const ref = svdScores(a);
    assert.equal(ref.rank, r, 'the generator made the rank it promised');
    for (const which of ['wasm-simd', 'js'] as const) {
      const l = await withBackend(which, () => leverageScores(a));
      let sum = 0;
      for (let i = 0; i < n; i++) {
        assert.ok(Math.abs(l[i] - ref.scores[i]) <= 1e-10, `${which} row ${i}: ${l[i]} vs ${ref.scores[i]}`);
        assert.ok(l[i] >= -1e-15 && l[i] <= 1 + 1e-12);
        sum += l[i];
      }
      assert.ok(Math.abs(sum - r) <= 1e-10 * d, `${which}: Σℓ = ${sum}, rank ${r}`);
    }
    a.free();
  }), fcParams(60));
});

test('exact leverage scores of hand-checkable matrices: [I; 0], a constant column, and the coherent row of the tests of Prop. 4.3 (docs/theory.md §10)', () => {
  // [I_3; 0]: the basis is e_1..e_3, so ℓ = (1, 1, 1, 0, 0) by the definition
  const e = DenseMatrix.zeros(5, 3, 'f64');
  for (let i = 0; i < 3; i++) e.set(i, i, 7 * (i + 1));
  assert.deepEqual(Array.from(leverageScores(e), (x) => Math.round(x * 1e12) / 1e12), [1, 1, 1, 0, 0]);
  // a constant column: ℓ_i = 1/n (a_i (AᵀA)⁻¹ a_iᵀ = c·(1/(n c²))·c)
  const ones = DenseMatrix.from(new Float64Array(8).fill(2.5), 8, 1, 'f64');
  for (const x of leverageScores(ones)) assert.ok(Math.abs(x - 1 / 8) < 1e-15);
  const c = coherent(1, 400, 5);
  assert.ok(Math.abs(leverageScores(c)[4] - 1) < 1e-12, 'row d−1 alone spans direction d−1');
  assert.deepEqual(leverageScores(DenseMatrix.zeros(4, 2, 'f64')), new Float64Array(4)); // rank 0
});

test('exact leverage scores on planted κ = 1e2 … 1e13: within the perturbation bound of the SVD reference, and Σℓ = d to rounding', async () => {
  // Leverage scores are κ-conditioned: a backward error ‖E‖ ≤ η‖A‖ moves the projector onto col(A), hence
  // every ℓ_i, by up to ≈ 2κη (Wedin's sin Θ theorem; Ipsen & Wentworth 2014). Both this code and the
  // reference are backward stable with η ≲ 30·d·ε, so they may differ by 2κ·30·d·ε. Σℓ = ‖basis‖_F² is not
  // κ-conditioned for an orthonormal basis: beyond the A·R⁻¹ shortcut (κ_F > 1e4) it must stay d to ~d·ε.
  const d = 10, eps = 2 ** -52;
  for (const cond of [1e2, 1e6, 1e10, 1e13]) {
    const a = illConditioned(rng(31), 80, d, cond);
    const ref = svdScores(a);
    assert.equal(ref.rank, d);
    for (const which of ['wasm-simd', 'js'] as const) {
      const l = await withBackend(which, () => leverageScores(a));
      let worst = 0, sum = 0;
      for (let i = 0; i < 80; i++) { worst = Math.max(worst, Math.abs(l[i] - ref.scores[i])); sum += l[i]; }
      console.log(`# ${which}, κ = ${cond}: max |ℓ − ℓ_ref| = ${worst.toExponential(2)}, |Σℓ − d| = ${Math.abs(sum - d).toExponential(2)}`);
      assert.ok(worst <= 2 * cond * 30 * d * eps, `${which}, κ = ${cond}: max |ℓ − ℓ_ref| = ${worst}`);
      assert.ok(Math.abs(sum - d) <= (cond <= 1e4 ? 4 * d * cond : 100 * d) * eps, `${which}, κ = ${cond}: Σℓ = ${sum}`);
    }
    a.free();
  }
});

test('approximate scores at the proven sketch size (n = 2^17, d = 4, ε = 0.75, δ = 0.01) are within ε·ℓ_i, failures ≤ binomial limit', () => {
  const n = 2 ** 17, d = 4, eps = 0.75, delta = 0.01, trials = 5;
  const sizes = leverageSketchSizes(n, d, eps, delta);
  assert.ok(sizes.sketchRows < n, `the SRHT sketch must be exercised (r₁ = ${sizes.sketchRows})`);
  const g = rng(2024);
  const a = gaussian(g, n, d);
  // coherent rows: a few dominate one direction each (ℓ ≈ 1), others are tiny (ℓ ≈ 1e-12): relative error must hold for both
  for (let t = 0; t < 8; t++) { const i = g.int(n); for (let j = 0; j < d; j++) a.data[i * d + j] *= t < 4 ? 1e3 : 1e-3; }
  const exact = leverageScores(a);
  let failures = 0;
  for (let seed = 0; seed < trials; seed++) {
    const approx = leverageScores(a, { method: 'approximate', eps, delta, seed });
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(approx[i] / exact[i] - 1));
    console.log(`# seed ${seed}: r₁ = ${sizes.sketchRows}, max |ℓ̃/ℓ − 1| = ${worst.toFixed(4)} (ε = ${eps})`);
    if (worst > eps) failures++;
  }
  assert.ok(failures <= binomialUpperLimit(trials, delta), `${failures} of ${trials} runs exceeded ε`);
  a.free();
});

test('approximate scores: a full-Hadamard sketch (r₁ = n′) is exact, small problems fall back to exact, and the seed fixes the output', () => {
  const a = coherent(3, 300, 6), exact = leverageScores(a);
  const full = leverageScores(a, { method: 'approximate', sketchRows: 512, seed: 4 }); // (1/√n′)·H·D is orthogonal on the padded space
  for (let i = 0; i < 300; i++) assert.ok(Math.abs(full[i] - exact[i]) < 1e-10, `row ${i}`);
  assert.deepEqual(leverageScores(a, { method: 'approximate' }), exact, 'proven r₁ ≥ n and r₂ ≥ d: the exact path');
  const s1 = leverageScores(a, { method: 'approximate', sketchRows: 64, jlDim: 3, seed: 8 });
  assert.deepEqual(leverageScores(a, { method: 'approximate', sketchRows: 64, jlDim: 3, seed: 8 }), s1);
  assert.notDeepEqual(leverageScores(a, { method: 'approximate', sketchRows: 64, jlDim: 3, seed: 9 }), s1);
});

test('approximate scores with the JL step at r₂ = jlMinDim(n, ε₂, δ, vectors) stay within 1 ± ε₂, failures ≤ binomial limit over 20 seeds', () => {
  const n = 300, d = 128, eps2 = 0.9, delta = 0.1, trials = 20;
  const a = gaussian(rng(12), n, d), exact = leverageScores(a);
  const r2 = Math.ceil(4 * Math.log(2 * n / delta) / (eps2 ** 2 - 2 * eps2 ** 3 / 3)); // Lemma L5 (JL, docs/theory.md §16) with N = n vectors
  assert.ok(r2 < d, `r₂ = ${r2} must undercut d = ${d} for the JL step to run`);
  assert.ok(leverageSketchSizes(n, d, eps2, delta).sketchRows >= n, 'the first stage is exact here, so only the JL step errs');
  let failures = 0;
  for (let seed = 0; seed < trials; seed++) {
    const l = leverageScores(a, { method: 'approximate', jlDim: r2, seed });
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(l[i] / exact[i] - 1));
    if (worst > eps2) failures++;
  }
  assert.ok(failures <= binomialUpperLimit(trials, delta), `${failures} of ${trials} runs exceeded ε₂`);
});

/** Squared singular values of diag(w)·S·U for an orthonormal basis U (n×d): the embedding's distortion. */
function embeddingSpectrum(sample: ReturnType<typeof leverageSample>, u: DenseMatrix<'f64'>): number[] {
  const su = applyLeverageSample(sample, u);
  const m = su.toMl(MlMatrix);
  su.free();
  return new EigenvalueDecomposition(m.transpose().mmul(m), { assumeSymmetric: true }).realEigenvalues;
}

test('leverageSample: k = ⌈12·d·ln(2d/δ₀)⌉ draws give a ½–3/2 subspace embedding in all but ≤ a binomial limit of 60 seeds; uniform sampling does not', () => {
  const n = 3000, d = 5, delta0 = 0.05, trials = 60;
  const a = coherent(7, n, d);
  const scores = leverageScores(a);
  const aMl = a.toMl(MlMatrix);
  // an orthonormal basis of col(A), from the tests' Jacobi SVD (independent of the code under test)
  const u = DenseMatrix.from(jacobiSvd(Float64Array.from(a.data), n, d).u, n, d, 'f64');
  const limit = binomialUpperLimit(trials, delta0);
  let failures = 0, uniformFailures = 0, xFailures = 0;
  const g = rng(99);
  for (let seed = 0; seed < trials; seed++) {
    const s = leverageSample(a, { scores, delta: delta0, seed });
    assert.equal(s.samples, Math.ceil(12 * d * Math.log(2 * d / delta0)));
    assert.equal(s.counts.reduce((x, y) => x + y, 0), s.samples);
    assert.ok(s.rows.length <= s.samples && s.rows.every((r, t) => t === 0 || r > s.rows[t - 1]));
    s.rows.forEach((r, t) => assert.ok(Math.abs(s.weights[t] - Math.sqrt(s.counts[t] / (s.samples * s.probabilities[r]))) < 1e-15));
    const ev = embeddingSpectrum(s, u);
    if (Math.min(...ev) < 0.5 || Math.max(...ev) > 1.5) failures++;
    // the brief's form: ‖S_w·A·x‖² / ‖A·x‖² ∈ [½, 3/2] for random x
    const sa = applyLeverageSample(s, a), saMl = sa.toMl(MlMatrix);
    sa.free();
    for (let t = 0; t < 10; t++) {
      const x = MlMatrix.columnVector(Array.from(g.fillNormal(new Float64Array(d))));
      const ratio = sq(saMl.mmul(x)) / sq(aMl.mmul(x));
      if (ratio < 0.5 || ratio > 1.5) { xFailures++; break; }
    }
    const uni = leverageSample(a, { scores: new Float64Array(n).fill(1), samples: s.samples, seed });
    const evu = embeddingSpectrum(uni, u);
    if (Math.min(...evu) < 0.5 || Math.max(...evu) > 1.5) uniformFailures++;
  }
  console.log(`# leverage: ${failures}/${trials} embedding failures, ${xFailures} random-x failures (limit ${limit}); uniform: ${uniformFailures}/${trials}`);
  assert.ok(failures <= limit && xFailures <= limit);
  assert.ok(uniformFailures > limit, 'negative control: uniform sampling misses the coherent row');
});

function sq(m: MlMatrix): number {
  let s = 0;
  for (let i = 0; i < m.rows; i++) s += m.get(i, 0) ** 2;
  return s;
}

test('leverageScores and leverageSample reject bad input with typed errors before any work', () => {
  const a = gaussian(rng(1), 20, 3);
  assert.throws(() => leverageScores(a, { method: 'approximate', eps: 1 }), (e: unknown) => e instanceof RangeError && /^leverageScores: options.eps must lie in \(0, 1\)/.test(e.message));
  assert.throws(() => leverageScores(a, { method: 'approximate', delta: 0 }), /options.delta must lie in \(0, 1\)/);
  assert.throws(() => leverageScores(a, { eps: 0.5 }), (e: unknown) => e instanceof InputError && /options.eps applies only to method 'approximate'/.test(e.message));
  assert.throws(() => leverageScores(a, { method: 'approximate', sketchRows: 2 }), /options.sketchRows must be an integer ≥ 3/);
  assert.throws(() => leverageScores(a, { method: 'approximate', sketchRows: 64 }), /exceeds 2\^⌈log₂ n⌉ = 32/);
  assert.throws(() => leverageScores(a, { method: 'approximate', jlDim: 0 }), RangeError);
  assert.throws(() => leverageScores(a, { method: 'fast' as never }), InputError);
  assert.throws(() => leverageScores(a, { rtol: -1 }), RangeError);
  assert.throws(() => leverageScores(DenseMatrix.zeros(0, 3, 'f64')), (e: unknown) => e instanceof ShapeError && /^leverageScores: a is 0×3/.test(e.message));
  assert.throws(() => leverageScores(DenseMatrix.zeros(2, 2, 'f32') as never), InputError);
  const bad = a.clone();
  bad.set(4, 2, Number.NaN);
  assert.throws(() => leverageScores(bad), /^InputError: leverageScores: a has a non-finite value \(NaN\) at index 14/);
  assert.throws(() => leverageSample(bad), /^InputError: leverageSample: a has a non-finite value/);
  assert.throws(() => leverageSample(a, { delta: 1 }), RangeError);
  assert.throws(() => leverageSample(a, { samples: 0 }), RangeError);
  assert.throws(() => leverageSample(a, { scores: new Float64Array(3) }), (e: unknown) => e instanceof ShapeError && /options.scores has length 3, expected n = 20/.test(e.message));
  assert.throws(() => leverageSample(a, { scores: new Float64Array(20).fill(-1) }), InputError);
  assert.throws(() => leverageSample(a, { scores: new Float64Array(20) }), /every leverage score is 0/);
  assert.throws(() => leverageSample(DenseMatrix.zeros(3, 2, 'f64')), /every leverage score is 0/);
  const s = leverageSample(a, { samples: 10 });
  assert.throws(() => applyLeverageSample(s, gaussian(rng(2), 19, 2)), ShapeError);
});
