// Generated graphs for the scale benchmark (docs/performance.md, "Scale"): undirected, with a self loop on
// every node, average degree ≈ 26 counting the loop (12.5·n random pairs, each stored both ways, repeats
// dropped), like the graphs of issue 15's table. Deterministic (seeded) and built in typed arrays.
//   uniformGraph: every partner drawn uniformly (an expander: no order can give it locality);
//   sbmGraph:     a stochastic block model — blocks of `blockSize` nodes, a fraction `pIn` of each node's
//                 partners inside its block — whose node ids are shuffled by a random permutation, so a
//                 reordering has communities to find (the generator's own ids would already be in order).
// Node u draws its 12 or 13 partners itself (⌊12.5(u+1)⌋ − ⌊12.5u⌋), so the forward half of the pattern comes
// out row by row; the reverse half (v, u) is a transpose, done through 2¹⁰ buckets of consecutive rows so
// every scatter stays within a cache-sized range (a plain scatter over 10⁷ rows is one cache miss per entry).
import { CsrGraph, rng } from '../../src/index.js';

export const PAIRS_PER_NODE = 12.5;

export interface GeneratedGraph {
  kind: 'uniform' | 'sbm';
  pattern: CsrGraph;
  /** Seconds to draw the pairs and build the CSR pattern. */
  seconds: number;
}

const U32 = 2 ** -32;
const INF = 0x7fffffff;

/** mulberry32's output step, inlined by the callers through this state object (one object, no closure per draw). */
class Draw {
  private a: number;
  constructor(seed: number) { this.a = rng(seed).nextUint32() | 0; }
  /** Uniform in [0, 1). */
  next(): number {
    const a = (this.a = (this.a + 0x6d2b79f5) | 0);
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) * U32;
  }
}

/** Row u's forward partners: fwd[fwdStart(u) .. fwdStart(u + 1)). */
function fwdStart(u: number): number {
  return Math.floor(PAIRS_PER_NODE * u);
}

/**
 * The symmetric pattern with self loops from the forward partners (row u of fwd, sorted): rows sorted and
 * deduplicated — what csrFromEdges(rows, cols, { symmetrize: true, selfLoops: true }) gives, in a few
 * cache-friendly passes (csrFromEdges takes ≈ 30 s at 10⁷ nodes).
 */
function build(kind: GeneratedGraph['kind'], n: number, fwd: Int32Array, t0: number, where: 'auto' | 'js' = 'auto'): GeneratedGraph {
  const pairs = fwd.length;
  // reverse entries (v, u) into buckets of consecutive rows v, in increasing u (so each row's come sorted)
  const shift = Math.max(0, Math.ceil(Math.log2(Math.max(n, 2))) - 10), buckets = ((n - 1) >> shift) + 1;
  const bStart = new Int32Array(buckets + 1);
  for (let e = 0; e < pairs; e++) bStart[(fwd[e] >> shift) + 1]++;
  for (let b = 0; b < buckets; b++) bStart[b + 1] += bStart[b];
  const bNext = bStart.slice(0, buckets), bv = new Int32Array(pairs), bu = new Int32Array(pairs);
  for (let u = 0; u < n; u++) {
    for (let e = fwdStart(u), end = fwdStart(u + 1); e < end; e++) { const v = fwd[e], s = bNext[v >> shift]++; bv[s] = v; bu[s] = u; }
  }
  const revPtr = new Int32Array(n + 1);
  for (let s = 0; s < pairs; s++) revPtr[bv[s] + 1]++;
  for (let i = 0; i < n; i++) revPtr[i + 1] += revPtr[i];
  const revNext = revPtr.slice(0, n), rev = new Int32Array(pairs);
  for (let s = 0; s < pairs; s++) rev[revNext[bv[s]]++] = bu[s];
  // merge forward, reverse and the self loop of each row, dropping repeats
  const rowPtr = new Int32Array(n + 1), colIdx = new Int32Array(2 * pairs + n);
  let w = 0;
  for (let i = 0; i < n; i++) {
    let a = fwdStart(i), b = revPtr[i], self = false;
    const ae = fwdStart(i + 1), be = revPtr[i + 1], rowStart = w;
    while (a < ae || b < be || !self) {
      const xa = a < ae ? fwd[a] : INF, xb = b < be ? rev[b] : INF, xs = self ? INF : i;
      let x: number;
      if (xa <= xb && xa <= xs) { x = xa; a++; } else if (xb <= xs) { x = xb; b++; } else { x = xs; self = true; }
      if (w === rowStart || colIdx[w - 1] !== x) colIdx[w++] = x;
    }
    rowPtr[i + 1] = w;
  }
  const pattern = CsrGraph.fromArrays(n, n, rowPtr, colIdx.subarray(0, w), where);
  return { kind, pattern, seconds: (performance.now() - t0) / 1000 };
}

/** Insertion sort of fwd[start, end) (12 or 13 entries). */
function sortRow(fwd: Int32Array, start: number, end: number): void {
  for (let e = start + 1; e < end; e++) {
    const x = fwd[e];
    let s = e - 1;
    while (s >= start && fwd[s] > x) { fwd[s + 1] = fwd[s]; s--; }
    fwd[s + 1] = x;
  }
}

/** n nodes, each drawing 12 or 13 uniform partners (12.5·n pairs), symmetrized, self loops. */
/** `where: 'js'` keeps the pattern in the JS heap (bench/scale/limits.ts). */
export function uniformGraph(n: number, seed = 1, where: 'auto' | 'js' = 'auto'): GeneratedGraph {
  const t0 = performance.now(), r = new Draw(seed);
  const fwd = new Int32Array(fwdStart(n));
  for (let u = 0; u < n; u++) {
    const start = fwdStart(u), end = fwdStart(u + 1);
    for (let e = start; e < end; e++) { const v = (r.next() * n) | 0; fwd[e] = v === u ? (u + 1) % n : v; }
    sortRow(fwd, start, end);
  }
  return build('uniform', n, fwd, t0, where);
}

/**
 * A stochastic block model on n nodes in blocks of `blockSize` consecutive ids (the last one shorter): each
 * node draws 12 or 13 partners, each inside its block with probability pIn and uniform otherwise; then every
 * id is renamed by a seeded random permutation (drawn directly in the renamed ids: new node p is old node
 * inv[p], so rows still come out in order).
 */
export function sbmGraph(n: number, seed = 2, blockSize = 1000, pIn = 0.9): GeneratedGraph {
  const t0 = performance.now(), r = new Draw(seed);
  const perm = rng(seed + 1000).permutation(n), inv = new Int32Array(n);
  for (let i = 0; i < n; i++) inv[perm[i]] = i;
  const fwd = new Int32Array(fwdStart(n));
  for (let p = 0; p < n; p++) {
    const u = inv[p], b0 = u - (u % blockSize), size = Math.min(blockSize, n - b0);
    const start = fwdStart(p), end = fwdStart(p + 1);
    for (let e = start; e < end; e++) {
      let v = r.next() < pIn ? b0 + ((r.next() * size) | 0) : (r.next() * n) | 0;
      if (v === u) v = (u + 1) % n;
      fwd[e] = perm[v];
    }
    sortRow(fwd, start, end);
  }
  return build('sbm', n, fwd, t0);
}
