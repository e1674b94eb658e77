// Attention patterns of Section 2 of the paper: the graph itself, full attention, and the graph
// plus a random expander (as in Exphormer, Shirzad et al. 2023).
import { InputError, ShapeError } from '../runtime/errors.js';
import { rng } from '../random/rng.js';
import { CsrGraph, csrFromEdges } from './csr.js';

/** All n² pairs (i attends to every j, itself included). Intended for small n: m = n². */
export function fullPattern(n: number): CsrGraph {
  if (!Number.isInteger(n) || n < 0) throw new ShapeError(`fullPattern: n must be a non-negative integer, got ${n}`);
  if (n * n > 2 ** 31 - 1) throw new ShapeError(`fullPattern: n = ${n} gives n² = ${n * n} edges, beyond the i32 index range`);
  const rowPtr = new Int32Array(n + 1), colIdx = new Int32Array(n * n);
  for (let i = 0; i < n; i++) {
    rowPtr[i + 1] = (i + 1) * n;
    for (let j = 0; j < n; j++) colIdx[i * n + j] = j;
  }
  return CsrGraph.fromArrays(n, n, rowPtr, colIdx);
}

export interface ExpanderOptions {
  /** Seed of the random permutations (default 0). */
  seed?: number;
}

/**
 * A random regular expander on n nodes: the union of degree/2 random permutations π and their inverses,
 * i.e. edges {i, π(i)} — Exphormer's construction. Every node has degree `degree` counting multiplicity;
 * after removing self loops and repeated pairs a few nodes can have less (O(degree²/n) of them on average).
 * Throws InputError when degree is odd or not positive.
 */
export function expanderPattern(n: number, degree: number, options: ExpanderOptions = {}): CsrGraph {
  if (!Number.isInteger(n) || n < 0) throw new ShapeError(`expanderPattern: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(degree) || degree <= 0 || degree % 2 !== 0) {
    throw new InputError(`expanderPattern: degree must be a positive even integer, got ${degree}`);
  }
  const g = rng(options.seed ?? 0);
  const rows: number[] = [], cols: number[] = [];
  for (let t = 0; t < degree / 2; t++) {
    const p = g.permutation(n);
    for (let i = 0; i < n; i++) {
      if (p[i] === i) continue;
      rows.push(i); cols.push(p[i]);
    }
  }
  return csrFromEdges(rows, cols, { numNodes: n, symmetrize: true });
}

/** The union of two square patterns on the same nodes (e.g. graph + expander), deduplicated. */
export function unionPattern(a: CsrGraph, b: CsrGraph): CsrGraph {
  if (a.numRows !== b.numRows || a.numCols !== b.numCols) {
    throw new ShapeError(`unionPattern: patterns are ${a.numRows}×${a.numCols} and ${b.numRows}×${b.numCols}`);
  }
  const rows: number[] = [], cols: number[] = [];
  for (const g of [a, b]) {
    const rp = g.rowPtr.array, ci = g.colIdx.array;
    for (let i = 0; i < g.numRows; i++) for (let e = rp[i]; e < rp[i + 1]; e++) { rows.push(i); cols.push(ci[e]); }
  }
  return csrFromEdges(rows, cols, { numNodes: a.numRows, numCols: a.numCols });
}

/** Graph + random expander of the given degree: Exphormer's sparse pattern. */
export function graphWithExpander(graph: CsrGraph, degree: number, options: ExpanderOptions = {}): CsrGraph {
  if (graph.numRows !== graph.numCols) throw new ShapeError(`graphWithExpander: graph must be square, got ${graph.numRows}×${graph.numCols}`);
  const ex = expanderPattern(graph.numRows, degree, options);
  try {
    return unionPattern(graph, ex);
  } finally {
    ex.free();
  }
}
