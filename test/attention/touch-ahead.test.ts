// The touch-ahead of the f32 row kernel (assembly/attention_csr.ts, rows_f32 with far ≥ 0): taken at D = 16 and on
// wide rows when k and v together reach 16 MiB, it reads the far k_j, v_j rows of row i + 2 before row i's work. It must change no
// bit. The graphs here are past that size (40,000 nodes × D = 64: 20 MB of k and v; 140,000 × D = 16: 18 MB) with unsorted rows (the row path,
// not the column-blocked one); the same rows are then computed again on a compact copy of the problem — their
// columns only, relabelled in order, plus the column of largest ‖k_j‖ so the bounded shift is the same — which is
// far below the size and so runs without the touch. Every output row and weight must be the same bits, and so must
// 2 threads (the range kernel, whose rows carry their offset in the pattern) against 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, CsrGraph, DenseMatrix, csrFromEdges, rng, sparseAttention, scope, threadInfo, useThreads } from '../../src/index.js';

await init(undefined, { threads: 2 });
const SEED = 20261208;

function pattern(N: number): CsrGraph {
  const r = rng(SEED), rows: number[] = [], cols: number[] = [];
  for (let i = 0; i < N; i++) {
    for (let t = 0; t < 3; t++) { rows.push(i); cols.push(r.int(N)); }        // far: uniform partners
    for (let t = 1; t <= 2; t++) { rows.push(i); cols.push((i + t * 7) % N); } // near: within the 2,048-row window
  }
  const g = csrFromEdges(rows, cols, { numNodes: N, symmetrize: true, selfLoops: true });
  const rp = g.rowPtr.array, ci = g.colIdx.array, rev = new Int32Array(ci.length);
  for (let i = 0; i < N; i++) for (let e = rp[i]; e < rp[i + 1]; e++) rev[e] = ci[rp[i] + rp[i + 1] - 1 - e];
  const out = CsrGraph.fromArrays(N, N, rp, rev);
  g.free();
  return out;
}

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => a.length === b.length && Array.prototype.every.call(a, (x: number, i: number) => Object.is(x, b[i]));

for (const [N, D] of [[40_000, 64], [140_000, 16]]) test(`the touch-ahead changes no bit (D = ${D}, ${N} nodes): the problem equals its compact copy row for row, and 2 threads equal 1`, () => scope(() => {
  // the relaxed-SIMD pass of npm test preloads one thread (test/support/relaxed-init.ts): there only the copy is compared
  const threads = threadInfo().threads;
  const g = pattern(N);
  const r = rng(SEED + 1);
  const mk = (rows: number, s: number): DenseMatrix<'f32'> => { const a = r.fillNormal(new Float32Array(rows * D)); for (let i = 0; i < a.length; i++) a[i] *= s; return DenseMatrix.from(a, rows, D, 'f32'); };
  const q = mk(N, 0.125), k = mk(N, 0.125), v = mk(N, 1);
  const scale = 1 / Math.sqrt(D);
  useThreads(1);
  const one = sparseAttention(q, k, v, g, { scale, returnWeights: true });
  if (threads >= 2) {
    useThreads(2);
    const two = sparseAttention(q, k, v, g, { scale, returnWeights: true });
    assert.ok(sameBits(one.output.data, two.output.data) && sameBits(one.weights.array, two.weights.array), '2 threads give the bits of 1');
  }

  // the compact copy: rows R, their columns (and the largest-norm column) relabelled in increasing order
  const rp = g.rowPtr.array, ci = g.colIdx.array, kd = k.data;
  let top = 0, topNorm = -1;
  for (let j = 0; j < N; j++) { let s = 0; for (let t = 0; t < D; t++) s += kd[j * D + t] * kd[j * D + t]; if (s > topNorm) { topNorm = s; top = j; } }
  const R = Array.from({ length: 300 }, (_, t) => (t * 133 + 5) % N);
  const used = new Set<number>([top]);
  for (const i of R) for (let e = rp[i]; e < rp[i + 1]; e++) used.add(ci[e]);
  const C = [...used].sort((a, b) => a - b), label = new Map(C.map((j, x) => [j, x]));
  const rp2 = new Int32Array(R.length + 1), ci2: number[] = [];
  R.forEach((i, x) => { for (let e = rp[i]; e < rp[i + 1]; e++) ci2.push(label.get(ci[e])!); rp2[x + 1] = ci2.length; });
  const g2 = CsrGraph.fromArrays(R.length, C.length, rp2, Int32Array.from(ci2));
  const take = (m: DenseMatrix<'f32'>, idx: number[]): DenseMatrix<'f32'> => {
    const a = new Float32Array(idx.length * D);
    idx.forEach((j, x) => a.set(m.data.subarray(j * D, (j + 1) * D), x * D));
    return DenseMatrix.from(a, idx.length, D, 'f32');
  };
  assert.ok(C.length * 2 * D * 4 < 16 << 20 && N * 2 * D * 4 >= 16 << 20, 'the copy is below the touch-ahead size and the original above');
  useThreads(1);
  const small = sparseAttention(take(q, R), take(k, C), take(v, C), g2, { scale, returnWeights: true });
  R.forEach((i, x) => {
    assert.ok(sameBits(small.output.data.subarray(x * D, (x + 1) * D), one.output.data.subarray(i * D, (i + 1) * D)), `row ${i}: output`);
    assert.ok(sameBits(small.weights.array.subarray(rp2[x], rp2[x + 1]), one.weights.array.subarray(rp[i], rp[i + 1])), `row ${i}: weights`);
  });
  useThreads(threads);
}));
