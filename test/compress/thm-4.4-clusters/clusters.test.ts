// Theorem 4.4 (clusters) with Lemmas C.4–C.11: docs/theory.md#11-theorem-44--clustering. The one-hot block on its own, then the
// network: every quantity of §7(c) is re-measured with plain loops from the two traces and each
// inequality asserted with its explicit constant; the per-step closed form whenever its conditions hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  init, certify, compressedToJson, compressedFromJson, compressByClusters, clusterStatistics, oneHotFfn, oneHotBounds, GraphTransformer, DenseMatrix, rng,
  InputError, type CompressedModel, type CsrGraph,
} from '../../../src/index.js';
import { clusteredInstance, clusteredParams, clusteredStates, orthonormal, type ClusteredInstance } from '../../support/compress-generators.js';
import { assertLeq, alphaBeta, lift, logLogSlope, maxAbsDiff, maxRowDistance, traces } from '../../support/compress-measure.js';
import { fcParams, announceSeed } from '../../support/fc.js';
import { assertBeta, assertBoundsMatch, clustersBounds, maxRowNormTimesT, oneHotOracle, recordedQuantities, sameNumber, type ClusterLayer } from '../../support/bound-oracle/index.js';

announceSeed('test/compress/thm-4.4-clusters/clusters.test.ts');
await init();

const rows = (m: DenseMatrix) => Array.from({ length: m.rows }, (_, i) => Float64Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, t) => s + v * b[t], 0);
const norm = (a: Float64Array) => Math.sqrt(dot(a, a));

/** Cluster means, ε, γ₁, γ₂, κ, s and max distance by plain loops (Thm 4.4, App. C.5; docs/theory.md#11-theorem-44--clustering (hypotheses)). */
function measureClusters(h: Float64Array[], labels: ArrayLike<number>) {
  const k = Math.max(...Array.from(labels)) + 1, D = h[0].length;
  const c = Array.from({ length: k }, () => new Float64Array(D)), count = new Array(k).fill(0);
  h.forEach((x, i) => { count[labels[i]]++; x.forEach((v, j) => { c[labels[i]][j] += v; }); });
  c.forEach((ca, a) => ca.forEach((_, j) => { ca[j] /= count[a]; }));
  const cn = c.map(norm);
  let eps = 0, maxDist = 0;
  h.forEach((x, i) => { const dd = norm(x.map((v, j) => v - c[labels[i]][j])); maxDist = Math.max(maxDist, dd); eps = Math.max(eps, dd / cn[labels[i]]); });
  let s = -Infinity;
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) if (a !== b) s = Math.max(s, dot(c[a], c[b]) / cn[b] ** 2);
  const gamma1 = Math.min(...cn), gamma2 = Math.max(...cn);
  return { k, c, eps, maxDist, s, gamma1, gamma2, kappa: gamma2 / gamma1 };
}

test('clusterStatistics on a hand-computed example: centres, ε, γ₁, γ₂, κ, separation, s, representatives', () => {
  // Two clusters in R² (every number exact in binary): {(1,0), (3,0)} with mean (2, 0); {(0,1), (0,2)} with
  // mean (0, 1.5). By hand: ε = max(1/2, 0.5/1.5) = 1/2, γ₁ = 1.5, γ₂ = 2, κ = 4/3, c_0·c_1 = 0 = s,
  // max distance 1, representatives 0 and 2 (each cluster is a tie; the first node wins).
  const h = DenseMatrix.fromRows([[1, 0], [3, 0], [0, 1], [0, 2]]);
  const st = clusterStatistics(h, Int32Array.from([0, 0, 1, 1]));
  assert.deepEqual(st.centres.toRows(), [[2, 0], [0, 1.5]]);
  assert.ok(st.epsilon === 0.5 && st.gamma1 === 1.5 && st.gamma2 === 2 && st.kappa === 4 / 3);
  assert.ok(st.separation === 0 && st.s === 0 && st.separated && st.maxDistance === 1);
  assert.deepEqual(Array.from(st.representatives), [0, 2]);
  assert.throws(() => clusterStatistics(h, Int32Array.from([0, 0, 2, 2])), /cluster 1 is empty/);
  assert.throws(() => clusterStatistics(h, Int32Array.from([0, 1])), /labels has 2 entries/);
});

test('one-hot block (Lemmas C.7–C.10): if ρ_x < 3/4 every off-cluster z_ib is exactly 0 and |z_{i,a(i)} − 1| ≤ Δ, with τ measured on a rotated and perturbed ĥ', async () => {
  let certified = 0, cases = 0;
  await fc.assert(fc.asyncProperty(fc.record({
    n: fc.integer({ min: 10, max: 120 }), clusters: fc.integer({ min: 1, max: 6 }), width: fc.integer({ min: 8, max: 40 }),
    spread: fc.double({ min: 0, max: 0.15, noNaN: true }), correlation: fc.double({ min: 0, max: 0.45, noNaN: true }),
    normMin: fc.constant(1), normMax: fc.double({ min: 1, max: 2, noNaN: true }), perturb: fc.constantFrom(0, 1e-4, 1e-2),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  }), async (p) => {
    fc.pre(p.width > p.clusters);
    const { h, labels } = clusteredStates(p);
    const g = rng(p.seed ^ 0x5bd1e995);
    // ĥ = Qᵀh + noise: a different basis (as the U-based attention produces) with a Gram error τ
    const q = orthonormal(g, p.width, p.width), H = rows(h);
    const hat = H.map((x) => { const y = new Float64Array(p.width); for (let t = 0; t < p.width; t++) { let s = 0; for (let j = 0; j < p.width; j++) s += q[j * p.width + t] * x[j]; y[t] = s + p.perturb * g.normal(); } return y; });
    const st = clusterStatistics(h, labels);
    const reps = Array.from(st.representatives);
    let tau = 0;
    for (const r of reps) for (let i = 0; i < p.n; i++) tau = Math.max(tau, Math.abs(dot(hat[i], hat[r]) - dot(H[i], H[r])));
    const m = measureClusters(H, labels);
    // ρ_x and Δ from the bound oracle's transcription (docs/theory.md §11); the library's oneHotBounds must agree.
    const b = oneHotOracle({ clusters: m.k, epsilon: m.eps, kappa: m.kappa, s: m.s, gamma1: m.gamma1, tau });
    const lib = oneHotBounds({ epsilon: m.eps, kappa: m.kappa, s: m.s, gamma1: m.gamma1, tau });
    assert.ok(sameNumber(lib.rhoX, b.rhoX) && sameNumber(lib.delta, b.delta) && lib.certified === b.certified && lib.deltaValid === b.deltaValid,
      `oneHotBounds ρ_x ${lib.rhoX}, Δ ${lib.delta} vs oracle ${b.rhoX}, ${b.delta}`);
    const hatM = DenseMatrix.fromRows(hat);
    const ffn = oneHotFfn(hatM, st.representatives);
    assert.equal(ffn.w1.rows, m.k); assert.equal(ffn.w1.cols, p.width);
    assert.ok(ffn.b1.every((v) => v === -3));
    cases++;
    if (!b.certified) return;
    certified++;
    const w = rows(ffn.w1);
    for (let i = 0; i < p.n; i++) for (let a = 0; a < m.k; a++) {
      const z = Math.max(dot(w[a], hat[i]) - 3, 0);
      if (a !== labels[i]) assert.equal(z, 0, `node ${i}, cluster ${a}: off-cluster z = ${z} (ρ_x = ${b.rhoX})`);
      else assertLeq(Math.abs(z - 1), b.delta, 1, `node ${i}: |z − 1| ≤ Δ`);
    }
    st.centres.free(); hatM.free(); ffn.w1.free(); h.free();
  }), fcParams(60));
  console.log(`# one-hot block: ${cases} cases, ${certified} certified (ρ_x < 3/4)`);
  assert.ok(certified >= cases / 2, 'the generator rarely meets ρ_x < 3/4');
});

test('one-hot block needs separation: with centre correlation 0.9 ρ_x > 3/4 and some off-cluster z is positive', () => {
  const { h, labels } = clusteredStates({ n: 40, clusters: 2, width: 10, spread: 0.01, correlation: 0.9, normMin: 1, normMax: 1, seed: 5 });
  const st = clusterStatistics(h, labels);
  const b = oneHotBounds({ epsilon: st.epsilon, kappa: st.kappa, s: st.s, gamma1: st.gamma1, tau: 0 });
  assert.ok(!b.certified && st.s > 0.85 && !st.separated, `s = ${st.s}, ρ_x = ${b.rhoX}`);
  const ffn = oneHotFfn(h, st.representatives);
  const H = rows(h), w = rows(ffn.w1);
  const off = Math.max(...H.map((x, i) => Math.max(dot(w[1 - labels[i]], x) - 3, 0)));
  assert.ok(off > 0.3, `max off-cluster z = ${off}`); // ρ ≈ 0.9 gives z ≈ 4·0.9 − 3 = 0.6
});

function buildModel(inst: ClusteredInstance): GraphTransformer {
  return new GraphTransformer({ layers: inst.layers });
}

/** Re-measures Thm 4.4, App. C.5; docs/theory.md#11-theorem-44--clustering (bounds checked) for a compressed model and asserts every inequality that applies. */
function checkTheorem44(model: GraphTransformer, c: CompressedModel, x: DenseMatrix, pattern: CsrGraph) {
  const { ref, nar } = traces(model, c, x, pattern);
  const { alpha, beta } = alphaBeta(model, ref.layers.map((l) => l.input));
  const ra = Math.sqrt(alpha), b2 = beta * beta, L = model.depth;
  const labelsAll = c.details.labels as number[][], repsAll = c.details.representatives as number[][];
  let worst = 0, closedSteps = 0, allCertified = true;
  const oracleLayers: ClusterLayer[] = [];
  for (let l = 0; l < L; l++) {
    const rl = ref.layers[l], nl = nar.layers[l], dec = c.decoders[l], at = `layer ${l}`;
    const next = l + 1 < L ? c.decoders[l + 1].input : c.uOut!;
    const e = maxRowDistance(lift(nl.input, dec.input), rl.input);
    const epsA = maxAbsDiff(nl.logits, rl.logits), logRatio = maxAbsDiff(nl.logWeights, rl.logWeights);
    const eHalf = maxRowDistance(lift(nl.half, dec.half), rl.half);
    const eNext = maxRowDistance(lift(nl.output, next), rl.output);
    const e34 = maxRowDistance(lift(nl.threeQuarter, dec.threeQuarter), rl.threeQuarter);
    // values and Gram errors
    const wvr = model.layers[l].wV, wvn = c.narrow.layers[l].wV;
    const vRef = rows(rl.input).map((hh) => Float64Array.from(rows(wvr), (wr) => dot(wr, hh)));
    const vHat = rows(nl.input).map((hh) => Float64Array.from(rows(wvn), (wr) => dot(wr, hh)));
    let tauV = 0, bv = 0;
    for (let u = 0; u < vRef.length; u++) { bv = Math.max(bv, norm(vRef[u])); for (let v = 0; v <= u; v++) tauV = Math.max(tauV, Math.abs(dot(vHat[u], vHat[v]) - dot(vRef[u], vRef[v]))); }
    const hr = rows(rl.half), hh = rows(nl.half), labels = labelsAll[l], reps = repsAll[l];
    let tau = 0;
    for (const r of reps) for (let i = 0; i < hr.length; i++) tau = Math.max(tau, Math.abs(dot(hh[i], hh[r]) - dot(hr[i], hr[r])));
    const m = measureClusters(hr, labels);
    const b = oneHotOracle({ clusters: m.k, epsilon: m.eps, kappa: m.kappa, s: m.s, gamma1: m.gamma1, tau });
    const scale = b2 * (ra + e) ** 2 + 1;
    worst = Math.max(worst,
      assertLeq(epsA, b2 * (2 * ra + e) * e, scale, `${at}: ε_a ≤ β²(2√α+e)e`),
      assertLeq(logRatio, 2 * epsA, 1 + Math.max(...rl.logits.map(Math.abs)), `${at}: |log â/a| ≤ 2ε_a`),
      assertLeq(eHalf, beta * e + Math.expm1(2 * epsA) * beta * ra, scale, `${at}: e½ ≤ βe + (e^{2ε_a}−1)β√α`),
      assertLeq(tauV, b2 * (2 * ra + e) * e, scale, `${at}: τ_v ≤ β²(2√α+e)e`),
      assertLeq(tau, tauV + Math.expm1(4 * epsA) * bv * bv, scale, `${at}: τ ≤ τ_v + (e^{4ε_a}−1)B_v²`));
    const Z = rows(nl.threeQuarter);
    assert.equal(Z[0].length, m.k, `${at}: Ŵ_1 has k = ${m.k} rows`);
    const lr = model.layers[l];
    const f = m.c.map((ca) => {
      const hid = Float64Array.from(rows(lr.w1), (wr, j) => Math.max(dot(wr, ca) + (lr.b1 ? lr.b1[j] : 0), 0));
      return { g: norm(hid), f: norm(Float64Array.from(rows(lr.w2), (wr) => dot(wr, hid))) };
    });
    const gMax = Math.max(...f.map((t) => t.g)), fMax = Math.max(...f.map((t) => t.f));
    // The oracle's inputs: the certificate's recorded cluster statistics, τ_v and τ (compared with this file's own
    // first, to rounding), and B_v, max‖g_a‖, max‖f_a‖ measured here.
    const ex = c.certificate.layers[l].extra;
    const close = (a: number, b2_: number, what: string, sc = 1) => assert.ok(Math.abs(a - b2_) <= 1e-9 * (Math.abs(b2_) + sc), `${at}: recorded ${what} ${a} vs ${b2_}`);
    close(ex.epsilonCluster, m.eps, 'ε'); close(ex.kappa, m.kappa, 'κ'); close(ex.s, m.s, 's'); close(ex.gamma1, m.gamma1, 'γ₁');
    close(ex.tau, tau, 'τ', b2 * alpha); close(ex.tauV, tauV, 'τ_v', b2 * alpha);
    assert.equal(ex.clusters, m.k);
    oracleLayers.push({
      clusters: ex.clusters, epsilon: ex.epsilonCluster, maxDistance: ex.maxDistance, gamma1: ex.gamma1, gamma2: ex.gamma2, kappa: ex.kappa,
      separation: ex.separation, s: ex.s, tauV: ex.tauV, tau: ex.tau, valueNorm: bv, gMax, fMax, hasBias: Boolean(lr.b1 && lr.b1.some((v) => v !== 0)),
    });
    if (!b.certified) { allCertified = false; continue; }
    let off = 0, on = 0;
    Z.forEach((z, i) => z.forEach((v, a) => { if (a === labels[i]) on = Math.max(on, Math.abs(v - 1)); else off = Math.max(off, Math.abs(v)); }));
    assert.equal(off, 0, `${at}: off-cluster z must be exactly 0 (ρ_x = ${b.rhoX})`);
    worst = Math.max(worst,
      assertLeq(on, b.delta, 1, `${at}: |z_{i,a(i)} − 1| ≤ Δ`),
      assertLeq(e34, beta * m.maxDist + b.delta * gMax, scale, `${at}: e¾ ≤ β·maxdist + Δ·max‖g_a‖`),
      assertLeq(eNext, b2 * m.maxDist + b.delta * fMax, scale, `${at}: e^(ℓ+1) ≤ β²·maxdist + Δ·max‖f_a‖`));
    if (!lr.b1) worst = Math.max(worst, assertLeq(eNext, b2 * m.gamma2 * (m.eps + b.delta), scale, `${at}: e^(ℓ+1) ≤ β²γ₂(ε+Δ)`));
    const tauRel = tau / m.gamma1 ** 2;
    if (m.eps <= 0.5 && e <= 1 && 4 * epsA <= 1 && (1 - m.eps) ** 2 - tauRel >= 0.5 && !lr.b1) {
      const c1 = (16 * beta ** 4 * m.gamma2 * (2 * ra + 1) * (1 + 8 * b2 * alpha)) / m.gamma1 ** 2, c2 = 41 * b2 * m.gamma2;
      worst = Math.max(worst, assertLeq(eNext, c1 * e + c2 * m.eps, scale, `${at}: closed form e^(ℓ+1) ≤ c1·e + c2·ε`));
      closedSteps++;
    }
    // shapes: every narrow map at most d×d (Thm 4.4, App. C.5; docs/theory.md#11-theorem-44--clustering (construction))
    const d = Number(c.details.d), w = c.narrow.layers[l];
    for (const mm of [w.wQ, w.wK, w.wV, w.w1, w.w2]) assert.ok(mm.rows <= d && mm.cols <= d, `${at}: a ${mm.rows}×${mm.cols} map exceeds d = ${d}`);
  }
  assert.equal(c.certificate.holds, allCertified, c.certificate.reasons.join('\n'));
  assertBeta(c.certificate.beta, model, 'Thm 4.4');
  assertBoundsMatch(c.certificate, clustersBounds(recordedQuantities(c.certificate), { d: Number(c.details.d), layers: oracleLayers }), 'Thm 4.4');
  return { worst, closedSteps, allCertified };
}

test('Thm 4.4 (case 2): τ_v, ε_a, τ (L4), exact off-cluster zeros, |z − 1| ≤ Δ, e¾ and e^(ℓ+1) bounds re-measured on every layer; per-step closed form when its conditions hold', async () => {
  let cases = 0, certified = 0, closed = 0, worst = 0;
  await fc.assert(fc.asyncProperty(clusteredParams(0.05), fc.integer({ min: 0, max: 2 }), fc.boolean(), async (p, extra, bias) => {
    const inst = clusteredInstance({ ...p, biasScale: bias ? 0.05 : 0 });
    const model = buildModel(inst);
    const d = p.clusters + extra;
    const c = compressByClusters(model, inst.x, inst.pattern, { d, clusters: inst.layers.map(() => inst.labels) });
    const r = checkTheorem44(model, c, inst.x, inst.pattern);
    cases++; if (r.allCertified) certified++; closed += r.closedSteps; worst = Math.max(worst, r.worst);
  }), fcParams(20));
  console.log(`# Thm 4.4: ${cases} cases, ${certified} with ρ_x < 3/4 at every layer, ${closed} closed-form steps, worst measured/bound = ${worst.toFixed(4)}`);
  assert.ok(certified >= cases / 2 && closed > 0);
});

test("Thm 4.4 with options.clusters = 'kmeans' finds the generating clusters (up to renumbering) and the certificate holds", () => {
  const inst = clusteredInstance({ n: 120, clusters: 3, dIn: 16, width: 64, layers: 2, spread: 0.03, beta: 1, alpha0: 1, edgeProb: 0.25, biasScale: 0, seed: 11 });
  const model = buildModel(inst);
  const c = compressByClusters(model, inst.x, inst.pattern, { d: 4 });
  assert.ok(c.certificate.holds, c.certificate.reasons.join('\n'));
  for (const lab of c.details.labels as number[][]) {
    const map = new Map<number, number>();
    lab.forEach((v, i) => { if (!map.has(v)) map.set(v, inst.labels[i]); assert.equal(map.get(v), inst.labels[i], 'k-means split or merged a cluster'); });
    assert.equal(map.size, 3);
  }
  checkTheorem44(model, c, inst.x, inst.pattern);
});

test('Thm 4.4 is O(ε): the mean output error over 8 cases has log-log slope 1 ± 0.15 against the cluster spread ε ∈ {0.2, 0.1, 0.05, 0.025}', () => {
  const spreads = [0.2, 0.1, 0.05, 0.025], g = rng(4444), means = spreads.map(() => 0), slopes: number[] = [];
  for (let t = 0; t < 8; t++) {
    const shape = { n: 60 + g.int(100), clusters: 2 + g.int(3), dIn: 16, width: 64, layers: 1 + g.int(2), beta: 1, alpha0: 1, edgeProb: 0.25, biasScale: 0, seed: g.int(2 ** 30) };
    const errors = spreads.map((spread) => {
      const inst = clusteredInstance({ ...shape, spread });
      const c = compressByClusters(buildModel(inst), inst.x, inst.pattern, { d: shape.clusters + 1, clusters: inst.layers.map(() => inst.labels) });
      return c.certificate.outputError;
    });
    errors.forEach((e, i) => { means[i] += e / 8; });
    slopes.push(logLogSlope(spreads, errors));
  }
  const slope = logLogSlope(spreads, means);
  console.log(`# Thm 4.4 O(ε): slope of the mean error ${slope.toFixed(3)}; per case ${slopes.map((s) => s.toFixed(2)).join(' ')}`);
  assert.ok(Math.abs(slope - 1) <= 0.15, `slope ${slope}`);
});

/** The bound oracle on a clusters certificate whose hypotheses may fail (no re-measured inequality asserted): recorded cluster statistics, B_v, ‖g_a‖, ‖f_a‖ measured here. */
function assertClustersOracle(model: GraphTransformer, c: CompressedModel, x: DenseMatrix, pattern: CsrGraph): void {
  const { ref } = traces(model, c, x, pattern);
  const layers = ref.layers.map((rl, l): ClusterLayer => {
    const lr = model.layers[l], ex = c.certificate.layers[l].extra;
    const m = measureClusters(rows(rl.half), (c.details.labels as number[][])[l]);
    const f = m.c.map((ca) => {
      const hid = Float64Array.from(rows(lr.w1), (wr, j) => Math.max(dot(wr, ca) + (lr.b1 ? lr.b1[j] : 0), 0));
      return { g: norm(hid), f: norm(Float64Array.from(rows(lr.w2), (wr) => dot(wr, hid))) };
    });
    return { clusters: ex.clusters, epsilon: ex.epsilonCluster, maxDistance: ex.maxDistance, gamma1: ex.gamma1, gamma2: ex.gamma2, kappa: ex.kappa,
      separation: ex.separation, s: ex.s, tauV: ex.tauV, tau: ex.tau, valueNorm: maxRowNormTimesT(rl.input, lr.wV),
      gMax: Math.max(...f.map((t) => t.g)), fMax: Math.max(...f.map((t) => t.f)), hasBias: Boolean(lr.b1 && lr.b1.some((v) => v !== 0)) };
  });
  assertBoundsMatch(c.certificate, clustersBounds(recordedQuantities(c.certificate), { d: Number(c.details.d), layers }), 'Thm 4.4');
}

test('Thm 4.4 hypotheses that fail give a failing certificate: two clusters merged into one label (ε large, ρ_x ≥ 3/4)', () => {
  const inst = clusteredInstance({ n: 90, clusters: 3, dIn: 12, width: 32, layers: 1, spread: 0.02, beta: 1, alpha0: 1, edgeProb: 0.3, biasScale: 0, seed: 2 });
  const merged = Int32Array.from(inst.labels, (v) => (v === 2 ? 1 : v));
  const c = compressByClusters(buildModel(inst), inst.x, inst.pattern, { d: 3, clusters: [merged] });
  assert.equal(c.certificate.holds, false);
  assert.ok(c.certificate.reasons.some((r) => r.includes('one-hot condition')), c.certificate.reasons.join('\n'));
  assertClustersOracle(buildModel(inst), c, inst.x, inst.pattern);
});

test('compressByClusters rejects bad arguments before any work: σ ≠ ReLU, k > d, labels of the wrong length or with a gap', () => {
  const inst = clusteredInstance({ n: 30, clusters: 3, dIn: 8, width: 16, layers: 1, spread: 0.02, beta: 1, alpha0: 1, edgeProb: 0.3, biasScale: 0, seed: 1 });
  const model = buildModel(inst);
  const identity = new GraphTransformer({ layers: inst.layers, activation: 'identity' });
  assert.throws(() => compressByClusters(identity, inst.x, inst.pattern, { d: 3 }), /compressByClusters: model\.activation/);
  assert.throws(() => compressByClusters(model, inst.x, inst.pattern, { d: 2, clusters: [inst.labels] }), RangeError);
  assert.throws(() => compressByClusters(model, inst.x, inst.pattern, { d: 3, clusters: [inst.labels.subarray(1)] }), InputError);
  assert.throws(() => compressByClusters(model, inst.x, inst.pattern, { d: 4, clusters: [Int32Array.from(inst.labels, (v) => (v === 1 ? 3 : v))] }), /empty/);
  assert.throws(() => compressByClusters(model, inst.x, inst.pattern, { d: 3, clusters: [inst.labels, inst.labels] }), /one Int32Array per layer/);
  assert.throws(() => compressByClusters(model, inst.x, inst.pattern, { d: 3, maxClusters: 4 }), RangeError);
  assert.throws(() => oneHotFfn(inst.x, Int32Array.from([99])), /representatives\[0\]/);
});

test('oneHotBounds (Lemmas C.7/C.8): Δ and ρ_x are bounds only when the spread ε < 1; k = 1 (s = −∞) is vacuous, not "ρ_x = −∞" (issue 16)', () => {
  // The numbers of the FC_SEED=20261204 counterexample: k = 1, ε = 2.68. The formula would give a finite Δ ≈ 35.5.
  const wide = oneHotBounds({ epsilon: 2.68, kappa: 1, s: -Infinity, gamma1: 1, tau: 0 });
  assert.ok(4 * (4 * 2.68 + 2 * 2.68 ** 2) / (1 - 2.68) ** 2 < 40, 'the bare formula is finite there');
  assert.equal(wide.deltaValid, false);
  assert.equal(wide.delta, Infinity);
  assert.equal(wide.singleCluster, true);
  assert.equal(wide.certified, true, 'k = 1: no off-cluster entry, so the off-cluster zeros hold vacuously');
  assert.match(wide.reason, /ε = 2\.68 ≥ 1/);
  // ε ≥ 1 with k ≥ 2: neither ratio is a bound, so nothing is certified.
  const two = oneHotBounds({ epsilon: 1, kappa: 1, s: 0, gamma1: 1, tau: 0 });
  assert.ok(!two.deltaValid && !two.certified && two.rhoX === Infinity && !two.singleCluster);
  // ε < 1: the formulas, by hand (ε = 1/4, κ = 1, s = 0, τ = 0: den = 9/16, Δ = 4·(1 + 1/8)·16/9 = 8, ρ_x = (9/16)/(9/16) = 1).
  const ok = oneHotBounds({ epsilon: 0.25, kappa: 1, s: 0, gamma1: 1, tau: 0 });
  assert.ok(ok.deltaValid && !ok.singleCluster);
  assert.ok(Math.abs(ok.delta - 8) <= 1e-15 && Math.abs(ok.rhoX - 1) <= 1e-15 && !ok.certified);
});

test('Thm 4.4 verifier with one cluster of spread ε ≥ 1: ρ_x is reported as vacuous (k = 1), |z − 1| ≤ Δ and the bounds using Δ are not applicable, and ε < 1 fails the certificate (issue 16)', () => {
  // Three orthonormal centres labelled as one cluster: the mean has norm ≈ 1/√3 and every node is ≈ √(2/3) from it, ε ≈ √2.
  const inst = clusteredInstance({ n: 90, clusters: 3, dIn: 12, width: 32, layers: 1, spread: 0.02, beta: 1, alpha0: 1, edgeProb: 0.3, biasScale: 0, seed: 2 });
  const one = new Int32Array(inst.labels.length);
  const c = compressByClusters(buildModel(inst), inst.x, inst.pattern, { d: 3, clusters: [one] });
  const cert = c.certificate;
  assert.equal(cert.layers[0].extra.clusters, 1);
  assert.ok(cert.layers[0].extra.epsilonCluster >= 1, `ε = ${cert.layers[0].extra.epsilonCluster}`);
  const named = (p: string) => cert.checks.filter((k) => k.name.startsWith(p));
  const [rho] = named('one-hot condition ρ_x'), [spread] = named('cluster spread ε'), [delta] = named('one-hot: |z_{i,a(i)} − 1| ≤ Δ');
  assert.ok(rho && !rho.applicable && /k = 1/.test(rho.detail), rho?.detail);
  assert.ok(spread && spread.applicable && !spread.holds);
  assert.ok(delta && !delta.applicable && /ε = .* ≥ 1/.test(delta.detail), delta?.detail);
  for (const k of [...named('e_{3/4} ≤'), ...named('e^(ℓ+1) ≤')]) assert.equal(k.applicable, false, k.name);
  assert.deepEqual(cert.checks.filter((k) => k.applicable && !k.holds && k.kind !== 'hypothesis').map((k) => k.name), []);
  assert.equal(cert.holds, false);
  assert.ok(cert.reasons.some((r) => r.includes('cluster spread')), cert.reasons.join('\n'));
  assertClustersOracle(buildModel(inst), c, inst.x, inst.pattern);
});

test('certify refuses a clusters twin on a graph or features other than the ones it was built on (its G and Ŵ_1 hold the old centres), with an InputError naming certify; the same input still certifies, also after JSON (issue 16)', () => {
  const shape = { n: 90, clusters: 3, dIn: 12, width: 32, layers: 2, spread: 0.02, beta: 1, alpha0: 1, edgeProb: 0.3, biasScale: 0.05 };
  const inst = clusteredInstance({ ...shape, seed: 2 }), other = clusteredInstance({ ...shape, seed: 3 });
  const model = buildModel(inst);
  const c = compressByClusters(model, inst.x, inst.pattern, { d: 3, clusters: inst.layers.map(() => inst.labels) });
  assert.ok(c.certificate.holds, c.certificate.reasons.join('\n'));
  const same = certify(model, compressedFromJson(compressedToJson(c)), inst.x, inst.pattern);
  assert.equal(same.holds, true);
  assert.deepEqual(same.checks.map((k) => k.measured), c.certificate.checks.map((k) => k.measured));
  const refused = (e: unknown) => e instanceof InputError && /^certify: this clusters twin \(Theorem 4\.4\) was built on another input: at layer 0 .*centres/.test((e as Error).message);
  assert.throws(() => certify(model, c, inst.x, other.pattern), refused, 'another graph');
  assert.throws(() => certify(model, c, other.x, inst.pattern), refused, 'other features');
  const fewer = clusteredInstance({ ...shape, n: 60, seed: 4 });
  assert.throws(() => certify(model, c, fewer.x, fewer.pattern), (e: unknown) => e instanceof InputError && /^certify: .*labels 90 nodes .* the graph given has 60/.test((e as Error).message));
});
