import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { init, DenseMatrix, matmul, rng } from '../../src/index.js';
import { withBackend } from '../support/backends.js';
import { fcParams, announceSeed } from '../support/fc.js';

announceSeed('test/linalg/matmul-transposed-blocks.test.ts');
await init();

// C = Aᵀ·op(B) with more than MC = 256 rows of Aᵀ: assembly/gemm.ts packs op(A) = Aᵀ in blocks of up to
// 256 rows (whole strips plus a zero-padded ragged one), which the shapes of matmul.test.ts (m ≤ 37) never
// split. Same bound as there: |C − ref| ≤ (k + 2)·ε·Σ_p |a_pi|·|b_pj|, on both backends.
test('matmul with transA and m crossing the 256-row packing blocks stays within (k + 2)·ε·Σ|a||b|', async () => {
  const shape = fc.record({
    m: fc.integer({ min: 250, max: 530 }),
    n: fc.integer({ min: 1, max: 9 }),
    k: fc.integer({ min: 1, max: 300 }),
    tB: fc.boolean(),
    dtype: fc.constantFrom('f32' as const, 'f64' as const),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
  await fc.assert(fc.asyncProperty(shape, async ({ m, n, k, tB, dtype, seed }) => {
    const g = rng(seed);
    const A = DenseMatrix.from(g.fillNormal(new Float64Array(k * m)), k, m, dtype);
    const B = DenseMatrix.from(g.fillNormal(new Float64Array(k * n)), tB ? n : k, tB ? k : n, dtype);
    const a = Float64Array.from(A.data), b = Float64Array.from(B.data); // copies: views die when memory grows
    const eps = dtype === 'f32' ? 2 ** -24 : 2 ** -53;
    for (const which of ['wasm-simd', 'js'] as const) {
      const C = await withBackend(which, () => matmul(A, B, { transA: true, transB: tB }));
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0, bound = 0;
        for (let p = 0; p < k; p++) {
          const x = a[p * m + i] * (tB ? b[j * k + p] : b[p * n + j]);
          s += x; bound += Math.abs(x);
        }
        const err = Math.abs(C.data[i * n + j] - s);
        assert.ok(err <= (k + 2) * eps * bound + 1e-300, `${which} ${dtype} ${m}×${n}×${k} (${i}, ${j}): error ${err}`);
      }
      C.free();
    }
    A.free(); B.free();
  }), fcParams(30));
});
