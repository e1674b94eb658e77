// The bounded-shift single pass of the f32 attention kernel (assembly/attention_bounded_f32.ts): rows
// whose score bound U_i = |scale|·‖q_i‖·max_j‖k_j‖ is ≤ 20 use the fixed shift ⌈U_i·log₂e⌉·ln2 in one
// pass, the others the exact max-subtracted passes. These graphs mix both kinds of rows (q rows scaled
// so that some scores reach ~1e3), empty rows, widths that are and are not multiples of 4, and, in the
// last test, the column-blocked path. The tolerances are those of sparse-attention.test.ts and
// column-blocks.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, DenseMatrix, csrFromEdges, sparseAttention, scope, scopeAsync, rng, Storage, type CsrGraph } from '../../src/index.js';
import { wasmKernels } from '../../src/runtime/init.js';
import { withPointers, type DType } from '../../src/runtime/storage.js';
import { withBackend, worstRelative } from '../support/backends.js';
import { referenceAttention } from '../support/attention-reference.js';

await init();

const SHIFT_LIMIT = 20;

/** U_i for every row, in f64 (the kernel's bound without its 2⁻¹⁰ head room). */
function bounds(q: ArrayLike<number>, k: ArrayLike<number>, nRows: number, nCols: number, d: number, scale: number): number[] {
  let kMax = 0;
  for (let j = 0; j < nCols; j++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += k[j * d + t] ** 2;
    kMax = Math.max(kMax, Math.sqrt(s));
  }
  return Array.from({ length: nRows }, (_, i) => {
    let s = 0;
    for (let t = 0; t < d; t++) s += q[i * d + t] ** 2;
    return Math.abs(scale) * Math.sqrt(s) * kMax;
  });
}

/**
 * n nodes, rows of degree 0 … 2·avg (some rows emptied), and q rows in four groups: ordinary (U ≪ 20),
 * near the limit on either side (U ≈ 19 and ≈ 21), and huge (scores ~1e3, the exact path).
 */
function mixedCase(seed: number, n: number, avg: number, dQK: number, dV: number, empty: number[]) {
  const r = rng(seed);
  const rows: number[] = [], cols: number[] = [];
  const none = new Set(empty);
  for (let i = 0; i < n; i++) {
    if (none.has(i)) continue;
    const deg = r.int(2 * avg + 1);
    for (let t = 0; t < deg; t++) { rows.push(i); cols.push(r.int(n)); }
  }
  const g = csrFromEdges(rows, cols, { numNodes: n });
  const scale = 1 / Math.sqrt(dQK);
  const q = r.fillNormal(new Float32Array(n * dQK)), k = r.fillNormal(new Float32Array(n * dQK)), v = r.fillNormal(new Float32Array(n * dV));
  const u = bounds(q, k, n, n, dQK, scale);
  for (let i = 0; i < n; i++) {
    const kind = i % 4;                                   // 0, 1: as drawn; 2: U ≈ 19 or 21; 3: scores ~1e3
    const target = kind === 2 ? (i % 8 === 2 ? 19 : 21) : kind === 3 ? 3000 : 0;
    if (target === 0 || u[i] === 0) continue;
    const f = target / u[i];
    for (let t = 0; t < dQK; t++) q[i * dQK + t] *= f;
  }
  return { g, q, k, v, scale };
}

function checkCase(label: string, g: CsrGraph, qa: Float32Array, ka: Float32Array, va: Float32Array, dQK: number, dV: number, scale: number) {
  const n = g.numRows;
  const u = bounds(qa, ka, n, g.numCols, dQK, scale);
  const rp = g.rowPtr.array;
  const fast = u.filter((x, i) => x <= SHIFT_LIMIT && rp[i + 1] > rp[i]).length;
  const exact = u.filter((x, i) => x > SHIFT_LIMIT && rp[i + 1] > rp[i]).length;
  assert.ok(fast > 0 && exact > 0, `${label}: both kinds of rows present (${fast} bounded, ${exact} exact)`);
  const q = DenseMatrix.from(qa, n, dQK, 'f32'), k = DenseMatrix.from(ka, g.numCols, dQK, 'f32'), v = DenseMatrix.from(va, g.numCols, dV, 'f32');
  const ref = referenceAttention(qa, ka, va, g, dQK, dV, scale);
  return Promise.all((['wasm-simd', 'js'] as const).map((which) => withBackend(which, () => {
    const { output, weights } = sparseAttention(q, k, v, g, { scale, returnWeights: true });
    const o = output.data, w = weights!.array;
    assert.ok(o.every(Number.isFinite) && w.every(Number.isFinite), `${label} ${which}: finite`);
    assert.ok(worstRelative(o, ref.out, 2e-4, 2e-5) <= 1, `${label} ${which}: output vs f64 reference`);
    assert.ok(worstRelative(w, ref.w, 2e-4, 2e-5) <= 1, `${label} ${which}: weights vs f64 reference`);
    for (let i = 0; i < n; i++) {
      if (rp[i + 1] === rp[i]) {
        for (let t = 0; t < dV; t++) assert.equal(o[i * dV + t], 0, `${label} ${which}: empty row ${i} is zero`);
        continue;
      }
      let sum = 0;
      for (let e = rp[i]; e < rp[i + 1]; e++) sum += w[e];
      assert.ok(Math.abs(sum - 1) < 2e-3, `${label} ${which}: row ${i} weights sum ${sum}`);
    }
    const plain = sparseAttention(q, k, v, g, { scale });
    assert.deepEqual(plain.output.data, output.data, `${label} ${which}: same output with and without weights`);
  })));
}

for (const [dQK, dV] of [[4, 4], [8, 8], [16, 16], [12, 12], [20, 20], [8, 12], [3, 3], [5, 7], [6, 4]] as const) {
  test(`bounded-shift rows and exact rows in one graph, dQK = ${dQK}, dV = ${dV}: f64 reference, both backends, empty rows, weights`, async () => {
    await scopeAsync(async () => {
      const { g, q, k, v, scale } = mixedCase(100 + dQK * 31 + dV, 240, 12, dQK, dV, [0, 5, 239]);
      await checkCase(`D = ${dQK}/${dV}`, g, q, k, v, dQK, dV, scale);
    });
  });
}

test('the bounded single pass equals the exact passes on the same rows (the kernel with nCols = 0 has no bound and takes the exact path everywhere)', () => {
  const kern = wasmKernels();
  assert.ok(kern, 'wasm kernels loaded');
  for (const d of [4, 8, 16, 64, 5]) {
    scope(() => {
      const { g, q, k, v, scale } = mixedCase(7 + d, 300, 30, d, d, [3]);
      const n = g.numRows, m = g.numEdges;
      const run = (nCols: number, perEdge: boolean) => {
        const out = Storage.alloc('f32', n * d), sc = Storage.alloc('f32', Math.max(m, 1));
        const st = [out, Storage.from('f32', q), Storage.from('f32', k), Storage.from('f32', v), g.rowPtr, g.colIdx, sc] as Storage<DType>[];
        withPointers(kern!, st, ([po, pq, pk, pv, prp, pci, ps]) => kern!.attention_csr_f32(po, pq, pk, pv, prp, pci, n, d, d, scale, ps, perEdge ? 1 : 0, nCols), [out, sc] as Storage<DType>[]);
        return { out: Float32Array.from(out.array as Float32Array), w: Float32Array.from(sc.array as Float32Array) };
      };
      const bounded = run(n, true), exact = run(0, true);
      assert.ok(worstRelative(bounded.out, exact.out, 2e-4, 2e-5) <= 1, `D = ${d}: outputs agree`);
      assert.ok(worstRelative(bounded.w, exact.w, 2e-4, 2e-5) <= 1, `D = ${d}: weights agree`);
      assert.ok(bounded.out.some((x, i) => x !== exact.out[i]), `D = ${d}: the two paths really differ (the bounded one ran)`);
    });
  }
});

test('column-blocked path (5,000 nodes × ~80 entries, D = 64; 17,000 nodes × ~32 entries, D = 16) with bounded and exact rows: sampled rows equal an f64 reference, empty rows are 0, weights sum to 1', () => {
  for (const [n, avg, d] of [[5000, 40, 64], [17000, 16, 16]] as const) {
    scope(() => {
      const empty = [0, 17, n - 1];
      const r = rng(n + d);
      const rows: number[] = [], cols: number[] = [];
      const none = new Set(empty);
      for (let i = 0; i < n; i++) {
        if (none.has(i)) continue;
        rows.push(i); cols.push(i);
        for (let t = 0; t < 2 * avg; t++) { const j = r.int(n); if (!none.has(j)) { rows.push(i); cols.push(j); } }
      }
      const g = csrFromEdges(rows, cols, { numNodes: n });                 // rows sorted: the blocked path applies
      const scale = 1 / Math.sqrt(d);
      const qa = r.fillNormal(new Float32Array(n * d)), ka = r.fillNormal(new Float32Array(n * d)), va = r.fillNormal(new Float32Array(n * d));
      const u0 = bounds(qa, ka, n, n, d, scale);
      for (let i = 0; i < n; i += 3) { const f = 2000 / u0[i]; for (let t = 0; t < d; t++) qa[i * d + t] *= f; }   // every third row exact
      const u = bounds(qa, ka, n, n, d, scale);
      const q = DenseMatrix.from(qa, n, d, 'f32'), k = DenseMatrix.from(ka, n, d, 'f32'), v = DenseMatrix.from(va, n, d, 'f32');
      const { output, weights } = sparseAttention(q, k, v, g, { scale, returnWeights: true });
      const plain = sparseAttention(q, k, v, g, { scale });
      assert.deepEqual(plain.output.data, output.data, 'same output with and without weights');
      const o = output.data, w = weights!.array, rp = g.rowPtr.array;
      assert.ok(o.every(Number.isFinite) && w.every(Number.isFinite), 'finite');
      for (const i of empty) for (let t = 0; t < d; t++) assert.equal(o[i * d + t], 0, `empty row ${i} is zero`);
      const pick = rng(n);
      const sample = Array.from({ length: 200 }, (_, s) => (s < 6 ? [1, 2, 3, 4, n - 3, n - 2][s] : pick.int(n)));
      assert.ok(sample.some((i) => u[i] > 1e3) && sample.some((i) => u[i] <= SHIFT_LIMIT), 'both kinds of rows sampled');
      const ref = referenceAttention(qa, ka, va, g, d, d, scale, sample);
      for (const i of sample) {
        if (rp[i + 1] === rp[i]) continue;
        assert.ok(worstRelative(o.subarray(i * d, (i + 1) * d), ref.out.subarray(i * d, (i + 1) * d), 2e-4, 2e-5) <= 1, `n = ${n}: row ${i} output`);
        assert.ok(worstRelative(w.subarray(rp[i], rp[i + 1]), ref.w.subarray(rp[i], rp[i + 1]), 2e-4, 2e-5) <= 1, `n = ${n}: row ${i} weights`);
        let sum = 0;
        for (let e = rp[i]; e < rp[i + 1]; e++) sum += w[e];
        assert.ok(Math.abs(sum - 1) < 2e-3, `n = ${n}: row ${i} weights sum ${sum}`);
      }
    });
  }
});
