// Compressed sparse row attention patterns: row i lists the nodes j that node i attends to.
// Indices are i32 and live in WASM memory when the WASM backend is loaded.
import { IndexError, InputError, ShapeError } from '../runtime/errors.js';
import { Storage, type Owner, type DType } from '../runtime/storage.js';
import { checkOptionsObject, optionalBoolean, requireAllocatable, requireInt, requireLive } from '../runtime/validate.js';
import { runSlotted } from '../runtime/dispatch.js';
import { CHECK_SLOTS, csrCheckRanges } from '../runtime/threads/splits.js';
import * as checks from '../twin/checks.js';

/** The most nodes a pattern may have: rowPtr (n + 1 i32) must fit in one WASM block. */
export const MAX_NODES = 2 ** 28 - 1;

/** A CSR pattern: numRows destination nodes, numCols source nodes, numEdges stored entries. */
export class CsrGraph implements Owner {
  readonly numRows: number;
  readonly numCols: number;
  readonly rowPtr: Storage<'i32'>;
  readonly colIdx: Storage<'i32'>;
  /** Largest row length (the attention kernel's scratch size). */
  readonly maxDegree: number;

  constructor(numRows: number, numCols: number, rowPtr: Storage<'i32'>, colIdx: Storage<'i32'>) {
    if (rowPtr.length !== numRows + 1) throw new ShapeError(`CsrGraph: rowPtr has length ${rowPtr.length}, expected numRows + 1 = ${numRows + 1}`);
    validateCsr('CsrGraph', numRows, numCols, rowPtr.array, colIdx.array);
    this.numRows = numRows;
    this.numCols = numCols;
    this.rowPtr = rowPtr;
    this.colIdx = colIdx;
    const rp = rowPtr.array;
    let md = 0;
    for (let i = 0; i < numRows; i++) md = Math.max(md, rp[i + 1] - rp[i]);
    this.maxDegree = md;
  }

  /**
   * Builds a CsrGraph from plain arrays (validated, copied). `where: 'js'` keeps the copy in the JS heap
   * instead of WASM memory: the inference forward then streams it into WASM one query block at a time, so the
   * largest graphs need not hold their pattern in the 4 GiB WASM memory (docs/architecture.md, "Memory model").
   */
  static fromArrays(numRows: number, numCols: number, rowPtr: ArrayLike<number>, colIdx: ArrayLike<number>,
    where: 'auto' | 'js' = 'auto'): CsrGraph {
    if (where !== 'auto' && where !== 'js') throw new InputError(`CsrGraph.fromArrays: where must be 'auto' or 'js', got ${String(where)}`);
    if (rowPtr.length !== numRows + 1) throw new ShapeError(`CsrGraph.fromArrays: rowPtr has length ${rowPtr.length}, expected numRows + 1 = ${numRows + 1}`);
    validateCsr('CsrGraph.fromArrays', numRows, numCols, rowPtr, colIdx);
    return new CsrGraph(numRows, numCols, Storage.from('i32', rowPtr, where), Storage.from('i32', colIdx, where));
  }

  get numEdges(): number {
    return this.colIdx.length;
  }

  storages(): Storage<DType>[] {
    return [this.rowPtr, this.colIdx] as Storage<DType>[];
  }

  /** Row lengths (in-degree of each destination). */
  degrees(): Int32Array {
    const rp = this.rowPtr.array, out = new Int32Array(this.numRows);
    for (let i = 0; i < this.numRows; i++) out[i] = rp[i + 1] - rp[i];
    return out;
  }

  /** The transposed pattern (column j lists the rows that attend to it), columns sorted. */
  transpose(): CsrGraph {
    const rp = this.rowPtr.array, ci = this.colIdx.array;
    const counts = new Int32Array(this.numCols + 1);
    for (let e = 0; e < ci.length; e++) counts[ci[e] + 1]++;
    for (let j = 0; j < this.numCols; j++) counts[j + 1] += counts[j];
    const next = counts.slice(0, this.numCols);
    const out = new Int32Array(ci.length);
    for (let i = 0; i < this.numRows; i++) for (let e = rp[i]; e < rp[i + 1]; e++) out[next[ci[e]]++] = i;
    return new CsrGraph(this.numCols, this.numRows, Storage.from('i32', counts), Storage.from('i32', out));
  }

  /** Releases the WASM memory (idempotent). */
  free(): void {
    this.rowPtr.free();
    this.colIdx.free();
  }

  /**
   * Re-checks, for the public function `fn` about to hand this pattern to a kernel, what the kernels rely
   * on: neither array freed, rowPtr[0] = 0, rowPtr non-decreasing with rowPtr[numRows] = numEdges, no row
   * longer than maxDegree (the kernels' scratch size), every column in [0, numCols). rowPtr and colIdx are
   * writable views (they live in WASM memory, which cannot be frozen), so a write after construction —
   * graph.colIdx.array[0] = numCols + 1 — would otherwise make a kernel read neighbouring memory.
   * Cost O(numRows + numEdges) integer compares, SIMD and split over the thread pool (assembly/checks.ts
   * csr_check_range; its twin src/twin/checks.ts) (measured in bench/: see docs/architecture.md,
   * "Limits on input and work"); throws InputError naming `name` and the first bad entry.
   */
  assertIntact(fn: string, name = 'pattern'): void {
    requireLive(fn, `${name}.rowPtr`, this.rowPtr as Storage<DType>);
    requireLive(fn, `${name}.colIdx`, this.colIdx as Storage<DType>);
    const rp = this.rowPtr.array, ci = this.colIdx.array, n = this.numRows, nc = this.numCols, md = this.maxDegree;
    const changed = (array: string, detail: string): never => {
      throw new InputError(`${fn}: ${name}.${array} was changed after the CsrGraph was validated (${detail}); build a new pattern instead of editing its arrays`);
    };
    if (rp[0] !== 0 || rp[n] !== ci.length) changed('rowPtr', `rowPtr[0] = ${rp[0]}, rowPtr[${n}] = ${rp[n]}, ${ci.length} edges`);
    // every row length in [0, md] and every entry in [0, nc): assembly/checks.ts csr_check_range over row ranges and
    // their share of the entries (threaded, SIMD); each range writes its first failures, the first failing range wins
    const m = ci.length;
    const f = runSlotted([this.rowPtr as Storage<DType>, this.colIdx as Storage<DType>], this.rowPtr.resident && this.colIdx.resident,
      2 * CHECK_SLOTS, -1, (k, [prp, pci], po) => k.csr_check_range(prp, pci, 0, n, 0, m, md, nc, po, 0),
      (out) => checks.csr_check_range(rp, ci, 0, n, 0, m, md, nc, out, 0), (po) => csrCheckRanges(n, m, md, nc, po));
    for (let t = 0; t < CHECK_SLOTS; t++) {
      const i = f[2 * t];
      if (i >= 0) { const a = this.rowPtr.array; changed('rowPtr', `row ${i} has ${a[i + 1] - a[i]} entries, the largest validated row has ${md}`); }
    }
    for (let t = 0; t < CHECK_SLOTS; t++) {
      const e = f[2 * t + 1];
      if (e >= 0) changed('colIdx', `colIdx[${e}] = ${this.colIdx.array[e]} is outside [0, ${nc})`);
    }
  }

  /** free(), for `using` (explicit resource management). */
  [Symbol.dispose](): void {
    this.free();
  }
}

function validateCsr(fn: string, numRows: number, numCols: number, rowPtr: ArrayLike<number>, colIdx: ArrayLike<number>): void {
  if (!Number.isInteger(numRows) || numRows < 0) throw new ShapeError(`${fn}: numRows must be a non-negative integer, got ${numRows}`);
  if (!Number.isInteger(numCols) || numCols < 0) throw new ShapeError(`${fn}: numCols must be a non-negative integer, got ${numCols}`);
  if (rowPtr[0] !== 0) throw new IndexError(`${fn}: rowPtr[0] must be 0, got ${rowPtr[0]}`);
  for (let i = 0; i < numRows; i++) {
    if (!(rowPtr[i + 1] >= rowPtr[i])) throw new IndexError(`${fn}: rowPtr must be non-decreasing, but rowPtr[${i + 1}] = ${rowPtr[i + 1]} < rowPtr[${i}] = ${rowPtr[i]}`);
  }
  if (rowPtr[numRows] !== colIdx.length) throw new ShapeError(`${fn}: rowPtr[numRows] = ${rowPtr[numRows]} but colIdx has length ${colIdx.length}`);
  for (let e = 0; e < colIdx.length; e++) {
    const j = colIdx[e];
    if (!Number.isInteger(j) || j < 0 || j >= numCols) throw new IndexError(`${fn}: colIdx[${e}] = ${j} is outside [0, ${numCols})`);
  }
}

export interface CsrFromEdgesOptions {
  /** Number of destination nodes (rows). Default: 1 + the largest index seen. */
  numNodes?: number;
  /** Number of source nodes (columns) for a bipartite pattern. Default: numNodes. */
  numCols?: number;
  /** Also add (j, i) for every (i, j) (default false). */
  symmetrize?: boolean;
  /** Add the missing self loops (i, i), so no row is empty (default false; needs a square pattern). */
  selfLoops?: boolean;
  /** Drop repeated (i, j) entries (default true). With false, duplicates stay and count twice in attention. */
  dedupe?: boolean;
}

function checkIndexArray(fn: string, name: string, a: ArrayLike<number | bigint>): Int32Array {
  const out = new Int32Array(a.length);
  for (let e = 0; e < a.length; e++) {
    const x = a[e];
    const v = typeof x === 'number' || typeof x === 'bigint' ? Number(x) : NaN; // not Number(symbol), which throws
    if (!Number.isInteger(v)) throw new InputError(`${fn}: ${name}[${e}] = ${String(a[e])} is not a finite integer`);
    if (v < 0 || v > 0x7fffffff) throw new IndexError(`${fn}: ${name}[${e}] = ${v} is outside [0, 2^31)`);
    out[e] = v;
  }
  return out;
}

/**
 * Builds a CSR pattern from an edge list: entry e says node rows[e] attends to node cols[e].
 * Columns of each row come out sorted. Throws ShapeError when rows and cols differ in length or
 * numNodes / numCols is not an integer in [0, 2²⁸), InputError on a non-integer index or bad options,
 * ArgumentTypeError on a flag that is not true/false, IndexError on an index outside [0, numNodes).
 * Work and memory are O(m + n), bounded by the checks above before anything is allocated.
 */
export function csrFromEdges(rows: ArrayLike<number | bigint>, cols: ArrayLike<number | bigint>, options: CsrFromEdgesOptions = {}): CsrGraph {
  const fn = 'csrFromEdges';
  if (rows == null || cols == null || typeof rows.length !== 'number' || typeof cols.length !== 'number') {
    throw new InputError(`${fn}: rows and cols must be arrays of node indices`);
  }
  if (rows.length !== cols.length) throw new ShapeError(`${fn}: rows has ${rows.length} entries but cols has ${cols.length}`);
  checkOptionsObject(fn, options);
  const symmetrize = optionalBoolean(fn, 'options.symmetrize', options.symmetrize, false);
  const selfLoops = optionalBoolean(fn, 'options.selfLoops', options.selfLoops, false);
  const dedupe = optionalBoolean(fn, 'options.dedupe', options.dedupe, true);
  for (const key of ['numNodes', 'numCols'] as const) {
    const v = options[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ShapeError(`${fn}: options.${key} must be a non-negative integer, got ${String(v)}`);
    requireInt(fn, `options.${key}`, v, 0, MAX_NODES);
  }
  // the edge list after symmetrizing (2m) and adding self loops (≤ n more) must fit in one WASM block
  requireAllocatable(fn, 'rows and cols (symmetrized)', (symmetrize ? 2 : 1) * rows.length, 4);
  const r0 = checkIndexArray(fn, 'rows', rows), c0 = checkIndexArray(fn, 'cols', cols);
  let maxIdx = -1;
  for (let e = 0; e < r0.length; e++) maxIdx = Math.max(maxIdx, r0[e], c0[e]);
  const n = options.numNodes ?? maxIdx + 1;
  const nc = options.numCols ?? n;
  if (n > MAX_NODES || nc > MAX_NODES) throw new ShapeError(`${fn}: the largest index ${maxIdx} asks for more than ${MAX_NODES} nodes`);
  const square = n === nc;
  if ((symmetrize || selfLoops) && !square) {
    throw new ShapeError(`${fn}: symmetrize and selfLoops need a square pattern, got ${n}×${nc}`);
  }
  for (let e = 0; e < r0.length; e++) {
    if (r0[e] >= n) throw new IndexError(`${fn}: rows[${e}] = ${r0[e]} is outside [0, ${n})`);
    if (c0[e] >= nc) throw new IndexError(`${fn}: cols[${e}] = ${c0[e]} is outside [0, ${nc})`);
  }
  let r = r0, c = c0;
  if (symmetrize) {
    r = new Int32Array(2 * r0.length); c = new Int32Array(2 * r0.length);
    r.set(r0); r.set(c0, r0.length); c.set(c0); c.set(r0, r0.length);
  }
  if (selfLoops) {
    const hasLoop = new Uint8Array(n);
    for (let e = 0; e < r.length; e++) if (r[e] === c[e]) hasLoop[r[e]] = 1;
    let missing = 0;
    for (let i = 0; i < n; i++) missing += 1 - hasLoop[i];
    const r2 = new Int32Array(r.length + missing), c2 = new Int32Array(r.length + missing);
    r2.set(r); c2.set(c);
    let t = r.length;
    for (let i = 0; i < n; i++) if (!hasLoop[i]) { r2[t] = i; c2[t] = i; t++; }
    r = r2; c = c2;
  }
  // counting sort by row, then sort each row's columns
  const rowPtr = new Int32Array(n + 1);
  for (let e = 0; e < r.length; e++) rowPtr[r[e] + 1]++;
  for (let i = 0; i < n; i++) rowPtr[i + 1] += rowPtr[i];
  const next = rowPtr.slice(0, n);
  const colIdx = new Int32Array(r.length);
  for (let e = 0; e < r.length; e++) colIdx[next[r[e]]++] = c[e];
  let w = 0;
  const outPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const seg = colIdx.subarray(rowPtr[i], rowPtr[i + 1]).sort();
    const rowStart = w;
    for (let t = 0; t < seg.length; t++) {
      if (dedupe && w > rowStart && colIdx[w - 1] === seg[t]) continue;
      colIdx[w++] = seg[t];
    }
    outPtr[i + 1] = w;
  }
  return CsrGraph.fromArrays(n, nc, outPtr, colIdx.subarray(0, w));
}
