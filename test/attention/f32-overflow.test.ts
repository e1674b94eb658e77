// Issue 13: f32 sparseAttention with scale = 1e300 (checked as f64, +Inf in f32) returned all-NaN output;
// a scale finite in f32 whose scores overflow did the same. Both are InputErrors now, before any work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, DenseMatrix, csrFromEdges, sparseAttention, InputError, NarrowgtError, rng } from '../../src/index.js';

await init();

test('f32 sparseAttention: a scale beyond the f32 range, or scale·‖q‖·‖k‖ beyond it, is an InputError (was: NaN output)', () => {
  const g = csrFromEdges([0, 1, 2], [1, 2, 0], { selfLoops: true });
  const x = DenseMatrix.from(rng(2).fillNormal(new Float64Array(12)), 3, 4, 'f32');
  assert.throws(() => sparseAttention(x, x, x, g, { scale: 1e300 }), (e: unknown) => e instanceof InputError && /^sparseAttention: options\.scale = 1e\+300 is beyond the f32 range/.test((e as Error).message));
  assert.throws(() => sparseAttention(x, x, x, g, { scale: 1e38 }), (e: unknown) => e instanceof InputError && /overflows f32/.test((e as Error).message));
  const big = DenseMatrix.from(Float32Array.from(x.data, (v) => v * 1e30), 3, 4, 'f32');
  assert.throws(() => sparseAttention(big, big, big, g), (e: unknown) => e instanceof InputError && /overflows f32/.test((e as Error).message));
  // in range: finite output; and f64 accepts the large scale (it is finite in f64)
  const out = sparseAttention(x, x, x, g, { scale: 1e3 }).output;
  assert.ok(Array.from(out.data).every(Number.isFinite));
  const x64 = x.clone('f64');
  assert.ok(Array.from(sparseAttention(x64, x64, x64, g, { scale: 1e300 }).output.data).every(Number.isFinite), 'f64 holds scale 1e300');
  assert.throws(() => sparseAttention(x, x, x, g, { returnWeights: 'yes' as never }), (e: unknown) => e instanceof TypeError && e instanceof NarrowgtError);
});
