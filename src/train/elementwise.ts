// Dispatch of the elementwise training kernels (assembly/elementwise.ts, f32 SIMD) and their twins
// (src/twin/elementwise.ts, which also serve f64 and the JS backend).
import { wasmKernels } from '../runtime/init.js';
import { scratch } from '../runtime/scratch.js';
import { Storage, withPointers, type DType } from '../runtime/storage.js';
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import type { KernelExports } from '../runtime/kernels.js';
import * as twin from '../twin/elementwise.js';

type AnyStorage = Storage<DType> | null;

/** The loaded kernels when `m` is f32 and the WASM backend is active, else null (use the twin). */
function kernelsFor(m: DenseMatrix): KernelExports | null {
  return m.dtype === 'f32' ? wasmKernels() : null;
}

function run(k: KernelExports, arrays: AnyStorage[], fn: (p: number[]) => void, writeBack: AnyStorage[]): void {
  withPointers(k, arrays, fn, writeBack);
}

const st = (m: DenseMatrix | Storage<DType>): Storage<DType> => (m instanceof DenseMatrix ? m.storage : m) as Storage<DType>;

/** a ← a + b (same shape). Returns a. */
export function addInPlace<T extends FloatDType>(a: DenseMatrix<T>, b: DenseMatrix<T>): DenseMatrix<T> {
  const k = kernelsFor(a), len = a.rows * a.cols;
  if (k) run(k, [st(a), st(b)], ([pa, pb]) => k.add_f32(pa, pb, len), [st(a)]);
  else twin.add_f32(a.data, b.data, len);
  return a;
}

/** y_i ← y_i + b for every row (b is 1×cols). */
export function addRowVectorInPlace<T extends FloatDType>(y: DenseMatrix<T>, b: DenseMatrix<T>): void {
  const k = kernelsFor(y);
  if (k) run(k, [st(y), st(b)], ([py, pb]) => k.add_row_vector_f32(py, pb, y.rows, y.cols), [st(y)]);
  else twin.add_row_vector_f32(y.data, b.data, y.rows, y.cols);
}

/** x ← max(x, 0). */
export function reluInPlace<T extends FloatDType>(x: DenseMatrix<T>): void {
  const k = kernelsFor(x), len = x.rows * x.cols;
  if (k) run(k, [st(x)], ([px]) => k.relu_f32(px, len), [st(x)]);
  else twin.relu_f32(x.data, len);
}

/** g ← 0 where the ReLU output x is not positive. */
export function reluBackwardInPlace<T extends FloatDType>(g: DenseMatrix<T>, x: DenseMatrix<T>): void {
  const k = kernelsFor(g), len = g.rows * g.cols;
  if (k) run(k, [st(g), st(x)], ([pg, px]) => k.relu_backward_f32(pg, px, len), [st(g)]);
  else twin.relu_backward_f32(g.data, x.data, len);
}

/** The 1×cols column sums of y (accumulated in f64 across blocks of rows). */
export function columnSumsOf<T extends FloatDType>(y: DenseMatrix<T>): DenseMatrix<T> {
  const out = new Float64Array(y.cols);
  const k = kernelsFor(y);
  if (k) {
    const o = Storage.alloc('f64', y.cols);
    run(k, [o as Storage<DType>, st(y)], ([po, py]) => k.column_sums_f32(po, py, y.rows, y.cols, scratch(k, 4 * y.cols + 16)), []);
    out.set(o.array); o.free();
  } else twin.column_sums_f32(out, y.data, y.rows, y.cols);
  return DenseMatrix.from(out, 1, y.cols, y.dtype);
}

/** Full-batch BN forward: writes y and xhat, returns μ and 1/√(σ² + ε) per column. */
export function batchNormForwardInto<T extends FloatDType>(y: DenseMatrix<T>, xhat: DenseMatrix<T>, z: DenseMatrix<T>,
  gamma: DenseMatrix<T>, beta: DenseMatrix<T>, eps: number): { mean: Float64Array; invStd: Float64Array } {
  const p = z.cols, mean = new Float64Array(p), invStd = new Float64Array(p);
  const k = kernelsFor(z);
  if (k) {
    const m = Storage.alloc('f64', p), s = Storage.alloc('f64', p);
    run(k, [st(y), st(xhat), m as Storage<DType>, s as Storage<DType>, st(z), st(gamma), st(beta)], (q) =>
      k.batch_norm_forward_f32(q[0], q[1], q[2], q[3], q[4], q[5], q[6], z.rows, p, eps, scratch(k, 12 * p + 16)), []);
    mean.set(m.array); invStd.set(s.array); m.free(); s.free();
  } else twin.batch_norm_forward_f32(y.data, xhat.data, mean, invStd, z.data, gamma.data, beta.data, z.rows, p, eps);
  return { mean, invStd };
}

/** Full-batch BN backward: writes dz, returns Σdy (dβ) and Σdy⊙xhat (dγ) per column. */
export function batchNormBackwardInto<T extends FloatDType>(dz: DenseMatrix<T>, dy: DenseMatrix<T>, xhat: DenseMatrix<T>,
  gamma: DenseMatrix<T>, invStd: Float64Array): { sumDy: Float64Array; sumDyX: Float64Array } {
  const p = dy.cols, sumDy = new Float64Array(p), sumDyX = new Float64Array(p);
  const k = kernelsFor(dy);
  if (k) {
    const a = Storage.alloc('f64', p), b = Storage.alloc('f64', p), s = Storage.from('f64', invStd);
    run(k, [st(dz), a as Storage<DType>, b as Storage<DType>, st(dy), st(xhat), st(gamma), s as Storage<DType>], (q) =>
      k.batch_norm_backward_f32(q[0], q[1], q[2], q[3], q[4], q[5], q[6], dy.rows, p, scratch(k, 16 * p + 16)), []);
    sumDy.set(a.array); sumDyX.set(b.array); a.free(); b.free(); s.free();
  } else twin.batch_norm_backward_f32(dz.data, sumDy, sumDyX, dy.data, xhat.data, gamma.data, invStd, dy.rows, p);
  return { sumDy, sumDyX };
}
