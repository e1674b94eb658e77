// Issue 13: randomizedSvd and leverageScores never returned on a 12×6 matrix of ±1e-310 (the loop was inside
// ml-matrix's SVD; src/linalg/svd.ts replaced it), and operatorNorm(A·1e300) was NaN. The hanging calls run
// in a worker so that a regression fails after a time limit instead of stalling the suite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { init, DenseMatrix, rng, operatorNorm } from '../../src/index.js';
import { gaussian } from '../support/matrices.js';

await init();

/** Runs `code` (an ES module body importing from dist/src/index.js) in a worker; resolves its message or 'timeout'. */
function inWorker(code: string, ms: number): Promise<string> {
  const index = new URL('../../src/index.js', import.meta.url).href;
  const w = new Worker(`import * as N from '${index}'; import { parentPort } from 'node:worker_threads'; ${code}`, { eval: true, type: 'module' } as never);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { void w.terminate(); resolve('timeout'); }, ms);
    w.on('message', (m) => { clearTimeout(timer); void w.terminate(); resolve(String(m)); });
    w.on('error', (e) => { clearTimeout(timer); resolve(`error: ${e.message}`); });
  });
}

test('randomizedSvd and leverageScores return on a 12×6 matrix of ±1e-310 (ml-matrix\'s SVD never did)', async () => {
  const got = await inWorker(`
    await N.init();
    const g = N.rng(3), vals = new Float64Array(72).map(() => (g.float() < 0.5 ? -1e-310 : 1e-310));
    const a = N.DenseMatrix.from(vals, 12, 6, 'f64');
    const r = N.randomizedSvd(a, 2);
    const lev = N.leverageScores(a);
    const ok = Array.from(r.s).every((x) => Number.isFinite(x) && x > 0) && Array.from(lev).every((x) => x >= 0 && x <= 1 + 1e-12);
    parentPort.postMessage(ok ? 'ok ' + r.s[0] + ' ' + lev.reduce((s, x) => s + x, 0) : 'bad');`, 20_000);
  assert.match(got, /^ok /, got);
  const [, s0, levSum] = got.split(' ').map(Number);
  assert.ok(s0 > 1e-310 && s0 < 1e-308, `σ₁ = ${s0} is of the entries' scale`);
  assert.ok(Math.abs(levSum - 6) < 1e-9, `leverage scores sum to the rank (6), got ${levSum}`);
});

test('operatorNorm of A·1e300 and of A·1e-310 is finite and scales with A', () => {
  const a = gaussian(rng(4), 10, 7);
  const base = operatorNorm(a);
  for (const c of [1e300, 1e-310]) {
    const s = DenseMatrix.from(Float64Array.from(a.data, (x) => x * c), 10, 7, 'f64');
    const got = operatorNorm(s);
    assert.ok(Number.isFinite(got) && Math.abs(got / c - base) <= 1e-8 * base + (c < 1e-300 ? 1e-4 * base : 0), `scale ${c}: ${got}`);
    s.free();
  }
});
