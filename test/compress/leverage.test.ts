// Proposition 4.3 / Lemma C.3 (THEORY.md §6): leverage-score row sampling, first on hidden-state matrices
// alone, then inside the network (compressByLeverage).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { QrDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { init } from '../../src/runtime/init.js';
import { DenseMatrix } from '../../src/linalg/dense.js';
import { InputError, ShapeError } from '../../src/runtime/errors.js';
import { leverageRowSampling, leverageSampleSize, leverageConstant } from '../../src/compress/row-sampling.js';
import { coherentInstance } from '../support/compress-generators.js';
import { fcParams, announceSeed } from '../support/fc.js';

announceSeed('test/compress/leverage.test.ts');
await init();

/** Independent recomputation (ml-matrix QR, plain loops) of r_i = ‖(I − QQᵀ)h_i‖ and e_i = ‖U·h_i[R] − h_i‖. */
function recompute(h: DenseMatrix<'f64'>, basis: DenseMatrix<'f64'>, rows: Int32Array, u: DenseMatrix<'f64'>) {
  const n = h.rows, D = h.cols, d = basis.cols, ke = rows.length;
  const q = new QrDecomposition(new MlMatrix(basis.toRows())).orthogonalMatrix;
  const hd = h.data, ud = u.data;
  const r = new Float64Array(n), e = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = new Float64Array(d);
    for (let t = 0; t < d; t++) for (let j = 0; j < D; j++) c[t] += q.get(j, t) * hd[i * D + j];
    let rr = 0, ee = 0;
    for (let j = 0; j < D; j++) {
      let p = 0;
      for (let t = 0; t < d; t++) p += q.get(j, t) * c[t];
      rr += (hd[i * D + j] - p) ** 2;
      let rec = 0;
      for (let s = 0; s < ke; s++) rec += ud[j * ke + s] * hd[i * D + rows[s]];
      ee += (rec - hd[i * D + j]) ** 2;
    }
    r[i] = Math.sqrt(rr); e[i] = Math.sqrt(ee);
  }
  return { r, e };
}

test('leverageSampleSize and leverageConstant: k = ceil(12·d·ln(2d/δ₀)) and C = 1 + 2/√(δ₁/2) (THEORY §6(c): δ₁ = 0.005 gives C = 41)', () => {
  assert.equal(leverageConstant(0.005), 41); // THEORY §6(c): "δ₀ = δ₁ = 0.005 ⇒ C = 41"
  assert.equal(leverageSampleSize(5, 0.005), Math.ceil(60 * Math.log(2000))); // = 457, THEORY §6 numerical-check table
  assert.equal(leverageSampleSize(5, 0.005), 457);
});

const coherent = fc.record({
  width: fc.integer({ min: 300, max: 700 }),
  n: fc.integer({ min: 40, max: 120 }),
  rank: fc.constantFrom(2, 3, 5),
  noise: fc.double({ min: 1e-4, max: 0.05, noNaN: true }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  samplingSeed: fc.integer({ min: 0, max: 2 ** 20 }),
});

test('Lemma C.3 on coherent data: S is 0/1 with k_eff ≤ k, U·S·h = h on col(A), and ≥ 99 % of nodes have ‖USh_i − h_i‖ ≤ C·r_i and ≤ C·ε (verify-and-resample ≤ 10 draws)', async () => {
  let worstRatio = 0, cases = 0, redraws = 0;
  await fc.assert(fc.asyncProperty(coherent, async (p) => {
    const { basis, h } = coherentInstance(p);
    const s = leverageRowSampling(h, basis, { seed: p.samplingSeed });
    const D = p.width, k = leverageSampleSize(p.rank, 0.005);
    // deterministic parts
    assert.equal(s.samples, k);
    assert.ok(s.rows.length <= k, `k_eff = ${s.rows.length} > k = ${k}`);
    for (let t = 0; t < s.rows.length; t++) {
      assert.ok(s.rows[t] >= 0 && s.rows[t] < D);
      if (t > 0) assert.ok(s.rows[t] > s.rows[t - 1], 'rows distinct and increasing (S has one 1 per row, no repeated row)');
      assert.ok(s.weights[t] > 0);
    }
    assert.equal(s.decoder.rows, D); assert.equal(s.decoder.cols, s.rows.length);
    // the coherent row d−1 has leverage 1, so p = 1/d: it is missed with probability (1 − 1/d)^k < 1e-40
    assert.ok(s.rows.includes(p.rank - 1), `row ${p.rank - 1} (leverage 1) was not sampled`);
    if (s.embeddingEigenvalues[0] > 0) {
      // U·S·a = a for every column a of A: the weighted least-squares fit is exact on col(A)
      const { e } = recompute(basis.transpose(), basis, s.rows, s.decoder);
      const scale = Math.max(...basis.transpose().toRows().map((row) => Math.hypot(...row)));
      for (const err of e) assert.ok(err <= 1e-9 * scale, `U·S·a − a = ${err} for a column of A`);
    }
    // probabilistic part, recomputed independently
    const { r, e } = recompute(h, basis, s.rows, s.decoder);
    const eps = Math.max(...r), C = s.constant;
    let within = 0, withinEps = 0;
    for (let i = 0; i < h.rows; i++) {
      assert.ok(Math.abs(r[i] - s.residuals[i]) <= 1e-10 * Math.max(1, r[i]), `r_${i}: ${s.residuals[i]} vs ${r[i]}`);
      assert.ok(Math.abs(e[i] - s.errors[i]) <= 1e-10 * Math.max(1, e[i]), `err_${i}: ${s.errors[i]} vs ${e[i]}`);
      if (e[i] <= C * r[i] * (1 + 1e-9)) within++;
      if (e[i] <= C * eps * (1 + 1e-9)) withinEps++;
      worstRatio = Math.max(worstRatio, e[i] / (C * r[i]));
    }
    assert.ok(s.accepted, `no draw out of ${s.tries.length} reached 99 %: ${JSON.stringify(s.tries)}`);
    assert.ok(within >= 0.99 * h.rows, `only ${within}/${h.rows} nodes within C·r_i`);
    assert.ok(withinEps >= 0.99 * h.rows, `only ${withinEps}/${h.rows} nodes within C·ε`);
    assert.equal(s.tries[s.tries.length - 1].seed, s.seed);
    assert.equal(s.seed, p.samplingSeed + s.tries.length - 1);
    cases++; redraws += s.tries.length - 1;
    s.decoder.free(); basis.free(); h.free();
  }), fcParams(12));
  console.log(`# Lemma C.3: ${cases} cases, ${redraws} redraws, worst ‖USh_i − h_i‖/(C·r_i) = ${worstRatio.toExponential(3)}`);
});

test('Lemma C.3 embedding: with the default k, the sampled Gram matrix has eigenvalues in [1 − η, 1 + η] = [0.5, 1.5] (fixed seeds 0..9)', () => {
  const { basis, h } = coherentInstance({ width: 600, n: 60, rank: 5, noise: 0.01, seed: 7 });
  for (let seed = 0; seed < 10; seed++) {
    const s = leverageRowSampling(h, basis, { seed, maxTries: 1 });
    const [lo, hi] = s.embeddingEigenvalues;
    assert.ok(lo >= 0.5 && hi <= 1.5, `seed ${seed}: eigenvalues [${lo}, ${hi}]`);
    s.decoder.free();
  }
});

test('negative control (THEORY §6(d)): with the same small k, uniform sampling misses the coherent row and fails the 99 % test where leverage sampling passes', () => {
  const { basis, h } = coherentInstance({ width: 2000, n: 200, rank: 5, noise: 1e-3, seed: 3 });
  const k = 60;
  const lev = leverageRowSampling(h, basis, { samples: k, seed: 11, maxTries: 1 });
  const uni = leverageRowSampling(h, basis, { samples: k, seed: 11, maxTries: 1, distribution: 'uniform' });
  assert.ok(lev.accepted && lev.fractionWithin >= 0.99, `leverage: ${lev.fractionWithin}`);
  assert.ok(!uni.rows.includes(4), 'uniform sampling happened to keep row d−1; pick another seed');
  assert.ok(!uni.accepted && uni.fractionWithin < 0.99, `uniform: ${uni.fractionWithin}`);
  console.log(`# negative control, k = ${k}: leverage ${lev.fractionWithin}, uniform ${uni.fractionWithin} (max err/r ${Math.max(...uni.errors.map((e, i) => e / uni.residuals[i])).toFixed(1)})`);
  lev.decoder.free(); uni.decoder.free();
});

test('leverageRowSampling rejects bad arguments with typed errors naming them', () => {
  const { basis, h } = coherentInstance({ width: 50, n: 10, rank: 2, noise: 0.01, seed: 1 });
  assert.throws(() => leverageRowSampling(h, basis.transpose()), ShapeError);
  assert.throws(() => leverageRowSampling(h.clone('f32') as never, basis), /leverageRowSampling: h must be an f64 DenseMatrix/);
  assert.throws(() => leverageRowSampling(h, basis, { delta0: 0 }), /options\.delta0/);
  assert.throws(() => leverageRowSampling(h, basis, { delta1: 1 }), RangeError);
  assert.throws(() => leverageRowSampling(h, basis, { samples: 0 }), /options\.samples/);
  assert.throws(() => leverageRowSampling(h, basis, { seed: 0.5 }), InputError);
  assert.throws(() => leverageRowSampling(h, basis, { distribution: 'gaussian' as never }), /options\.distribution/);
  const rankDeficient = DenseMatrix.zeros(50, 2, 'f64');
  rankDeficient.data[0] = 1;
  assert.throws(() => leverageRowSampling(h, rankDeficient), /rank-deficient/);
  const bad = h.clone(); bad.data[3] = NaN;
  assert.throws(() => leverageRowSampling(bad, basis), /non-finite/);
});
