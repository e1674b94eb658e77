// scope() is synchronous; scopeAsync() frees only its own blocks; keep(); kept results found at any depth and in
// Maps and Sets; [Symbol.dispose] on matrices, graphs and models.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, scope, scopeAsync, keep, DenseMatrix, csrFromEdges, createModel, InputError, Storage } from '../../src/index.js';

await init();
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

test('scope() refuses an async function before calling it, and a function returning a promise, with InputError', () => {
  let called = false;
  assert.throws(() => scope(async () => { called = true; }), (e: unknown) => e instanceof InputError && /^scope: fn is an async function; .*scopeAsync/.test(e.message));
  assert.equal(called, false, 'nothing ran');
  let inside!: DenseMatrix<'f32'>;
  assert.throws(() => scope(() => { inside = DenseMatrix.zeros(2, 2); return tick(); }),
    (e: unknown) => e instanceof InputError && /^scope: fn returned a promise/.test(e.message));
  assert.equal(inside.storage.isFreed, false, 'what the promise may still use is not freed');
  inside.free();
});

test('scopeAsync() never frees what another task allocated while it awaited (the scope(async) bug)', async () => {
  let temporary!: DenseMatrix<'f32'>;
  const running = scopeAsync(async () => {
    temporary = DenseMatrix.zeros(4, 4);
    await tick();
    return 1;
  });
  const outside = DenseMatrix.zeros(3, 3); // made while the scope awaits, by code outside it
  assert.equal(await running, 1);
  assert.ok(temporary.storage.isFreed, 'its own temporary (allocated before the await) is freed');
  assert.ok(!outside.storage.isFreed, 'the other task\'s matrix is untouched');
  assert.deepEqual(Array.from(outside.data), new Array(9).fill(0));
  outside.free();
});

test('scopeAsync(): blocks given to track after an await are freed, the result survives, a rejection frees and rethrows', async () => {
  let tracked!: DenseMatrix<'f32'>, untracked!: DenseMatrix<'f32'>;
  const kept = await scopeAsync(async (track) => {
    await tick();
    tracked = track(DenseMatrix.zeros(2, 2));
    untracked = DenseMatrix.zeros(2, 2);
    return { result: track(DenseMatrix.zeros(1, 1)) };
  });
  assert.ok(tracked.storage.isFreed);
  assert.ok(!untracked.storage.isFreed, 'after an await only tracked blocks are the scope\'s');
  assert.ok(!kept.result.storage.isFreed);
  untracked.free(); kept.result.free();
  let lost!: DenseMatrix<'f32'>;
  await assert.rejects(scopeAsync(async (track) => { lost = track(DenseMatrix.zeros(2, 2)); await tick(); throw new Error('boom'); }), /boom/);
  assert.ok(lost.storage.isFreed);
  await assert.rejects(scopeAsync((() => 1) as never), (e: unknown) => e instanceof InputError && /^scopeAsync: fn must return a promise/.test(e.message));
});

test('scope(): results kept at any depth, in Maps (keys and values) and Sets, through cycles; the rest freed', () => {
  let dropped!: DenseMatrix<'f32'>;
  const out = scope(() => {
    dropped = DenseMatrix.zeros(2, 2);
    const deep = { a: { b: { c: { d: { e: [DenseMatrix.zeros(1, 1)] } } } } };
    const key = DenseMatrix.zeros(1, 2);
    const map = new Map<DenseMatrix<'f32'>, DenseMatrix<'f32'>>([[key, DenseMatrix.zeros(2, 1)]]);
    const set = new Set([Storage.alloc('f64', 3)]);
    const cyclic: { self?: unknown; graph: ReturnType<typeof csrFromEdges> } = { graph: csrFromEdges([0, 1], [1, 0]) };
    cyclic.self = cyclic;
    return { deep, map, set, cyclic };
  });
  assert.ok(dropped.storage.isFreed);
  assert.ok(!out.deep.a.b.c.d.e[0]!.storage.isFreed, 'six levels deep');
  for (const [k, v] of out.map) { assert.ok(!k.storage.isFreed, 'Map key'); assert.ok(!v.storage.isFreed, 'Map value'); }
  for (const s of out.set) assert.ok(!s.isFreed, 'Set member');
  assert.ok(!out.cyclic.graph.rowPtr.isFreed && !out.cyclic.graph.colIdx.isFreed);
});

test('keep() takes a block out of every open scope, including the enclosing ones', () => {
  let kept!: DenseMatrix<'f32'>, other!: DenseMatrix<'f32'>;
  scope(() => {
    scope(() => {
      kept = keep(DenseMatrix.zeros(2, 2));
      other = DenseMatrix.zeros(2, 2);
    });
  });
  assert.ok(other.storage.isFreed);
  assert.ok(!kept.storage.isFreed, 'kept survives both scopes');
  kept.free();
});

test('[Symbol.dispose] frees a DenseMatrix, a CsrGraph and a GraphTransformer (what `using` calls)', () => {
  const m = DenseMatrix.zeros(2, 2), g = csrFromEdges([0, 1], [1, 0]);
  const w = () => DenseMatrix.zeros(2, 2, 'f64');
  const model = createModel({ layers: [{ wQ: w(), wK: w(), wV: w(), w1: w(), w2: w() }] });
  m[Symbol.dispose](); g[Symbol.dispose](); model[Symbol.dispose]();
  assert.ok(m.storage.isFreed && g.rowPtr.isFreed && g.colIdx.isFreed);
  assert.ok(model.storages().every((s) => s.isFreed));
});
