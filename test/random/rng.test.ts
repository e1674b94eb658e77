import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng, InputError } from '../../src/index.js';

test('rng(seed) reproduces xoshiro128** seeded by splitmix32 (values from an independent Python implementation of both)', () => {
  // Python: splitmix32 (golden-ratio increment, multipliers 0x85ebca6b / 0xc2b2ae35) feeding xoshiro128** (Blackman & Vigna 2018)
  const expected: Record<number, number[]> = {
    0: [3809008728, 1133695204, 53579671, 2891528803, 139681546],
    42: [2837322924, 544945897, 479756282, 3500138142, 339756180],
  };
  for (const [seed, want] of Object.entries(expected)) {
    const g = rng(Number(seed));
    assert.deepEqual(want.map(() => g.nextUint32()), want, `seed ${seed}`);
  }
});

test('same seed → same stream; different seeds → different streams; fork is deterministic', () => {
  const a = rng(7), b = rng(7), c = rng(8);
  const xa = Array.from({ length: 100 }, () => a.float());
  assert.deepEqual(Array.from({ length: 100 }, () => b.float()), xa);
  assert.notDeepEqual(Array.from({ length: 100 }, () => c.float()), xa);
  assert.deepEqual(Array.from({ length: 10 }, rng(3).fork().normal), Array.from({ length: 10 }, rng(3).fork().normal));
});

test('uniforms lie in [0, 1) with mean 1/2 and variance 1/12; normals have mean 0 and variance 1 (200k draws, 5σ bands)', () => {
  const g = rng(123), N = 200_000;
  let s = 0, s2 = 0, z = 0, z2 = 0;
  for (let i = 0; i < N; i++) {
    const u = g.float();
    assert.ok(u >= 0 && u < 1);
    s += u; s2 += u * u;
    const x = g.normal();
    z += x; z2 += x * x;
  }
  const mean = s / N, varU = s2 / N - mean * mean;
  assert.ok(Math.abs(mean - 0.5) < 5 * Math.sqrt(1 / 12 / N), `uniform mean ${mean}`);
  assert.ok(Math.abs(varU - 1 / 12) < 5 * Math.sqrt(1 / 180 / N), `uniform variance ${varU}`); // Var(U²-ish) bound: 1/180
  assert.ok(Math.abs(z / N) < 5 / Math.sqrt(N), `normal mean ${z / N}`);
  assert.ok(Math.abs(z2 / N - 1) < 5 * Math.sqrt(2 / N), `normal variance ${z2 / N}`);
});

test('permutation is a permutation and int(n) stays in range; bad arguments throw InputError', () => {
  const g = rng(5);
  const p = g.permutation(1000);
  assert.deepEqual(Array.from(p).sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  for (let i = 0; i < 1000; i++) { const k = g.int(7); assert.ok(k >= 0 && k < 7 && Number.isInteger(k)); }
  assert.throws(() => rng(1.5), InputError);
  assert.throws(() => g.int(0), InputError);
});
