// Generated graphs for the scale benchmark (docs/performance.md, "Scale"): undirected, with a self loop on
// every node, average degree ≈ 26 counting the loop (12.5·n random pairs, each stored both ways), like the
// graphs of issue 15's table. Deterministic (the library's seeded rng) and built in typed arrays.
//   uniformGraph: every pair drawn uniformly (an expander: no order can give it locality);
//   sbmGraph:     a stochastic block model — blocks of `blockSize` nodes, a fraction `pIn` of each node's
//                 pairs inside its block — whose node ids are then shuffled by a random permutation, so a
//                 reordering has communities to find (the generator's own ids would already be in order).
import { CsrGraph, rng } from '../../src/index.js';

export const PAIRS_PER_NODE = 12.5;

export interface GeneratedGraph {
  kind: 'uniform' | 'sbm';
  pattern: CsrGraph;
  /** Seconds to draw the pairs and build the CSR pattern. */
  seconds: number;
}

/** Seeded 32-bit generator state (mulberry32, inlined below: a closure per draw is too slow at 10⁸ draws). */
function mix(seed: number): number {
  return rng(seed).nextUint32() | 0;
}
const U32 = 2 ** -32;

/**
 * The symmetrized pattern of the pairs plus a self loop per node, rows sorted and deduplicated: what
 * csrFromEdges(rows, cols, { symmetrize: true, selfLoops: true }) gives, in typed arrays and one counting
 * pass (csrFromEdges takes ≈ 30 s at 10⁷ nodes; this ≈ a tenth of it).
 */
function build(kind: GeneratedGraph['kind'], n: number, rows: Int32Array, cols: Int32Array, t0: number): GeneratedGraph {
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowPtr[i + 1] = 1;
  for (let e = 0; e < rows.length; e++) { rowPtr[rows[e] + 1]++; rowPtr[cols[e] + 1]++; }
  for (let i = 0; i < n; i++) rowPtr[i + 1] += rowPtr[i];
  const next = rowPtr.slice(0, n), colIdx = new Int32Array(rowPtr[n]);
  for (let i = 0; i < n; i++) colIdx[next[i]++] = i;
  for (let e = 0; e < rows.length; e++) { const u = rows[e], v = cols[e]; colIdx[next[u]++] = v; colIdx[next[v]++] = u; }
  // insertion sort of each row (≈ 26 entries), then drop repeats, compacting in place
  let w = 0, start = 0;
  for (let i = 0; i < n; i++) {
    const end = rowPtr[i + 1];
    for (let e = start + 1; e < end; e++) {
      const x = colIdx[e];
      let s = e - 1;
      while (s >= start && colIdx[s] > x) { colIdx[s + 1] = colIdx[s]; s--; }
      colIdx[s + 1] = x;
    }
    const rowStart = w;
    for (let e = start; e < end; e++) if (w === rowStart || colIdx[w - 1] !== colIdx[e]) colIdx[w++] = colIdx[e];
    start = end; rowPtr[i + 1] = w;
  }
  const pattern = CsrGraph.fromArrays(n, n, rowPtr, colIdx.subarray(0, w));
  return { kind, pattern, seconds: (performance.now() - t0) / 1000 };
}

/** n nodes, 12.5·n uniformly random pairs, symmetrized, self loops. */
export function uniformGraph(n: number, seed = 1): GeneratedGraph {
  const t0 = performance.now();
  const pairs = Math.round(PAIRS_PER_NODE * n), rows = new Int32Array(pairs), cols = new Int32Array(pairs);
  let a = mix(seed);
  for (let e = 0; e < pairs; e++) {
    a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const u = (((t ^ (t >>> 14)) >>> 0) * U32 * n) | 0;
    a = (a + 0x6d2b79f5) | 0; t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const v = (((t ^ (t >>> 14)) >>> 0) * U32 * n) | 0;
    rows[e] = u; cols[e] = v === u ? (u + 1) % n : v;
  }
  return build('uniform', n, rows, cols, t0);
}

/**
 * A stochastic block model on n nodes in blocks of `blockSize` consecutive ids (the last one shorter), a
 * fraction pIn of the pairs inside the block of their first endpoint and the rest uniform; then every id is
 * renamed by a seeded random permutation.
 */
export function sbmGraph(n: number, seed = 2, blockSize = 1000, pIn = 0.9): GeneratedGraph {
  const t0 = performance.now();
  const pairs = Math.round(PAIRS_PER_NODE * n), rows = new Int32Array(pairs), cols = new Int32Array(pairs);
  const perm = rng(seed + 1000).permutation(n);
  let a = mix(seed);
  for (let e = 0; e < pairs; e++) {
    a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const u = (((t ^ (t >>> 14)) >>> 0) * U32 * n) | 0;
    a = (a + 0x6d2b79f5) | 0; t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const inside = ((t ^ (t >>> 14)) >>> 0) * U32 < pIn;
    a = (a + 0x6d2b79f5) | 0; t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const x = ((t ^ (t >>> 14)) >>> 0) * U32;
    const b0 = u - (u % blockSize);
    let v = inside ? b0 + ((x * Math.min(blockSize, n - b0)) | 0) : (x * n) | 0;
    if (v === u) v = (u + 1) % n;
    rows[e] = perm[u]; cols[e] = perm[v];
  }
  return build('sbm', n, rows, cols, t0);
}
