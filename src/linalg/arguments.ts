// Argument checks shared by the sketching routines (norms, JL maps, leverage scores, k-means).
// Every check runs before any work and throws a typed error that names the function and the argument.
import { InputError, ShapeError } from '../runtime/errors.js';
import { assertFiniteStorage } from '../runtime/validate.js';
import type { DType, Storage } from '../runtime/storage.js';
import { DenseMatrix } from './dense.js';

/** Throws unless `a` is a finite f64 DenseMatrix (and, unless allowEmpty, has ≥ 1 row and ≥ 1 column). */
export function requireF64Matrix(fn: string, name: string, a: unknown, allowEmpty = false): asserts a is DenseMatrix<'f64'> {
  if (!(a instanceof DenseMatrix)) throw new InputError(`${fn}: ${name} must be a DenseMatrix`);
  if (a.dtype !== 'f64') throw new InputError(`${fn}: ${name} is ${a.dtype}; this routine works in f64 (convert with ${name}.clone('f64'))`);
  if (!allowEmpty && (a.rows < 1 || a.cols < 1)) {
    throw new ShapeError(`${fn}: ${name} is ${a.rows}×${a.cols}; it must have at least one row and one column`);
  }
  assertFiniteStorage(fn, name, a.storage as Storage<DType>);
}

/** Throws RangeError unless lo < v < hi (an open interval, e.g. ε and δ in (0, 1)). */
export function requireOpen(fn: string, name: string, v: unknown, lo: number, hi: number): asserts v is number {
  if (typeof v !== 'number' || !(v > lo && v < hi)) throw new RangeError(`${fn}: ${name} must lie in (${lo}, ${hi}), got ${String(v)}`);
}

/** Throws RangeError unless v is an integer ≥ min. */
export function requireInt(fn: string, name: string, v: unknown, min: number): asserts v is number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new RangeError(`${fn}: ${name} must be an integer ≥ ${min}, got ${String(v)}`);
}

/** Throws InputError unless the seed is an integer (rng() would throw later, after work had begun). */
export function requireSeed(fn: string, seed: unknown): asserts seed is number {
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new InputError(`${fn}: options.seed must be an integer, got ${String(seed)}`);
}
