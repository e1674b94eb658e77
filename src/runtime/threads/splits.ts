// The row splits of the threaded kernels (RowSplit, rows.ts), one function per kernel family, so that a call site
// only says `rows: gemmRows(…)`. Each split cuts the output rows and leaves every sum's order as it is:
// - GEMM (assembly/gemm.ts): row panels of C, whole 4-row register tiles; each range packs the B slabs itself.
// - attention (assembly/attention_csr.ts): query-row ranges of equal edge counts; a row's max, sum and output stay
//   in one thread, and the f32 path (row by row or column-blocked) is decided once for the whole pattern.
// - element-wise kernels (assembly/elementwise.ts): element or row ranges.
import { scratch } from '../scratch.js';
import type { KernelExports } from '../kernels.js';
import { loadedKernels } from '../init.js';
import type { RowSplit } from './rows.js';

/** Products smaller than this many multiply-adds run on one thread (a job costs a few microseconds). */
const GEMM_MIN_WORK = 1 << 18;
/** Attention calls with fewer edges run on one thread. */
const ATTENTION_MIN_EDGES = 1 << 14;
/** Element-wise calls with fewer elements run on one thread. */
const ELEMENTWISE_MIN = 1 << 16;

const KC = 256, MR = 4;

/**
 * C (m×n) = op(A)·op(B) as row panels of C, whole 4-row register tiles; with op(A) = Aᵀ a panel is a column range of A
 * (gemm_ld_*: A keeps its full row stride m). Each panel packs the B slabs itself and sums over k in the same order.
 * Undefined when not worth splitting.
 */
export function gemmRows(m: number, n: number, k: number, transA: boolean, transB: boolean, f32: boolean): RowSplit | undefined {
  if (m < 2 * MR || m * n * k < GEMM_MIN_WORK) return undefined;
  const size = f32 ? 4 : 8, nr = 32 / size, kc = Math.min(KC, k);
  const MC = 256;
  const strip = kc * MR * size + 64;
  const bpack = Math.ceil(n / nr) * kc * 32 + 64;
  return {
    count: m, name: f32 ? 'gemm_ld_f32' : 'gemm_ld_f64', align: MR,
    args: ([pc, pa, pb], r0, r1) => [pc + r0 * n * size, pa + r0 * (transA ? 1 : k) * size, pb, r1 - r0, n, k, +transA, +transB,
      transA ? m : k, transB ? k : n, n],
    scratch: (r0, r1) => bpack + Math.ceil((transA ? Math.min(MC, r1 - r0) : MR) / MR) * strip + 64,
  };
}

/**
 * The attention forward over query-row ranges of near-equal edge counts. `rowPtr` is the pattern's row pointer
 * (host copy), `maxDegree` its largest row; `perEdge` whether the scores end as the weights (indexed by edge, so
 * any range writes its own); without, f32 ranges take their own max-degree scratch and f64 ones a slice of one block.
 */
export function attentionRows(nDst: number, nSrc: number, dQK: number, dV: number, scale: number,
  rowPtr: Int32Array, maxDegree: number, perEdge: boolean, f32: boolean, planKey?: object): RowSplit | undefined {
  if (nDst < 2 || rowPtr[nDst] < ATTENTION_MIN_EDGES) return undefined;
  const k = loadedKernels();
  if (!k) return undefined;
  const deg = Math.max(maxDegree, 1);
  const workBefore = (r: number): number => rowPtr[r] + r; // + r: empty rows cost a little too
  if (f32) {
    const plans = planKey ? (PLANS.get(planKey) ?? new Map<number, number>()) : null;
    if (planKey && !PLANS.has(planKey)) PLANS.set(planKey, plans!);
    const dims = dQK * 65536 + dV;
    let plan = plans?.get(dims) ?? -1;
    return {
      count: nDst, name: 'attention_csr_range_f32', workBefore,
      args: ([po, pq, pk, pv, prp, pci, pw], r0, r1) => {
        if (plan < 0) { plan = k.attention_plan_f32(prp, pci, nDst, dQK, dV); plans?.set(dims, plan); }
        return [po, pq, pk, pv, prp, pci, r0, r1, dQK, dV, scale, perEdge ? pw : 0, +perEdge, nSrc, plan];
      },
      scratch: (r0, r1) => 16 * (r1 - r0) + 4 * deg + 128,
    };
  }
  let block = 0;
  return {
    count: nDst, name: 'attention_csr_f64', workBefore,
    args: ([po, pq, pk, pv, prp, pci, pw], r0, r1, part, parts) => {
      if (!perEdge && part === 0) block = scratch(k, 8 * deg * parts);
      return [po + r0 * dV * 8, pq + r0 * dQK * 8, pk, pv, prp + r0 * 4, pci, r1 - r0, dQK, dV, scale,
        perEdge ? pw : block + part * 8 * deg, +perEdge];
    },
  };
}

/**
 * A range kernel whose range is its last two integer arguments before the trailing `tail` ones: `(…head, r0, r1,
 * …tail)`, split over `count` rows with the work before row r given by `workBefore` (edges, for the backward passes).
 */
export function rangeRows(name: keyof KernelExports & string, count: number, head: (p: number[]) => number[], tail: number[],
  workBefore?: (r: number) => number): RowSplit {
  return { count, name, workBefore, args: (p, r0, r1) => [...head(p), r0, r1, ...tail] };
}

/**
 * The f32 attention path (attention_plan_f32: an O(edges) scan on the calling thread) of each pattern and width pair,
 * kept so that repeated calls on one pattern (every layer, every step) do not scan it again before splitting. Keyed
 * by the CsrGraph, whose arrays are checked unchanged (assertIntact) before each call.
 */
const PLANS = new WeakMap<object, Map<number, number>>();

/**
 * A column reduction of training (column sums, the batch norms: assembly/elementwise.ts *_cols_f32) over column
 * ranges of whole SIMD vectors: `(…head(pointers), c0, c1)`. Each column's sums stay in one thread.
 */
export function columnRanges(name: keyof KernelExports & string, rows: number, cols: number, head: (p: number[]) => number[]): RowSplit | undefined {
  if (cols < 8 || rows * cols < ELEMENTWISE_MIN) return undefined;
  return {
    count: cols, name, align: 4,
    args: (p, c0, c1) => [...head(p), c0, c1],
    scratch: (c0, c1) => 16 * (c1 - c0) + 64,
  };
}

/** An element-wise kernel (name)(p0, p1, …, len) over element ranges of whole SIMD vectors; `ptrs` of f32 arrays. */
export function elementRows(name: keyof KernelExports & string, len: number, ptrs: number): RowSplit | undefined {
  if (len < ELEMENTWISE_MIN) return undefined;
  return {
    count: len, name, align: 4,
    args: (p, r0, r1) => [...p.slice(0, ptrs).map((x) => x + 4 * r0), r1 - r0],
  };
}

/**
 * A row-wise f32 kernel (name)(y, b, [r,] rows, cols) over row ranges: `rowArgs` of the pointers advance by a row
 * (y, r), the others (the bias b) stay.
 */
export function rowwiseRows(name: keyof KernelExports & string, rows: number, cols: number, advance: boolean[]): RowSplit | undefined {
  if (rows < 2 || rows * cols < ELEMENTWISE_MIN) return undefined;
  return {
    count: rows, name,
    args: (p, r0, r1) => [...p.slice(0, advance.length).map((x, i) => (advance[i] ? x + 4 * r0 * cols : x)), r1 - r0, cols],
  };
}

/** Ranges a range check may have: at most one per thread (init's cap, MAX_THREADS), each with its result slots. */
export const CHECK_SLOTS = 64;

/**
 * A row-range check (assembly/checks.ts max_row_sq_norm_*) over `rows` rows of `cols` columns: `(x, r0, r1, cols, out,
 * part)`, each range writing its own f64 slot of `out` (dispatch.ts runSlotted).
 */
export function rowCheckRanges(name: keyof KernelExports & string, rows: number, cols: number, out: number): RowSplit | undefined {
  if (rows < 2 || rows * cols < ELEMENTWISE_MIN) return undefined;
  return { count: rows, name, args: ([px], r0, r1, part) => [px, r0, r1, cols, out, part] };
}

/** The entries [e(r0), e(r1)) a range of rows [r0, r1) of the CSR check scans: a partition of [0, m) in proportion. */
export function csrEntryBound(r: number, n: number, m: number): number {
  return r >= n ? m : Math.floor((r * m) / n);
}

/** The CSR check (assembly/checks.ts csr_check_range) over row ranges and their share of the entries. */
export function csrCheckRanges(n: number, m: number, maxDegree: number, numCols: number, out: number): RowSplit | undefined {
  if (n < 2 || n + m < ELEMENTWISE_MIN) return undefined;
  return {
    count: n, name: 'csr_check_range', workBefore: (r) => r + csrEntryBound(r, n, m),
    args: ([prp, pci], r0, r1, part) => [prp, pci, r0, r1, csrEntryBound(r0, n, m), csrEntryBound(r1, n, m), maxDegree, numCols, out, part],
  };
}

/**
 * Dropout (assembly/elementwise.ts dropout_f32) over element ranges of whole SIMD vectors: each range passes its first
 * global index, so the counter-based mask is the same for every split.
 */
export function dropoutRanges(len: number, p: number, keep: number, k0: number, k1: number): RowSplit | undefined {
  if (len < ELEMENTWISE_MIN) return undefined;
  return {
    count: len, name: 'dropout_f32', align: 4,
    args: ([px, pm], r0, r1) => [px + 4 * r0, pm + 4 * r0, r1 - r0, r0, p, keep, k0, k1],
  };
}
