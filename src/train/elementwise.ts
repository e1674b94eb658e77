// The elementwise training kernels (assembly/elementwise.ts, f32 SIMD) or their twins (src/twin/elementwise.ts,
// which also serve f64 and the JS backend), each through the one dispatcher src/runtime/dispatch.ts.
import { runKernel } from '../runtime/dispatch.js';
import { columnRanges, elementRows, rowwiseRows } from '../runtime/threads/splits.js';
import { scratch } from '../runtime/scratch.js';
import { Storage, type DType } from '../runtime/storage.js';
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import * as twin from '../twin/elementwise.js';

const st = (m: DenseMatrix | Storage<DType>): Storage<DType> => (m instanceof DenseMatrix ? m.storage : m) as Storage<DType>;

/** a ← a + b (same shape). Returns a. */
export function addInPlace<T extends FloatDType>(a: DenseMatrix<T>, b: DenseMatrix<T>): DenseMatrix<T> {
  const len = a.rows * a.cols;
  runKernel({ args: [st(a), st(b)], writes: [st(a)], hasKernel: a.dtype === 'f32', rows: elementRows('add_f32', len, 2),
    kernel: (k, [pa, pb]) => k.add_f32(pa, pb, len), twin: () => twin.add_f32(a.data, b.data, len) });
  return a;
}

/** y_i ← y_i + b for every row (b is 1×cols). */
export function addRowVectorInPlace<T extends FloatDType>(y: DenseMatrix<T>, b: DenseMatrix<T>): void {
  runKernel({ args: [st(y), st(b)], writes: [st(y)], hasKernel: y.dtype === 'f32', rows: rowwiseRows('add_row_vector_f32', y.rows, y.cols, [true, false]),
    kernel: (k, [py, pb]) => k.add_row_vector_f32(py, pb, y.rows, y.cols), twin: () => twin.add_row_vector_f32(y.data, b.data, y.rows, y.cols) });
}

/** x ← max(x, 0). */
export function reluInPlace<T extends FloatDType>(x: DenseMatrix<T>): void {
  const len = x.rows * x.cols;
  runKernel({ args: [st(x)], writes: [st(x)], hasKernel: x.dtype === 'f32', rows: elementRows('relu_f32', len, 1),
    kernel: (k, [px]) => k.relu_f32(px, len), twin: () => twin.relu_f32(x.data, len) });
}

/** a ← a ⊙ m (the f32 dropout mask m, same length), e.g. a gradient through dropout. */
export function mulInPlace<T extends FloatDType>(a: DenseMatrix<T>, m: Storage<'f32'>): void {
  const len = a.rows * a.cols;
  runKernel({ args: [st(a), m as Storage<DType>], writes: [st(a)], hasKernel: a.dtype === 'f32', rows: elementRows('mul_f32', len, 2),
    kernel: (k, [pa, pm]) => k.mul_f32(pa, pm, len), twin: () => twin.mul_f32(a.data, m.array, len) });
}

/** g ← 0 where the ReLU output x is not positive. */
export function reluBackwardInPlace<T extends FloatDType>(g: DenseMatrix<T>, x: DenseMatrix<T>): void {
  const len = g.rows * g.cols;
  runKernel({ args: [st(g), st(x)], writes: [st(g)], hasKernel: g.dtype === 'f32', rows: elementRows('relu_backward_f32', len, 2),
    kernel: (k, [pg, px]) => k.relu_backward_f32(pg, px, len), twin: () => twin.relu_backward_f32(g.data, x.data, len) });
}

/** The 1×cols column sums of y (accumulated in f64 across blocks of rows). */
export function columnSumsOf<T extends FloatDType>(y: DenseMatrix<T>): DenseMatrix<T> {
  const o = Storage.alloc('f64', y.cols);
  runKernel({ args: [o as Storage<DType>, st(y)], writes: [o as Storage<DType>], hasKernel: y.dtype === 'f32',
    rows: columnRanges('column_sums_cols_f32', y.rows, y.cols, (p) => [p[0], p[1], y.rows, y.cols]),
    kernel: (k, [po, py]) => k.column_sums_f32(po, py, y.rows, y.cols, scratch(k, 4 * y.cols + 16)),
    twin: () => twin.column_sums_f32(o.array, y.data, y.rows, y.cols) });
  const out = DenseMatrix.from(o.array, 1, y.cols, y.dtype);
  o.free();
  return out;
}

/** Full-batch BN backward: writes dz, returns Σdy (dβ) and Σdy⊙xhat (dγ) per column. */
export function batchNormBackwardInto<T extends FloatDType>(dz: DenseMatrix<T>, dy: DenseMatrix<T>, xhat: DenseMatrix<T>,
  gamma: DenseMatrix<T>, invStd: Float64Array): { sumDy: Float64Array; sumDyX: Float64Array } {
  const p = dy.cols;
  const a = Storage.alloc('f64', p), b = Storage.alloc('f64', p), s = Storage.from('f64', invStd);
  runKernel({
    args: [st(dz), a as Storage<DType>, b as Storage<DType>, st(dy), st(xhat), st(gamma), s as Storage<DType>],
    writes: [st(dz), a as Storage<DType>, b as Storage<DType>], hasKernel: dy.dtype === 'f32',
    rows: columnRanges('batch_norm_backward_cols_f32', dy.rows, p, (q) => [...q.slice(0, 7), dy.rows, p]),
    kernel: (k, q) => k.batch_norm_backward_f32(q[0], q[1], q[2], q[3], q[4], q[5], q[6], dy.rows, p, scratch(k, 16 * p + 16)),
    twin: () => twin.batch_norm_backward_f32(dz.data, a.array, b.array, dy.data, xhat.data, gamma.data, s.array, dy.rows, p),
  });
  const sumDy = Float64Array.from(a.array), sumDyX = Float64Array.from(b.array);
  a.free(); b.free(); s.free();
  return { sumDy, sumDyX };
}
