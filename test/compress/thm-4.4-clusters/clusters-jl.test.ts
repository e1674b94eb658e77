// Theorem 4.4, case (1): the first layer by JL (Lemma C.5), then the cluster construction (docs/theory.md#11-theorem-44--clustering
// (case 1)). Every quantity is re-measured with plain loops from the two traces and the weights, every bound computed here
// from its own transcription of the inequality (ρ_x, Δ, c2, c3 included; nothing from oneHotBounds) and compared with the
// certificate's `bound`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  init, certify, compressedToJson, compressedFromJson, compressByClusters, GraphTransformer, DenseMatrix, jlMatrix, rng,
  InputError, type CompressedModel, type CsrGraph, type Check,
} from '../../../src/index.js';
import { clusteredInstance, clusteredParams, type ClusteredInstance } from '../../support/compress-generators.js';
import { assertLeq, alphaBeta, lift, logLogSlope, maxAbsDiff, maxRowDistance, traces } from '../../support/compress-measure.js';
import { fcParams, announceSeed } from '../../support/fc.js';
import { forEachGramPair } from '../../../src/compress/thm-4.4-clusters/gram-blocks.js';

announceSeed('test/compress/thm-4.4-clusters/clusters-jl.test.ts');
await init();

const rows = (m: DenseMatrix) => Array.from({ length: m.rows }, (_, i) => Float64Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, t) => s + v * b[t], 0);
const norm = (a: Float64Array) => Math.sqrt(dot(a, a));
const apply = (w: DenseMatrix, xs: Float64Array[]) => { const wr = rows(w); return xs.map((x) => Float64Array.from(wr, (r) => dot(r, x))); };
/** M·W by plain loops (M as rows). */
const prod = (mm: Float64Array[], w: DenseMatrix) => { const wr = rows(w); return mm.map((r) => Float64Array.from({ length: w.cols }, (_, j) => r.reduce((s, v, t) => s + v * wr[t][j], 0))); };
const asMatrix = (r: Float64Array[]) => DenseMatrix.fromRows(r.map((x) => Array.from(x)));
const model = (inst: ClusteredInstance) => new GraphTransformer({ layers: inst.layers });
const given = (inst: ClusteredInstance) => inst.layers.map(() => inst.labels);

/** d_JL(N, ε, δ) = ⌈4 ln(2N/δ)/(ε² − 2ε³/3)⌉ (L5, docs/theory.md#16-shared-lemmas-l1-to-l7), transcribed here. */
const dJL = (N: number, eps: number, delta: number) => Math.ceil(4 * Math.log(2 * N / delta) / (eps * eps - 2 * eps ** 3 / 3));

/** Asserts |a − b| ≤ rel·max(|a|, |b|) (the certificate's bound against this test's own). */
function close(a: number, b: number, rel: number, what: string): void {
  if (a === b) return;
  assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)), `${what}: certificate ${a} vs recomputed ${b}`);
}

function check(c: CompressedModel, layer: number | null, prefix: string): Check {
  const k = c.certificate.checks.find((t) => t.layer === layer && t.name.startsWith(prefix));
  assert.ok(k, `no check '${prefix}' at layer ${layer}`);
  return k;
}

/** Centres, ε, γ's, κ, s, max distance of labelled rows (Thm 4.4, App. C.5). */
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

/** ρ_x, Δ of Lemmas C.7–C.10 (docs/theory.md#11-theorem-44--clustering (bounds checked)), with ε < 1 and k = 1 as there. */
function oneHot(eps: number, kappa: number, s: number, gamma1: number, tau: number) {
  const tr = tau / gamma1 ** 2, den = (1 - eps) ** 2 - tr, single = s === -Infinity;
  const valid = eps < 1 && den > 0;
  const rho = single ? -Infinity : valid ? (s + (2 * eps + eps * eps) * kappa + tr) / den : Infinity;
  const delta = valid ? (4 * (4 * eps + 2 * eps * eps + 2 * tr)) / den : Infinity;
  return { tr, den, rho, delta, zeros: single || rho < 0.75, valid };
}

/** η_QK over the pattern's edges and η_V over all pairs u ≤ v (Lemma C.5) for narrow maps Ŵ_Q, Ŵ_K, Ŵ_V, by plain loops. */
function distortions(lr: { wQ: DenseMatrix; wK: DenseMatrix; wV: DenseMatrix }, wq: DenseMatrix, wk: DenseMatrix, wv: DenseMatrix, X: Float64Array[], pattern: CsrGraph) {
  const n = X.length, rp = pattern.rowPtr.array, ci = pattern.colIdx.array;
  const qb = apply(lr.wQ, X), kb = apply(lr.wK, X), qh = apply(wq, X), kh = apply(wk, X);
  let etaQK = 0;
  for (let i = 0; i < n; i++) for (let e = rp[i]; e < rp[i + 1]; e++) {
    const j = ci[e];
    etaQK = Math.max(etaQK, Math.abs(dot(qh[i], kh[j]) - dot(qb[i], kb[j])) / ((dot(qb[i], qb[i]) + dot(kb[j], kb[j])) / 2));
  }
  const vb = apply(lr.wV, X), vh = apply(wv, X);
  let etaV = 0;
  for (let u = 0; u < n; u++) for (let v = 0; v <= u; v++) {
    etaV = Math.max(etaV, Math.abs(dot(vh[u], vh[v]) - dot(vb[u], vb[v])) / ((dot(vb[u], vb[u]) + dot(vb[v], vb[v])) / 2));
  }
  return { etaQK, etaV };
}

/**
 * Re-measures case (1) on a compressed model: layer 0's η_QK, η_V, Ŵ = M·W for the recorded seeds, Lemma C.5's bounds,
 * then every layer's one-hot and output bounds, the closed forms and the chain; compares each with the certificate.
 */
function checkCaseOne(m: GraphTransformer, c: CompressedModel, x: DenseMatrix, pattern: CsrGraph) {
  const { ref, nar, refOut, narOut } = traces(m, c, x, pattern);
  let worstName = '', worstRatio = -Infinity;
  const leq = (measured: number, bound: number, scale: number, what: string) => {
    const r = assertLeq(measured, bound, scale, what);
    if (r > worstRatio) { worstRatio = r; worstName = what; }
    return r;
  };
  const { alpha, beta } = alphaBeta(m, ref.layers.map((l) => l.input));
  const ra = Math.sqrt(alpha), b2 = beta * beta, L = m.depth, d = Number(c.details.d);
  const labelsAll = c.details.labels as number[][], repsAll = c.details.representatives as number[][];
  const X = rows(x);
  let worst = 0, allCertified = true, conditions = true, eta = 0, c3 = 0, c1max = 0, c2max = 0, epsMax = 0;
  // Layer 0: the draw (Lemma C.5): Ŵ_Q = M_QK W_Q, Ŵ_K = M_QK W_K, Ŵ_V = M_V W_V with the kept seeds.
  const lr0 = m.layers[0], ln0 = c.narrow.layers[0];
  const [sQK, sV] = (c.details.jlSeeds as number[][])[Number(c.details.jlKept)];
  const mQK = rows(jlMatrix(d, lr0.wQ.rows, { seed: sQK })), mV = rows(jlMatrix(d, lr0.wV.rows, { seed: sV }));
  for (const [mine, theirs] of [[prod(mQK, lr0.wQ), ln0.wQ], [prod(mQK, lr0.wK), ln0.wK], [prod(mV, lr0.wV), ln0.wV]] as const) {
    assert.equal(theirs.rows, d); assert.equal(theirs.cols, x.cols);
    assert.ok(maxAbsDiff(Float64Array.from(mine.flatMap((r) => Array.from(r))), Float64Array.from(theirs.data)) <= 1e-12, 'Ŵ = M·W');
  }
  const { etaQK, etaV } = distortions(lr0, ln0.wQ, ln0.wK, ln0.wV, X, pattern);
  eta = Math.max(etaQK, etaV);
  close(c.certificate.layers[0].extra.etaQK, etaQK, 1e-10, 'η_QK');
  close(c.certificate.layers[0].extra.etaV, etaV, 1e-10, 'η_V');
  for (let l = 0; l < L; l++) {
    const rl = ref.layers[l], nl = nar.layers[l], dec = c.decoders[l], at = `layer ${l}`, lr = m.layers[l], ln = c.narrow.layers[l];
    const next = l + 1 < L ? c.decoders[l + 1].input : c.uOut!;
    const e = l === 0 ? 0 : maxRowDistance(lift(nl.input, dec.input), rl.input);
    if (l === 0) assert.equal(maxRowDistance(rows(nl.input), rl.input), 0, 'Ĥ^(0) = X');
    const epsA = maxAbsDiff(nl.logits, rl.logits);
    const eNext = maxRowDistance(lift(nl.output, next), rl.output);
    const vRef = apply(lr.wV, rows(rl.input)), vHat = apply(ln.wV, rows(nl.input));
    let tauV = 0, bv = 0;
    for (let u = 0; u < vRef.length; u++) { bv = Math.max(bv, norm(vRef[u])); for (let v = 0; v <= u; v++) tauV = Math.max(tauV, Math.abs(dot(vHat[u], vHat[v]) - dot(vRef[u], vRef[v]))); }
    const hr = rows(rl.half), hh = rows(nl.half), labels = labelsAll[l], reps = repsAll[l];
    let tau = 0;
    for (const r of reps) for (let i = 0; i < hr.length; i++) tau = Math.max(tau, Math.abs(dot(hh[i], hh[r]) - dot(hr[i], hr[r])));
    const mc = measureClusters(hr, labels);
    const b = oneHot(mc.eps, mc.kappa, mc.s, mc.gamma1, tau);
    const scale = b2 * (ra + e) ** 2 + 1;
    if (l === 0) {
      const bQK = etaQK * b2 * alpha, bV = etaV * b2 * alpha;
      worst = Math.max(worst, leq(epsA, bQK, scale, `${at}: ε_a ≤ η_QK·β²α`), leq(tauV, bV, scale, `${at}: τ_v ≤ η_V·β²α`));
      close(check(c, 0, 'Lemma C.5 (logits)').bound, bQK, 1e-10, 'ε_a bound');
      close(check(c, 0, 'Lemma C.5 (values)').bound, bV, 1e-10, 'τ_v bound');
    } else {
      worst = Math.max(worst, leq(epsA, b2 * (2 * ra + e) * e, scale, `${at}: ε_a ≤ β²(2√α+e)e`),
        leq(tauV, b2 * (2 * ra + e) * e, scale, `${at}: τ_v ≤ β²(2√α+e)e`));
    }
    const l4 = tauV + Math.expm1(4 * epsA) * bv * bv;
    worst = Math.max(worst, leq(tau, l4, scale, `${at}: τ ≤ τ_v + (e^{4ε_a}−1)B_v²`));
    close(check(c, l, 'L4').bound, l4, 1e-10, `${at}: L4 bound`);
    const certifiedHere = b.zeros && b.valid;
    if (!certifiedHere) { allCertified = false; conditions = false; continue; }
    const Z = rows(nl.threeQuarter);
    let off = 0, on = 0;
    Z.forEach((z, i) => z.forEach((v, a) => { if (a === labels[i]) on = Math.max(on, Math.abs(v - 1)); else off = Math.max(off, Math.abs(v)); }));
    assert.equal(off, 0, `${at}: off-cluster z must be exactly 0 (ρ_x = ${b.rho})`);
    const fs = mc.c.map((ca) => {
      const hid = Float64Array.from(rows(lr.w1), (wr) => Math.max(dot(wr, ca), 0));
      return norm(Float64Array.from(rows(lr.w2), (wr) => dot(wr, hid)));
    });
    const fMax = Math.max(...fs), outBound = b2 * mc.maxDist + b.delta * fMax;
    worst = Math.max(worst, leq(on, b.delta, 1, `${at}: |z − 1| ≤ Δ`),
      leq(eNext, outBound, scale, `${at}: e^(ℓ+1) ≤ β²·maxdist + Δ·max‖f_a‖`),
      leq(eNext, b2 * mc.gamma2 * (mc.eps + b.delta), scale, `${at}: e^(ℓ+1) ≤ β²γ₂(ε+Δ)`));
    close(check(c, l, 'one-hot: |z_{i,a(i)} − 1| ≤ Δ').bound, b.delta, 1e-10, `${at}: Δ`);
    close(check(c, l, 'e^(ℓ+1) ≤ β²·max').bound, outBound, 1e-10, `${at}: output bound`);
    if (l === L - 1) {
      // twin vs reference output, recomputed from the lifted forward: within the certified last-layer bound
      const out = maxRowDistance(rows(narOut), refOut);
      close(c.certificate.outputError, out, 1e-12, 'output error');
      leq(out, outBound, scale, 'final ‖T(X) − U_out T̂(X)‖ ≤ certified bound');
    }
    // per-step closed forms (docs/theory.md#11-theorem-44--clustering (case 1)): c3 = 16β⁴γ₂α(1+8β²α)/γ₁²
    const c1 = 16 * beta ** 4 * mc.gamma2 * (2 * ra + 1) * (1 + 8 * b2 * alpha) / mc.gamma1 ** 2, c2 = 41 * b2 * mc.gamma2;
    if (l === 0) c3 = 16 * beta ** 4 * mc.gamma2 * alpha * (1 + 8 * b2 * alpha) / mc.gamma1 ** 2; else c1max = Math.max(c1max, c1);
    c2max = Math.max(c2max, c2); epsMax = Math.max(epsMax, mc.eps);
    const ok = mc.eps <= 0.5 && e <= 1 && 4 * epsA <= 1 && b.den >= 0.5;
    conditions &&= ok;
    const cf = l === 0 ? check(c, 0, 'closed form (case 1, layer 0)') : check(c, l, 'closed form e^(ℓ+1)');
    assert.equal(cf.applicable, ok, `${at}: closed-form applicability`);
    if (ok) {
      const bound = l === 0 ? c2 * mc.eps + c3 * eta : c1 * e + c2 * mc.eps;
      worst = Math.max(worst, leq(eNext, bound, scale, `${at}: closed form`));
      close(cf.bound, bound, 1e-10, `${at}: closed-form bound`);
    }
  }
  assert.equal(c.certificate.holds, allCertified, c.certificate.reasons.join('\n'));
  if (conditions) {
    const geometric = c1max === 1 ? L : (c1max ** L - 1) / (c1max - 1);
    const chain = c2max * epsMax * geometric + c1max ** (L - 1) * c3 * eta;
    close(c.certificate.predicted.outputError!, chain, 1e-10, 'chained closed form');
    leq(c.certificate.outputError, chain, 1, 'output ≤ chain');
  } else assert.equal(c.certificate.predicted.outputError, null);
  return { worst, worstName, allCertified, eta };
}

test('Thm 4.4 case (1): Ŵ = M·W for the recorded seeds, η_QK and η_V re-measured, ε_a ≤ η_QK·β²α, τ_v ≤ η_V·β²α, L4, the one-hot step and every output bound, closed forms and the chain, each bound equal to the certificate\'s', async () => {
  let cases = 0, certified = 0, worst = 0, worstName = '';
  await fc.assert(fc.asyncProperty(clusteredParams(0.05), fc.constantFrom(128, 256, 384), fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    fc.constantFrom(undefined, 0.5), async (p, d, seed, jlEps) => {
      const inst = clusteredInstance(p);
      const mdl = model(inst);
      const c = compressByClusters(mdl, inst.x, inst.pattern, { d, clusters: given(inst), firstLayer: 'jl', seed, ...(jlEps ? { jlEps } : {}) });
      assert.equal(c.details.firstLayer, 'jl');
      assert.equal(c.inputAdapter, null);
      const r = checkCaseOne(mdl, c, inst.x, inst.pattern);
      if (jlEps !== undefined) {
        const k = check(c, 0, 'case (1) JL event');
        assert.ok(!k.applicable && k.bound === jlEps);
        const rule = check(c, 0, 'case (1) width rule');
        const n = inst.x.rows, m = inst.pattern.numEdges;
        assert.equal(rule.measured, Math.max(dJL(2 * m, jlEps, 0.05), dJL(n * (n + 1), jlEps, 0.05)));
        assert.ok(!rule.applicable);
      }
      cases++; if (r.allCertified) certified++;
      if (r.worst > worst) { worst = r.worst; worstName = r.worstName; }
    }), fcParams(12));
  console.log(`# Thm 4.4 case (1): ${cases} cases, ${certified} certified at every layer, worst measured/bound = ${worst.toFixed(4)} (${worstName})`);
  assert.ok(certified >= cases / 2, 'the generator rarely certifies case (1)');
});

test('Thm 4.4 case (1) fails where it must: d too small for the value Gram matrix (τ′ large, ρ_x ≥ 3/4), and clusters too spread (three clusters under one label, ε ≥ 1)', () => {
  const inst = clusteredInstance({ n: 100, clusters: 3, dIn: 16, width: 64, layers: 1, spread: 0.03, beta: 1, alpha0: 1, edgeProb: 0.25, biasScale: 0, seed: 7 });
  const mdl = model(inst);
  const small = compressByClusters(mdl, inst.x, inst.pattern, { d: 3, clusters: given(inst), firstLayer: 'jl', seed: 1 });
  checkCaseOne(mdl, small, inst.x, inst.pattern);
  assert.equal(small.certificate.holds, false);
  assert.ok(small.certificate.reasons.some((r) => r.includes('one-hot condition')), small.certificate.reasons.join('\n'));
  assert.ok(small.certificate.layers[0].extra.etaV > 0.3, `η_V = ${small.certificate.layers[0].extra.etaV}`);
  // The same instance at d = 256 certifies: the failure is the width's.
  const wide = compressByClusters(mdl, inst.x, inst.pattern, { d: 256, clusters: given(inst), firstLayer: 'jl', seed: 1 });
  assert.ok(wide.certificate.holds, wide.certificate.reasons.join('\n'));
  const one = compressByClusters(mdl, inst.x, inst.pattern, { d: 256, clusters: [new Int32Array(inst.x.rows)], firstLayer: 'jl', seed: 1 });
  assert.equal(one.certificate.holds, false);
  assert.ok(one.certificate.layers[0].extra.epsilonCluster >= 1);
  assert.ok(one.certificate.reasons.some((r) => r.includes('cluster spread')), one.certificate.reasons.join('\n'));
});

test('Thm 4.4 case (1) is deterministic in its seed: the same seed gives the same twin and certificate, another seed other maps; jlEps redraws until max(η_QK, η_V) ≤ ε and records every try', () => {
  const inst = clusteredInstance({ n: 80, clusters: 3, dIn: 12, width: 64, layers: 2, spread: 0.02, beta: 1, alpha0: 1, edgeProb: 0.3, biasScale: 0, seed: 3 });
  const mdl = model(inst);
  const opts = { d: 128, clusters: given(inst), firstLayer: 'jl' as const, seed: 99 };
  const a = compressByClusters(mdl, inst.x, inst.pattern, opts), b = compressByClusters(mdl, inst.x, inst.pattern, opts);
  const other = compressByClusters(mdl, inst.x, inst.pattern, { ...opts, seed: 100 });
  assert.deepEqual(Array.from(a.narrow.layers[0].wQ.data), Array.from(b.narrow.layers[0].wQ.data));
  assert.deepEqual(Array.from(a.narrow.layers[1].w2.data), Array.from(b.narrow.layers[1].w2.data));
  assert.deepEqual(a.certificate.checks.map((k) => k.measured), b.certificate.checks.map((k) => k.measured));
  assert.deepEqual(a.certificate.seeds, b.certificate.seeds);
  assert.ok(maxAbsDiff(Float64Array.from(a.narrow.layers[0].wV.data), Float64Array.from(other.narrow.layers[0].wV.data)) > 1e-3);
  assert.notDeepEqual(a.certificate.seeds, other.certificate.seeds);
  // jlEps: redraw (≤ maxTries) until the realised η meets it; an unreachable ε keeps the best of maxTries draws.
  const met = compressByClusters(mdl, inst.x, inst.pattern, { ...opts, jlEps: 0.4 });
  const e = met.certificate.layers[0].extra;
  assert.ok(Math.max(e.etaQK, e.etaV) <= 0.4, `η = ${e.etaQK}, ${e.etaV}`);
  const hard = compressByClusters(mdl, inst.x, inst.pattern, { ...opts, d: 16, jlEps: 0.01, maxTries: 3 });
  const tries = hard.details.jlSeeds as number[][];
  assert.equal(tries.length, 3);
  assert.deepEqual(hard.certificate.seeds![0], tries.flat());
  const kept = Number(hard.details.jlKept), best = Math.max(hard.certificate.layers[0].extra.etaQK, hard.certificate.layers[0].extra.etaV);
  assert.equal(best, Math.max(Number(hard.details.constructionEtaQK), Number(hard.details.constructionEtaV)));
  // Every try's max(η_QK, η_V), re-measured from its seeds: the kept try has the smallest, and none meets ε = 0.01.
  const lr = mdl.layers[0], X = rows(inst.x);
  const perTry = tries.map(([sQK, sV]) => {
    const mq = jlMatrix(16, lr.wQ.rows, { seed: sQK }), mv = jlMatrix(16, lr.wV.rows, { seed: sV });
    const q = rows(mq), v = rows(mv);
    const r = distortions(lr, asMatrix(prod(q, lr.wQ)), asMatrix(prod(q, lr.wK)), asMatrix(prod(v, lr.wV)), X, inst.pattern);
    return Math.max(r.etaQK, r.etaV);
  });
  close(best, perTry[kept], 1e-10, 'kept η');
  assert.equal(kept, perTry.indexOf(Math.min(...perTry)), `tries ${perTry.join(', ')}`);
  assert.ok(perTry.every((v) => v > 0.01));
});

test('Thm 4.4 case (1) certificates round-trip through JSON with their digests: certify on the loaded twin gives the same checks and reports the inputs as recorded', () => {
  const inst = clusteredInstance({ n: 90, clusters: 3, dIn: 12, width: 32, layers: 2, spread: 0.02, beta: 1, alpha0: 1, edgeProb: 0.3, biasScale: 0, seed: 2 });
  const mdl = model(inst);
  const c = compressByClusters(mdl, inst.x, inst.pattern, { d: 256, clusters: given(inst), firstLayer: 'jl', seed: 5, jlEps: 0.5 });
  assert.ok(c.certificate.holds, c.certificate.reasons.join('\n'));
  assert.ok(c.certificate.inputs && /^[0-9a-f]{64}$/.test(c.certificate.inputs.narrow));
  const loaded = compressedFromJson(compressedToJson(c));
  assert.deepEqual(loaded.certificate, JSON.parse(JSON.stringify(c.certificate)));
  assert.equal(loaded.details.firstLayer, 'jl');
  assert.equal(loaded.decoders[0].half, 'none');
  const again = certify(mdl, loaded, inst.x, inst.pattern);
  assert.equal(again.holds, true);
  assert.deepEqual(again.checks.map((k) => [k.name, k.measured, k.bound]), c.certificate.checks.map((k) => [k.name, k.measured, k.bound]));
  assert.deepEqual(again.inputsMatchRecorded, { reference: true, narrow: true, pattern: true, features: true });
  assert.deepEqual(again.parameters.firstLayer, 'jl');
});

test('forEachGramPair visits every pair w ≤ u once with the entries of AAᵀ and BBᵀ, for blocks of 1, 3 and all rows (the blocked τ_v and η_V)', () => {
  const g = rng(17), n = 23;
  const a = DenseMatrix.from(g.fillNormal(new Float64Array(n * 5), 1), n, 5, 'f64'), b = DenseMatrix.from(g.fillNormal(new Float64Array(n * 7), 1), n, 7, 'f64');
  const A = rows(a), B = rows(b);
  for (const entries of [1, 3 * n, n * n, 1 << 21]) {
    const seen = new Map<string, number>();
    forEachGramPair(a, b, (u, w, ga, gb) => {
      assert.ok(w <= u, `pair (${u}, ${w})`);
      const key = `${u},${w}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      assert.ok(Math.abs(ga - dot(A[u], A[w])) <= 1e-12 * (1 + Math.abs(ga)) && Math.abs(gb - dot(B[u], B[w])) <= 1e-12 * (1 + Math.abs(gb)), key);
    }, entries);
    assert.equal(seen.size, n * (n + 1) / 2);
    assert.ok([...seen.values()].every((c) => c === 1));
  }
});

test('compressByClusters rejects bad case-(1) options before any work, with errors naming the function and the option', () => {
  const inst = clusteredInstance({ n: 30, clusters: 3, dIn: 8, width: 16, layers: 1, spread: 0.02, beta: 1, alpha0: 1, edgeProb: 0.3, biasScale: 0, seed: 1 });
  const mdl = model(inst), base = { d: 8, clusters: given(inst) };
  assert.throws(() => compressByClusters(mdl, inst.x, inst.pattern, { ...base, firstLayer: 'sketch' as 'jl' }), (e: unknown) => e instanceof InputError && /compressByClusters: options\.firstLayer/.test((e as Error).message));
  assert.throws(() => compressByClusters(mdl, inst.x, inst.pattern, { ...base, jlEps: 0.3 }), (e: unknown) => e instanceof InputError && /options\.jlEps applies only with options\.firstLayer = 'jl'/.test((e as Error).message));
  assert.throws(() => compressByClusters(mdl, inst.x, inst.pattern, { ...base, firstLayer: 'jl', jlEps: 1.5 }), (e: unknown) => e instanceof RangeError && /compressByClusters: options\.jlEps/.test((e as Error).message));
  assert.throws(() => compressByClusters(mdl, inst.x, inst.pattern, { ...base, firstLayer: 'jl', jlDelta: 0 }), (e: unknown) => e instanceof RangeError && /options\.jlDelta/.test((e as Error).message));
  assert.throws(() => compressByClusters(mdl, inst.x, inst.pattern, { ...base, firstLayer: 'jl', maxTries: 0 }), (e: unknown) => e instanceof RangeError && /options\.maxTries/.test((e as Error).message));
  // With 'jl' and no labels, k-means tries k ≤ min(d, 32); with 'low-rank' k ≤ d.
  assert.equal(compressByClusters(mdl, inst.x, inst.pattern, { d: 40, firstLayer: 'jl', maxClusters: undefined }).details.maxClusters, 32);
  // The default is unchanged: case (2), the topd input adapter when d_in > d.
  const c2 = compressByClusters(mdl, inst.x, inst.pattern, { d: 4, clusters: given(inst) });
  assert.equal(c2.details.firstLayer, 'low-rank');
  assert.equal(c2.details.maxClusters, 4);
  assert.ok(c2.inputAdapter && c2.inputAdapter.rows === 4);
});

test('Thm 4.4 case (1) is O(ε): with d = 256 fixed and the same JL draw per case, the mean output error over 8 cases has log-log slope 1 ± 0.15 against the cluster spread ε ∈ {0.2, 0.1, 0.05, 0.025}', () => {
  const spreads = [0.2, 0.1, 0.05, 0.025], g = rng(4445), means = spreads.map(() => 0), slopes: number[] = [];
  for (let t = 0; t < 8; t++) {
    const shape = { n: 60 + g.int(100), clusters: 2 + g.int(3), dIn: 16, width: 64, layers: 1 + g.int(2), beta: 1, alpha0: 1, edgeProb: 0.25, biasScale: 0, seed: g.int(2 ** 30) };
    const seed = g.int(2 ** 30);
    const errors = spreads.map((spread) => {
      const inst = clusteredInstance({ ...shape, spread });
      return compressByClusters(model(inst), inst.x, inst.pattern, { d: 256, clusters: given(inst), firstLayer: 'jl', seed }).certificate.outputError;
    });
    errors.forEach((e, i) => { means[i] += e / 8; });
    slopes.push(logLogSlope(spreads, errors));
  }
  const slope = logLogSlope(spreads, means);
  console.log(`# Thm 4.4 case (1) O(ε), d = 256: slope of the mean error ${slope.toFixed(3)}; per case ${slopes.map((s) => s.toFixed(2)).join(' ')}`);
  assert.ok(Math.abs(slope - 1) <= 0.15, `slope ${slope}`);
});
