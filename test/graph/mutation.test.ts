// Issue 13: the CSR index arrays stay writable after validation (they are views of WASM memory, which cannot
// be frozen); after graph.colIdx.array[0] = numCols + 1, sparseAttention read neighbouring memory and returned
// garbage, and with 1e8 it trapped. CsrGraph.assertIntact re-checks the kernels' invariants on every call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, DenseMatrix, csrFromEdges, sparseAttention, unionPattern, InputError, rng } from '../../src/index.js';

await init();

function setup() {
  const g = csrFromEdges([0, 1, 2, 3, 0], [1, 2, 3, 0, 2], { selfLoops: true });
  const r = rng(1);
  const q = DenseMatrix.from(r.fillNormal(new Float64Array(16)), 4, 4, 'f32');
  return { g, q };
}

test('sparseAttention rejects a pattern whose colIdx or rowPtr was written after validation', () => {
  for (const [what, poke, pattern] of [
    ['colIdx', (g: ReturnType<typeof setup>['g']) => { g.colIdx.array[0] = g.numCols + 1; }, /^sparseAttention: pattern\.colIdx was changed after the CsrGraph was validated \(colIdx\[0\] = 5 is outside \[0, 4\)\)/],
    ['colIdx 1e8', (g: ReturnType<typeof setup>['g']) => { g.colIdx.array[2] = 1e8; }, /colIdx\[2\] = 100000000/],
    ['negative', (g: ReturnType<typeof setup>['g']) => { g.colIdx.array[1] = -1; }, /colIdx\[1\] = -1/],
    ['rowPtr', (g: ReturnType<typeof setup>['g']) => { g.rowPtr.array[2] = 100; }, /^sparseAttention: pattern\.rowPtr was changed/],
  ] as const) {
    const { g, q } = setup();
    const before = sparseAttention(q, q, q, g).output.data.slice();
    poke(g);
    assert.throws(() => sparseAttention(q, q, q, g), (e: unknown) => e instanceof InputError && (pattern as RegExp).test((e as Error).message), what);
    assert.throws(() => unionPattern(g, g), InputError, what);
    assert.ok(before.every(Number.isFinite));
    g.free(); q.free();
  }
});

test('an unchanged pattern passes assertIntact and gives the same output on every call', () => {
  const { g, q } = setup();
  const a = sparseAttention(q, q, q, g).output.data.slice(), b = sparseAttention(q, q, q, g).output.data.slice();
  assert.deepEqual(Array.from(a), Array.from(b));
  g.assertIntact('test');
  g.free(); q.free();
});
