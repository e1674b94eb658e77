import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { init, DenseMatrix, matmul, rng, kernelBuild } from '../../src/index.js';
import { withBackend } from '../support/backends.js';
import { fcParams, announceSeed } from '../support/fc.js';

announceSeed('test/linalg/matmul-large-a.test.ts');
await init();

// C = A·op(B) with A of 8 MB and more: assembly/gemm.ts then runs the first tiles of each row strip as
// tileTouching, which also reads the next strip's rows of A (the rSVD's A·X), a path the small shapes of
// matmul.test.ts never reach. Shapes: ragged last strips (m mod 4), one or two k slabs (KC = 256) with k mod 8
// tails, full, ragged and half-width column panels. Both builds stay within (k + 2)·ε·Σ_p |a_ip|·|b_pj| of the
// f64 sum. In f64 with one slab (k ≤ 256) the plain build also gives the twin's bits: the same products in the
// same order (elsewhere they differ: the twin sums straight along k, in f64 even for f32; the kernel per slab).
test('matmul with an A of 8 MB and more (touching the next strip) stays within (k + 2)·ε·Σ|a||b|, with the twin\'s bits in f64 (plain build, k ≤ 256)', async () => {
  const shape = fc.record({
    dtype: fc.constantFrom('f32' as const, 'f64' as const),
    rowsOver: fc.integer({ min: 0, max: 50 }),
    oneSlab: fc.boolean(),
    k: fc.integer({ min: 512, max: 530 }),
    n: fc.integer({ min: 1, max: 13 }),
    tB: fc.boolean(),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
  await fc.assert(fc.asyncProperty(shape, async ({ dtype, rowsOver, oneSlab, k: kTwo, n, tB, seed }) => {
    const k = oneSlab ? kTwo - 312 : kTwo; // [200, 218] or [512, 530]
    const size = dtype === 'f32' ? 4 : 8;
    const m = Math.ceil(8 * 2 ** 20 / (size * k)) + rowsOver; // m·k·size ≥ 8 MiB
    const g = rng(seed);
    const A = DenseMatrix.from(g.fillNormal(new Float64Array(m * k)), m, k, dtype);
    const B = DenseMatrix.from(g.fillNormal(new Float64Array(k * n)), tB ? n : k, tB ? k : n, dtype);
    const a = Float64Array.from(A.data), b = Float64Array.from(B.data); // copies: views die when memory grows
    const [viaWasm, build] = await withBackend('wasm-simd', () => {
      const C = matmul(A, B, { transB: tB });
      const out = Float64Array.from(C.data);
      C.free();
      return [out, kernelBuild()] as const;
    });
    const viaJs = await withBackend('js', () => Float64Array.from(matmul(A, B, { transB: tB }).data));
    assert.ok(build === 'plain' || build === 'relaxed');
    if (build === 'plain' && dtype === 'f64' && k <= 256) assert.deepEqual(viaWasm, viaJs, `${m}×${n}×${k}: WASM and twin differ`);
    const eps = dtype === 'f32' ? 2 ** -24 : 2 ** -53;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0, bound = 0;
      for (let p = 0; p < k; p++) {
        const x = a[i * k + p] * (tB ? b[j * k + p] : b[p * n + j]);
        s += x; bound += Math.abs(x);
      }
      for (const [which, c] of [['wasm', viaWasm], ['js', viaJs]] as const) {
        const err = Math.abs(c[i * n + j] - s);
        assert.ok(err <= (k + 2) * eps * bound + 1e-300, `${which} ${dtype} ${m}×${n}×${k} (${i}, ${j}): error ${err}`);
      }
    }
    A.free(); B.free();
  }), fcParams(10));
});
