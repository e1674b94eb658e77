// Loading the shared-memory build for init({ threads }): the main instance on a new shared WebAssembly.Memory,
// then the pool's workers on the same memory. Each instantiation re-applies the module's data segments (constant
// tables and zeroed tiles below the heap base, never the heap), which is harmless only because no kernel runs
// while the workers start: init() adopts the main instance after they all reported ready.
import { KERNELS_THREADS_WASM_BASE64 } from './kernels-threads-wasm.generated.js';
import { startPool, type ThreadPool } from './pool.js';
import { availableCores, threadsUnavailable } from './spawn.js';
import { MAX_WORKERS } from './protocol.js';
import type { KernelExports } from '../kernels.js';

/**
 * The default thread count: the available cores, at most 8 (beyond that the memory bandwidth of one socket rules);
 * 1 in Deno, whose workers cannot be unref'd (a process with a pool waits for disposeThreads() before it exits),
 * so threads there are asked for explicitly.
 */
export function defaultThreads(): number {
  if ('Deno' in globalThis) return 1;
  return Math.max(1, Math.min(availableCores(), 8));
}

/** The largest `threads` init() accepts. */
export const MAX_THREADS = MAX_WORKERS + 1;

function decode(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The compiled shared-memory kernels (embedded; no fs, no fetch). */
export function embeddedThreadsWasmBytes(): Uint8Array {
  return decode(KERNELS_THREADS_WASM_BASE64);
}

/** The module's declared minimum memory in pages (asconfig.json initialMemory: its import of env.memory asks for 16). */
const INITIAL_PAGES = 16;
/** The module's maximum (asconfig.json target "threads"): 65535 pages, as the plain build (4 GiB − 64 KiB; assembly/memory.ts). */
const MAXIMUM_PAGES = 65535;

export interface Threaded {
  instance: WebAssembly.Instance;
  pool: ThreadPool;
}

/**
 * Instantiates the shared-memory build and starts threads − 1 workers on it. Rejects with the reason when the
 * runtime has no threads (threadsUnavailable) or a worker cannot start; the caller then loads the plain build.
 */
export async function startThreaded(threads: number, imports: { env: Record<string, unknown> }): Promise<Threaded> {
  const why = threadsUnavailable();
  if (why) throw new Error(why);
  const module = await WebAssembly.compile(embeddedThreadsWasmBytes() as BufferSource);
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
  const instance = await WebAssembly.instantiate(module, { env: { ...imports.env, memory } });
  const pool = await startPool(module, memory, threads - 1);
  pool.reserve(instance.exports as unknown as KernelExports);
  return { instance, pool };
}
