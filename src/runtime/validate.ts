// Argument checks shared by every public function. They run before any kernel starts.
import { InputError } from './errors.js';
import { loadedKernels } from './init.js';
import type { Storage, DType } from './storage.js';

/**
 * Throws InputError `${fn}: ${name} has a non-finite value (…) at index i` for the first NaN/±Inf.
 * Resident f32/f64 arrays are scanned by the SIMD kernel; others in JS.
 */
export function assertFiniteStorage(fn: string, name: string, s: Storage<DType>): void {
  const idx = firstNonFinite(s);
  if (idx >= 0) throw new InputError(`${fn}: ${name} has a non-finite value (${s.array[idx]}) at index ${idx}`);
}

/** Index of the first NaN/±Inf of s, or −1 (the SIMD kernel for resident f32/f64 arrays, else JS). */
export function firstNonFinite(s: Storage<DType>): number {
  const k = loadedKernels();
  if (k && s.resident && s.dtype !== 'i32') {
    return s.dtype === 'f32' ? k.first_nonfinite_f32(s.ptr, s.length) : k.first_nonfinite_f64(s.ptr, s.length);
  }
  const a = s.array;
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}
