// Proposition 4.3 / Lemma C.3 (docs/theory.md#10-proposition-43--leverage-score-row-sampling): leverage-score row sampling, first on hidden-state matrices
// alone, then inside the network (compressByLeverage).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { QrDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import {
  init, measureBeta, DenseMatrix, InputError, ShapeError, GraphTransformer, compressByLeverage, leverageRowSampling, leverageSampleSize,
  leverageConstant, rng, type CompressedModel, type CsrGraph, type Decoder,
} from '../../../src/index.js';
import { coherentInstance, logitScaleChoice, nearLowRankInstance } from '../../support/compress-generators.js';
import { assertBeta, assertBoundsMatch, leverageBounds, leverageConstantOracle, leverageSamplesOracle, recordedQuantities, spectral, type LeverageLayer } from '../../support/bound-oracle/index.js';
import {
  assertLeq, alphaBeta, lift, logLogSlope, maxAbsDiff, maxRowDistance, operatorNormOf, topSubspaceResidual, topSubspaceResiduals, traces,
} from '../../support/compress-measure.js';
import { fcParams, announceSeed } from '../../support/fc.js';

announceSeed('test/compress/prop-4.3-leverage/leverage.test.ts');
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

test('leverageSampleSize and leverageConstant: k = ceil(12·d·ln(2d/δ₀)) and C = 1 + 2/√(δ₁/2) (Prop. 4.3, App. C.4; docs/theory.md#10-proposition-43--leverage-score-row-sampling (bounds checked): δ₁ = 0.005 gives C = 41)', () => {
  assert.equal(leverageConstant(0.005), 41); // Prop. 4.3, App. C.4; docs/theory.md#10-proposition-43--leverage-score-row-sampling (bounds checked): "δ₀ = δ₁ = 0.005 ⇒ C = 41"
  assert.equal(leverageSampleSize(5, 0.005), Math.ceil(60 * Math.log(2000))); // = 457, Prop. 4.3, App. C.4; docs/theory.md#10-proposition-43--leverage-score-row-sampling (constants)
  assert.equal(leverageSampleSize(5, 0.005), 457);
  for (const d of [1, 2, 5, 10, 64]) for (const delta of [0.5, 0.05, 0.005, 1e-4]) {
    assert.equal(leverageSampleSize(d, delta), leverageSamplesOracle(d, delta), `k(d = ${d}, δ₀ = ${delta}) vs the bound oracle`);
    assert.ok(Math.abs(leverageConstant(delta) - leverageConstantOracle(delta)) <= 1e-12 * leverageConstantOracle(delta), `C(δ₁ = ${delta}) vs the bound oracle`);
  }
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
    const D = p.width, k = leverageSamplesOracle(p.rank, 0.005);
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
    const eps = Math.max(...r), C = leverageConstantOracle(0.005);
    assert.ok(Math.abs(s.constant - C) <= 1e-12 * C, `the sampling records C = ${s.constant}, the oracle ${C}`);
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

test('negative control (Prop. 4.3, App. C.4; docs/theory.md#10-proposition-43--leverage-score-row-sampling (tests)): with the same small k, uniform sampling misses the coherent row and fails the 99 % test where leverage sampling passes', () => {
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

// ---------------------------------------------------------------------------------------------------
// Proposition 4.3 inside the network (docs/theory.md#10-proposition-43--leverage-score-row-sampling (construction), "use inside the network").

/** max_i dist(row i of h, col U) for U with orthonormal columns. */
function distToColumns(h: DenseMatrix, u: DenseMatrix): number {
  const D = h.cols, k = u.cols, hd = Float64Array.from(h.data), ud = Float64Array.from(u.data);
  let w = 0;
  for (let i = 0; i < h.rows; i++) {
    const c = new Float64Array(k);
    for (let t = 0; t < k; t++) for (let j = 0; j < D; j++) c[t] += ud[j * k + t] * hd[i * D + j];
    let s = 0;
    for (let j = 0; j < D; j++) { let p = 0; for (let t = 0; t < k; t++) p += ud[j * k + t] * c[t]; s += (hd[i * D + j] - p) ** 2; }
    w = Math.max(w, Math.sqrt(s));
  }
  return w;
}

/** Re-measures Prop. 4.3's network quantities and asserts every inequality; returns the worst ratio and the worst sampling ratio. */
function checkProposition43(model: GraphTransformer, c: CompressedModel, x: DenseMatrix, pattern: CsrGraph, d: number) {
  const { ref, nar } = traces(model, c, x, pattern);
  const { alpha, beta } = alphaBeta(model, ref.layers.map((l) => l.input));
  const ra = Math.sqrt(alpha), L = model.depth, C = leverageConstantOracle(0.005);
  assert.equal(c.details.delta1, 0.005);
  const sampling = c.details.sampling as { rows: number[] }[];
  let worst = 0, worstSampling = 0;
  const oracleLayers: LeverageLayer[] = [];
  for (let l = 0; l < L; l++) {
    const dec = c.decoders[l], next: Decoder = l + 1 < L ? c.decoders[l + 1].input : c.uOut!;
    const rl = ref.layers[l], nl = nar.layers[l], at = `layer ${l}`;
    const e = maxRowDistance(lift(nl.input, dec.input), rl.input);
    const epsA = maxAbsDiff(nl.logits, rl.logits), logRatio = maxAbsDiff(nl.logWeights, rl.logWeights);
    const eHalf = maxRowDistance(lift(nl.half, dec.half), rl.half);
    const e34 = maxRowDistance(lift(nl.threeQuarter, dec.threeQuarter), rl.threeQuarter);
    const eNext = maxRowDistance(lift(nl.output, next), rl.output);
    const eps34 = topSubspaceResidual(rl.threeQuarter, d);
    const dist = distToColumns(rl.output, next as DenseMatrix);
    // the sampling: S = I[R, :] (0/1, distinct rows), U·S·h_i against C·r_i on the reference H^(ℓ+3/4)
    const R = sampling[l].rows, U = dec.threeQuarter as DenseMatrix<'f64'>, H = rl.threeQuarter, D = H.cols;
    assert.equal(new Set(R).size, R.length, `${at}: repeated rows in S`);
    assert.ok(R.length <= Number(c.details.samples));
    const hs = DenseMatrix.from(Float64Array.from({ length: H.rows * R.length }, (_, t) => H.data[Math.floor(t / R.length) * D + R[t % R.length]]), H.rows, R.length, 'f64');
    const rec = lift(hs, U);
    const errs = rec.map((r, i) => Math.sqrt(r.reduce((s, v, j) => s + (v - H.data[i * D + j]) ** 2, 0)));
    const maxErr = Math.max(...errs);
    let within = 0;
    const resid = topSubspaceResiduals(H, d);
    errs.forEach((err, i) => {
      if (err <= C * resid[i] * (1 + 1e-9) + 1e-12) within++;
      if (resid[i] > 0) worstSampling = Math.max(worstSampling, err / (C * resid[i]));
    });
    assert.ok(within >= 0.99 * H.rows, `${at}: only ${within}/${H.rows} nodes within C·r_i`);
    const uNorm = operatorNormOf(U);
    const scale = beta * beta * (ra + e) ** 2 * (1 + uNorm) + 1;
    worst = Math.max(worst,
      assertLeq(epsA, beta * beta * (2 * ra + e) * e, scale, `${at}: ε_a ≤ β²(2√α+e)e`),
      assertLeq(logRatio, 2 * epsA, 1 + Math.max(...rl.logits.map(Math.abs)), `${at}: |log â/a| ≤ 2ε_a`),
      assertLeq(eHalf, beta * e + Math.expm1(2 * epsA) * beta * ra, scale, `${at}: e½ ≤ βe + (e^{2ε_a}−1)β√α`),
      assertLeq(e34, uNorm * beta * eHalf + maxErr, scale, `${at}: e¾ ≤ ‖U‖βe½ + max‖USh − h‖`),
      assertLeq(eNext, beta * e34 + dist, scale, `${at}: e^(ℓ+1) ≤ βe¾ + dist`),
      assertLeq(eNext, beta * eps34 + 2 * beta * e34, scale, `${at}: e^(ℓ+1) ≤ βε_34 + 2βe¾`),
      assertLeq(dist, beta * eps34, scale, `${at}: dist ≤ βε_34`));
    const w = c.narrow.layers[l];
    assert.equal(w.w1.rows, R.length, `${at}: Ŵ_1 has one row per kept hidden unit`);
    assert.equal(w.w2.cols, R.length);
    assert.ok(w.w1.cols <= d && w.w2.rows <= d && w.wQ.rows <= d && w.wV.rows <= d);
    hs.free();
    const ex = c.certificate.layers[l].extra, sc = Math.sqrt(alpha) * Math.max(1, beta);
    assert.ok(Math.abs(ex.epsilon34 - eps34) <= 1e-9 * sc, `${at}: recorded ε_34 ${ex.epsilon34} vs ${eps34}`);
    assert.ok(Math.abs(ex.outputBasisResidual - dist) <= 1e-9 * sc * Math.max(1, beta), `${at}: recorded dist ${ex.outputBasisResidual} vs ${dist}`);
    oracleLayers.push({ decoderNorm: spectral(U), maxSamplingError: maxErr, eps34: ex.epsilon34, dist: ex.outputBasisResidual });
  }
  // Every check's bound against the oracle, with k and C from the documented defaults δ₀ = δ₁ = 0.005 (§10).
  assert.equal(c.details.delta0, 0.005);
  assertBeta(c.certificate.beta, model, 'Prop 4.3');
  assertBoundsMatch(c.certificate, leverageBounds(recordedQuantities(c.certificate),
    { d, samples: leverageSamplesOracle(d, 0.005), fraction: 0.99, layers: oracleLayers }), 'Prop 4.3');
  return { worst, worstSampling };
}


test('Prop 4.3 in the network: Thm 4.2 attention, then e¾ ≤ ‖U‖βe½ + max‖USh − h‖, e^(ℓ+1) ≤ βe¾ + dist ≤ βε_34 + 2βe¾ on every layer, ≥ 99 % of nodes within C·r_i, Ŵ_1 k_eff×d, Ŵ_2 d×k_eff; the seeds reproduce the draw', async () => {
  let cases = 0, worst = 0, worstSampling = 0;
  await fc.assert(fc.asyncProperty(fc.record({
    n: fc.integer({ min: 40, max: 90 }), width: fc.integer({ min: 64, max: 112 }), layers: fc.integer({ min: 1, max: 2 }),
    rank: fc.integer({ min: 2, max: 3 }), noise: fc.double({ min: 0.005, max: 0.05, noNaN: true }), edgeProb: fc.constantFrom(0.03, 0.3),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }), samplingSeed: fc.integer({ min: 0, max: 1000 }), logitScale: logitScaleChoice(),
  }), async (p) => {
    const inst = nearLowRankInstance({ ...p, dIn: 12, noiseX: p.noise, noiseW: p.noise, beta: 1, alpha0: 1 });
    const model = new GraphTransformer({ layers: inst.layers });
    const c = compressByLeverage(model, inst.x, inst.pattern, { d: p.rank, seed: p.samplingSeed });
    assert.ok(c.certificate.holds, c.certificate.reasons.join('\n'));
    const r = checkProposition43(model, c, inst.x, inst.pattern, p.rank);
    cases++; worst = Math.max(worst, r.worst); worstSampling = Math.max(worstSampling, r.worstSampling);
    if (cases <= 2) {
      const again = compressByLeverage(model, inst.x, inst.pattern, { d: p.rank, seed: p.samplingSeed });
      assert.deepEqual(again.details.sampling, c.details.sampling, 'same seed, same draw');
      c.narrow.layers.forEach((l, i) => assert.deepEqual(Array.from(again.narrow.layers[i].w2.data), Array.from(l.w2.data)));
      const seeds = c.certificate.seeds!;
      (c.details.sampling as { keptSeed: number }[]).forEach((s, l) => assert.equal(seeds[l][seeds[l].length - 1], s.keptSeed));
    }
  }), fcParams(6));
  console.log(`# Prop 4.3 network: ${cases} cases, worst measured/bound = ${worst.toFixed(4)}, worst ‖USh_i − h_i‖/(C·r_i) = ${worstSampling.toExponential(3)}`);
});

test('regression (FC_SEED=11, 1000 runs): β of a 69-wide instance whose W_1 has σ₁ ≈ σ₂ is 1 + 6.5e-7 by measureBeta and by the oracle\'s SVD alike (a power iteration stopped at 1 + 9e-12)', () => {
  const p = { n: 61, width: 69, layers: 2, rank: 2, noise: 0.01952523362551891, edgeProb: 0.3, seed: 108124563, logitScale: 0.25 };
  const inst = nearLowRankInstance({ ...p, dIn: 12, noiseX: p.noise, noiseW: p.noise, beta: 1, alpha0: 1 });
  const model = new GraphTransformer({ layers: inst.layers });
  const beta = measureBeta(model);
  assert.ok(beta > 1 + 6e-7, `β = ${beta}`);
  assertBeta(beta, model, 'FC_SEED=11 case');
});

test('Prop 4.3 is O(ε): the mean output error over 6 cases has log-log slope 1 ± 0.15 against the noise ε ∈ {0.2, 0.1, 0.05, 0.025} (d = r)', () => {
  const epsilons = [0.2, 0.1, 0.05, 0.025], g = rng(4343), means = epsilons.map(() => 0), slopes: number[] = [];
  for (let t = 0; t < 6; t++) {
    const shape = { n: 50 + g.int(40), dIn: 12, width: 64, layers: 1 + g.int(2), rank: 2 + g.int(2), beta: 1, alpha0: 1, edgeProb: 0.03, seed: g.int(2 ** 30) };
    const errors = epsilons.map((eps) => {
      const inst = nearLowRankInstance({ ...shape, noiseX: eps, noiseW: eps });
      const c = compressByLeverage(new GraphTransformer({ layers: inst.layers }), inst.x, inst.pattern, { d: shape.rank, seed: 1 });
      assert.ok(c.certificate.holds, c.certificate.reasons.join('\n'));
      return c.certificate.outputError;
    });
    errors.forEach((e, i) => { means[i] += e / 6; });
    slopes.push(logLogSlope(epsilons, errors));
  }
  const slope = logLogSlope(epsilons, means);
  console.log(`# Prop 4.3 O(ε): slope of the mean error ${slope.toFixed(3)}; per case ${slopes.map((s) => s.toFixed(2)).join(' ')}`);
  assert.ok(Math.abs(slope - 1) <= 0.15, `slope ${slope}`);
});

test('compressByLeverage: a layer where no draw reaches the fraction fails its certificate (k = 1 sample, maxTries = 2), naming Lemma C.3; bad options are rejected', () => {
  const inst = nearLowRankInstance({ n: 50, dIn: 12, width: 64, layers: 1, rank: 3, noiseX: 0.01, noiseW: 0.01, beta: 1, alpha0: 1, edgeProb: 0.1, seed: 9 });
  const model = new GraphTransformer({ layers: inst.layers });
  const c = compressByLeverage(model, inst.x, inst.pattern, { d: 3, samples: 1, maxTries: 2 });
  assert.equal(c.certificate.holds, false);
  assert.ok(c.certificate.reasons.some((r) => r.includes('Lemma C.3')), c.certificate.reasons.join('\n'));
  assert.equal(c.certificate.seeds![0].length, 2);
  assert.throws(() => compressByLeverage(model, inst.x, inst.pattern, { d: 3, delta0: 2 }), /options\.delta0/);
  assert.throws(() => compressByLeverage(model, inst.x, inst.pattern, { d: 3, maxTries: 0 }), RangeError);
  assert.throws(() => compressByLeverage(model, inst.x, inst.pattern, { d: 0 }), /compressByLeverage: options\.d/);
});
