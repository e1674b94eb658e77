// The real-graph kernel check: the fused CSR attention kernel (WASM SIMD) against its TS twin and an f64
// reference on Tolokers, the largest graph of the paper's experiments (Shirzad et al. 2024, Table 3).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { init, DenseMatrix, sparseAttention, rng, type CsrGraph } from '../../src/index.js';
import { loadGraphFile } from '../../src/node/index.js';
import { withBackend, worstRelative } from '../support/backends.js';
import { requireSharedData } from '../support/shared-data.js';

await init();

const D = 16; // head width; small to keep CI fast, the kernel's loops do not depend on it beyond the SIMD tail
const SAMPLE_ROWS = 200;

/** f64 softmax attention of one row i over its CSR entries, from the same f32 inputs. */
function referenceRow(i: number, q: Float32Array, k: Float32Array, v: Float32Array, g: CsrGraph): { out: Float64Array; weights: Float64Array; absScale: Float64Array } {
  const rp = g.rowPtr.array, ci = g.colIdx.array, start = rp[i], deg = rp[i + 1] - start;
  const s = new Float64Array(deg);
  let mx = -Infinity;
  for (let e = 0; e < deg; e++) {
    let dot = 0;
    for (let t = 0; t < D; t++) dot += q[i * D + t] * k[ci[start + e] * D + t];
    s[e] = dot; mx = Math.max(mx, dot);
  }
  let den = 0;
  for (let e = 0; e < deg; e++) { s[e] = Math.exp(s[e] - mx); den += s[e]; }
  const out = new Float64Array(D), absScale = new Float64Array(D);
  for (let e = 0; e < deg; e++) {
    s[e] /= den;
    for (let t = 0; t < D; t++) { out[t] += s[e] * v[ci[start + e] * D + t]; absScale[t] += s[e] * Math.abs(v[ci[start + e] * D + t]); }
  }
  return { out, weights: s, absScale };
}

test('Tolokers (self loops added): sparseAttention under wasm-simd equals the TS twin, weights rows sum to 1, and 200 sampled rows equal an f64 reference', async (t: TestContext) => {
  const path = requireSharedData(t, 'tolokers.npz');
  if (!path) return;
  const g = loadGraphFile(path);
  const graph = g.graph;
  // 11,758 nodes and 519,000 undirected edges (the shared data's README.md): 2·519,000 + 11,758 = 1,049,758
  // CSR entries once each edge is stored both ways and a self loop is added to every node.
  assert.equal(graph.numRows, 11_758);
  assert.equal(graph.numEdges, 1_049_758);
  const n = graph.numRows, m = graph.numEdges;
  // q, k ~ N(0, D^(-1/2)) entrywise, so a logit q·k has variance D·(D^(-1/2))² = 1: O(1) logits.
  const gen = rng(20240607);
  const sd = D ** -0.25;
  const q = DenseMatrix.from(gen.fillNormal(new Float32Array(n * D), sd), n, D, 'f32');
  const k = DenseMatrix.from(gen.fillNormal(new Float32Array(n * D), sd), n, D, 'f32');
  const v = DenseMatrix.from(gen.fillNormal(new Float32Array(n * D)), n, D, 'f32');

  const fast = await withBackend('wasm-simd', () => sparseAttention(q, k, v, graph, { returnWeights: true }));
  const slow = await withBackend('js', () => sparseAttention(q, k, v, graph, { returnWeights: true }));
  const fastOut = fast.output.data, slowOut = slow.output.data;
  const fastW = fast.weights!.array, slowW = slow.weights!.array;
  assert.equal(fastW.length, m);
  assert.equal(slowW.length, m);

  const outErr = worstRelative(fastOut, slowOut, 1e-5, 1e-6);
  assert.ok(outErr <= 1, `outputs: worst |wasm − twin| / (1e-6 + 1e-5·|twin|) = ${outErr}`);
  const wErr = worstRelative(fastW, slowW, 1e-5, 1e-6);
  assert.ok(wErr <= 1, `weights: worst |wasm − twin| / (1e-6 + 1e-5·|twin|) = ${wErr}`);
  t.diagnostic(`wasm vs twin, worst error / tolerance: outputs ${outErr.toExponential(2)}, weights ${wErr.toExponential(2)}`);

  const rp = graph.rowPtr.array;
  for (const [name, w] of [['wasm-simd', fastW], ['js', slowW]] as const) {
    let worst = 0, at = -1;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let e = rp[i]; e < rp[i + 1]; e++) sum += w[e];
      if (Math.abs(sum - 1) > worst) { worst = Math.abs(sum - 1); at = i; }
    }
    assert.ok(worst <= 1e-5, `${name}: row ${at} of the weights sums to 1 ± ${worst}`);
    t.diagnostic(`${name}: worst |Σ_j a_ij − 1| = ${worst.toExponential(2)} (row ${at}, degree ${rp[at + 1] - rp[at]})`);
  }

  // 200 rows drawn at random, plus the row of largest degree (the longest f32 accumulation)
  const degrees = graph.degrees();
  let widest = 0;
  for (let i = 1; i < n; i++) if (degrees[i] > degrees[widest]) widest = i;
  const rows = [widest, ...Array.from({ length: SAMPLE_ROWS }, () => gen.int(n))];
  const qd = q.data, kd = k.data, vd = v.data;
  let worstRef = 0;
  for (const i of rows) {
    const ref = referenceRow(i, qd, kd, vd, graph);
    for (const [name, out, w] of [['wasm-simd', fastOut, fastW], ['js', slowOut, slowW]] as const) {
      // forward error of a convex combination: relative to Σ_j a_ij·|v_jt|, the size of the terms summed
      for (let t2 = 0; t2 < D; t2++) {
        const err = Math.abs(out[i * D + t2] - ref.out[t2]);
        worstRef = Math.max(worstRef, err / (1e-5 * ref.absScale[t2] + 1e-6));
        assert.ok(err <= 1e-5 * ref.absScale[t2] + 1e-6, `${name} row ${i} (degree ${degrees[i]}) col ${t2}: |${out[i * D + t2]} − ${ref.out[t2]}| = ${err}`);
      }
      const wErrRow = worstRelative(w.subarray(rp[i], rp[i + 1]), ref.weights, 1e-5, 1e-6);
      assert.ok(wErrRow <= 1, `${name} row ${i}: weights differ from the f64 reference by ${wErrRow} × tolerance`);
    }
  }
  t.diagnostic(`f64 reference on ${rows.length} rows (max degree ${degrees[widest]}), worst output error / tolerance: ${worstRef.toExponential(2)}`);
  for (const x of [q, k, v, fast.output, slow.output]) x.free();
  fast.weights!.free(); slow.weights!.free();
  g.free();
});
