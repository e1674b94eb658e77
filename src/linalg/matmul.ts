// C = op(A)·op(B) on the active backend (WASM SIMD kernel or its TS twin).
import { ShapeError, InputError } from '../runtime/errors.js';
import { runKernel } from '../runtime/dispatch.js';
import { gemmRows } from '../runtime/threads/splits.js';
import type { Storage, DType } from '../runtime/storage.js';
import * as twin from '../twin/gemm.js';
import { assertFiniteStorage, checkOptionsObject, optionalBoolean, requireAllocatable } from '../runtime/validate.js';
import { DenseMatrix, requireDenseMatrix, type FloatDType } from './dense.js';

export interface MatmulOptions<T extends FloatDType> {
  /** Use Aᵀ in place of A (default false). */
  transA?: boolean;
  /** Use Bᵀ in place of B (default false). */
  transB?: boolean;
  /** Write into this matrix (right shape and dtype, not aliasing A or B) instead of allocating. */
  out?: DenseMatrix<T>;
  /** Check A and B for NaN/Inf first (default true; an O(size) scan). */
  checkFinite?: boolean;
}

/**
 * Matrix product C = op(A)·op(B), with op = identity or transpose. A and B must share a dtype;
 * f32 runs the f32x4 kernel, f64 the f64x2 kernel (cache-blocked, see assembly/gemm.ts).
 * Cost 2·m·n·k flops. With checkFinite (default) a product that overflows to ±Inf/NaN is an InputError too
 * (the output is then left as computed when it is options.out). Throws ShapeError on mismatched shapes or a wrong `out`, InputError on
 * mixed dtypes, non-finite entries, a freed operand or a product too large for one WASM block (MAX_BLOCK_BYTES, 4 GiB less 64 MiB),
 * ArgumentTypeError for a flag that is not true/false — all before any work.
 */
export function matmul<T extends FloatDType>(a: DenseMatrix<T>, b: DenseMatrix<T>, options: MatmulOptions<T> = {}): DenseMatrix<T> {
  const fn = 'matmul';
  requireDenseMatrix(fn, 'a', a);
  requireDenseMatrix(fn, 'b', b);
  if (a.dtype !== b.dtype) throw new InputError(`matmul: a is ${a.dtype} but b is ${b.dtype}; convert one with clone(dtype)`);
  checkOptionsObject(fn, options);
  // flags are booleans, not truthy values: { transA: 'false' } once shaped the product as transposed
  const tA = optionalBoolean(fn, 'options.transA', options.transA, false), tB = optionalBoolean(fn, 'options.transB', options.transB, false);
  const checkFinite = optionalBoolean(fn, 'options.checkFinite', options.checkFinite, true);
  const m = tA ? a.cols : a.rows, k = tA ? a.rows : a.cols;
  const kb = tB ? b.cols : b.rows, n = tB ? b.rows : b.cols;
  if (k !== kb) {
    throw new ShapeError(`matmul: inner dimensions differ: op(a) is ${m}×${k}, op(b) is ${kb}×${n}`);
  }
  const out = options.out;
  if (out) {
    requireDenseMatrix(fn, 'options.out', out);
    if (out.rows !== m || out.cols !== n) throw new ShapeError(`matmul: options.out is ${out.rows}×${out.cols}, expected ${m}×${n}`);
    if (out.dtype !== a.dtype) throw new InputError(`matmul: options.out is ${out.dtype}, expected ${a.dtype}`);
    if (out.storage === a.storage || out.storage === b.storage) throw new InputError('matmul: options.out must not alias a or b');
  }
  if (checkFinite) {
    assertFiniteStorage('matmul', 'a', a.storage as Storage<DType>);
    assertFiniteStorage('matmul', 'b', b.storage as Storage<DType>);
  }
  if (!out) requireAllocatable(fn, `the ${m}×${n} product`, m * n, a.dtype === 'f32' ? 4 : 8);
  const c = out ?? DenseMatrix.zeros(m, n, a.dtype);
  if (m === 0 || n === 0) return c;
  if (k === 0) { c.data.fill(0); return c; }
  const f32 = a.dtype === 'f32';
  runKernel({
    args: [c.storage, a.storage, b.storage] as Storage<DType>[],
    writes: [c.storage as Storage<DType>],
    rows: gemmRows(m, n, k, tA, tB, f32),
    kernel: (kern, [pc, pa, pb]) => (f32 ? kern.gemm_f32 : kern.gemm_f64)(pc, pa, pb, m, n, k, +tA, +tB),
    twin: () => {
      if (f32) twin.gemm_f32(c.data as Float32Array, a.data as Float32Array, b.data as Float32Array, m, n, k, +tA, +tB);
      else twin.gemm_f64(c.data as Float64Array, a.data as Float64Array, b.data as Float64Array, m, n, k, +tA, +tB);
    },
  });
  // finite in, finite out: a product of finite matrices can still overflow (1e200·1e200); with checkFinite that
  // is an error, not silent ±Inf/NaN (one SIMD scan of m·n entries against the 2·m·n·k flops of the product)
  if (checkFinite) {
    try {
      assertFiniteStorage(fn, 'the product', c.storage as Storage<DType>);
    } catch (e) {
      if (!out) c.free();
      throw new InputError(`${fn}: the product of the finite a and b overflows the ${a.dtype} range (${(e as Error).message.replace(/^matmul: the product /, '')}); scale the inputs`);
    }
  }
  return c;
}
