// A worker of the pool whose thread ends (here: terminated behind the pool's back) makes the next threaded call a
// WorkerError naming it, instead of a main thread waiting forever; disposeThreads() then leaves one thread that works.
// Its own process: the pool is unusable afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, matmul, DenseMatrix, rng, WorkerError, disposeThreads, threadInfo } from '../../src/index.js';
import { activePool } from '../../src/runtime/threads/state.js';

await init(undefined, { threads: 2 });

test('a worker whose thread ended: the next split call throws a WorkerError naming it; after disposeThreads() one thread runs', async () => {
  assert.equal(threadInfo().threads, 2);
  const pool = activePool()!;
  const a = DenseMatrix.from(rng(1).fillNormal(new Float32Array(256 * 256)), 256, 256, 'f32');
  const before = matmul(a, a).data.slice();
  (pool as unknown as { workers: { terminate(): void }[] }).workers[0].terminate();
  for (let t = 0; t < 250 && pool.exited[0] === null; t++) await new Promise((r) => setTimeout(r, 20));
  assert.notEqual(pool.exited[0], null, 'the pool saw the worker end');
  assert.throws(() => matmul(a, a), (e: unknown) => e instanceof WorkerError && /^runKernel: worker 1 of the thread pool has ended/.test((e as Error).message));
  disposeThreads();
  assert.equal(threadInfo().threads, 1);
  assert.deepEqual(matmul(a, a).data, before, 'one thread gives the same bits');
});
