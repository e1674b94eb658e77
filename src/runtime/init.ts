// Loading the SIMD kernels: embedded bytes by default, or a precompiled WebAssembly.Module
// (Cloudflare workerd refuses to compile from bytes), or caller-supplied bytes. Of the embedded builds
// (src/runtime/features.ts) the relaxed-SIMD one is taken where the engine validates it, the plain one otherwise.
import { BackendError, InputError } from './errors.js';
import type { KernelExports } from './kernels.js';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels-wasm.generated.js';
import { buildsToTry, checkSimdChoice, type KernelBuild, type SimdChoice } from './features.js';
import { defaultThreads, MAX_THREADS, startThreaded } from './threads/start.js';
import { setThreads } from './threads/state.js';

/** Which implementation the kernels dispatch to. */
export type Backend = 'wasm-simd' | 'js';

/** What init() accepts: nothing (embedded bytes), a compiled module, or the module's bytes. */
export type InitSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView;

/** What init() does when WebAssembly SIMD cannot be used and the plain-TS kernels take over. */
export type InitFallback = 'warn' | 'error' | 'quiet';
const FALLBACKS: readonly InitFallback[] = ['warn', 'error', 'quiet'];

export interface InitOptions {
  /** Force the plain-TS kernels even where WASM SIMD works (default: false; no warning). */
  forceJs?: boolean;
  /**
   * When WebAssembly is missing or refuses the kernels (no SIMD; a runtime such as Cloudflare Workers that forbids
   * compiling from bytes): 'warn' (default) — one console.warn saying why, then the 'js' backend; 'error' — init()
   * rejects (initSync() throws) with a BackendError; 'quiet' — the 'js' backend without a word.
   */
  fallback?: InitFallback;
  /**
   * Which embedded build of the kernels to load: 'auto' (default) the relaxed-SIMD build (fused multiply-add) where
   * the engine validates relaxed SIMD, else the plain SIMD build; 'plain' that one always; 'relaxed' that one, and a
   * BackendError where the engine lacks relaxed SIMD. Not used when `source` is given (that module is loaded as it is).
   */
  simd?: SimdChoice;
  /**
   * Threads that run the kernels over one shared WebAssembly memory (src/runtime/threads/): an integer 1 … 64;
   * default: the available cores, at most 8. Results are the same bits for every count. Where the runtime has no
   * threads (no SharedArrayBuffer, a page that is not crossOriginIsolated, Cloudflare workerd), with initSync(),
   * with a `source`, with `simd: 'relaxed'` (the shared-memory build is plain SIMD), or from narrowgt/slim, one thread runs; threadInfo() says so and why.
   */
  threads?: number;
}

/** Loads the shared-memory build and its workers (threads/start.ts), or null where the entry has none (slim). */
export type ThreadedLoader = typeof startThreaded | null;

let kernels: KernelExports | null = null;
let active: Backend | null = null;
let pending: Promise<Backend> | null = null;

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The embedded copy of each build of the kernels (src/runtime/features.ts: KERNEL_BUILDS). */
const EMBEDDED: Readonly<Record<KernelBuild, string>> = { plain: KERNELS_WASM_BASE64, relaxed: KERNELS_RELAXED_WASM_BASE64 };

/**
 * The compiled kernels as bytes, decoded from the embedded copy (no fs, no fetch): the plain SIMD build by default,
 * or `build` ('plain' | 'relaxed'). Throws InputError for another build name.
 */
export function embeddedWasmBytes(build: KernelBuild = 'plain'): Uint8Array {
  if (build !== 'plain' && build !== 'relaxed') throw new InputError(`embeddedWasmBytes: build must be 'plain' or 'relaxed', not ${String(build)}`);
  return decodeBase64(EMBEDDED[build]);
}

/**
 * An AssemblyScript string in the kernels' memory (UTF-16, its byte length in the 4 bytes before it), or '' when it
 * cannot be read: abort's message and file name.
 */
function kernelString(ptr: number): string {
  const memory = (kernels as unknown as { memory?: WebAssembly.Memory } | null)?.memory;
  if (!memory || !ptr || ptr < 4 || ptr % 2 !== 0) return '';
  try {
    const bytes = new DataView(memory.buffer).getUint32(ptr - 4, true);
    if (bytes > 2048 || ptr + bytes > memory.buffer.byteLength) return '';
    return String.fromCharCode(...new Uint16Array(memory.buffer.slice(ptr, ptr + (bytes & ~1))));
  } catch { return ''; }
}

const imports = {
  env: {
    abort(msg: number, file: number, line: number, col: number): never {
      const what = kernelString(msg) || 'aborted', where = kernelString(file);
      // the optimised builds pass no file and line 0; a debug build would say where
      throw new BackendError(`narrowgt kernel: ${what}${line > 0 ? ` (${where ? `${where}:` : ''}${line}:${col})` : ''}`);
    },
  },
};

function toBytes(source: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
}

function checkSource(caller: string, source: unknown): void {
  if (source === undefined || source instanceof WebAssembly.Module || source instanceof ArrayBuffer ||
      ArrayBuffer.isView(source)) return;
  throw new InputError(`${caller}: source must be a WebAssembly.Module, an ArrayBuffer or a typed array of the module bytes`);
}

function wasmAvailable(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function';
}

/** Bytes of the result slots of the range checks (src/runtime/dispatch.ts runSlotted): 2 f64 for each of 64 ranges. */
export const CHECK_SLOT_BYTES = 1024;
let checkSlots = 0;

function adopt(instance: WebAssembly.Instance): Backend {
  kernels = instance.exports as unknown as KernelExports;
  // allocated once here, so that a check allocates nothing (a call that cannot fit fails before any allocation)
  checkSlots = kernels.alloc(CHECK_SLOT_BYTES);
  active = 'wasm-simd';
  return active;
}

/** The loaded module's block for the range checks' result slots (CHECK_SLOT_BYTES), or 0 before init. */
export function checkSlotsPointer(): number {
  return kernels ? checkSlots : 0;
}

/** Where the bytes of each build come from when init() is called without a source: the embedded copies, or none (narrowgt/slim). */
export type EmbeddedBytes = ((build: KernelBuild) => Uint8Array) | null;

/**
 * What init() tries to load, in order: the source itself (or its bytes), or the embedded builds options.simd
 * allows (src/runtime/features.ts), each as a function that yields it; the caller has checked that one exists.
 * Throws BackendError when options.simd forces a build this engine cannot run.
 */
function candidates(caller: string, source: InitSource | undefined, embedded: EmbeddedBytes, options: InitOptions): (() => WebAssembly.Module | Uint8Array)[] {
  if (source instanceof WebAssembly.Module) return [() => source];
  if (source !== undefined) return [() => toBytes(source)];
  return buildsToTry(caller, options.simd).map((build) => () => embedded!(build));
}

/** Argument checks shared by init() and initSync(), before any work. */
function checkArguments(caller: string, embedded: EmbeddedBytes, source: unknown, options: InitOptions): void {
  checkSource(caller, source);
  if (options === null || typeof options !== 'object') throw new InputError(`${caller}: options must be an object`);
  if (options.fallback !== undefined && !FALLBACKS.includes(options.fallback)) {
    throw new InputError(`${caller}: options.fallback must be one of ${FALLBACKS.map((f) => `'${f}'`).join(', ')}, not ${String(options.fallback)}`);
  }
  checkSimdChoice(caller, options.simd);
  const t = options.threads;
  if (t !== undefined && !(Number.isInteger(t) && t >= 1 && t <= MAX_THREADS)) {
    throw new InputError(`${caller}: options.threads must be an integer from 1 to ${MAX_THREADS}, not ${String(t)}`);
  }
  if (source === undefined && !embedded && !options.forceJs && !active) {
    throw new InputError(`${caller}: source is required: narrowgt/slim carries no embedded kernels; pass the WebAssembly.Module ` +
      "(`import kernels from 'narrowgt/kernels.wasm'`, or `await WebAssembly.compileStreaming(fetch(url))`) or its bytes, " +
      "or import 'narrowgt', which embeds them");
  }
}

/**
 * The plain-TS kernels take over because WebAssembly SIMD could not be used: says so as options.fallback asks
 * ('warn', the default: one console.warn; 'error': throws BackendError; 'quiet': nothing).
 */
function fallBack(caller: string, reason: string, options: InitOptions): Backend {
  const message = `${caller}: ${reason}; the plain-TypeScript kernels ('js') serve instead, with the same results but several ` +
    "times slower. Runtimes that forbid compiling WebAssembly from bytes (Cloudflare Workers) need the compiled module: " +
    "`import kernels from 'narrowgt/kernels.wasm'; await init(kernels)`. Pass { fallback: 'quiet' } to silence this, " +
    "or { fallback: 'error' } to make it an error";
  if (options.fallback === 'error') throw new BackendError(message);
  if (options.fallback !== 'quiet') console.warn(message);
  return (active = 'js');
}

function reasonOf(e: unknown): string {
  return `WebAssembly refused the kernels (${e instanceof Error ? `${e.name}: ${e.message}` : String(e)})`;
}

/** The 'js' backend when it is asked for or WebAssembly is missing (said as options.fallback asks), else null. */
function jsWithoutLoading(caller: string, options: InitOptions): Backend | null {
  if (options.forceJs) return (active = 'js');
  if (!wasmAvailable()) return fallBack(caller, 'WebAssembly is not available here', options);
  return null;
}

/** init() over a given embedded copy (src/runtime/init-slim.ts passes none). */
export async function initFrom(caller: string, embedded: EmbeddedBytes, source?: InitSource, options: InitOptions = {},
  threaded: ThreadedLoader = null): Promise<Backend> {
  checkArguments(caller, embedded, source, options);
  if (active) return active;
  if (pending) return pending;
  pending = (async (): Promise<Backend> => {
    const js = jsWithoutLoading(caller, options);
    if (js) return js;
    const threads = options.threads ?? defaultThreads();
    if (threads > 1) {
      const why = !threaded ? 'narrowgt/slim carries no shared-memory build' : source !== undefined ? 'a source was given (threads use the embedded shared-memory build)' :
        options.simd === 'relaxed' ? "simd: 'relaxed' was asked for, and the shared-memory build is plain SIMD" : null;
      if (!why) {
        try {
          const t = await threaded!(threads, imports);
          setThreads(t.pool, { threads, sharedMemory: true, reason: null });
          return adopt(t.instance);
        } catch (e) {
          setThreads(null, { threads: 1, sharedMemory: false, reason: `threads unavailable: ${e instanceof Error ? e.message : String(e)}` });
        }
      } else setThreads(null, { threads: 1, sharedMemory: false, reason: why });
    }
    let failure: unknown;
    for (const next of candidates(caller, source, embedded, options)) {
      try {
        const found = next();
        const module = found instanceof WebAssembly.Module ? found : await WebAssembly.compile(found as BufferSource);
        return adopt(await WebAssembly.instantiate(module, imports));
      } catch (e) {
        failure = e; // the next build, if any
      }
    }
    // No SIMD, or compilation from bytes disallowed by the embedder (workerd): the TS twins serve.
    return fallBack(caller, reasonOf(failure), options);
  })();
  try {
    return await pending;
  } finally {
    pending = null;
  }
}

/** initSync() over a given embedded copy. */
export function initSyncFrom(caller: string, embedded: EmbeddedBytes, source?: InitSource, options: InitOptions = {}): Backend {
  checkArguments(caller, embedded, source, options);
  if (active) return active;
  const js = jsWithoutLoading(caller, options);
  if (js) return js;
  if ((options.threads ?? 1) > 1) setThreads(null, { threads: 1, sharedMemory: false, reason: `${caller}() cannot wait for workers to start; use init()` });
  let failure: unknown;
  for (const next of candidates(caller, source, embedded, options)) {
    try {
      const found = next();
      return adopt(new WebAssembly.Instance(found instanceof WebAssembly.Module ? found : new WebAssembly.Module(found as BufferSource), imports));
    } catch (e) {
      failure = e;
    }
  }
  return fallBack(caller, reasonOf(failure), options);
}

/**
 * Loads the WASM SIMD kernels; idempotent (later calls return the backend already chosen). Without a source it
 * takes the embedded relaxed-SIMD build where the engine supports relaxed SIMD, the plain build otherwise
 * (`options.simd` forces either; `kernelBuild()` says which was loaded).
 * Falls back to the plain-TS kernels where WebAssembly or SIMD is unavailable, or when the
 * runtime refuses to compile the given bytes; `backend()` then answers 'js', and `options.fallback` says
 * whether that is warned about (default), an error, or quiet.
 * Throws InputError when `source` or `options` is of the wrong type.
 */
export function init(source?: InitSource, options: InitOptions = {}): Promise<Backend> {
  return initFrom('init', embeddedWasmBytes, source, options, startThreaded);
}

/**
 * Synchronous init for runtimes that already hold a compiled module (or small enough bytes for
 * synchronous compilation, which browsers limit on the main thread). Idempotent like init().
 */
export function initSync(source?: InitSource, options: InitOptions = {}): Backend {
  return initSyncFrom('initSync', embeddedWasmBytes, source, options);
}

/** The backend the kernels dispatch to; 'js' before init(). kernelBuild() says which build of 'wasm-simd' it is. */
export function backend(): Backend {
  return active ?? 'js';
}

/**
 * Which build of the WASM kernels the 'wasm-simd' backend runs: 'relaxed' (relaxed SIMD, fused multiply-add where the
 * hardware has it) or 'plain'; null when the 'js' backend is active. Asked of the loaded module itself, so it is
 * right for a module passed to init() too.
 */
export function kernelBuild(): KernelBuild | null {
  if (active !== 'wasm-simd' || !kernels) return null;
  return typeof kernels.relaxed_simd_build === 'function' && kernels.relaxed_simd_build() === 1 ? 'relaxed' : 'plain';
}

/**
 * Switches dispatch between the loaded WASM kernels and their TS twins (tests compare the two).
 * Throws BackendError when asked for 'wasm-simd' that was never loaded.
 */
export function setBackend(which: Backend): void {
  if (which === 'wasm-simd' && !kernels) throw new BackendError("setBackend: 'wasm-simd' is not loaded; await init() first");
  if (which !== 'wasm-simd' && which !== 'js') throw new InputError(`setBackend: unknown backend ${String(which)}`);
  active = which;
}

/** The loaded kernels, or null when the JS backend is active. */
export function wasmKernels(): KernelExports | null {
  return active === 'wasm-simd' ? kernels : null;
}

/** The loaded kernels whatever the active backend (memory bookkeeping needs them). */
export function loadedKernels(): KernelExports | null {
  return kernels;
}
