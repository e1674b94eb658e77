// A small row-major dense matrix over Float32Array / Float64Array whose elements live in WASM memory
// when the WASM backend is loaded (see src/runtime/storage.ts for the memory model).
import { InputError, ShapeError, ArgumentRangeError } from '../runtime/errors.js';
import { Storage, outOfWasm, type Owner, type DType } from '../runtime/storage.js';
import { assertFiniteStorage, requireAllocatable, requireLive } from '../runtime/validate.js';

export type FloatDType = 'f32' | 'f64';

/** What DenseMatrix.fromMl reads: an ml-matrix Matrix, or any object with its `to2DArray()`. */
export interface MlMatrixLike {
  to2DArray(): ArrayLike<number>[];
}

/** What DenseMatrix.toMl builds with: ml-matrix's `Matrix` class, or any class constructed from an array of rows. */
export type MlMatrixConstructor<M> = new (rows: number[][]) => M;
export type FloatArray<T extends FloatDType> = T extends 'f32' ? Float32Array : Float64Array;

function checkDim(fn: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new ShapeError(`${fn}: ${name} must be a non-negative integer, got ${String(v)}`);
}

/** Row-major rows×cols matrix. Element (i, j) is data[i·cols + j]. */
export class DenseMatrix<T extends FloatDType = FloatDType> implements Owner {
  readonly rows: number;
  readonly cols: number;
  readonly storage: Storage<T>;

  private constructor(rows: number, cols: number, storage: Storage<T>) {
    this.rows = rows;
    this.cols = cols;
    this.storage = storage;
  }

  get dtype(): T {
    return this.storage.dtype;
  }

  /** The elements (a live view: refreshed after WASM memory grows; do not keep it across calls). */
  get data(): FloatArray<T> {
    return this.storage.array as FloatArray<T>;
  }

  storages(): Storage<DType>[] {
    return [this.storage as Storage<DType>];
  }

  /** A zero matrix. */
  static zeros<T extends FloatDType = 'f32'>(rows: number, cols: number, dtype: T = 'f32' as T): DenseMatrix<T> {
    checkDim('DenseMatrix.zeros', 'rows', rows);
    checkDim('DenseMatrix.zeros', 'cols', cols);
    if (dtype !== 'f32' && dtype !== 'f64') throw new InputError(`DenseMatrix.zeros: dtype must be 'f32' or 'f64', got ${String(dtype)}`);
    requireAllocatable('DenseMatrix.zeros', `a ${rows}×${cols} ${dtype} matrix`, rows * cols, dtype === 'f32' ? 4 : 8);
    return new DenseMatrix(rows, cols, Storage.alloc(dtype, rows * cols));
  }

  /** A copy of row-major `values` (Float32Array → f32, Float64Array or number[] → f64 unless dtype says). */
  static from<T extends FloatDType>(values: ArrayLike<number>, rows: number, cols: number, dtype?: T): DenseMatrix<T> {
    checkDim('DenseMatrix.from', 'rows', rows);
    checkDim('DenseMatrix.from', 'cols', cols);
    if (values.length !== rows * cols) {
      throw new ShapeError(`DenseMatrix.from: values has length ${values.length}, expected rows·cols = ${rows}·${cols} = ${rows * cols}`);
    }
    const dt = (dtype ?? (values instanceof Float32Array ? 'f32' : 'f64')) as T;
    const src = outOfWasm(values); // allocating may grow memory and detach a WASM view
    const m = DenseMatrix.zeros(rows, cols, dt);
    m.data.set(src);
    return m;
  }

  /** From an array of equal-length rows. */
  static fromRows<T extends FloatDType = 'f64'>(rowsIn: ArrayLike<number>[], dtype: T = 'f64' as T): DenseMatrix<T> {
    const rows = rowsIn.length;
    const cols = rows ? rowsIn[0].length : 0;
    const m = DenseMatrix.zeros(rows, cols, dtype);
    const d = m.data;
    rowsIn.forEach((r, i) => {
      if (r.length !== cols) throw new ShapeError(`DenseMatrix.fromRows: row ${i} has length ${r.length}, expected ${cols}`);
      d.set(r, i * cols);
    });
    return m;
  }

  /**
   * From an ml-matrix Matrix (f64 by default) — or any object with `to2DArray()`. narrowgt does not load
   * ml-matrix itself (it is no dependency of the library, so importing narrowgt stays fast): pass your own.
   */
  static fromMl<T extends FloatDType = 'f64'>(m: MlMatrixLike, dtype: T = 'f64' as T): DenseMatrix<T> {
    if (m === null || typeof m !== 'object' || typeof m.to2DArray !== 'function') {
      throw new InputError('DenseMatrix.fromMl: m must be an ml-matrix Matrix (an object with to2DArray())');
    }
    return DenseMatrix.fromRows(m.to2DArray(), dtype);
  }

  /**
   * To an ml-matrix Matrix (f64), built with the `Matrix` class the caller passes:
   * `import { Matrix } from 'ml-matrix'; a.toMl(Matrix)`. narrowgt does not load ml-matrix itself.
   * Throws InputError when Matrix is not a constructor.
   */
  toMl<M>(Matrix: MlMatrixConstructor<M>): M {
    if (typeof Matrix !== 'function') {
      throw new InputError("DenseMatrix.toMl: pass ml-matrix's Matrix class (import { Matrix } from 'ml-matrix'; a.toMl(Matrix)); narrowgt does not load ml-matrix itself");
    }
    return new Matrix(this.toRows());
  }

  toRows(): number[][] {
    const out: number[][] = [];
    const d = this.data;
    for (let i = 0; i < this.rows; i++) out.push(Array.from(d.subarray(i * this.cols, (i + 1) * this.cols)));
    return out;
  }

  get(i: number, j: number): number {
    this.checkIndex('DenseMatrix.get', i, j);
    return this.data[i * this.cols + j];
  }

  set(i: number, j: number, v: number): void {
    this.checkIndex('DenseMatrix.set', i, j);
    this.data[i * this.cols + j] = v;
  }

  /** A copy, optionally in another dtype. */
  clone<U extends FloatDType = T>(dtype?: U): DenseMatrix<U> {
    const m = DenseMatrix.zeros(this.rows, this.cols, (dtype ?? this.dtype) as U);
    m.data.set(this.data); // read after allocating: the allocation may have grown memory
    return m;
  }

  /** The transpose, as a new matrix. */
  transpose(): DenseMatrix<T> {
    const t = DenseMatrix.zeros(this.cols, this.rows, this.dtype);
    const s = this.data, d = t.data;
    for (let i = 0; i < this.rows; i++) for (let j = 0; j < this.cols; j++) d[j * this.rows + i] = s[i * this.cols + j];
    return t;
  }

  /** Releases the WASM memory (idempotent). */
  free(): void {
    this.storage.free();
  }

  /** free(), for `using` (explicit resource management). */
  [Symbol.dispose](): void {
    this.free();
  }

  private checkIndex(fn: string, i: number, j: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.rows || !Number.isInteger(j) || j < 0 || j >= this.cols) {
      throw new ArgumentRangeError(`${fn}: index (${i}, ${j}) outside ${this.rows}×${this.cols}`);
    }
  }
}

/** Throws InputError naming `name` and the first non-finite entry, if any. */
export function assertFinite(fn: string, name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new InputError(`${fn}: ${name} has a non-finite value (${v}) at index ${i}`);
  }
}

/**
 * Throws unless `a` is a live, finite f64 DenseMatrix with at least one row and one column (unless
 * allowEmpty): the input contract of the factorisations and sketches in src/linalg. The option checks
 * live in src/runtime/validate.ts.
 */
export function requireF64Matrix(fn: string, name: string, a: unknown, allowEmpty = false): asserts a is DenseMatrix<'f64'> {
  requireDenseMatrix(fn, name, a);
  if (a.dtype !== 'f64') throw new InputError(`${fn}: ${name} is ${a.dtype}; this routine works in f64 (convert with ${name}.clone('f64'))`);
  if (!allowEmpty && (a.rows < 1 || a.cols < 1)) {
    throw new ShapeError(`${fn}: ${name} is ${a.rows}×${a.cols}; it must have at least one row and one column`);
  }
  assertFiniteStorage(fn, name, a.storage as Storage<DType>);
}

/** InputError unless `a` is a DenseMatrix whose storage was not freed. */
export function requireDenseMatrix(fn: string, name: string, a: unknown): asserts a is DenseMatrix {
  if (!(a instanceof DenseMatrix)) throw new InputError(`${fn}: ${name} must be a DenseMatrix`);
  requireLive(fn, name, a.storage as Storage<DType>);
}
