// The thread pool: workers that instantiated the shared-memory kernels on the main thread's memory and run one
// kernel call on a row range when the main thread posts a job (protocol.ts). The main thread does the first
// range itself, then waits for the others: Atomics.wait where the runtime allows it (Node, Deno, Bun, any worker),
// a spin on Atomics.load on a browser's main thread. Workers never allocate from the heap (assembly/threads.ts):
// each job's region (tiles + bump arena) is allocated here by the main thread and freed when the job is done.
import { WorkerError } from '../errors.js';
import type { KernelExports } from '../kernels.js';
import { ARGS_BYTE, CONTROL_BYTES, DONE, GEN, KERNEL, MAX_ARGS, MSG_BYTE, MSG_CHARS, NARGS, SLOT0, SLOT_WORDS, STATUS, STOP } from './protocol.js';
import { canBlock, spawnWorker, type PoolWorker } from './spawn.js';

/** One thread's share of a kernel call: the export to call, its arguments, and the arena bytes its allocations need. */
export interface ThreadPart {
  args: number[];
  /** Bytes the kernel allocates on this range (served by the worker's arena). */
  scratch: number;
}

/** Bytes reserved at the start of a worker's region for its own static tiles (assembly/threads.ts STATICS). */
const STATICS = 256;
/** The region of a part without arena bytes: the statics and the alignment slack. */
const SMALL = STATICS + 64;

export class ThreadPool {
  /** Threads that run a job: the main thread and the workers. */
  readonly size: number;
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;
  private readonly msg: Uint16Array;
  private readonly names: Map<string, number>;
  private readonly block = canBlock();
  /** Threads a split uses (≤ size; useThreads sets it). */
  active: number;
  /** Jobs run so far (tests check that a call was split). */
  jobs = 0;
  private gen = 0;
  /** Per worker, the region of a part that needs no arena (SMALL bytes), allocated once by reserve(). */
  private small: number[] = [];
  private busy = false;
  private closed = false;
  /** Why each worker's thread ended (null while it runs): set by its exit event. */
  readonly exited: (string | null)[];

  constructor(private readonly workers: PoolWorker[], control: SharedArrayBuffer, names: string[]) {
    this.size = workers.length + 1;
    this.active = this.size;
    this.ctl = new Int32Array(control);
    this.args = new Float64Array(control, ARGS_BYTE);
    this.msg = new Uint16Array(control, MSG_BYTE);
    this.names = new Map(names.map((n, i) => [n, i]));
    this.exited = workers.map(() => null);
    workers.forEach((w, i) => w.onExit((why) => { if (!this.closed) this.exited[i] = why; }));
  }

  /**
   * Runs `name` on the parts: parts[0] on this thread (directly, on the main instance `k`), parts[i] on worker i − 1;
   * returns when all are done. Throws WorkerError when a worker's part failed (after every part has finished, so no
   * thread still writes memory), and rethrows this thread's failure likewise.
   */
  run(k: KernelExports, name: string, parts: ThreadPart[]): void {
    const index = this.names.get(name);
    if (index === undefined) throw new WorkerError(`runKernel: '${name}' is not a kernel of the shared-memory build`);
    if (parts.length > this.size) throw new WorkerError(`runKernel: ${parts.length} parts for a pool of ${this.size} threads`);
    if (this.closed) throw new WorkerError('runKernel: the thread pool was disposed');
    const gone = this.exited.findIndex((e) => e !== null);
    if (gone >= 0) throw new WorkerError(`runKernel: worker ${gone + 1} of the thread pool has ended (${this.exited[gone]}); call disposeThreads() to run on one thread`);
    if (this.busy) throw new WorkerError('runKernel: the thread pool is already running a job (a kernel called from inside a kernel?)');
    this.busy = true;
    const regions: number[] = [];
    try {
      for (let w = 0; w < this.workers.length; w++) {
        const slot = SLOT0 + w * SLOT_WORDS, part = parts[w + 1];
        if (!part) { this.ctl[slot + KERNEL] = -1; continue; }
        if (part.args.length + 2 > MAX_ARGS) throw new WorkerError(`runKernel: '${name}' has too many arguments for a job`);
        const bytes = STATICS + Math.ceil(part.scratch / 16) * 16 + 64;
        let base = this.small[w];
        if (bytes > SMALL || base === undefined) { base = k.alloc(bytes); regions.push(base); }
        const a = w * MAX_ARGS;
        this.args[a] = base;
        this.args[a + 1] = bytes;
        for (let i = 0; i < part.args.length; i++) this.args[a + 2 + i] = part.args[i];
        this.ctl[slot + NARGS] = part.args.length + 2;
        this.ctl[slot + KERNEL] = index;
      }
      const gen = ++this.gen;
      this.jobs++;
      Atomics.store(this.ctl, GEN, gen);
      Atomics.notify(this.ctl, GEN);
      let own: unknown = null;
      try {
        (k[name as keyof KernelExports] as unknown as (...a: number[]) => void)(...parts[0].args);
      } catch (e) {
        own = e;
      }
      this.waitAll(gen);
      if (own) throw own;
      for (let w = 0; w < this.workers.length; w++) {
        const slot = SLOT0 + w * SLOT_WORDS;
        if (this.ctl[slot + STATUS] === 2) {
          this.exited[w] ??= 'ended during a job';
          throw new WorkerError(`runKernel: worker ${w + 1} ended during ${name}; call disposeThreads() to run on one thread`);
        }
        if (this.ctl[slot + KERNEL] >= 0 && this.ctl[slot + STATUS] !== 0) {
          throw new WorkerError(`runKernel: worker ${w + 1} failed in ${name}: ${this.message(w)}`);
        }
      }
    } finally {
      for (const r of regions) k.free(r);
      this.busy = false;
    }
  }

  /**
   * Allocates each worker's small region (at init, so that a job whose parts need no arena — element-wise kernels,
   * the range checks — allocates nothing: a check before a forward's memory plan leaves the heap as it was).
   */
  reserve(k: KernelExports): void {
    if (this.small.length === 0) this.small = this.workers.map(() => k.alloc(SMALL));
  }

  private waitAll(gen: number): void {
    for (let w = 0; w < this.workers.length; w++) {
      const at = SLOT0 + w * SLOT_WORDS + DONE;
      for (;;) {
        const v = Atomics.load(this.ctl, at);
        if (v === gen || Atomics.load(this.ctl, at - DONE + STATUS) === 2) break; // 2: its thread ended (exit hook)
        if (this.block) Atomics.wait(this.ctl, at, v);
      }
    }
  }

  private message(w: number): string {
    let s = '';
    for (let i = w * MSG_CHARS; i < (w + 1) * MSG_CHARS && this.msg[i] !== 0; i++) s += String.fromCharCode(this.msg[i]);
    return s;
  }

  /** Stops and terminates the workers; later threaded calls throw (the dispatcher stops using the pool first). */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctl, STOP, 1);
    Atomics.store(this.ctl, GEN, ++this.gen);
    Atomics.notify(this.ctl, GEN);
    for (const w of this.workers) w.terminate();
  }
}

/**
 * Starts `count` workers on the shared `memory` with the compiled shared-memory `module`; resolves when every one
 * has instantiated it. Rejects (after terminating those started) when a worker cannot start or reports an error.
 */
export async function startPool(module: WebAssembly.Module, memory: WebAssembly.Memory, count: number, timeoutMs = 20000): Promise<ThreadPool> {
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const names = WebAssembly.Module.exports(module).filter((e) => e.kind === 'function').map((e) => e.name);
  const workers: PoolWorker[] = [];
  try {
    await Promise.all(Array.from({ length: count }, (_, index) => new Promise<void>((resolve, reject) => {
      const w = spawnWorker();
      workers.push(w);
      const timer = setTimeout(() => reject(new WorkerError(`init: worker ${index + 1} did not start within ${timeoutMs} ms`)), timeoutMs);
      w.onMessage((m) => {
        if (m.ready) { clearTimeout(timer); resolve(); }
        else if (m.error !== undefined) { clearTimeout(timer); reject(new WorkerError(`init: worker ${index + 1} failed to start: ${m.error}`)); }
      });
      w.post({ module, memory, control, index, names });
    })));
  } catch (e) {
    for (const w of workers) w.terminate();
    throw e;
  }
  for (const w of workers) w.unref();
  return new ThreadPool(workers, control, names);
}
