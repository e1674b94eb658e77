// The column-blocked path of the f32 attention kernel (assembly/attention_csr.ts, attention_blocked_f32):
// taken when k or v rows span more than a few 512 KB column blocks, every row's columns are sorted and
// rows are long. The property tests elsewhere use small graphs, so they never reach it; this file builds
// graphs that do (5,000 nodes × D = 64 is 1.3 MB of k rows: three blocks) and one that does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, DenseMatrix, CsrGraph, csrFromEdges, sparseAttention, rng, scope } from '../../src/index.js';
import { worstRelative } from '../support/backends.js';

await init();

const N = 5000;
const SEED = 20240607;

/** A random graph with ~2·avgOut + 1 entries per row (symmetrized, self loops), rows sorted; some rows emptied. */
function randomGraph(seed: number, avgOut: number, emptyRows: number[]): CsrGraph {
  const r = rng(seed);
  const rows: number[] = [], cols: number[] = [];
  const empty = new Set(emptyRows);
  for (let i = 0; i < N; i++) {
    if (empty.has(i)) continue;
    for (let t = 0; t < avgOut; t++) {
      const j = r.int(N);
      if (empty.has(j)) continue;
      rows.push(i); cols.push(j);
    }
  }
  const g = csrFromEdges(rows, cols, { numNodes: N, symmetrize: true });
  // self loops for the non-empty rows only, so the emptied rows stay empty
  const rp = g.rowPtr.array, ci = g.colIdx.array;
  const r2: number[] = [], c2: number[] = [];
  for (let i = 0; i < N; i++) {
    if (empty.has(i)) continue;
    r2.push(i); c2.push(i);
    for (let e = rp[i]; e < rp[i + 1]; e++) { r2.push(i); c2.push(ci[e]); }
  }
  g.free();
  return csrFromEdges(r2, c2, { numNodes: N });
}

/** The same pattern with every row's columns reversed (unsorted, so the row-by-row path runs). */
function reversedRows(g: CsrGraph): CsrGraph {
  const rp = g.rowPtr.array, ci = g.colIdx.array;
  const out = new Int32Array(ci.length);
  for (let i = 0; i < g.numRows; i++) for (let e = rp[i]; e < rp[i + 1]; e++) out[e] = ci[rp[i] + rp[i + 1] - 1 - e];
  return CsrGraph.fromArrays(g.numRows, g.numCols, rp, out);
}

/** f64 reference of one row: output and weights (CSR order of g). */
function referenceRow(i: number, q: Float32Array, k: Float32Array, v: Float32Array, g: CsrGraph, dQK: number, dV: number, scale: number) {
  const rp = g.rowPtr.array, ci = g.colIdx.array, start = rp[i], deg = rp[i + 1] - start;
  const w = new Float64Array(deg);
  let mx = -Infinity;
  for (let e = 0; e < deg; e++) {
    let s = 0;
    for (let t = 0; t < dQK; t++) s += q[i * dQK + t] * k[ci[start + e] * dQK + t];
    w[e] = s * scale; mx = Math.max(mx, w[e]);
  }
  let den = 0;
  for (let e = 0; e < deg; e++) { w[e] = Math.exp(w[e] - mx); den += w[e]; }
  const out = new Float64Array(dV);
  for (let e = 0; e < deg; e++) {
    w[e] /= den;
    for (let t = 0; t < dV; t++) out[t] += w[e] * v[ci[start + e] * dV + t];
  }
  return { out, w };
}

for (const [dQK, dV] of [[64, 64], [32, 64], [64, 48]] as const) {
  test(`sparseAttention f32 on 5,000 nodes × ~80 entries a row, dQK = ${dQK}, dV = ${dV} (column blocks): sampled rows equal an f64 reference, weights sum to 1, empty rows are 0, unsorted rows agree`, () => {
    scope(() => {
      const empty = [0, 17, 4999];
      const g = randomGraph(SEED + dQK + dV, 40, empty);
      const r = rng(SEED);
      const scale = 1 / Math.sqrt(dQK);
      const q = DenseMatrix.from(r.fillNormal(new Float32Array(N * dQK)), N, dQK, 'f32');
      const k = DenseMatrix.from(r.fillNormal(new Float32Array(N * dQK)), N, dQK, 'f32');
      const v = DenseMatrix.from(r.fillNormal(new Float32Array(N * dV)), N, dV, 'f32');
      const { output, weights } = sparseAttention(q, k, v, g, { scale, returnWeights: true });
      const plain = sparseAttention(q, k, v, g, { scale });
      assert.deepEqual(plain.output.data, output.data, 'same output with and without weights');
      const rp = g.rowPtr.array, o = output.data, w = weights!.array;
      for (const i of empty) {
        assert.equal(rp[i + 1] - rp[i], 0);
        for (let t = 0; t < dV; t++) assert.equal(o[i * dV + t], 0, `empty row ${i} is zero`);
      }
      const pick = rng(SEED + 1);
      for (let s = 0; s < 200; s++) {
        const i = s < 2 ? [1, N - 2][s] : pick.int(N);
        if (rp[i + 1] === rp[i]) continue;
        const ref = referenceRow(i, q.data, k.data, v.data, g, dQK, dV, scale);
        assert.ok(worstRelative(o.subarray(i * dV, (i + 1) * dV), ref.out, 2e-4, 2e-5) <= 1, `row ${i} output`);
        assert.ok(worstRelative(w.subarray(rp[i], rp[i + 1]), ref.w, 2e-4, 2e-5) <= 1, `row ${i} weights`);
        let sum = 0;
        for (let e = rp[i]; e < rp[i + 1]; e++) sum += w[e];
        assert.ok(Math.abs(sum - 1) < 2e-3, `row ${i} weights sum ${sum}`);
      }
      const unsorted = reversedRows(g);
      const other = sparseAttention(q, k, v, unsorted, { scale });
      // views are re-read after each call: a call may grow WASM memory, which detaches older views
      assert.ok(worstRelative(other.output.data, output.data, 1e-4, 1e-5) <= 1, 'unsorted rows (row-by-row path) agree');
    });
  });
}
