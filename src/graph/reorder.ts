// Node reordering for locality: an optional preprocessing step before attention, the forward or training.
// The attention of Section 2 of the paper (docs/theory.md §2, the model) is permutation-equivariant:
// relabelling the nodes by a permutation π and permuting the rows of X by the same π permutes the output
// rows by π and changes nothing else. The kernels gather the rows k_j, v_j of every column j of row i, so an order in
// which a node's neighbours have nearby indices turns those gathers into cache hits (docs/performance.md,
// "Scale"). Three orders:
//   'rcm'       reverse Cuthill–McKee (Cuthill & McKee 1969; George & Liu 1981): BFS from a pseudo-peripheral
//               node, neighbours by increasing degree, reversed — a bandwidth-reducing heuristic for meshes, paths, grids;
//   'bfs'       plain breadth-first order, neighbours in CSR order (cheaper, no degree sort);
//   'community' label propagation (Raghavan, Albert & Kumara 2007) finds communities, laid out one after the
//               other in BFS order (for graphs like social or co-purchase networks, where RCM's BFS levels
//               interleave communities).
// Every function returns new objects (the inputs are not changed) and validates before any work. The
// feature-matrix helpers (permuteRows, unpermuteRows, permuteNodeData) are in src/data/reorder-data.ts, a
// floor that may import linalg/.
import { IndexError, InputError, ShapeError } from '../runtime/errors.js';
import { rng } from '../random/rng.js';
import { CsrGraph } from './csr.js';

export type ReorderMethod = 'rcm' | 'bfs' | 'community';
const METHODS: readonly ReorderMethod[] = ['rcm', 'bfs', 'community'];

export interface ReorderOptions {
  /** Which order (default 'rcm'). */
  method?: ReorderMethod;
  /**
   * The pattern is known to be symmetric (j in row i ⇔ i in row j), so its rows are the neighbourhoods.
   * Default false: the neighbourhoods are taken from A + Aᵀ, which costs one transpose. A wrong `true`
   * only gives a worse order, never a wrong one.
   */
  symmetric?: boolean;
  /** 'community': seed of label propagation's tie breaking (default 0). */
  seed?: number;
  /** 'community': at most this many label-propagation sweeps (default 5; stops early when no label changes). */
  sweeps?: number;
}

/** A permutation of the nodes and its inverse. Node p of the reordered graph is node newToOld[p] of the original. */
export interface NodeOrdering {
  method: ReorderMethod | 'given';
  /** newToOld[p] = the original index of the node at position p. */
  newToOld: Int32Array;
  /** oldToNew[i] = the position of original node i (the inverse permutation). */
  oldToNew: Int32Array;
  /** 'community' only: the community of each original node, numbered in layout order. */
  communities?: Int32Array;
}

/** The neighbourhoods the orders walk: rows of A, plus rows of Aᵀ unless the pattern is symmetric. */
interface Adjacency {
  n: number;
  rp: Int32Array; ci: Int32Array;
  tp: Int32Array | null; ti: Int32Array | null;
  degree: Int32Array;
}

/** Throws unless `graph` is a live, square CsrGraph (errors name `fn`). Shared with src/data/reorder-data.ts. */
export function checkGraph(fn: string, graph: unknown): asserts graph is CsrGraph {
  if (!(graph instanceof CsrGraph)) throw new InputError(`${fn}: graph must be a CsrGraph (see csrFromEdges)`);
  if (graph.rowPtr.isFreed || graph.colIdx.isFreed) throw new InputError(`${fn}: graph was freed`);
  if (graph.numRows !== graph.numCols) throw new ShapeError(`${fn}: graph must be square (one node set), got ${graph.numRows}×${graph.numCols}`);
}

function adjacency(graph: CsrGraph, symmetric: boolean): Adjacency {
  const n = graph.numRows;
  let tp: Int32Array | null = null, ti: Int32Array | null = null;
  if (!symmetric) {
    const t = graph.transpose();
    tp = t.rowPtr.array.slice(); ti = t.colIdx.array.slice();
    t.free();
  }
  // read the views after transpose(): an allocation in WASM memory can replace its buffer
  const rp = graph.rowPtr.array, ci = graph.colIdx.array;
  const degree = new Int32Array(n);
  for (let i = 0; i < n; i++) degree[i] = rp[i + 1] - rp[i] + (tp ? tp[i + 1] - tp[i] : 0);
  return { n, rp, ci, tp, ti, degree };
}

/**
 * Breadth-first layout of every component into `order` (visited marks in `seen`): each component starts at
 * the first unseen node of `starts`, or at a pseudo-peripheral node found from it (George & Liu's
 * heuristic: BFS, move to a least-degree node of the last level while the eccentricity grows), and each
 * dequeued node's unseen neighbours are appended in CSR order or, with `byDegree`, by increasing degree.
 */
function breadthFirst(a: Adjacency, starts: Int32Array, peripheral: boolean, byDegree: boolean): Int32Array {
  const { n, rp, ci, tp, ti, degree } = a;
  const order = new Int32Array(n), seen = new Uint8Array(n);
  const stamp = peripheral ? new Int32Array(n) : null, queue = peripheral ? new Int32Array(n) : null;
  let stampNo = 0, tail = 0;
  // eccentricity of root within its component and a least-degree node of the last BFS level
  const probe = (root: number): { ecc: number; far: number } => {
    const s = ++stampNo, q = queue as Int32Array, st = stamp as Int32Array;
    let head = 0, qt = 0, ecc = 0, levelStart = 0, levelEnd = 1;
    q[qt++] = root; st[root] = s;
    while (head < qt) {
      const v = q[head++];
      for (let e = rp[v]; e < rp[v + 1]; e++) { const u = ci[e]; if (st[u] !== s) { st[u] = s; q[qt++] = u; } }
      if (tp) for (let e = tp[v]; e < tp[v + 1]; e++) { const u = (ti as Int32Array)[e]; if (st[u] !== s) { st[u] = s; q[qt++] = u; } }
      if (head === levelEnd && qt > levelEnd) { ecc++; levelStart = levelEnd; levelEnd = qt; }
    }
    let far = q[levelStart];
    for (let t = levelStart + 1; t < levelEnd; t++) if (degree[q[t]] < degree[far] || (degree[q[t]] === degree[far] && q[t] < far)) far = q[t];
    return { ecc, far };
  };
  const visit = (u: number): void => { if (!seen[u]) { seen[u] = 1; order[tail++] = u; } };
  for (let si = 0; si < n; si++) {
    let root = starts[si];
    if (seen[root]) continue;
    if (peripheral) {
      let cur = probe(root);
      for (;;) {
        const next = probe(cur.far);
        if (next.ecc <= cur.ecc) break;
        root = cur.far; cur = next;
      }
    }
    let head = tail;
    visit(root);
    while (head < tail) {
      const v = order[head++], first = tail;
      for (let e = rp[v]; e < rp[v + 1]; e++) visit(ci[e]);
      if (tp) for (let e = tp[v]; e < tp[v + 1]; e++) visit((ti as Int32Array)[e]);
      if (byDegree) {
        // insertion sort of the appended neighbours by (degree, index): rows are short
        for (let t = first + 1; t < tail; t++) {
          const u = order[t], du = degree[u];
          let s = t - 1;
          while (s >= first && (degree[order[s]] > du || (degree[order[s]] === du && order[s] > u))) { order[s + 1] = order[s]; s--; }
          order[s + 1] = u;
        }
      }
    }
  }
  return order;
}

/** Nodes by increasing degree, ties by index (counting sort). */
function byIncreasingDegree(degree: Int32Array): Int32Array {
  const n = degree.length;
  let max = 0;
  for (let i = 0; i < n; i++) if (degree[i] > max) max = degree[i];
  const start = new Int32Array(max + 2);
  for (let i = 0; i < n; i++) start[degree[i] + 1]++;
  for (let d = 0; d <= max; d++) start[d + 1] += start[d];
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[start[degree[i]]++] = i;
  return out;
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/**
 * Asynchronous label propagation: nodes in index order, each takes the label most frequent among its
 * neighbours, keeping its own when that is among the most frequent, else the most frequent one with the
 * smallest seeded hash of (label, node): a random tie break at the cost of two multiplies (ties are the rule
 * in the first sweep).
 * At most `sweeps` sweeps; stops when a sweep changes nothing.
 */
function labelPropagation(a: Adjacency, sweeps: number, seed: number): Int32Array {
  const { n, rp, ci, tp, ti, degree } = a;
  const labels = identity(n), count = new Int32Array(n);
  let maxDeg = 0;
  for (let i = 0; i < n; i++) if (degree[i] > maxDeg) maxDeg = degree[i];
  const touched = new Int32Array(maxDeg);
  const salt = rng(seed).nextUint32();
  // a hash of (label, node, seed): each node breaks its ties its own way, as a random choice would
  const hash = (l: number, v: number): number => { const h = Math.imul(l ^ Math.imul(v ^ salt, 0x85ebca6b), 0x9e3779b1); return (h ^ (h >>> 15)) >>> 0; };
  for (let sweep = 0; sweep < sweeps; sweep++) {
    let changed = 0;
    for (let v = 0; v < n; v++) {
      let t = 0;
      for (let e = rp[v]; e < rp[v + 1]; e++) { const u = ci[e]; if (u !== v) { const l = labels[u]; if (count[l]++ === 0) touched[t++] = l; } }
      if (tp) for (let e = tp[v]; e < tp[v + 1]; e++) { const u = (ti as Int32Array)[e]; if (u !== v) { const l = labels[u]; if (count[l]++ === 0) touched[t++] = l; } }
      if (t === 0) continue;
      let best = 0;
      for (let s = 0; s < t; s++) if (count[touched[s]] > best) best = count[touched[s]];
      const own = labels[v];
      if (count[own] !== best) {
        let pick = -1, pickHash = 0;
        for (let s = 0; s < t; s++) {
          const l = touched[s];
          if (count[l] === best) { const h = hash(l, v); if (pick < 0 || h < pickHash) { pick = l; pickHash = h; } }
        }
        labels[v] = pick;
        changed++;
      }
      for (let s = 0; s < t; s++) count[touched[s]] = 0;
    }
    if (changed === 0) break;
  }
  return labels;
}

function orderingOf(method: NodeOrdering['method'], newToOld: Int32Array): NodeOrdering {
  const oldToNew = new Int32Array(newToOld.length);
  for (let p = 0; p < newToOld.length; p++) oldToNew[newToOld[p]] = p;
  return { method, newToOld, oldToNew };
}

/**
 * A locality-improving order of the nodes of a square pattern (see the file comment for the methods).
 * Returns the permutation and its inverse; apply them with permuteGraph, permuteRows, permuteArray (or
 * permuteNodeData), and map outputs back with unpermuteRows / unpermuteArray. Deterministic: the same graph
 * and options give the same order. Cost O(m) for 'bfs', O(m·(1 + a few BFS)) for 'rcm' (its pseudo-peripheral
 * search), O(m·sweeps) for 'community'. Throws InputError / ShapeError naming the argument before any work.
 */
export function reorderNodes(graph: CsrGraph, options: ReorderOptions = {}): NodeOrdering {
  const fn = 'reorderNodes';
  checkGraph(fn, graph);
  if (options === null || typeof options !== 'object') throw new InputError(`${fn}: options must be an object`);
  const method = options.method ?? 'rcm';
  if (!METHODS.includes(method)) throw new InputError(`${fn}: options.method must be one of ${METHODS.join(', ')}, got ${String(method)}`);
  const symmetric = options.symmetric ?? false;
  if (typeof symmetric !== 'boolean') throw new InputError(`${fn}: options.symmetric must be a boolean, got ${String(symmetric)}`);
  const seed = options.seed ?? 0, sweeps = options.sweeps ?? 5;
  if (!Number.isInteger(seed)) throw new InputError(`${fn}: options.seed must be an integer, got ${seed}`);
  if (!Number.isInteger(sweeps) || sweeps < 1) throw new InputError(`${fn}: options.sweeps must be a positive integer, got ${sweeps}`);
  const a = adjacency(graph, symmetric);
  const n = a.n;
  if (method === 'rcm') {
    const cm = breadthFirst(a, byIncreasingDegree(a.degree), true, true);
    return orderingOf(method, cm.reverse());
  }
  const bfs = breadthFirst(a, identity(n), false, false);
  if (method === 'bfs') return orderingOf(method, bfs);
  // communities in the order BFS first meets them, each laid out in BFS order (a stable counting sort)
  const labels = labelPropagation(a, sweeps, seed);
  const rank = new Int32Array(n).fill(-1);
  let numCommunities = 0;
  for (let p = 0; p < n; p++) if (rank[labels[bfs[p]]] < 0) rank[labels[bfs[p]]] = numCommunities++;
  const start = new Int32Array(numCommunities + 1);
  const communities = new Int32Array(n);
  for (let i = 0; i < n; i++) { communities[i] = rank[labels[i]]; start[communities[i] + 1]++; }
  for (let c = 0; c < numCommunities; c++) start[c + 1] += start[c];
  const newToOld = new Int32Array(n);
  for (let p = 0; p < n; p++) newToOld[start[communities[bfs[p]]]++] = bfs[p];
  return { ...orderingOf(method, newToOld), communities };
}

/**
 * The ordering of a permutation you already have: newToOld[p] = the original node placed at position p.
 * Throws InputError on a non-integer or repeated entry, IndexError on one outside [0, length).
 */
export function orderingFromPermutation(newToOld: ArrayLike<number>): NodeOrdering {
  const fn = 'orderingFromPermutation';
  if (newToOld == null || typeof newToOld.length !== 'number') throw new InputError(`${fn}: newToOld must be an array of node indices`);
  const n = newToOld.length, out = new Int32Array(n), oldToNew = new Int32Array(n).fill(-1);
  for (let p = 0; p < n; p++) {
    const i = newToOld[p];
    if (!Number.isInteger(i)) throw new InputError(`${fn}: newToOld[${p}] = ${i} is not an integer`);
    if (i < 0 || i >= n) throw new IndexError(`${fn}: newToOld[${p}] = ${i} is outside [0, ${n})`);
    if (oldToNew[i] >= 0) throw new InputError(`${fn}: newToOld[${p}] = ${i} repeats newToOld[${oldToNew[i]}]; a permutation lists every node once`);
    oldToNew[i] = p; out[p] = i;
  }
  return { method: 'given', newToOld: out, oldToNew };
}

/** Throws unless `ordering` is a NodeOrdering over n nodes whose two arrays invert each other (errors name `fn`). */
export function checkOrdering(fn: string, ordering: unknown, n: number, what: string): asserts ordering is NodeOrdering {
  const o = ordering as NodeOrdering;
  if (o === null || typeof o !== 'object' || !(o.newToOld instanceof Int32Array) || !(o.oldToNew instanceof Int32Array)) {
    throw new InputError(`${fn}: ordering must be a NodeOrdering (see reorderNodes, orderingFromPermutation)`);
  }
  if (o.newToOld.length !== n || o.oldToNew.length !== n) {
    throw new ShapeError(`${fn}: ordering is over ${o.newToOld.length} nodes but ${what} has ${n}`);
  }
  for (let p = 0; p < n; p++) {
    const i = o.newToOld[p];
    if (!(i >= 0 && i < n) || o.oldToNew[i] !== p) throw new InputError(`${fn}: ordering.oldToNew is not the inverse of ordering.newToOld at position ${p}`);
  }
}

export interface PermuteGraphOptions {
  /**
   * Sort each row's columns by their new index (default false). False keeps every row's entries in their
   * original order, so attention over the reordered graph does the same arithmetic per row in the same
   * order and its output rows are bit-identical to the original's; true gives sorted rows (as csrFromEdges
   * makes them, and a slightly more regular gather) at the cost of a different summation order.
   * One exception to the bits: f32 attention on a large graph with sorted rows may take the column-blocked path
   * (assembly/attention_csr_blocks.ts; Tolokers at D = 64 does), whose online softmax rounds differently, and a
   * reordered graph with unsorted rows never does — its outputs then agree to rounding only (docs/performance.md,
   * "Reordering the real graphs").
   */
  sortColumns?: boolean;
}

/**
 * The pattern relabelled by `ordering`: row p of the result is row newToOld[p] of `graph`, with every
 * column j renamed oldToNew[j]. Throws InputError / ShapeError before any work.
 */
export function permuteGraph(graph: CsrGraph, ordering: NodeOrdering, options: PermuteGraphOptions = {}): CsrGraph {
  const fn = 'permuteGraph';
  checkGraph(fn, graph);
  checkOrdering(fn, ordering, graph.numRows, 'graph');
  const sortColumns = options.sortColumns ?? false;
  if (typeof sortColumns !== 'boolean') throw new InputError(`${fn}: options.sortColumns must be a boolean, got ${String(sortColumns)}`);
  const n = graph.numRows, rp = graph.rowPtr.array, ci = graph.colIdx.array;
  const { newToOld, oldToNew } = ordering;
  const rowPtr = new Int32Array(n + 1), colIdx = new Int32Array(ci.length);
  let w = 0;
  for (let p = 0; p < n; p++) {
    const i = newToOld[p], start = w;
    for (let e = rp[i]; e < rp[i + 1]; e++) colIdx[w++] = oldToNew[ci[e]];
    if (sortColumns && w - start > 1) colIdx.subarray(start, w).sort();
    rowPtr[p + 1] = w;
  }
  return CsrGraph.fromArrays(n, n, rowPtr, colIdx);
}

export type NodeArray = Int32Array | Uint32Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Float32Array | Float64Array | number[];

function moveValues<A extends NodeArray>(fn: string, values: A, ordering: NodeOrdering, toNew: boolean): A {
  if (!Array.isArray(values) && !(ArrayBuffer.isView(values) && !(values instanceof DataView))) {
    throw new InputError(`${fn}: values must be an array or typed array with one entry per node`);
  }
  checkOrdering(fn, ordering, values.length, 'values');
  const from = toNew ? ordering.newToOld : ordering.oldToNew;
  const out = (Array.isArray(values) ? new Array<number>(values.length) : new (values.constructor as new (n: number) => A)(values.length)) as A;
  for (let p = 0; p < values.length; p++) out[p] = values[from[p]];
  return out;
}

/** Per-node values (labels, masks, scores) in the new order: entry p of the result is values[newToOld[p]]. */
export function permuteArray<A extends NodeArray>(values: A, ordering: NodeOrdering): A {
  return moveValues('permuteArray', values, ordering, true);
}

/** Per-node values back to the original order: entry i of the result is values[oldToNew[i]]. */
export function unpermuteArray<A extends NodeArray>(values: A, ordering: NodeOrdering): A {
  return moveValues('unpermuteArray', values, ordering, false);
}

/** How far a pattern's entries lie from the diagonal: bandwidth max |i − j| and the mean |i − j| over entries. */
export function graphBandwidth(graph: CsrGraph): { bandwidth: number; meanDistance: number } {
  const fn = 'graphBandwidth';
  if (!(graph instanceof CsrGraph)) throw new InputError(`${fn}: graph must be a CsrGraph (see csrFromEdges)`);
  const rp = graph.rowPtr.array, ci = graph.colIdx.array;
  let bandwidth = 0, sum = 0;
  for (let i = 0; i < graph.numRows; i++) {
    for (let e = rp[i]; e < rp[i + 1]; e++) { const d = Math.abs(i - ci[e]); sum += d; if (d > bandwidth) bandwidth = d; }
  }
  return { bandwidth, meanDistance: ci.length ? sum / ci.length : 0 };
}
