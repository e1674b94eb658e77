// Accuracy of the f32 attention kernel on Tolokers (self loops) against an f64 reference, on 3,000
// sampled rows: worst and mean of |out − ref| / Σ_j a_ij·|v_j| (the natural scale of the output's
// rounding error) per output entry. q ~ N(0, QSCALE²/D), k ~ N(0, 1/D), v ~ N(0, 1), scale 1, as the
// benchmark draws them; QSCALE = 3 at D = 4 puts the largest score bound U_i near the bounded-shift
// limit (20), so both paths of the kernel run. Several builds can be compared on the same data:
//   npm run build && node scripts/attention-accuracy.mjs D QSCALE [a.wasm b.wasm …]   (default dist/kernels.wasm)
// An older build: git archive REV assembly | tar -x -C DIR, then node_modules/assemblyscript/bin/asc.js
// DIR/assembly/index.ts -O3 --enable simd --runtime minimal --noAssert --initialMemory 16 -o DIR/k.wasm.
// Kernels before the bounded shift take 12 arguments; the 13th (nCols) is ignored by them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const d = Number(process.argv[2] ?? 4), qs = Number(process.argv[3] ?? 1);
const files = process.argv.length > 4 ? process.argv.slice(4) : [join(root, 'dist/kernels.wasm')];
const { loadGraphFile } = await import(join(root, 'dist/src/node/index.js'));
const { init, rng } = await import(join(root, 'dist/src/index.js'));
await init(undefined, { forceJs: true });
const g = loadGraphFile(join(process.env.NARROWGT_SHARED ?? new URL('../../shared', import.meta.url).pathname, 'data/tolokers.npz'));
const n = g.graph.numRows, m = g.graph.numEdges, rp = g.graph.rowPtr.array, ci = g.graph.colIdx.array;
const r = rng(d + 7);
const q = r.fillNormal(new Float32Array(n * d), qs / Math.sqrt(d)), k = r.fillNormal(new Float32Array(n * d), 1 / Math.sqrt(d)), v = r.fillNormal(new Float32Array(n * d));
let kmax = 0; for (let j = 0; j < n; j++) { let s = 0; for (let t = 0; t < d; t++) s += k[j * d + t] ** 2; kmax = Math.max(kmax, Math.sqrt(s)); }
let umax = 0; for (let i = 0; i < n; i++) { let s = 0; for (let t = 0; t < d; t++) s += q[i * d + t] ** 2; umax = Math.max(umax, Math.sqrt(s) * kmax); }
const rows = []; const pick = rng(3); for (let s = 0; s < 3000; s++) rows.push(pick.int(n));
const ref = new Map();
for (const i of rows) {
  const deg = rp[i + 1] - rp[i], w = new Float64Array(deg); let mx = -Infinity;
  for (let e = 0; e < deg; e++) { let s = 0; const j = ci[rp[i] + e]; for (let t = 0; t < d; t++) s += q[i * d + t] * k[j * d + t]; w[e] = s; mx = Math.max(mx, s); }
  let den = 0; for (let e = 0; e < deg; e++) { w[e] = Math.exp(w[e] - mx); den += w[e]; }
  const o = new Float64Array(d); for (let e = 0; e < deg; e++) { const j = ci[rp[i] + e]; for (let t = 0; t < d; t++) o[t] += w[e] / den * v[j * d + t]; }
  // scale of the output: Σ a_ij |v_j| (the natural size for its rounding error)
  const sc = new Float64Array(d); for (let e = 0; e < deg; e++) { const j = ci[rp[i] + e]; for (let t = 0; t < d; t++) sc[t] += w[e] / den * Math.abs(v[j * d + t]); }
  ref.set(i, { o, sc });
}
console.log(`D=${d} q×${qs}: max U (unscaled bound) ${umax.toFixed(2)}`);
for (const f of files) {
  const K = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(f)), { env: { abort() { throw new Error('abort'); } } }).exports;
  const al = (len, b) => K.alloc(Math.max(len * b, 16));
  const pq = al(n * d, 4), pk = al(n * d, 4), pv = al(n * d, 4), po = al(n * d, 4), prp = al(n + 1, 4), pci = al(m, 4), ps = al(m, 4);
  new Float32Array(K.memory.buffer, pq, n * d).set(q); new Float32Array(K.memory.buffer, pk, n * d).set(k); new Float32Array(K.memory.buffer, pv, n * d).set(v);
  new Int32Array(K.memory.buffer, prp, n + 1).set(rp); new Int32Array(K.memory.buffer, pci, m).set(ci);
  K.attention_csr_f32(po, pq, pk, pv, prp, pci, n, d, d, 1, ps, 0, n);
  const o = new Float32Array(K.memory.buffer, po, n * d);
  let worst = 0, sum = 0, cnt = 0;
  for (const i of rows) { const { o: ro, sc } = ref.get(i); for (let t = 0; t < d; t++) { const e = Math.abs(o[i * d + t] - ro[t]) / sc[t]; worst = Math.max(worst, e); sum += e; cnt++; } }
  console.log(`${f.split('/').slice(-2).join('/').padEnd(24)} worst |err|/Σa|v| ${worst.toExponential(2)}  mean ${(sum / cnt).toExponential(2)}`);
}
