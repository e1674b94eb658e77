// Which thread pool the dispatcher uses (none until init({ threads }) started one), and what threadInfo() reports.
import type { ThreadPool } from './pool.js';
import { InputError } from '../errors.js';

/** What init() made of `threads`: how many threads run the kernels, over a shared memory or not, and why not. */
export interface ThreadInfo {
  /** Threads init() started (the main thread included; useThreads may use fewer); 1 when single-threaded. */
  threads: number;
  /** Whether the kernels run on the shared-memory build (WebAssembly.Memory shared with the workers). */
  sharedMemory: boolean;
  /** Why fewer threads run than were asked for (no SharedArrayBuffer, initSync, a source given, …), else null. */
  reason: string | null;
}

let pool: ThreadPool | null = null;
let info: ThreadInfo = { threads: 1, sharedMemory: false, reason: null };

/** The running pool, or null (single-threaded). */
export function activePool(): ThreadPool | null {
  return pool;
}

/** Records the pool init() started (or null) and what to report. */
export function setThreads(p: ThreadPool | null, i: ThreadInfo): void {
  pool = p;
  info = i;
}

/**
 * How the kernels run: the thread count (main thread included), whether over a shared memory, and why fewer
 * threads than asked for run, if so. Before init(): 1 thread, not shared.
 */
export function threadInfo(): ThreadInfo {
  return { ...info };
}

/** Threads a split call runs on now (1 without a pool, or after useThreads(1)). */
export function runningThreads(): number {
  return pool ? pool.active : 1;
}

/** Jobs the pool has run (0 without one): tests check with it that a call was split. */
export function threadJobs(): number {
  return pool ? pool.jobs : 0;
}

/**
 * Runs the threaded kernels on `n` threads of those init() started (1 … threadInfo().threads): for benchmarks and
 * for comparing thread counts in one process. Throws InputError for another n.
 */
export function useThreads(n: number): void {
  const max = pool ? pool.size : 1;
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InputError(`useThreads: n must be an integer from 1 to ${max}, not ${String(n)}`);
  if (pool) pool.active = n;
}

/**
 * Stops the thread pool's workers (kernels then run on the main thread alone, still on the shared memory, with the
 * same results). Node processes exit without it (the workers are unref'd); call it to release the threads sooner.
 */
export function disposeThreads(): void {
  if (!pool) return;
  pool.dispose();
  info = { threads: 1, sharedMemory: info.sharedMemory, reason: 'disposeThreads() was called' };
  pool = null;
}
