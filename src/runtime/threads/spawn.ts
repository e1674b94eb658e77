// What this runtime offers for threads, and how a worker is started there, without importing a Node built-in:
// Node's worker_threads comes from process.getBuiltinModule (Node ≥ 20.16), so the library entry stays free of
// `node:` imports and bundles for the web unchanged; Deno, Bun and browsers have the web Worker.
import { NODE_WORKER_SOURCE, WEB_WORKER_SOURCE } from './protocol.js';

/** The part of a started worker the pool uses. */
export interface PoolWorker {
  post(message: unknown): void;
  /** Called with each message the worker posts, and with { error } when it fails outside a job. */
  onMessage(listener: (message: { ready?: boolean; error?: string }) => void): void;
  /** Called once when the worker's thread has ended (Node's 'exit'; a web worker's uncaught 'error'). */
  onExit(listener: (why: string) => void): void;
  /** Lets the process exit while the worker waits (Node); no-op elsewhere. */
  unref(): void;
  terminate(): void;
}

interface NodeWorkerLike {
  postMessage(m: unknown): void;
  on(event: string, f: (x: unknown) => void): void;
  unref(): void;
  terminate(): unknown;
}
type NodeWorkerCtor = new (src: string, options: { eval: boolean }) => NodeWorkerLike;

interface NodeProcessLike {
  versions?: { node?: string; bun?: string };
  getBuiltinModule?: (name: string) => unknown;
}

function nodeProcess(): NodeProcessLike | null {
  const p = (globalThis as { process?: NodeProcessLike }).process;
  return p && typeof p.getBuiltinModule === 'function' && p.versions?.node && !p.versions.bun && !('Deno' in globalThis) ? p : null;
}

/** Why threads are unavailable here, or null when they are. */
export function threadsUnavailable(): string | null {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    return 'SharedArrayBuffer is not available (a browser page needs cross-origin isolation: COOP/COEP headers)';
  }
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (isolated === false) return 'the page is not crossOriginIsolated';
  if (!nodeProcess() && typeof (globalThis as { Worker?: unknown }).Worker !== 'function') return 'this runtime has no Worker';
  return null;
}

/** Logical cores as the runtime reports them (1 when it does not say). */
export function availableCores(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav && typeof nav.hardwareConcurrency === 'number' && nav.hardwareConcurrency > 0) return nav.hardwareConcurrency;
  const os = nodeProcess()?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number; cpus?: () => unknown[] } | undefined;
  if (os?.availableParallelism) return os.availableParallelism();
  if (os?.cpus) return Math.max(1, os.cpus().length);
  return 1;
}

/** Whether Atomics.wait may block this thread (not a browser's main thread). */
export function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0); // 'not-equal' where allowed, TypeError where not
    return true;
  } catch {
    return false;
  }
}

/** Starts one worker running the pool's program. */
export function spawnWorker(): PoolWorker {
  const proc = nodeProcess();
  if (proc) {
    const { Worker } = proc.getBuiltinModule!('node:worker_threads') as { Worker: NodeWorkerCtor };
    const w = new Worker(NODE_WORKER_SOURCE, { eval: true });
    return {
      post: (m) => w.postMessage(m),
      onMessage: (f) => {
        w.on('message', (m) => f(m as { ready?: boolean; error?: string }));
        w.on('error', (e) => f({ error: String((e as Error)?.message ?? e) }));
      },
      onExit: (f) => { w.on('exit', (code) => f(`exit code ${String(code)}`)); },
      unref: () => w.unref(),
      terminate: () => { void w.terminate(); },
    };
  }
  const url = URL.createObjectURL(new Blob([WEB_WORKER_SOURCE], { type: 'text/javascript' }));
  const WebWorker = (globalThis as unknown as { Worker: new (u: string, o: { type: string }) => {
    postMessage(m: unknown): void; terminate(): void; unref?: () => void;
    addEventListener(t: string, f: (e: { data?: unknown; message?: string }) => void): void;
  } }).Worker;
  const w = new WebWorker(url, { type: 'module' });
  return {
    post: (m) => w.postMessage(m),
    onMessage: (f) => {
      w.addEventListener('message', (e) => f(e.data as { ready?: boolean; error?: string }));
      w.addEventListener('error', (e) => f({ error: String(e.message ?? 'worker error') }));
    },
    onExit: (f) => { w.addEventListener('error', (e) => f(String(e.message ?? 'worker error'))); },
    unref: () => { if (typeof w.unref === 'function') w.unref(); }, // Deno and Bun workers have unref()
    terminate: () => { w.terminate(); URL.revokeObjectURL(url); },
  };
}
