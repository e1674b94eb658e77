import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { init, randomizedSvd, randomizedRangeFinder, InputError, rng } from '../../src/index.js';
import { withBackend } from '../support/backends.js';
import { fcParams, announceSeed } from '../support/fc.js';
import { gaussian } from '../support/matrices.js';

announceSeed('test/linalg/randomized-svd-validation.test.ts');
await init();

// randomizedSvd and randomizedRangeFinder find NaN/±Inf entries through the first product A·Ω instead of
// a separate scan of A (src/linalg/randomized-svd.ts, sketch): every non-finite entry, anywhere, tall or
// wide, must still be reported with the index of the first one, on both backends.
test('a NaN or ±Inf anywhere in a is reported as the first non-finite entry, tall and wide, both backends', async () => {
  const cases = fc.record({
    m: fc.integer({ min: 1, max: 40 }),
    n: fc.integer({ min: 1, max: 40 }),
    value: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    where: fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 3 }),
    zeros: fc.boolean(), // a row of zeros around the bad entry (Inf·0 = NaN must still count)
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
  await fc.assert(fc.asyncProperty(cases, async ({ m, n, value, where, zeros, seed }) => {
    const a = gaussian(rng(seed), m, n);
    const idx = where.map((t) => Math.floor(t * m * n));
    if (zeros) a.data.fill(0, Math.floor(idx[0] / n) * n, Math.floor(idx[0] / n) * n + n);
    for (const i of idx) a.data[i] = value;
    const first = Math.min(...idx);
    const k = Math.min(m, n);
    for (const which of ['wasm-simd', 'js'] as const) {
      for (const call of [() => randomizedSvd(a, k, { powerIters: 1 }), () => randomizedRangeFinder(a, k)]) {
        await withBackend(which, () => assert.throws(call, (e: unknown) => e instanceof InputError
          && new RegExp(`non-finite value \\(${value}\\) at index ${first}$`).test(e.message), `${which} ${m}×${n} at ${first}`));
      }
    }
    a.free();
  }), fcParams(60));
});

test('finite entries whose products overflow are not blamed on a (the overflowed sketch fails later, as it did with a separate scan)', () => {
  const a = gaussian(rng(4), 12, 6);
  for (let j = 0; j < 6; j++) a.data[j] = 1e308;
  assert.throws(() => randomizedSvd(a, 2, { powerIters: 0 }),
    (e: unknown) => e instanceof InputError && !/^randomizedSvd: a has a non-finite value/.test(e.message));
  a.free();
});

// CholeskyQR squares the scale of the sketch in its Gram matrix; at 1e±160 that over- or underflows and
// its guard must hand the work to Householder QR, so the result only scales.
test('badly scaled input (1e-160, 1e160): singular values scale with a, u and v stay orthonormal, both backends', async () => {
  const base = gaussian(rng(31), 60, 25);
  const ref = randomizedSvd(base, 5, { seed: 2 });
  for (const scale of [1e-160, 1e160]) {
    const a = base.clone();
    a.data.forEach((x, i, d) => { d[i] = x * scale; });
    for (const which of ['wasm-simd', 'js'] as const) {
      const r = await withBackend(which, () => randomizedSvd(a, 5, { seed: 2 }));
      for (let i = 0; i < 5; i++) {
        assert.ok(Math.abs(r.s[i] / scale - ref.s[i]) <= 1e-10 * ref.s[0], `${which} ×${scale}: s_${i} = ${r.s[i]}`);
      }
      for (const [name, m] of [['u', r.u], ['v', r.v]] as const) {
        for (let c = 0; c < 5; c++) for (let d = 0; d < 5; d++) {
          let dot = 0;
          for (let i = 0; i < m.rows; i++) dot += m.data[i * 5 + c] * m.data[i * 5 + d];
          assert.ok(Math.abs(dot - (c === d ? 1 : 0)) <= 1e-12, `${which} ×${scale}: ${name}ᵀ${name} ≠ I`);
        }
      }
      r.u.free(); r.v.free();
    }
    a.free();
  }
  base.free();
});
