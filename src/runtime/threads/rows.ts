// How a kernel call is cut into row ranges for the pool. A call site describes its split (RowSplit): the rows, the
// export that runs a range, that export's arguments for a range, and the arena bytes a range allocates. Ranges
// partition the rows and never the terms of a sum, so every thread count gives the same bits (test/runtime/threads*).
import type { KernelExports } from '../kernels.js';
import type { ThreadPool, ThreadPart } from './pool.js';

export interface RowSplit {
  /** Rows (or elements) to split. */
  count: number;
  /** The export of the shared-memory build that runs one range. */
  name: keyof KernelExports & string;
  /** Its arguments for the rows [r0, r1), given the call's pointers; `part` numbers the range (0 … parts − 1). */
  args: (pointers: number[], r0: number, r1: number, part: number, parts: number) => number[];
  /** Bytes the export allocates on [r0, r1) (a worker serves them from its arena). Default 0. */
  scratch?: (r0: number, r1: number) => number;
  /** Range bounds are multiples of this (default 1): SIMD-aligned element ranges, whole register tiles. */
  align?: number;
  /** Work below which one thread runs the whole call (default 0: always split). */
  minWork?: number;
  /** The work in [0, r) (default r), so ranges get equal work: edges for attention. */
  workBefore?: (r: number) => number;
}

/** Bounds b[0] = 0 < … < b[parts] = count cutting the work into near-equal aligned pieces (empty pieces dropped). */
export function rowBounds(split: RowSplit, parts: number): number[] {
  const n = split.count, align = Math.max(1, split.align ?? 1);
  const work = split.workBefore ?? ((r: number) => r);
  const total = work(n);
  const bounds = [0];
  for (let t = 1; t < parts; t++) {
    const target = (total * t) / parts;
    // the first row r with work(r) ≥ target (work is non-decreasing), rounded to the alignment
    let lo = bounds[bounds.length - 1], hi = n;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (work(mid) < target) lo = mid + 1; else hi = mid; }
    const r = Math.min(n, Math.round(lo / align) * align);
    if (r > bounds[bounds.length - 1] && r < n) bounds.push(r);
  }
  bounds.push(n);
  return bounds;
}

/** Runs a split call on the pool, or `whole` on this thread when it is too small to split. */
export function runRows(pool: ThreadPool, k: KernelExports, split: RowSplit, pointers: number[],
  whole: (k: KernelExports, pointers: number[]) => void): void {
  const work = split.workBefore ? split.workBefore(split.count) : split.count;
  if (pool.active < 2 || split.count < 2 || work < (split.minWork ?? 0)) { whole(k, pointers); return; }
  const b = rowBounds(split, pool.active);
  if (b.length <= 2) { whole(k, pointers); return; }
  const parts: ThreadPart[] = [];
  for (let t = 0; t + 1 < b.length; t++) {
    parts.push({ args: split.args(pointers, b[t], b[t + 1], t, b.length - 1), scratch: split.scratch ? split.scratch(b[t], b[t + 1]) : 0 });
  }
  pool.run(k, split.name, parts);
}
