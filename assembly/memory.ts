// Allocation for tensors that live in WASM linear memory (docs/architecture.md, "Memory model").
// The TS side owns every block: it calls alloc() when a tensor is created and free() when it is
// released. Kernels that need temporary blocks take them from here too, so live_bytes / peak_bytes count
// every block in use, whoever allocated it. Every block is 16-byte aligned (v128 loads of a row start are
// aligned when the row length is a multiple of 4 floats).
//
// Two allocators share the memory:
// - blocks under LARGE_BYTES (8 MiB) come from AssemblyScript's TLSF (counted as its payload size plus its 4-byte
//   header);
// - blocks of LARGE_BYTES and more are "large regions" taken straight from memory.grow and listed in REGIONS,
//   sorted by address. A freed region is reused first-fit (split when the rest is worth keeping) and merged
//   with free neighbours; a free region at the top of memory is grown in place. TLSF never sees them, so
//   its size-class rounding (which fails for blocks of 2²⁹ bytes and more: the trap after a ~1 GiB
//   alloc/free/alloc) and its 1 GiB block cap do not apply, and a block can use the whole 4 GiB memory.
//   TLSF is initialised (with a reserve it owns) before the first region exists, so it never adds the
//   regions' pages to its own pool.
// alloc() returns 0 instead of trapping when memory cannot grow (the TS side turns that into a BackendError).

import { in_worker, arena_alloc } from "./worker_arena";

// @ts-ignore: decorator
@inline const BLOCK_OVERHEAD: usize = 4;
// 8 MiB, not more: a forward's mid-sized blocks (a row block of Q, its row pointers, the kernel's per-row shifts:
// tens of MiB on a few million nodes) would otherwise make TLSF grow past its reserve, and TLSF grows memory by
// doubling it, handing itself as many pages as all the regions below hold.
// @ts-ignore: decorator
@inline const LARGE_BYTES: usize = 8 << 20;

// The small-block arena TLSF owns before the first large region: TLSF grows memory by doubling it, which
// after a few GiB of regions would take GiBs for one small block; with this reserve it rarely grows at all.
// @ts-ignore: decorator
@inline const TLSF_RESERVE: usize = 32 << 20;
// Never full: used regions are ≥ LARGE_BYTES, so at most 511 fit in 4 GiB, with at most one free region between
// two used ones (free neighbours merge): ≤ 1023 entries.
// @ts-ignore: decorator
@inline const MAX_REGIONS: i32 = 1024;
// @ts-ignore: decorator
@inline const PAGE: usize = 65536;

// REGIONS[i] = (start: u32, bytes: u32, used: u32, pad) — 16 bytes each, sorted by start, contiguous ranges merged.
const REGIONS: usize = memory.data(MAX_REGIONS * 16, 16);
let regionCount: i32 = 0;
let tlsfReady = false;

let live: usize = 0;
let peak: usize = 0;

// @ts-ignore: decorator
@inline function rStart(i: i32): usize { return load<u32>(REGIONS + (<usize>i << 4)); }
// @ts-ignore: decorator
@inline function rBytes(i: i32): usize { return load<u32>(REGIONS + (<usize>i << 4), 4); }
// @ts-ignore: decorator
@inline function rUsed(i: i32): bool { return load<u32>(REGIONS + (<usize>i << 4), 8) != 0; }
// @ts-ignore: decorator
@inline function rSet(i: i32, start: usize, bytes: usize, used: bool): void {
  const p = REGIONS + (<usize>i << 4);
  store<u32>(p, <u32>start); store<u32>(p, <u32>bytes, 4); store<u32>(p, used ? 1 : 0, 8);
}

/** Opens a gap at index i (entries i… move up one). Caller checks regionCount < MAX_REGIONS. */
function insertAt(i: i32): void {
  memory.copy(REGIONS + (<usize>(i + 1) << 4), REGIONS + (<usize>i << 4), <usize>(regionCount - i) << 4);
  regionCount++;
}

function removeAt(i: i32): void {
  memory.copy(REGIONS + (<usize>i << 4), REGIONS + (<usize>(i + 1) << 4), <usize>(regionCount - i - 1) << 4);
  regionCount--;
}

// TLSF keeps the payload size in the block's header word, just before the pointer (low 2 bits: tags).
// @ts-ignore: decorator
@inline function tlsfBytes(ptr: usize): usize {
  return (load<usize>(ptr - BLOCK_OVERHEAD) & ~(<usize>3)) + BLOCK_OVERHEAD;
}

/** Called before the first large region: TLSF initialises over the memory that exists and takes its reserve. */
function ensureTlsf(): void {
  if (tlsfReady) return;
  tlsfReady = true;
  heap.free(heap.alloc(TLSF_RESERVE));
}

/** The region index whose start is ptr, or -1. */
function findRegion(ptr: usize): i32 {
  for (let i = 0; i < regionCount; i++) if (rStart(i) == ptr) return i;
  return -1;
}

/** Grows memory by enough pages for `bytes` more; the old end of memory, or 0 when it cannot grow. */
function growBy(bytes: usize): usize {
  const pages = <i32>((<u64>bytes + <u64>(PAGE - 1)) >> 16);
  const before = memory.grow(pages);
  if (before < 0) return 0;
  return <usize>before << 16;
}

function allocLarge(size: usize): usize {
  ensureTlsf();
  const need = (size + 15) & ~(<usize>15);
  // first fit among free regions
  for (let i = 0; i < regionCount; i++) {
    if (rUsed(i) || rBytes(i) < need) continue;
    const start = rStart(i), bytes = rBytes(i);
    if (bytes - need >= PAGE && regionCount < MAX_REGIONS) {
      insertAt(i + 1);
      rSet(i + 1, start + need, bytes - need, false);
      rSet(i, start, need, true);
    } else {
      rSet(i, start, bytes, true);
    }
    return start;
  }
  const top = <u64>memory.size() << 16;
  // a free region at the top of memory: grow it in place
  if (regionCount > 0) {
    const last = regionCount - 1;
    if (!rUsed(last) && <u64>rStart(last) + <u64>rBytes(last) == top) {
      const more = need - rBytes(last);
      const old = growBy(more);
      if (old == 0) return 0;
      const start = rStart(last);
      rSet(last, start, <usize>((<u64>memory.size() << 16) - <u64>start), false);
      return allocLarge(size);
    }
  }
  if (regionCount + 2 > MAX_REGIONS) return 0;
  const start = growBy(need);
  if (start == 0) return 0;
  const got = <usize>((<u64>memory.size() << 16) - <u64>start);
  // appended at the end: memory.grow hands out the highest addresses
  rSet(regionCount, start, got, false);
  regionCount++;
  return allocLarge(size);
}

function freeLarge(i: i32): void {
  rSet(i, rStart(i), rBytes(i), false);
  // merge with the next and the previous region when they are free and adjacent
  if (i + 1 < regionCount && !rUsed(i + 1) && rStart(i) + rBytes(i) == rStart(i + 1)) {
    rSet(i, rStart(i), rBytes(i) + rBytes(i + 1), false);
    removeAt(i + 1);
  }
  if (i > 0 && !rUsed(i - 1) && rStart(i - 1) + rBytes(i - 1) == rStart(i)) {
    rSet(i - 1, rStart(i - 1), rBytes(i - 1) + rBytes(i), false);
    removeAt(i);
  }
}

/**
 * A kernel's temporary block: as alloc_block, but out of memory aborts (the loader's abort import throws a
 * BackendError), since a kernel has no way to report it. The plans (src/model/forward-plan.ts) count these.
 */
export function alloc(bytes: usize): usize {
  const ptr = alloc_block(bytes);
  if (ptr == 0) abort("out of memory");
  return ptr;
}

/**
 * Allocates `bytes` bytes for the TS side (exported as `alloc`; may grow memory; JS views must be refreshed
 * afterwards). Returns 0 when a large region cannot be had (TLSF traps for a small block). The pointer is a
 * u32: JS reads it with `>>> 0`.
 */
export function alloc_block(bytes: usize): usize {
  if (in_worker()) return arena_alloc(bytes); // a thread-pool worker never touches the heap (worker_arena.ts)
  let ptr: usize = 0, counted: usize = 0;
  if (bytes >= LARGE_BYTES) {
    ptr = allocLarge(bytes);
    if (ptr == 0) return 0;
    counted = rBytes(findRegion(ptr));
  } else {
    ptr = heap.alloc(bytes);
    counted = tlsfBytes(ptr);
  }
  live += counted;
  if (live > peak) peak = live;
  return ptr;
}

/** Frees a block returned by alloc(). */
export function free(ptr: usize): void {
  if (ptr == 0 || in_worker()) return; // a worker's arena is released whole by the main thread
  const i = regionCount > 0 ? findRegion(ptr) : -1;
  if (i >= 0 && rUsed(i)) {
    live -= rBytes(i);
    freeLarge(i);
    return;
  }
  live -= tlsfBytes(ptr);
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

/** How many large regions (used and free) exist: for the allocator's tests. */
export function largeRegionCount(): i32 {
  return regionCount;
}
