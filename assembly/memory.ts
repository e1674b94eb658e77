// Allocation for tensors that live in WASM linear memory.
// The TS side owns every block: it calls alloc() when a tensor is created and free() when it is
// released. Blocks come from AssemblyScript's TLSF allocator (16-byte aligned, so v128 loads
// of a row start are aligned when the row length is a multiple of 4 floats). Kernels that need
// temporary blocks take them from here too, so live_bytes / peak_bytes count every block in use
// (TLSF's payload size of each block plus its 4-byte header), whoever allocated it.

import { in_worker, arena_alloc } from "./threads";

// @ts-ignore: decorator
@inline const BLOCK_OVERHEAD: usize = 4;

let live: usize = 0;
let peak: usize = 0;

// TLSF keeps the payload size in the block's header word, just before the pointer (low 2 bits: tags).
@inline function block_bytes(ptr: usize): usize {
  return (load<usize>(ptr - BLOCK_OVERHEAD) & ~(<usize>3)) + BLOCK_OVERHEAD;
}

/** Allocates `bytes` bytes (may grow memory; JS views must be refreshed afterwards). */
export function alloc(bytes: usize): usize {
  if (in_worker()) return arena_alloc(bytes); // a thread-pool worker never touches the heap (threads.ts)
  const ptr = heap.alloc(bytes);
  live += block_bytes(ptr);
  if (live > peak) peak = live;
  return ptr;
}

/** Frees a block returned by alloc(). */
export function free(ptr: usize): void {
  if (in_worker()) return;
  live -= block_bytes(ptr);
  heap.free(ptr);
}

/** Current size of linear memory in 64 KiB pages (for leak tests). */
export function memoryPages(): i32 {
  return memory.size();
}

/** Bytes in blocks allocated through alloc() and not yet freed (headers included). */
export function liveBytes(): f64 {
  return <f64>live;
}

/** The most liveBytes() has been since the last resetPeakBytes() (or the start). */
export function peakBytes(): f64 {
  return <f64>peak;
}

/** Starts a new peak measurement at the current live bytes. */
export function resetPeakBytes(): void {
  peak = live;
}
