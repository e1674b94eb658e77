// Per-instance state of a worker of the thread pool (src/runtime/threads/). Every worker instantiates the
// shared-memory build on the main thread's memory: wasm globals are per instance, memory is shared, so a worker
// must neither touch the TLSF heap (its own ROOT global is 0: a first alloc would lay a fresh heap over the
// main thread's) nor the static scratch tiles the main thread's kernels use. thread_setup points both elsewhere:
// the region [base, base + bytes), allocated for this worker by the main thread, holds the worker's own tiles
// (first 256 bytes) and then a bump arena that serves every alloc() of the kernel that follows; free() is a
// no-op in a worker (assembly/worker_arena.ts), and the arena restarts at the next thread_setup (one per job).
import { set_gemm_tile } from "./gemm";
import { set_bounded_pbuf } from "./attention_bounded_f32";
import { start_arena } from "./worker_arena";

/** Bytes at the start of a worker's region reserved for its static tiles (gemm's 128, the bounded kernel's 16). */
const STATICS: usize = 256;

/** Makes this instance a worker for one job over the region [base, base + bytes) (16-byte aligned, ≥ 256 bytes). */
export function thread_setup(base: usize, bytes: usize): void {
  set_gemm_tile(base);
  set_bounded_pbuf(base + 128);
  start_arena(base + STATICS, base + bytes);
}
