// Argument checks shared by every public function. They run before any kernel starts.
import { InputError } from './errors.js';
import { loadedKernels } from './init.js';
import type { Storage, DType } from './storage.js';

/**
 * Throws InputError `${fn}: ${name} has a non-finite value (…) at index i` for the first NaN/±Inf.
 * Resident f32/f64 arrays are scanned by the SIMD kernel; others in JS.
 */
export function assertFiniteStorage(fn: string, name: string, s: Storage<DType>): void {
  const k = loadedKernels();
  let idx = -1;
  if (k && s.resident && s.dtype !== 'i32') {
    idx = s.dtype === 'f32' ? k.first_nonfinite_f32(s.ptr, s.length) : k.first_nonfinite_f64(s.ptr, s.length);
  } else {
    const a = s.array;
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) { idx = i; break; }
  }
  if (idx >= 0) throw new InputError(`${fn}: ${name} has a non-finite value (${s.array[idx]}) at index ${idx}`);
}
