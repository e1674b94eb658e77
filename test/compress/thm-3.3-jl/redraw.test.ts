// Theorem 3.3's width rule and its verify-and-redraw loop (docs/theory.md#4-theorem-33--jl-on-w_q-and-w_k (construction)),
// checked from outside: the width against the formula of the note, and the kept draw against every tried seed's η
// recomputed here with plain loops. Two mutants of docs/theory.md#20-mutation-testing survived without these.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, compressWithJl, jlAttentionWidth, jlMatrix, scope, rng, type DenseMatrix, type CsrGraph } from '../../../src/index.js';
import { gaussianInput, makePattern, theoryModel } from '../../support/models.js';

await init();

test('jlAttentionWidth(m, ε, δ, L) = d_JL(2m, ε, δ/L) = ⌈4 ln(4mL/δ) / (ε² − 2ε³/3)⌉: δ is split over the L layers', () => {
  for (const [m, eps, delta, L] of [[100, 0.5, 0.1, 1], [100, 0.5, 0.1, 3], [1000, 0.1, 0.01, 4], [37, 0.3, 0.2, 2]]) {
    const expected = Math.ceil((4 * Math.log((4 * m * L) / delta)) / (eps * eps - (2 * eps ** 3) / 3));
    assert.equal(jlAttentionWidth(m, eps, delta, L), expected, `m ${m}, ε ${eps}, δ ${delta}, L ${L}`);
  }
  assert.ok(jlAttentionWidth(100, 0.5, 0.1, 3) > jlAttentionWidth(100, 0.5, 0.1, 1), 'more layers need a wider sketch');
});

/** η of L5 on layer 0 for the sketch of `seed`: max over edges |q̂·k̂ − q̄·k̄| / ((‖q̄‖² + ‖k̄‖²)/2), in plain loops (h = X). */
function etaOfSeed(x: DenseMatrix, wQ: DenseMatrix, wK: DenseMatrix, d: number, seed: number, pattern: CsrGraph): number {
  const m = jlMatrix(d, wQ.rows, { seed });
  const apply = (w: DenseMatrix, sketch: boolean) => Array.from({ length: x.rows }, (_, i) => {
    const y = new Float64Array(w.rows);
    for (let o = 0; o < w.rows; o++) { let s = 0; for (let t = 0; t < w.cols; t++) s += w.data[o * w.cols + t] * x.data[i * x.cols + t]; y[o] = s; }
    if (!sketch) return y;
    const z = new Float64Array(d);
    for (let r = 0; r < d; r++) { let s = 0; for (let o = 0; o < w.rows; o++) s += m.data[r * w.rows + o] * y[o]; z[r] = s; }
    return z;
  });
  const qb = apply(wQ, false), kb = apply(wK, false), qh = apply(wQ, true), kh = apply(wK, true);
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, t) => s + v * b[t], 0);
  const rp = pattern.rowPtr.array, ci = pattern.colIdx.array;
  let eta = 0;
  for (let i = 0; i < pattern.numRows; i++) for (let e = rp[i]; e < rp[i + 1]; e++) {
    const j = ci[e], den = (dot(qb[i], qb[i]) + dot(kb[j], kb[j])) / 2;
    if (den > 0) eta = Math.max(eta, Math.abs(dot(qh[i], kh[j]) - dot(qb[i], kb[j])) / den);
  }
  return eta;
}

test('Thm 3.3 redraw: the kept draw has the smallest η of those tried, and a redraw after a failing first draw is accepted at the first seed meeting ε', () => {
  scope(() => {
    const g = rng(11);
    const model = theoryModel(g, { dIn: 6, width: 32, depth: 1, beta: 1 });
    const x = gaussianInput(g, 24, 6, 1);
    const pattern = makePattern(g, 'sparse', 24, 0.2);
    const d = 4, tries = 8;
    // ε unreachable at d = 4: every try is made, and the best one is kept (with a failing certificate).
    const all = compressWithJl(model, x, pattern, { d, eps: 1e-6, seed: 3, maxTries: tries, allowUncertified: true });
    const seeds = (all.details.seeds as number[][])[0];
    assert.equal(seeds.length, tries);
    const etas = seeds.map((s) => etaOfSeed(x, model.layers[0].wQ, model.layers[0].wK, d, s, pattern));
    const best = etas.indexOf(Math.min(...etas));
    assert.equal((all.details.keptSeeds as number[])[0], seeds[best], `kept seed, η of the tries ${etas.map((e) => e.toFixed(4)).join(', ')}`);
    assert.ok(Math.abs(all.certificate.layers[0].extra.eta - etas[best]) <= 1e-9 * etas[best], 'the certificate reports the kept draw\'s η');
    assert.equal(all.certificate.holds, false);
    // ε between the best η and the first draw's: the same seeds are tried in order until one meets ε.
    assert.ok(best > 0 && etas[best] < etas[0], 'this instance needs a redraw (the first draw is not the best)');
    const eps = (etas[best] + etas[0]) / 2;
    const first = etas.findIndex((e) => e <= eps);
    assert.ok(first > 0, 'the first draw misses ε');
    const redrawn = compressWithJl(model, x, pattern, { d, eps, seed: 3, maxTries: tries });
    assert.deepEqual((redrawn.details.seeds as number[][])[0], seeds.slice(0, first + 1));
    assert.equal((redrawn.details.keptSeeds as number[])[0], seeds[first]);
    assert.ok(redrawn.certificate.layers[0].extra.eta <= eps);
    assert.ok(redrawn.certificate.holds, redrawn.certificate.reasons.join('; '));
  });
});
