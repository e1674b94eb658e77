// Loading the SIMD kernels: embedded bytes by default, or a precompiled WebAssembly.Module
// (Cloudflare workerd refuses to compile from bytes), or caller-supplied bytes.
import { BackendError, InputError } from './errors.js';
import type { KernelExports } from './kernels.js';
import { KERNELS_WASM_BASE64 } from './kernels-wasm.generated.js';

/** Which implementation the kernels dispatch to. */
export type Backend = 'wasm-simd' | 'js';

/** What init() accepts: nothing (embedded bytes), a compiled module, or the module's bytes. */
export type InitSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView;

export interface InitOptions {
  /** Force the plain-TS kernels even where WASM SIMD works (default: false). */
  forceJs?: boolean;
}

let kernels: KernelExports | null = null;
let active: Backend | null = null;
let pending: Promise<Backend> | null = null;

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The compiled kernels as bytes, decoded from the embedded copy (no fs, no fetch). */
export function embeddedWasmBytes(): Uint8Array {
  return decodeBase64(KERNELS_WASM_BASE64);
}

const imports = {
  env: {
    abort(_msg: number, _file: number, line: number, col: number): never {
      throw new BackendError(`narrowgt kernel aborted (out of memory?) at ${line}:${col}`);
    },
  },
};

function toBytes(source: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
}

function checkSource(source: unknown): void {
  if (source === undefined || source instanceof WebAssembly.Module || source instanceof ArrayBuffer ||
      ArrayBuffer.isView(source)) return;
  throw new InputError('init: source must be a WebAssembly.Module, an ArrayBuffer or a typed array of the module bytes');
}

function wasmAvailable(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function';
}

function adopt(instance: WebAssembly.Instance): Backend {
  kernels = instance.exports as unknown as KernelExports;
  active = 'wasm-simd';
  return active;
}

/**
 * Loads the WASM SIMD kernels; idempotent (later calls return the backend already chosen).
 * Falls back to the plain-TS kernels where WebAssembly or SIMD is unavailable, or when the
 * runtime refuses to compile the given bytes; `backend()` then answers 'js'.
 * Throws InputError when `source` is of the wrong type.
 */
export async function init(source?: InitSource, options: InitOptions = {}): Promise<Backend> {
  checkSource(source);
  if (active) return active;
  if (pending) return pending;
  pending = (async (): Promise<Backend> => {
    if (options.forceJs || !wasmAvailable()) return (active = 'js');
    try {
      const module = source instanceof WebAssembly.Module
        ? source
        : await WebAssembly.compile(toBytes(source ?? embeddedWasmBytes()) as BufferSource);
      return adopt(await WebAssembly.instantiate(module, imports));
    } catch {
      // No SIMD, or compilation from bytes disallowed by the embedder: the TS twins serve.
      return (active = 'js');
    }
  })();
  try {
    return await pending;
  } finally {
    pending = null;
  }
}

/**
 * Synchronous init for runtimes that already hold a compiled module (or small enough bytes for
 * synchronous compilation, which browsers limit on the main thread). Idempotent like init().
 */
export function initSync(source?: InitSource, options: InitOptions = {}): Backend {
  checkSource(source);
  if (active) return active;
  if (options.forceJs || !wasmAvailable()) return (active = 'js');
  try {
    const module = source instanceof WebAssembly.Module
      ? source
      : new WebAssembly.Module(toBytes(source ?? embeddedWasmBytes()) as BufferSource);
    return adopt(new WebAssembly.Instance(module, imports));
  } catch {
    return (active = 'js');
  }
}

/** The backend the kernels dispatch to; 'js' before init(). */
export function backend(): Backend {
  return active ?? 'js';
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
