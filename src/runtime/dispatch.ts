// The one place that picks a WASM kernel or its plain-TS twin (src/twin/). A kernel call site gives the
// storages the kernel reads and writes, the kernel call on their pointers and the twin call on their arrays;
// runKernel runs the kernel when the WASM backend is active (and the call site's dtype has a kernel), the
// twin otherwise. So a new kernel is its kernel (assembly/), its twin (src/twin/), one wrapper that calls
// runKernel, and a test that compares the two. With a thread pool (init({ threads })), a call that says how it splits into row ranges
// (`rows`) runs those ranges on the pool's threads (threads/rows.ts).
// A call whose result is a plain array (row norms, a Gram matrix) allocates a Storage for it, lets the kernel
// and the twin both write there (storage.array for the twin), and copies it out after runKernel returns; a
// kernel's scratch comes from runtime/scratch.ts inside `kernel`, the twin's is allocated inside `twin`.
// Only src/runtime and code that asks whether data is WASM-resident for another reason (a copy to avoid, a
// path that needs resident pointers) call wasmKernels() themselves.
import { CHECK_SLOT_BYTES, checkSlotsPointer, wasmKernels } from './init.js';
import { withPointers, type DType, type Storage } from './storage.js';
import { BackendError } from './errors.js';
import type { KernelExports } from './kernels.js';
import { activePool } from './threads/state.js';
import { runRows, type RowSplit } from './threads/rows.js';

export type { RowSplit } from './threads/rows.js';

/** A storage of any dtype, or null for an absent optional argument (the kernel then reads pointer 0). */
export type KernelArgument = Storage<DType> | null;

export interface KernelCall {
  /** Every storage the kernel reads or writes, in the order of the pointers passed to `kernel`. */
  args: KernelArgument[];
  /** The storages the kernel writes (copied back when a storage is not WASM-resident). */
  writes: KernelArgument[];
  /** The WASM call, given the loaded kernels and one pointer per entry of `args` (0 for null). */
  kernel: (k: KernelExports, pointers: number[]) => void;
  /** The twin call on the storages' arrays (the JS backend, and dtypes the kernel does not cover). */
  twin: () => void;
  /** False when this call's dtype has no kernel (e.g. an f32-only kernel on f64 data): the twin runs. Default true. */
  hasKernel?: boolean;
  /**
   * How the call splits into independent row ranges for the thread pool (threads/rows.ts); without it, or without a
   * pool, `kernel` runs on this thread alone. A split must give the same bits as `kernel` for every partition.
   */
  rows?: RowSplit;
}

/**
 * Runs one kernel call on the active backend: the WASM kernel when the backend is 'wasm-simd' and
 * `hasKernel` is not false, the twin otherwise. Cost: the kernel's (plus a copy in and out of WASM memory
 * for a storage that is not resident, which withPointers makes).
 */
export function runKernel(call: KernelCall): void {
  runKernelCall(call);
}

/**
 * Runs `kernel` on pointers the caller already holds (WASM-resident data, the loaded kernels `k`), split over the
 * thread pool as `rows` says when there is one and `rows` is given: for call sites that work on resident pointers
 * directly (the forward's query blocks) and still want the threads.
 */
export function runOnPointers(k: KernelExports, pointers: number[], kernel: (k: KernelExports, pointers: number[]) => void,
  rows?: RowSplit): void {
  const pool = rows ? activePool() : null;
  if (pool) runRows(pool, k, rows!, pointers, kernel);
  else kernel(k, pointers);
}

function runKernelCall(call: KernelCall): void {
  const k = call.hasKernel === false ? null : wasmKernels();
  if (!k) { call.twin(); return; }
  const pool = call.rows ? activePool() : null;
  if (pool) withPointers(k, call.args, (p) => runRows(pool, k, call.rows!, p, call.kernel), call.writes);
  else withPointers(k, call.args, (p) => call.kernel(k, p), call.writes);
}


/**
 * A call whose ranges each write f64 result slots indexed by their part (the range checks of assembly/checks.ts):
 * `slots` f64 (at most CHECK_SLOT_BYTES / 8) in a block init() allocated, so a check allocates nothing, set to `init`, then the kernel (split as `rows(out)`
 * says when there is a pool) or the twin on a host array of the same slots. Returns a copy of the slots; those of
 * ranges that did not run keep `init`. `hasKernel` false (e.g. operands in the JS heap): the twin runs.
 */
export function runSlotted(args: KernelArgument[], hasKernel: boolean, slots: number, init: number,
  kernel: (k: KernelExports, pointers: number[], out: number) => void, twin: (out: Float64Array) => void,
  rows?: (out: number) => RowSplit | undefined): Float64Array {
  const k = hasKernel ? wasmKernels() : null;
  if (!k) { const out = new Float64Array(slots).fill(init); twin(out); return out; }
  const po = checkSlotsPointer();
  if (8 * slots > CHECK_SLOT_BYTES || po === 0) throw new BackendError(`runSlotted: ${slots} slots do not fit the check block of ${CHECK_SLOT_BYTES} bytes (or init() made none)`);
  new Float64Array(k.memory.buffer, po, slots).fill(init);
  const split = rows?.(po), pool = split ? activePool() : null;
  withPointers(k, args, (p) => (pool ? runRows(pool, k, split!, p, (kk, pp) => kernel(kk, pp, po)) : kernel(k, p, po)), []);
  return new Float64Array(k.memory.buffer, po, slots).slice();
}
