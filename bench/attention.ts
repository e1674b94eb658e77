// One attention layer on Tolokers with self loops (11,758 nodes, 1,049,758 CSR entries) at D = 64, 16, 4:
// narrowgt's fused WASM SIMD kernel against its plain-TS twin and the anchor's plain JS loop, same inputs.
import { DenseMatrix, rng, sparseAttention } from '../src/index.js';
import * as twin from '../src/twin/attention_csr.js';
import { plainJsCsrAttention } from './peers/plain-js-attention.js';
import { tolokers } from './graphs.js';
import type { Group, Suite } from './harness.js';

const WIDTHS = [64, 16, 4];

function name(d: number, dtype: 'f32' | 'f64'): string {
  return `sparseAttention(q, k, v, tolokers, { out }) D=${d} ${dtype}`;
}

function layerGroup(pattern: ReturnType<typeof tolokers>['pattern'], d: number, dtype: 'f32' | 'f64'): Group {
  const n = pattern.numRows, m = pattern.numEdges;
  const r = rng(d);
  // As in attention_torch.py: q, k ~ N(0, 1)/√D, v ~ N(0, 1), scale 1.
  const Arr = dtype === 'f32' ? Float32Array : Float64Array;
  const qv = r.fillNormal(new Arr(n * d), 1 / Math.sqrt(d)), kv = r.fillNormal(new Arr(n * d), 1 / Math.sqrt(d));
  const vv = r.fillNormal(new Arr(n * d));
  const q = DenseMatrix.from(qv, n, d, dtype), k = DenseMatrix.from(kv, n, d, dtype), v = DenseMatrix.from(vv, n, d, dtype);
  const out = DenseMatrix.zeros(n, d, dtype);
  // The twin and the plain loop get ordinary JS-heap arrays, as a JS user would hold them.
  const rowPtr = pattern.rowPtr.array.slice(), colIdx = pattern.colIdx.array.slice();
  const jsOut = new Arr(n * d), scores = new Arr(Math.max(pattern.maxDegree, 1)), edgeScores = new Float32Array(m);
  const call = `(out, q, k, v, rowPtr, colIdx, ${n}, ${d}, ${d}, 1, scores, 0${dtype === 'f32' ? `, ${n}` : ''})`;
  const tasks: Group['tasks'] = [
    { name: name(d, dtype), role: 'narrowgt', fn: () => sparseAttention(q, k, v, pattern, { out }) },
    dtype === 'f32'
      ? { name: `twin.attention_csr_f32${call}`, role: 'peer', fn: () => twin.attention_csr_f32(jsOut as Float32Array, qv as Float32Array, kv as Float32Array, vv as Float32Array, rowPtr, colIdx, n, d, d, 1, scores as Float32Array, 0, n) }
      : { name: `twin.attention_csr_f64${call}`, role: 'peer', fn: () => twin.attention_csr_f64(jsOut as Float64Array, qv as Float64Array, kv as Float64Array, vv as Float64Array, rowPtr, colIdx, n, d, d, 1, scores as Float64Array, 0) },
  ];
  if (dtype === 'f32') {
    tasks.push({ name: `plainJsCsrAttention(out, q, k, v, rowPtr, col, ${n}, ${d}, s) (anchor js_peers.mjs loop)`, role: 'peer',
      fn: () => plainJsCsrAttention(jsOut as Float32Array, qv as Float32Array, kv as Float32Array, vv as Float32Array, rowPtr, colIdx, n, d, edgeScores) });
  }
  return {
    suite: 'attention',
    title: `one attention layer, Tolokers + self loops (${n.toLocaleString('en')} nodes, ${m.toLocaleString('en')} entries), D = ${d}, ${dtype}`,
    tasks,
    teardown: () => { q.free(); k.free(); v.free(); out.free(); },
  };
}

export const attentionSuite: Suite = {
  name: 'attention',
  groups: async () => {
    const { pattern } = tolokers();
    return [...WIDTHS.map((d) => layerGroup(pattern, d, 'f32')), layerGroup(pattern, 64, 'f64')];
  },
  ratios: [
    { label: 'narrowgt D=64 / narrowgt D=4, f32 (target ≥ 10×)', numerator: name(64, 'f32'), denominator: name(4, 'f32') },
    { label: 'narrowgt D=64 / narrowgt D=16, f32', numerator: name(64, 'f32'), denominator: name(16, 'f32') },
  ],
};

