// The one argument checker every public function uses (docs/architecture.md, "Limits on input and work").
// Every check runs before any kernel starts and throws a NarrowgtError subclass whose message starts with
// the public function's name and names the argument.
import { ArgumentRangeError, ArgumentTypeError, InputError } from './errors.js';
import { loadedKernels } from './init.js';
import type { Storage, DType } from './storage.js';

import { MAX_BLOCK_BYTES } from './block-size.js';
export { MAX_BLOCK_BYTES };

/** Work bounds no sane call exceeds (docs/architecture.md, "Limits on input and work"). */
export const LIMITS = {
  /** Power iterations of the randomized range finder / SVD (scikit-learn uses 4 or 7; HMT §4.5 suggest q ≤ 10). */
  powerIters: 100,
  /** Iteration caps of iterative methods (k-means, the power method of operatorNorm, Lanczos). */
  iterations: 1_000_000,
  /** Restarts of k-means. */
  restarts: 10_000,
  /** Rows drawn by leverage-score sampling. */
  samples: 2 ** 24,
} as const;

/** A number to print in a message (strings quoted, so `'0.5'` is visibly not 0.5). */
export function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}n` : String(v);
}

/** InputError unless `options` is undefined or a (non-null, non-array) object. */
export function checkOptionsObject(fn: string, options: unknown, name = 'options'): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InputError(`${fn}: ${name} must be an object (or omitted), got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : show(options)}`);
  }
}

/** The flag's value, or `fallback` when it is undefined; ArgumentTypeError for anything but true / false. */
export function optionalBoolean(fn: string, name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new ArgumentTypeError(`${fn}: ${name} must be true or false, got ${show(v)}`);
  return v;
}

/**
 * ArgumentTypeError unless v is a number; ArgumentRangeError unless it is an integer with min ≤ v ≤ max.
 * `integerType: true` makes a non-integer number a type error too (randomizedSvd's and selectRows' contract).
 */
export function requireInt(fn: string, name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER, integerType = false): asserts v is number {
  if (typeof v !== 'number' || (integerType && !Number.isInteger(v))) throw new ArgumentTypeError(`${fn}: ${name} must be an integer, got ${show(v)}`);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new ArgumentRangeError(`${fn}: ${name} must be ${integerType ? '' : 'an integer '}≥ ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` and ≤ ${max}`}, got ${v}`);
  }
}

/** ArgumentTypeError unless v is a finite number; ArgumentRangeError unless lo < v < hi (e.g. ε and δ in (0, 1)). */
export function requireOpen(fn: string, name: string, v: unknown, lo: number, hi: number): asserts v is number {
  if (typeof v !== 'number') throw new ArgumentTypeError(`${fn}: ${name} must be a number in (${lo}, ${hi}), got ${show(v)}`);
  if (!(v > lo && v < hi)) throw new ArgumentRangeError(`${fn}: ${name} must lie in (${lo}, ${hi}), got ${show(v)}`);
}

/** ArgumentTypeError unless v is a finite number; ArgumentRangeError unless v ≥ min. */
export function requireFinite(fn: string, name: string, v: unknown, min = -Infinity): asserts v is number {
  if (typeof v !== 'number') throw new ArgumentTypeError(`${fn}: ${name} must be a finite number, got ${show(v)}`);
  if (!Number.isFinite(v) || v < min) throw new ArgumentRangeError(`${fn}: ${name} must be finite${min > -Infinity ? ` and ≥ ${min}` : ''}, got ${v}`);
}

/** InputError unless the seed is an integer (rng() would throw later, after work had begun). */
export function requireSeed(fn: string, seed: unknown, name = 'options.seed'): asserts seed is number {
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new InputError(`${fn}: ${name} must be an integer, got ${show(seed)}`);
}

/** InputError unless v is an array of strings. */
export function requireStringArray(fn: string, name: string, v: unknown): asserts v is readonly string[] {
  if (!Array.isArray(v) || v.some((m) => typeof m !== 'string')) throw new InputError(`${fn}: ${name} must be an array of strings`);
}

/** InputError unless v is one of `choices`. */
export function requireChoice<T extends string>(fn: string, name: string, v: unknown, choices: readonly T[]): asserts v is T {
  if (!choices.includes(v as T)) throw new InputError(`${fn}: ${name} must be ${choices.map((c) => `'${c}'`).join(', ')}, got ${show(v)}`);
}

/**
 * InputError unless `count` elements of `bytesEach` bytes fit in one block (MAX_BLOCK_BYTES), checked
 * before anything is allocated; `what` names the argument that sets the size.
 */
export function requireAllocatable(fn: string, what: string, count: number, bytesEach: number): void {
  const bytes = count * bytesEach;
  if (!(bytes <= MAX_BLOCK_BYTES)) {
    throw new InputError(`${fn}: ${what} needs ${bytes} bytes (${count} elements of ${bytesEach}), more than the ${MAX_BLOCK_BYTES} one block of WASM memory holds`);
  }
}

/** InputError naming the argument when its storage was freed (free() or a closed scope()). */
export function requireLive(fn: string, name: string, s: Storage<DType>): void {
  if (s.isFreed) throw new InputError(`${fn}: ${name} was freed (free() was called on it, or the scope() that made it closed)`);
}

/**
 * Throws InputError `${fn}: ${name} has a non-finite value (…) at index i` for the first NaN/±Inf.
 * Resident f32/f64 arrays are scanned by the SIMD kernel; others in JS.
 */
export function assertFiniteStorage(fn: string, name: string, s: Storage<DType>): void {
  requireLive(fn, name, s);
  const idx = firstNonFinite(s);
  if (idx >= 0) throw new InputError(`${fn}: ${name} has a non-finite value (${s.array[idx]}) at index ${idx}`);
}

/**
 * The index of the first NaN/±Inf of a live array, or −1: one pass of the SIMD kernel for resident f32/f64
 * storage, a JS loop otherwise.
 */
export function firstNonFinite(s: Storage<DType>): number {
  const k = loadedKernels();
  if (k && s.resident && s.dtype !== 'i32') {
    return s.dtype === 'f32' ? k.first_nonfinite_f32(s.ptr, s.length) : k.first_nonfinite_f64(s.ptr, s.length);
  }
  const a = s.array;
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}
