// Attention patterns of Section 2 of the paper: the graph itself, full attention, and the graph
// plus a random expander (as in Exphormer, Shirzad et al. 2023).
import { InputError, ShapeError } from '../runtime/errors.js';
import { rng } from '../random/rng.js';
import { checkOptionsObject, requireSeed } from '../runtime/validate.js';
import { CsrGraph, csrFromEdges, MAX_NODES } from './csr.js';

/** The largest expander degree (the work is degree/2 permutations of n nodes, even when n is 0). */
const MAX_DEGREE = 65536;

/** All n² pairs (i attends to every j, itself included). Intended for small n: m = n². */
export function fullPattern(n: number): CsrGraph {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new ShapeError(`fullPattern: n must be a non-negative integer, got ${String(n)}`);
  if (n * n > 2 ** 27) throw new ShapeError(`fullPattern: n = ${n} gives n² = ${n * n} edges, more than the 2^27 a pattern may hold`);
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
  return expander('expanderPattern', n, degree, options);
}

function expander(fn: string, n: number, degree: number, options: ExpanderOptions): CsrGraph {
  if (!Number.isInteger(n) || n < 0 || n > MAX_NODES) throw new ShapeError(`${fn}: n must be an integer in [0, ${MAX_NODES}], got ${String(n)}`);
  if (!Number.isInteger(degree) || degree <= 0 || degree % 2 !== 0 || degree > MAX_DEGREE) {
    throw new InputError(`${fn}: degree must be a positive even integer ≤ ${MAX_DEGREE}, got ${String(degree)}`);
  }
  // n·degree directed edges, held twice while symmetrizing: bounded like every other pattern
  if (n * degree > 2 ** 27) throw new InputError(`${fn}: n·degree = ${n * degree} edges is more than the 2^27 a pattern may hold`);
  checkOptionsObject(fn, options);
  const seed = options.seed ?? 0;
  requireSeed(fn, seed);
  const g = rng(seed);
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
  return union('unionPattern', a, b);
}

function union(fn: string, a: CsrGraph, b: CsrGraph): CsrGraph {
  if (!(a instanceof CsrGraph) || !(b instanceof CsrGraph)) throw new InputError(`${fn}: a and b must be CsrGraphs`);
  a.assertIntact(fn, 'a');
  b.assertIntact(fn, 'b');
  if (a.numRows !== b.numRows || a.numCols !== b.numCols) {
    throw new ShapeError(`${fn}: patterns are ${a.numRows}×${a.numCols} and ${b.numRows}×${b.numCols}`);
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
  const fn = 'graphWithExpander';
  if (!(graph instanceof CsrGraph)) throw new InputError(`${fn}: graph must be a CsrGraph`);
  graph.assertIntact(fn, 'graph');
  if (graph.numRows !== graph.numCols) throw new ShapeError(`${fn}: graph must be square, got ${graph.numRows}×${graph.numCols}`);
  const ex = expander(fn, graph.numRows, degree, options);
  try {
    return union(fn, graph, ex);
  } finally {
    ex.free();
  }
}
