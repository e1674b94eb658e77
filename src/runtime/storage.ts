// The memory model (docs/architecture.md): large arrays live in WASM linear memory so that kernels
// run on them in place, with no copy per call. A Storage owns one block; its typed-array view is
// re-created whenever memory.grow has replaced the ArrayBuffer. Blocks are freed explicitly
// (free()), by scope() when the block was allocated inside it, or, as a last resort, when the
// owning object is garbage-collected (FinalizationRegistry).
import { InputError, BackendError } from './errors.js';
import { loadedKernels, wasmKernels } from './init.js';
import type { KernelExports } from './kernels.js';
import { MAX_BLOCK_BYTES, WASM_HEADROOM_BYTES, WASM_MEMORY_BYTES } from './block-size.js';

export type DType = 'f32' | 'f64' | 'i32';
export type TypedArrayOf<T extends DType> = T extends 'f32' ? Float32Array : T extends 'f64' ? Float64Array : Int32Array;
export type AnyTypedArray = Float32Array | Float64Array | Int32Array;

const BYTES: Record<DType, number> = { f32: 4, f64: 8, i32: 4 };
const CTOR = { f32: Float32Array, f64: Float64Array, i32: Int32Array } as const;

const reclaim = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<{ k: KernelExports; ptr: number }>(({ k, ptr }) => k.free(ptr))
  : null;

// Scopes whose synchronous code is running, innermost last: every Storage allocated meanwhile is recorded in the
// innermost. A scopeAsync() frame is on this stack only while its function runs synchronously (up to its first
// await), so allocations that other tasks make while it awaits are never recorded in it.
const scopes: Set<Storage<DType>>[] = [];
// Every frame not yet closed (sync and async): escape() and keep() take blocks out of all of them.
const openFrames = new Set<Set<Storage<DType>>>();

/** A typed array that lives in WASM memory (when the WASM backend is loaded) or in the JS heap. */
export class Storage<T extends DType = DType> {
  readonly dtype: T;
  readonly length: number;
  /** Byte offset in WASM memory; 0 for a JS-heap array. */
  private pointer: number;
  private owner: KernelExports | null;
  private view: TypedArrayOf<T> | null;
  private freed = false;

  private constructor(dtype: T, length: number, resident: boolean) {
    this.dtype = dtype;
    this.length = length;
    const k = resident ? loadedKernels() : null;
    if (k) {
      const bytes = Math.max(length * BYTES[dtype], 16);
      const ptr = allocBlock(k, bytes);
      this.pointer = ptr;
      this.owner = k;
      this.view = null;
      reclaim?.register(this, { k, ptr }, this);
    } else {
      this.pointer = 0;
      this.owner = null;
      this.view = new CTOR[dtype](length) as TypedArrayOf<T>;
    }
    scopes[scopes.length - 1]?.add(this as Storage<DType>);
  }

  /**
   * Allocates `length` elements, zero-filled. Resident in WASM memory when the WASM backend is
   * active (or `where: 'wasm'` and it is loaded); otherwise a plain typed array.
   */
  static alloc<T extends DType>(dtype: T, length: number, where: 'auto' | 'wasm' | 'js' = 'auto'): Storage<T> {
    if (!Number.isInteger(length) || length < 0) throw new InputError(`Storage.alloc: length must be a non-negative integer, got ${length}`);
    if (!(dtype in BYTES)) throw new InputError(`Storage.alloc: unknown dtype ${String(dtype)}`);
    // checked before allocating: 4 GiB and more used to wrap in the 32-bit allocator, 1–4 GiB to abort in it
    if (length * BYTES[dtype] > MAX_BLOCK_BYTES) {
      throw new InputError(`Storage.alloc: ${length} ${dtype} elements need ${length * BYTES[dtype]} bytes, more than the ${MAX_BLOCK_BYTES} one block of WASM memory holds`);
    }
    const resident = where === 'wasm' ? loadedKernels() !== null : where === 'auto' ? wasmKernels() !== null : false;
    const s = new Storage(dtype, length, resident);
    if (s.owner) s.array.fill(0);
    return s;
  }

  /** A Storage holding a copy of `values`. */
  static from<T extends DType>(dtype: T, values: ArrayLike<number>, where: 'auto' | 'wasm' | 'js' = 'auto'): Storage<T> {
    const src = outOfWasm(values);
    const s = Storage.alloc(dtype, src.length, where);
    s.array.set(src);
    return s;
  }

  /** True while the block lives in WASM memory. */
  get resident(): boolean {
    return this.owner !== null;
  }

  get isFreed(): boolean {
    return this.freed;
  }

  /** The WASM byte offset. Throws when the array is not resident or was freed. */
  get ptr(): number {
    if (this.freed) throw new BackendError('Storage.ptr: a matrix, graph or model was used after free() or after the scope() that made it closed');
    if (!this.owner) throw new BackendError('Storage.ptr: the array lives in the JS heap, not in WASM memory');
    return this.pointer;
  }

  /** A typed-array view of the elements; re-created after memory.grow. Valid while not freed. */
  get array(): TypedArrayOf<T> {
    if (this.freed) throw new BackendError('Storage.array: a matrix, graph or model was used after free() or after the scope() that made it closed');
    const v = this.view;
    if (!this.owner) return v as TypedArrayOf<T>;
    const buf = this.owner.memory.buffer;
    if (v && v.buffer === buf) return v;
    const fresh = new CTOR[this.dtype](buf, this.pointer, this.length) as TypedArrayOf<T>;
    this.view = fresh;
    return fresh;
  }

  /** Releases the WASM block (idempotent). The object must not be used afterwards. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    if (this.owner) {
      reclaim?.unregister(this);
      this.owner.free(this.pointer);
    }
    this.owner = null;
    this.view = null;
    this.pointer = 0;
    for (const s of openFrames) s.delete(this as Storage<DType>);
  }

  /** Removes this array from every open scope (scope() and scopeAsync()), so none of them frees it. */
  escape(): this {
    for (const s of openFrames) s.delete(this as Storage<DType>);
    return this;
  }
}

/**
 * One block from the WASM allocator, as an unsigned byte offset (`>>> 0`: the module returns its u32 pointers
 * as i32, and blocks above 2³¹ would read negative). The allocator returns 0 when memory cannot grow (large
 * regions), or traps (TLSF, small blocks); both become a BackendError saying how much was asked for and how
 * much is in use.
 */
export function allocBlock(k: KernelExports, bytes: number, fn = 'Storage.alloc'): number {
  let ptr = 0;
  try {
    ptr = k.alloc(bytes) >>> 0;
  } catch (e) {
    if (!(e instanceof BackendError) && !(e instanceof WebAssembly.RuntimeError)) throw e;
    ptr = 0;
  }
  if (ptr === 0) {
    throw new BackendError(`${fn}: WASM memory is full: could not allocate ${bytes} bytes with ${k.liveBytes()} bytes in use ` +
      `(of at most ${WASM_MEMORY_BYTES}; free() what is no longer needed, or use scope())`);
  }
  return ptr;
}

/**
 * A view into WASM memory is detached when an allocation grows memory, so a copy source that lives there
 * must be copied out before allocating the destination (else it silently reads as empty).
 */
export function outOfWasm<A extends ArrayLike<number>>(values: A): A {
  const k = loadedKernels();
  if (k && ArrayBuffer.isView(values) && (values as unknown as AnyTypedArray).buffer === k.memory.buffer) {
    return (values as unknown as AnyTypedArray).slice() as unknown as A;
  }
  return values;
}

// `[Symbol.dispose]()` on DenseMatrix, CsrGraph and GraphTransformer (so that `using m = …` frees them): declared
// here so that the package's .d.ts type-checks without lib "esnext.disposable" or @types/node, which declare the same.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

/** Anything that owns Storage blocks (DenseMatrix, CsrGraph …). */
export interface Owner {
  storages(): Storage<DType>[];
}

function isOwner(x: unknown): x is Owner {
  return typeof x === 'object' && x !== null && typeof (x as Owner).storages === 'function';
}

/**
 * Every Storage reachable from `value`, at any depth: a Storage, an Owner's storages(), and what arrays, Maps (keys
 * and values), Sets and objects hold (own enumerable properties). Typed arrays, functions and promises hold none;
 * cycles are visited once.
 */
function collectKept(value: unknown, kept: Set<Storage<DType>>, seen = new Set<object>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Storage) { kept.add(value as Storage<DType>); return; }
  if (isOwner(value)) { for (const s of value.storages()) kept.add(s); return; }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Promise) return;
  if (value instanceof Map) {
    for (const [k, v] of value) { collectKept(k, kept, seen); collectKept(v, kept, seen); }
    return;
  }
  if (value instanceof Set || Array.isArray(value)) { for (const v of value) collectKept(v, kept, seen); return; }
  for (const v of Object.values(value)) collectKept(v, kept, seen);
}

/** Closes a frame: frees its blocks except those reachable from `result`, which move to `parent` (if any). */
function closeFrame(frame: Set<Storage<DType>>, result: unknown, parent: Set<Storage<DType>> | undefined): void {
  openFrames.delete(frame);
  const kept = new Set<Storage<DType>>();
  collectKept(result, kept);
  for (const s of frame) {
    if (kept.has(s)) parent?.add(s);
    else s.free();
  }
  frame.clear();
}

const isThenable = (x: unknown): boolean =>
  (typeof x === 'object' || typeof x === 'function') && x !== null && typeof (x as PromiseLike<unknown>).then === 'function';

const ASYNC_HINT = 'scope() is synchronous (like tf.tidy): use scopeAsync(async (track) => …) for asynchronous work';

/**
 * Runs fn synchronously and frees every WASM block allocated inside it, except those reachable from its return
 * value — a matrix, graph, model or Storage, or arrays, Maps, Sets and objects holding them, at any depth — and
 * those passed to keep(). Kept blocks move to the enclosing scope, if any.
 * Throws InputError for an async function (before calling it) or a function that returns a promise (its blocks are
 * then left to the enclosing scope, as they may still be in use): use scopeAsync().
 */
export function scope<R>(fn: () => R): R {
  if (typeof fn !== 'function') throw new InputError('scope: fn must be a function');
  if (fn.constructor?.name === 'AsyncFunction' || fn.constructor?.name === 'AsyncGeneratorFunction') {
    throw new InputError(`scope: fn is an async function; ${ASYNC_HINT}`);
  }
  const frame = new Set<Storage<DType>>();
  scopes.push(frame);
  openFrames.add(frame);
  const pop = (): Set<Storage<DType>> | undefined => {
    const idx = scopes.lastIndexOf(frame);
    if (idx >= 0) scopes.splice(idx, 1);
    return scopes[scopes.length - 1];
  };
  let result: R;
  try {
    result = fn();
  } catch (e) {
    closeFrame(frame, undefined, pop());
    throw e;
  }
  const parent = pop();
  if (isThenable(result)) {
    // The promise's work is still running on these blocks: hand them to the enclosing scope instead of freeing them.
    closeFrame(frame, [...frame], parent);
    throw new InputError(`scope: fn returned a promise; ${ASYNC_HINT}`);
  }
  closeFrame(frame, result, parent);
  return result;
}

/** Records blocks in a scopeAsync() frame: what was allocated after an await, or came from elsewhere. */
export type Track = <X>(value: X) => X;

/**
 * The asynchronous scope: awaits fn(track), then frees the WASM blocks that fn allocated synchronously before its
 * first await and those it passed to `track` (a Storage, matrix, graph, model, or anything holding them), except
 * those reachable from the result or passed to keep(). It never frees what other tasks allocated while fn awaited
 * (JavaScript offers no portable way to tell them apart, so blocks allocated after an await belong to fn only once
 * given to track, or to a synchronous scope() inside). Kept blocks are the caller's: free them, or `track` them in an
 * enclosing scopeAsync(). Throws InputError when fn is not a function or does not return a promise.
 */
export async function scopeAsync<R>(fn: (track: Track) => Promise<R>): Promise<R> {
  if (typeof fn !== 'function') throw new InputError('scopeAsync: fn must be a function');
  const frame = new Set<Storage<DType>>();
  openFrames.add(frame);
  const track: Track = (value) => {
    if (!openFrames.has(frame)) throw new InputError('track: this scopeAsync() has already ended');
    const found = new Set<Storage<DType>>();
    collectKept(value, found);
    for (const s of found) if (!s.isFreed) frame.add(s);
    return value;
  };
  scopes.push(frame);
  let pending: Promise<R>;
  try {
    pending = fn(track);
  } catch (e) {
    scopes.splice(scopes.lastIndexOf(frame), 1);
    closeFrame(frame, undefined, undefined);
    throw e;
  }
  scopes.splice(scopes.lastIndexOf(frame), 1);
  if (!isThenable(pending)) {
    closeFrame(frame, pending, undefined);
    throw new InputError('scopeAsync: fn must return a promise (an async function); use scope() for synchronous work');
  }
  let result: R;
  try {
    result = await pending;
  } catch (e) {
    closeFrame(frame, undefined, undefined);
    throw e;
  }
  closeFrame(frame, result, undefined);
  return result;
}

/**
 * Takes every block reachable from `value` (a Storage, matrix, graph, model, or anything holding them) out of all
 * open scopes, so no scope() or scopeAsync() frees it; the caller frees it (free(), `using`, or the garbage
 * collector as a last resort). Returns `value`.
 */
export function keep<X>(value: X): X {
  const found = new Set<Storage<DType>>();
  collectKept(value, found);
  for (const s of found) s.escape();
  return value;
}

/**
 * BackendError naming `fn` unless `bytes` more fit in WASM memory beside the bytes live now (less
 * WASM_HEADROOM_BYTES), checked before a call allocates anything; nothing on the JS backend. `what` says what
 * needs them.
 */
export function assertWasmRoom(fn: string, what: string, bytes: number): void {
  const k = wasmKernels();
  if (!k) return;
  const live = k.liveBytes(), left = WASM_MEMORY_BYTES - WASM_HEADROOM_BYTES - live;
  if (bytes > left) {
    throw new BackendError(`${fn}: ${what} needs about ${bytes} bytes of WASM memory beside the ${live} in use, more than the ` +
      `${left} left of the ${WASM_MEMORY_BYTES} a 32-bit WASM memory holds (less ${WASM_HEADROOM_BYTES} headroom); free what is no longer needed`);
  }
}

/** Pages (64 KiB) of WASM memory, or 0 when the WASM backend was never loaded. */
export function wasmMemoryPages(): number {
  const k = loadedKernels();
  return k ? k.memoryPages() : 0;
}

/**
 * Bytes of WASM memory in blocks now in use (`live`) and the most in use since the last resetWasmPeak()
 * (`peak`), counted by the allocator over every block (Storage, scratch, temporaries, kernels' own
 * temporaries; TLSF headers included). Unlike the page count, which only grows and doubles at a time, this
 * is what a computation needed. Zeros when the WASM backend was never loaded.
 */
export function wasmHeapBytes(): { live: number; peak: number } {
  const k = loadedKernels();
  return k ? { live: k.liveBytes(), peak: k.peakBytes() } : { live: 0, peak: 0 };
}

/** Starts a new peak measurement for wasmHeapBytes() at the bytes now live. */
export function resetWasmPeak(): void {
  loadedKernels()?.resetPeakBytes();
}

/**
 * Calls fn with a WASM pointer for each array: resident arrays pass as they are, JS-heap arrays are
 * copied into a temporary block (and copied back when listed in `writeBack`), freed afterwards.
 */
export function withPointers<R>(k: KernelExports, arrays: (Storage<DType> | null)[], fn: (ptrs: number[]) => R,
  writeBack: (Storage<DType> | null)[] = []): R {
  const temps: { ptr: number; s: Storage<DType> }[] = [];
  try {
    const ptrs = arrays.map((s) => {
      if (s === null) return 0;
      if (s.resident) return s.ptr;
      const bytes = Math.max(s.length * BYTES[s.dtype], 16);
      const ptr = allocBlock(k, bytes);
      temps.push({ ptr, s });
      new (CTOR[s.dtype])(k.memory.buffer, ptr, s.length).set(s.array);
      return ptr;
    });
    const r = fn(ptrs);
    for (const { ptr, s } of temps) {
      if (writeBack.includes(s)) s.array.set(new (CTOR[s.dtype])(k.memory.buffer, ptr, s.length));
    }
    return r;
  } finally {
    for (const { ptr } of temps) k.free(ptr);
  }
}
