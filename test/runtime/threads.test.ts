// The thread pool (src/runtime/threads/): every threaded kernel gives the same bits on 1, 2, 3 and 4 threads (rows
// and tiles are partitioned, never the terms of a sum), and stays within the twin's tolerance as single-threaded
// runs do; a failing worker surfaces as a WorkerError; without SharedArrayBuffer init() runs one thread and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  init, threadInfo, useThreads, setBackend, matmul, sparseAttention, csrFromEdges, DenseMatrix, rng, scope, createModel, forward,
  WorkerError, type CsrGraph,
} from '../../src/index.js';
import { runKernel } from '../../src/runtime/dispatch.js';
import { loadedKernels } from '../../src/runtime/init.js';
import { threadJobs } from '../../src/runtime/threads/state.js';
import { trainNodeClassifier, predictLogits } from '../../src/train/train.js';
import { sparseAttentionBackward } from '../../src/train/attention-backward.js';
import * as scatterTwin from '../../src/twin/attention_backward.js';
import * as gatherTwin from '../../src/twin/attention_backward_gather.js';
import { tinyProblem } from '../train/fixtures.js';
import { batchNormBatchStatistics } from '../../src/model/batch-norm.js';
import { columnSumsOf, batchNormBackwardInto } from '../../src/train/elementwise.js';
import { worstRelative } from '../support/backends.js';
import { maxRowSquaredNorm } from '../../src/linalg/max-row-norm.js';
import { networkForward, practicalStructure } from '../../src/model/parameters.js';
import { initParameters } from '../../src/train/parameters.js';

const THREADS = [1, 2, 3, 4];
await init(undefined, { threads: 4 });

/** The bytes of a typed array, for exact comparison. */
const bits = (a: Float32Array | Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Runs f on each thread count and asserts that every result has the same bits as the 1-thread one; returns that one. */
function sameForEveryCount<A extends Float32Array | Float64Array>(what: string, f: () => A[]): A[] {
  useThreads(1);
  const one = f().map((a) => a.slice() as A);
  for (const t of THREADS.slice(1)) {
    useThreads(t);
    const jobs = threadJobs();
    const got = f();
    assert.ok(threadJobs() > jobs, `${what}: nothing was split on ${t} threads`);
    got.forEach((a, i) => assert.ok(bits(a).equals(bits(one[i])), `${what}: output ${i} on ${t} threads differs from 1 thread`));
  }
  useThreads(4);
  return one;
}

function randomMatrix(r: ReturnType<typeof rng>, rows: number, cols: number, dtype: 'f32' | 'f64'): DenseMatrix<'f32' | 'f64'> {
  return DenseMatrix.from(r.fillNormal(new Float64Array(rows * cols)), rows, cols, dtype);
}

function randomGraph(r: ReturnType<typeof rng>, n: number, degree: number): CsrGraph {
  const rows: number[] = [], cols: number[] = [];
  for (let i = 0; i < n; i++) for (let t = 0; t < degree; t++) { rows.push(i); cols.push(r.int(n)); }
  return csrFromEdges(rows, cols, { numNodes: n, selfLoops: true });
}

/** The twin's result of f (the JS backend), for the tolerance check. */
function onTwin<R>(f: () => R): R {
  setBackend('js');
  try { return f(); } finally { setBackend('wasm-simd'); }
}

test('init({ threads: 4 }) runs 4 threads over a shared memory here (Node has worker_threads and SharedArrayBuffer)', () => {
  assert.deepEqual(threadInfo(), { threads: 4, sharedMemory: true, reason: null });
  assert.ok(loadedKernels()!.memory.buffer instanceof SharedArrayBuffer);
  assert.throws(() => useThreads(5), /useThreads: n must be an integer from 1 to 4/);
});

test('GEMM: the same bits on 1–4 threads (ragged rows, both dtypes, op(A) = A and Aᵀ, op(B) = B and Bᵀ), within the twin tolerance', () => {
  const r = rng(11);
  for (const dtype of ['f32', 'f64'] as const) {
    for (const [m, n, k, tA, tB] of [[203, 77, 300, false, false], [130, 64, 1000, false, true], [64, 512, 40, false, false],
      [64, 48, 3000, true, false], [90, 33, 700, true, true]] as const) {
      const a = tA ? randomMatrix(r, k, m, dtype) : randomMatrix(r, m, k, dtype), b = tB ? randomMatrix(r, n, k, dtype) : randomMatrix(r, k, n, dtype);
      const options = { transA: tA, transB: tB };
      const [c] = sameForEveryCount(`gemm ${dtype} ${m}×${n}×${k} ${tA}/${tB}`, () => [matmul(a, b, options).data]);
      const ref = onTwin(() => matmul(a, b, options).data);
      const tol = dtype === 'f32' ? 1e-4 : 1e-12;
      assert.ok(worstRelative(c, ref, tol, tol * Math.sqrt(k)) <= 1, `gemm ${dtype} against the twin`);
    }
  }
});

test('attention forward: the same bits on 1–4 threads, f32 (row and column-blocked paths) and f64, with and without weights', () => {
  const r = rng(12);
  // 6000 rows of degree ≈ 9: the row-by-row path; 10000 rows of degree ≈ 48 at D = 64: the column-blocked path
  for (const [n, degree, d] of [[6000, 8, 16], [10000, 48, 64]] as const) {
    const pattern = randomGraph(r, n, degree);
    for (const dtype of ['f32', 'f64'] as const) {
      if (dtype === 'f64' && n > 6000) continue;
      const q = randomMatrix(r, n, d, dtype), k = randomMatrix(r, n, d, dtype), v = randomMatrix(r, n, d, dtype);
      const scale = 1 / Math.sqrt(d);
      const [out, w] = sameForEveryCount(`attention ${dtype} n=${n} d=${d}`, () => {
        const a = sparseAttention(q, k, v, pattern, { scale, returnWeights: true });
        const b = sparseAttention(q, k, v, pattern, { scale });
        assert.ok(bits(a.output.data).equals(bits(b.output.data)), 'with and without weights agree');
        return [a.output.data, a.weights!.array];
      });
      const ref = onTwin(() => sparseAttention(q, k, v, pattern, { scale, returnWeights: true }));
      const tol = dtype === 'f32' ? 2e-5 : 1e-12;
      assert.ok(worstRelative(out, ref.output.data, tol, tol) <= 1, `attention ${dtype} output against the twin`);
      assert.ok(worstRelative(w, ref.weights!.array, tol, tol) <= 1, `attention ${dtype} weights against the twin`);
    }
  }
});

test('attention backward f32: the gather over the transposed pattern (2–4 threads) has the scatter kernel\'s bits (1 thread)', () => {
  const r = rng(14);
  const pattern = randomGraph(r, 5000, 7);
  const d = 16, scale = 0.25;
  const [q, k, v, dOut] = [0, 1, 2, 3].map(() => randomMatrix(r, 5000, d, 'f32'));
  const w = sparseAttention(q, k, v, pattern, { scale, returnWeights: true }).weights!;
  const [dQ, dK, dV] = sameForEveryCount('attention backward', () => {
    const g = sparseAttentionBackward(dOut, q, k, v, w, pattern, { scale });
    return [g.dQ.data, g.dK.data, g.dV.data] as Float32Array[];
  });
  const ref = onTwin(() => sparseAttentionBackward(dOut, q, k, v, w, pattern, { scale }));
  for (const [got, want] of [[dQ, ref.dQ.data], [dK, ref.dK.data], [dV, ref.dV.data]] as const) {
    assert.ok(worstRelative(got, want, 1e-4, 1e-5) <= 1, 'backward against the scatter twin');
  }
});

test('the gather twin (rows pass, then cols pass) agrees with the scatter twin within f32 rounding', () => {
  const r = rng(15);
  const n = 300, d = 8, scale = 0.5;
  const pattern = randomGraph(r, n, 5);
  const m = pattern.numEdges;
  const arr = (len: number): Float32Array => Float32Array.from(r.fillNormal(new Float64Array(len)));
  const q = arr(n * d), k = arr(n * d), v = arr(n * d), dOut = arr(n * d), w = Float32Array.from(arr(m), Math.abs);
  const rowPtr = pattern.rowPtr.array, colIdx = pattern.colIdx.array;
  const sQ = new Float32Array(n * d), sK = new Float32Array(n * d), sV = new Float32Array(n * d);
  scatterTwin.attention_csr_backward_f32(sQ, sK, sV, dOut, q, k, v, w, rowPtr, colIdx, n, n, d, d, scale, new Float32Array(pattern.maxDegree));
  // the transposed pattern, built here independently: entries of column j in increasing edge index
  const tRowPtr = new Int32Array(n + 1), tEdge = new Int32Array(m), tDst = new Int32Array(m);
  const byCol: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) for (let e = rowPtr[i]; e < rowPtr[i + 1]; e++) byCol[colIdx[e]].push(e);
  let t = 0;
  byCol.forEach((es, j) => { for (const e of es) { tEdge[t] = e; tDst[t] = rowPtr.findIndex((_, i) => rowPtr[i + 1] > e); t++; } tRowPtr[j + 1] = t; });
  const gQ = new Float32Array(n * d), gK = new Float32Array(n * d), gV = new Float32Array(n * d), dS = new Float32Array(m);
  gatherTwin.attention_backward_rows_f32(gQ, dS, dOut, k, v, w, rowPtr, colIdx, 0, n, d, d, scale);
  gatherTwin.attention_backward_cols_f32(gK, gV, dS, dOut, q, w, tRowPtr, tEdge, tDst, 0, n, d, d);
  assert.ok(bits(gQ).equals(bits(sQ)), 'dQ: the same operations in the same order');
  assert.ok(bits(gV).equals(bits(sV)), 'dV: the same operations in the same order');
  assert.ok(worstRelative(gK, sK, 1e-5, 1e-6) <= 1, 'dK: dS rounded to f32 before the gather');
  assert.ok(!bits(gK).equals(bits(new Float32Array(n * d))), 'dK is not all zero');
});

test('column sums and the batch norm forward and backward (column ranges): the same bits on 1–4 threads, within the twin tolerance', () => {
  const r = rng(17);
  const rows = 3000, p = 37; // 37 columns: a scalar tail in the last range
  const z = randomMatrix(r, rows, p, 'f32') as DenseMatrix<'f32'>, dy = randomMatrix(r, rows, p, 'f32') as DenseMatrix<'f32'>;
  const norm = { kind: 'batch' as const, gamma: randomMatrix(r, 1, p, 'f32'), beta: randomMatrix(r, 1, p, 'f32') };
  const run = (): (Float32Array | Float64Array)[] => {
    const out = DenseMatrix.zeros(rows, p, 'f32'), xhat = DenseMatrix.zeros(rows, p, 'f32'), dz = DenseMatrix.zeros(rows, p, 'f32');
    const st = batchNormBatchStatistics(z, norm, out, xhat);
    const sums = columnSumsOf(dy);
    const back = batchNormBackwardInto(dz, dy, xhat, norm.gamma as DenseMatrix<'f32'>, st.invStd);
    return [out.data, xhat.data, st.mean, st.invStd, sums.data as Float32Array, dz.data, back.sumDy, back.sumDyX];
  };
  const got = sameForEveryCount('batch norm', run);
  const ref = onTwin(run);
  got.forEach((a, i) => assert.ok(worstRelative(a, ref[i], 1e-4, 1e-4) <= 1, `batch norm output ${i} against the twin`));
});

test('the forward of a trained-shape network and a training run: the same bits on 1–4 threads', () => {
  scope(() => {
    const data = tinyProblem(3, 4500, 8, 3, 'f32');
    const losses = sameForEveryCount('training and the forward', () => {
      const t = trainNodeClassifier(data, { width: 16, layers: 2, lr: 0.01, epochs: 2, seed: 5 });
      const logits = predictLogits(t.parameters, t.config, data.features, data.graph);
      return [Float64Array.from(t.history.map((h) => h.loss)), t.parameters.get('layers.1.w_q')!.data as Float32Array,
        logits.data as Float32Array];
    });
    assert.ok(losses[0].every(Number.isFinite));
  });
});

test('the inference forward at width 64 (Q computed in query blocks): the same bits on 1–4 threads, within the twin tolerance', () => {
  const r = rng(16);
  const n = 6000, width = 64, f = 10;
  const weight = (rows: number, cols: number) => DenseMatrix.from(r.fillNormal(new Float64Array(rows * cols), 1 / Math.sqrt(cols)), rows, cols, 'f64');
  const layers = [0, 1].map(() => ({
    wQ: weight(width, width), wK: weight(width, width), wV: weight(width, width), w1: weight(width, width), w2: weight(width, width),
    b1: new Float64Array(width), b2: new Float64Array(width), logitScale: 1 / Math.sqrt(width),
    attentionSkip: 'identity' as const, ffnSkip: 'identity' as const,
  }));
  const model = createModel({ variant: 'practical', activation: 'relu', layers, encoder: { weight: weight(width, f), bias: new Float64Array(width) } });
  const pattern = randomGraph(r, n, 8);
  const x = randomMatrix(r, n, f, 'f32');
  const [out] = sameForEveryCount('forward', () => [forward(model, x, pattern, { dtype: 'f32' }).output.data as Float32Array]);
  const ref = onTwin(() => forward(model, x, pattern, { dtype: 'f32' }).output.data);
  assert.ok(worstRelative(out, ref, 1e-3, 1e-3) <= 1, 'forward against the twin');
});

test('the attention checks (max row norms, the CSR range check) and dropout: the same bits and errors on 1–4 threads, the twin\'s', () => {
  const r = rng(18);
  for (const dtype of ['f32', 'f64'] as const) {
    const m = randomMatrix(r, 7001, 19, dtype);
    const [norm] = sameForEveryCount(`max row norm ${dtype}`, () => [Float64Array.of(maxRowSquaredNorm(m))]);
    assert.ok(bits(norm).equals(bits(Float64Array.of(onTwin(() => maxRowSquaredNorm(m))))), `max row norm ${dtype}: the twin's bits`);
    m.data[5000 * 19 + 3] = NaN;
    for (const t of THREADS) { useThreads(t); assert.ok(Number.isNaN(maxRowSquaredNorm(m)), `a NaN propagates on ${t} threads`); }
  }
  // a pattern whose arrays were changed after validation: the same first bad entry named on every thread count
  const pattern = randomGraph(r, 20000, 6), n = 20000, d = 8;
  const q = randomMatrix(r, n, d, 'f32'), k = randomMatrix(r, n, d, 'f32');
  const ci = pattern.colIdx.array, rp = pattern.rowPtr.array, m = pattern.numEdges;
  const corruptions: [string, () => () => void][] = [
    ['colIdx', () => { const a = ci[m - 5], b = ci[m >> 2]; ci[m - 5] = n; ci[m >> 2] = -3; return () => { ci[m - 5] = a; ci[m >> 2] = b; }; }],
    ['rowPtr', () => { const a = rp[15000]; rp[15000] = rp[15001] + 1; return () => { rp[15000] = a; }; }],
  ];
  for (const [what, corrupt] of corruptions) {
    const undo = corrupt();
    const messages = THREADS.map((t) => {
      useThreads(t);
      const jobs = threadJobs();
      try { sparseAttention(q, k, k, pattern); } catch (e) { if (t > 1) assert.ok(threadJobs() > jobs, `${what}: the check was split`); return (e as Error).message; }
      return 'no error';
    });
    assert.match(messages[0], what === 'colIdx' ? new RegExp(`pattern\\.colIdx was changed .*colIdx\\[${m >> 2}\\] = -3`) : /pattern\.rowPtr was changed .*row (14999|15000) has/);
    assert.deepEqual(messages, THREADS.map(() => messages[0]), `${what}: the same message on 1–4 threads`);
    assert.equal(onTwin(() => { try { sparseAttention(q, k, k, pattern); return 'no error'; } catch (e) { return (e as Error).message; } }), messages[0], `${what}: the twin's message`);
    undo();
  }
  useThreads(4);
  // dropout masks of a training forward (encoder and every FFN): the same bits on 1–4 threads and on the twin
  scope(() => {
    const data = tinyProblem(4, 5000, 8, 3, 'f32');
    const config = { inputDim: 8, width: 16, layers: 2, numClasses: 3 };
    const params = initParameters(config, 3, 'f32');
    const masks = (): Float32Array[] => {
      const c = networkForward(practicalStructure(config), params, data.features as DenseMatrix<'f32'>, data.graph, { dropout: 0.4, random: rng(7) }).cache!;
      return [c.encodedMask!.array, ...c.layers.map((l) => l.hiddenMask!.array)];
    };
    const got = sameForEveryCount('dropout masks', masks);
    onTwin(masks).forEach((a, i) => assert.ok(bits(a).equals(bits(got[i])), `dropout mask ${i}: the twin's bits`));
    assert.ok(got.every((a) => a.some((v) => v === 0) && a.some((v) => v > 1)), 'masks drop and scale');
  });
});

test('a worker that fails in its rows surfaces as a WorkerError naming the worker and the kernel; the pool keeps working', () => {
  const k = loadedKernels()!;
  const n = 1 << 17;
  const x = k.alloc(4 * n);
  assert.throws(() => runKernel({
    args: [], writes: [],
    kernel: () => assert.fail('the split runs, not the whole call'),
    twin: () => assert.fail('the WASM backend is active'),
    // rows past the first range point beyond the end of memory: those workers trap, the main thread's range runs
    rows: { count: n, name: 'relu_f32', align: 4, args: (_p, r0, r1) => [r0 === 0 ? x : 0xfffff000, r1 - r0] },
  }), (e: unknown) => e instanceof WorkerError && /worker \d failed in relu_f32: .*out of bounds/i.test(e.message));
  k.free(x);
  const r = rng(13);
  const a = randomMatrix(r, 256, 256, 'f32');
  sameForEveryCount('gemm after a failure', () => [matmul(a, a).data]);
});

test('without SharedArrayBuffer init({ threads: 2 }) runs one thread, not shared, and threadInfo() says why', () => {
  const entry = fileURLToPath(new URL('../../src/index.js', import.meta.url));
  const script = `delete globalThis.SharedArrayBuffer;
    const m = await import(${JSON.stringify(entry)});
    const b = await m.init(undefined, { threads: 2 });
    const c = m.matmul(m.DenseMatrix.from(new Float32Array([1, 2, 3, 4]), 2, 2, 'f32'), m.DenseMatrix.from(new Float32Array([1, 0, 0, 1]), 2, 2, 'f32'));
    console.log(JSON.stringify({ b, info: m.threadInfo(), c: Array.from(c.data) }));`;
  const p = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(p.status, 0, p.stderr);
  const out = JSON.parse(p.stdout.trim().split('\n').pop()!);
  assert.equal(out.b, 'wasm-simd');
  assert.equal(out.info.threads, 1);
  assert.equal(out.info.sharedMemory, false);
  assert.match(out.info.reason, /SharedArrayBuffer is not available/);
  assert.deepEqual(out.c, [1, 2, 3, 4]);
});

test('init() rejects a threads option that is not an integer from 1 to 64, before any work', async () => {
  for (const bad of [0, 1.5, 65, '2', -1]) {
    await assert.rejects(init(undefined, { threads: bad as number }), /init: options.threads must be an integer from 1 to 64/);
  }
});
