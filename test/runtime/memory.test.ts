import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  init, DenseMatrix, Storage, csrFromEdges, sparseAttention, matmul, scope, wasmMemoryPages, rng, BackendError,
} from '../../src/index.js';

await init();

function randomMatrix(rows: number, cols: number, seed: number): DenseMatrix<'f32'> {
  return DenseMatrix.from(rng(seed).fillNormal(new Float32Array(rows * cols), 0.3), rows, cols);
}

test('tensors created after init() are resident in WASM memory (kernels run on them without copies)', () => {
  const a = DenseMatrix.zeros(4, 4);
  assert.ok(a.storage.resident);
  assert.ok(a.storage.ptr > 0);
  a.free();
  assert.throws(() => a.data, BackendError, 'a freed matrix cannot be read');
  a.free(); // idempotent
});

test('10,000 repeated attention + GEMM calls do not grow WASM memory (out buffers reused, temporaries scoped)', () => {
  const n = 300, d = 16;
  const rows: number[] = [], cols: number[] = [];
  const r = rng(1);
  for (let e = 0; e < 3000; e++) { rows.push(r.int(n)); cols.push(r.int(n)); }
  const g = csrFromEdges(rows, cols, { numNodes: n, symmetrize: true, selfLoops: true });
  const h = randomMatrix(n, d, 2), w = randomMatrix(d, d, 3);
  const q = DenseMatrix.zeros(n, d), out = DenseMatrix.zeros(n, d);
  const weights = Storage.alloc('f32', g.numEdges);
  // warm-up: the allocator and the attention scratch reach their steady state
  for (let t = 0; t < 10; t++) scope(() => matmul(h, w));
  const pagesBefore = wasmMemoryPages();
  for (let t = 0; t < 10_000; t++) {
    matmul(h, w, { out: q });
    sparseAttention(q, h, h, g, { out, weightsOut: weights });
    if (t % 100 === 0) scope(() => { matmul(h, w); sparseAttention(q, h, h, g, { returnWeights: true }); });
  }
  assert.equal(wasmMemoryPages(), pagesBefore, 'memory pages unchanged');
  assert.ok(out.data.every(Number.isFinite));
});

test('scope() frees what was allocated inside except the returned tensors, which move to the enclosing scope', () => {
  let inner!: DenseMatrix<'f32'>, kept!: DenseMatrix<'f32'>;
  scope(() => {
    kept = scope(() => {
      inner = DenseMatrix.zeros(10, 10);
      return DenseMatrix.zeros(3, 3);
    });
    assert.ok(inner.storage.isFreed, 'temporary freed at the end of its scope');
    assert.ok(!kept.storage.isFreed, 'returned matrix survives its scope');
  });
  assert.ok(kept.storage.isFreed, 'then it is freed by the enclosing scope');
  const escaped = scope(() => { const m = DenseMatrix.zeros(2, 2); m.storage.escape(); return 1; });
  assert.equal(escaped, 1);
});

test('views stay valid across memory.grow: data re-reads the new buffer', () => {
  const a = DenseMatrix.from(new Float32Array([1, 2, 3, 4]), 2, 2);
  const pages = wasmMemoryPages();
  const big = Storage.alloc('f64', 4_000_000); // 32 MB forces growth
  assert.ok(wasmMemoryPages() > pages);
  assert.deepEqual(Array.from(a.data), [1, 2, 3, 4]);
  big.free();
  a.free();
});

test('clone() and from() of a WASM-resident matrix survive the memory.grow their own allocation causes', () => {
  // Regression: a source view read before allocating was detached by the growth and copied as empty.
  const makers = [(a: DenseMatrix<'f32'>) => a.clone(), (a: DenseMatrix<'f32'>) => DenseMatrix.from(a.data, a.rows, a.cols, 'f32')];
  for (const [k, make] of makers.entries()) {
    // larger than everything freed before, so both allocations must grow memory
    const n = 10_000_000 * 3 ** k;
    const a = DenseMatrix.zeros(n, 1, 'f32');
    const ad = a.data;
    for (let i = 0; i < n; i++) ad[i] = (i % 1013) * 0.5 + 1;
    const pages = wasmMemoryPages();
    const b = make(a);
    assert.ok(wasmMemoryPages() > pages, 'the copy grew memory (else this test proves nothing)');
    assert.equal(b.data[n - 1], a.data[n - 1]);
    assert.deepEqual(b.data.subarray(0, 1000), a.data.subarray(0, 1000));
    let same = true;
    for (let i = 0; i < n; i += 997) if (b.data[i] !== a.data[i]) { same = false; break; }
    assert.ok(same, 'every sampled element copied');
    a.free(); b.free();
  }
});
