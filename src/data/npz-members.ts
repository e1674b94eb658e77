// Checked access to the members of a decoded .npz: required members, expected ranks, and narrowing
// int64 / float64 arrays to the i32 / f32 the kernels use without silently losing anything.
import { FormatError, IndexError, InputError } from '../runtime/errors.js';
import type { NpyArray } from './npy.js';

const HOST_BIG_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 0;
const INTEGER_DTYPES = new Set(['int64', 'int32', 'int16', 'int8', 'uint8', 'uint32']);

/** A decoded archive: the arrays read and the names of all its members (for error messages). */
export interface Archive {
  arrays: Map<string, NpyArray>;
  names: readonly string[];
}

/** The members' names as an error message lists them. */
export function listNames(names: readonly string[]): string {
  return names.map((k) => `'${k}'`).join(', ') || 'nothing';
}

/** The member `name`, or FormatError listing what the archive holds. */
export function member(fn: string, archive: Archive, name: string): NpyArray {
  const a = archive.arrays.get(name);
  if (!a) throw new FormatError(`${fn}: the archive has no member '${name}' (it holds ${listNames(archive.names)})`);
  return a;
}

/** FormatError unless `a` has `rank` dimensions and each fixed entry of `dims` (null = any) matches. */
export function expectShape(fn: string, name: string, a: NpyArray, dims: (number | null)[], meaning: string): void {
  const ok = a.shape.length === dims.length && dims.every((d, i) => d === null || a.shape[i] === d);
  if (!ok) throw new FormatError(`${fn}: member '${name}' has shape (${a.shape.join(', ')}), expected ${meaning}`);
}

/**
 * The elements of an integer array as i32, each checked to lie in [0, upper): IndexError names the
 * first element outside (int64 values beyond the i32 range included), FormatError a non-integer dtype.
 * `cols` > 0 prints 2-d positions, e.g. edges[17, 1].
 */
export function indicesAsInt32(fn: string, name: string, a: NpyArray, upper: number, cols = 0): Int32Array {
  if (!INTEGER_DTYPES.has(a.dtype)) throw new FormatError(`${fn}: member '${name}' must hold integers, got ${a.dtype} ('${a.descr}')`);
  const where = (e: number): string => (cols > 0 ? `${name}[${Math.floor(e / cols)}, ${e % cols}]` : `${name}[${e}]`);
  const n = a.data.length;
  const out = new Int32Array(n);
  if (a.data instanceof BigInt64Array) {
    // Read each int64 as two i32 halves: it fits in i32 exactly when the high half is the low half's sign.
    const halves = new Int32Array(a.data.buffer, a.data.byteOffset, 2 * n);
    const lo = HOST_BIG_ENDIAN ? 1 : 0, hi = 1 - lo;
    for (let e = 0; e < n; e++) {
      const v = halves[2 * e + lo];
      if (halves[2 * e + hi] !== v >> 31 || v < 0 || v >= upper) throw outside(fn, where(e), String(a.data[e]), upper);
      out[e] = v;
    }
    return out;
  }
  const src = a.data as ArrayLike<number>;
  for (let e = 0; e < n; e++) {
    const v = src[e];
    if (!(v >= 0 && v < upper)) throw outside(fn, where(e), String(v), upper);
    out[e] = v;
  }
  return out;
}

function outside(fn: string, at: string, value: string, upper: number): IndexError {
  return new IndexError(`${fn}: ${at} = ${value} is outside [0, ${upper})`);
}

/** The elements of a float array as f32, rejecting NaN / ±Infinity (InputError) and non-float dtypes (FormatError). */
export function finiteFloat32(fn: string, name: string, a: NpyArray): Float32Array {
  if (a.dtype !== 'float32' && a.dtype !== 'float64') throw new FormatError(`${fn}: member '${name}' must hold float32 or float64, got ${a.dtype} ('${a.descr}')`);
  const out = a.data instanceof Float32Array ? a.data : Float32Array.from(a.data as Float64Array);
  for (let i = 0; i < out.length; i++) {
    // f64 values beyond the f32 range become ±Infinity here and are caught too
    if (!Number.isFinite(out[i])) throw new InputError(`${fn}: member '${name}' has a non-finite value (${(a.data as Float64Array)[i]}) at index ${i}`);
  }
  return out;
}

/** Rows of a boolean (or 0/1 uint8) mask array of shape [splits, n] or [n], each as a Uint8Array of 0 and 1. */
export function maskRows(fn: string, name: string, a: NpyArray, n: number): Uint8Array[] {
  if (a.dtype !== 'bool' && a.dtype !== 'uint8') throw new FormatError(`${fn}: member '${name}' must be a bool mask, got ${a.dtype} ('${a.descr}')`);
  if (!((a.shape.length === 2 && a.shape[1] === n) || (a.shape.length === 1 && a.shape[0] === n))) {
    throw new FormatError(`${fn}: member '${name}' has shape (${a.shape.join(', ')}), expected (splits, ${n}) or (${n},)`);
  }
  const data = a.data as Uint8Array;
  for (let i = 0; i < data.length; i++) {
    if (data[i] > 1) throw new FormatError(`${fn}: member '${name}' holds ${data[i]} at index ${i}, a mask holds only 0 and 1`);
  }
  const rows = a.shape.length === 2 ? a.shape[0] : 1;
  return Array.from({ length: rows }, (_, s) => data.slice(s * n, (s + 1) * n));
}
