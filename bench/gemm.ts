// GEMM: 512³ (f32 and f64), the tall-skinny n×D · D×D product of every layer (Tolokers n = 11,758, D = 64)
// and its transposed Gram form Xᵀ·X. Peers: the plain-TS twin, tfjs-backend-wasm (1 thread) for f32,
// ml-matrix for f64.
import { Matrix } from 'ml-matrix';
import { DenseMatrix, matmul, rng } from '../src/index.js';
import * as twin from '../src/twin/gemm.js';
import { loadTfjs } from './peers/tfjs.js';
import type { Group, Suite, TaskSpec } from './harness.js';

interface Shape { m: number; n: number; k: number; transA: boolean }

const F32_SHAPES: Shape[] = [
  { m: 512, n: 512, k: 512, transA: false },
  { m: 11758, n: 64, k: 64, transA: false },
  { m: 64, n: 64, k: 11758, transA: true },
];

function dims(s: Shape): string {
  return s.transA ? `${s.k}×${s.m}ᵀ·${s.k}×${s.n}` : `${s.m}×${s.k}·${s.k}×${s.n}`;
}

async function f32Group(s: Shape): Promise<Group> {
  const g = rng(s.m + s.n + s.k);
  const aRows = s.transA ? s.k : s.m, aCols = s.transA ? s.m : s.k;
  const av = g.fillNormal(new Float32Array(aRows * aCols)), bv = g.fillNormal(new Float32Array(s.k * s.n));
  const a = DenseMatrix.from(av, aRows, aCols, 'f32'), b = DenseMatrix.from(bv, s.k, s.n, 'f32');
  const out = DenseMatrix.zeros(s.m, s.n, 'f32');
  const c = new Float32Array(s.m * s.n);
  const opts = s.transA ? '{ transA: true, out }' : '{ out }';
  const tasks: TaskSpec[] = [
    { name: `matmul(a, b, ${opts}) f32 ${dims(s)}`, role: 'narrowgt', fn: () => matmul(a, b, { transA: s.transA, out }) },
    { name: `twin.gemm_f32(c, a, b, ${s.m}, ${s.n}, ${s.k}, ${+s.transA}, 0)`, role: 'peer', iterations: 3, fn: () => twin.gemm_f32(c, av, bv, s.m, s.n, s.k, +s.transA, 0) },
  ];
  const tf = await loadTfjs();
  let ta: unknown = null, tb: unknown = null;
  if (tf) {
    ta = tf.tensor(av, aRows, aCols); tb = tf.tensor(bv, s.k, s.n);
    tasks.push({ name: `tf.matMul(a, b${s.transA ? ', true' : ''}).dataSync() f32 ${dims(s)} (tfjs-backend-wasm, 1 thread)`, role: 'peer', fn: () => tf.matMul(ta, tb, s.transA) });
  }
  return {
    suite: 'gemm', title: `GEMM f32 ${dims(s)}`, tasks,
    teardown: () => { a.free(); b.free(); out.free(); if (tf) { tf.dispose(ta); tf.dispose(tb); } },
  };
}

function f64Group(size: number): Group {
  const g = rng(size);
  const av = g.fillNormal(new Float64Array(size * size)), bv = g.fillNormal(new Float64Array(size * size));
  const a = DenseMatrix.from(av, size, size, 'f64'), b = DenseMatrix.from(bv, size, size, 'f64');
  const out = DenseMatrix.zeros(size, size, 'f64');
  const c = new Float64Array(size * size);
  const ma = a.toMl(Matrix), mb = b.toMl(Matrix);
  return {
    suite: 'gemm', title: `GEMM f64 ${size}×${size}·${size}×${size}`,
    tasks: [
      { name: `matmul(a, b, { out }) f64 ${size}×${size}·${size}×${size}`, role: 'narrowgt', fn: () => matmul(a, b, { out }) },
      { name: `twin.gemm_f64(c, a, b, ${size}, ${size}, ${size}, 0, 0)`, role: 'peer', iterations: 3, fn: () => twin.gemm_f64(c, av, bv, size, size, size, 0, 0) },
      { name: `new Matrix(${size}, ${size}).mmul(b) f64 (ml-matrix)`, role: 'peer', iterations: 3, fn: () => ma.mmul(mb as Matrix) },
    ],
    teardown: () => { a.free(); b.free(); out.free(); },
  };
}

export const gemmSuite: Suite = {
  name: 'gemm',
  groups: async () => [...(await Promise.all(F32_SHAPES.map(f32Group))), f64Group(512)],
};
