// One reusable WASM scratch block per loaded module, grown on demand and never shrunk, so kernels that
// need temporary space (per-row attention scores) allocate nothing per call.
import type { KernelExports } from './kernels.js';
import { allocBlock } from './storage.js';

let owner: KernelExports | null = null;
let ptr = 0;
let bytes = 0;

/** A pointer to at least `need` bytes of scratch (contents undefined; valid until the next call). */
export function scratch(k: KernelExports, need: number): number {
  if (owner !== k) { owner = k; ptr = 0; bytes = 0; }
  if (need <= bytes) return ptr;
  const size = Math.max(need, 2 * bytes, 1024);
  if (ptr) k.free(ptr);
  ptr = 0; bytes = 0; // nothing held if the allocation below fails (BackendError)
  ptr = allocBlock(k, size, 'scratch');
  bytes = size;
  return ptr;
}
