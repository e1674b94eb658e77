// The range kernels added for the thread pool — the largest squared row norm (sparseAttention's logit bound and
// finiteness flag), the CSR range check (CsrGraph.assertIntact) and the counter-based dropout — against their twins
// (src/twin/checks.ts, src/twin/elementwise.ts) bit for bit, and the splits they rely on: any cut of the rows or
// elements into ranges gives the same results as one range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, rng } from '../../src/index.js';
import { loadedKernels } from '../../src/runtime/init.js';
import * as checks from '../../src/twin/checks.js';
import * as elementwise from '../../src/twin/elementwise.js';

await init();
const k = loadedKernels()!;
const bits = (a: Float32Array | Float64Array | Int32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Copies `src` into a fresh WASM block; returns its pointer. */
function put(src: Float32Array | Float64Array | Int32Array): number {
  const p = k.alloc(Math.max(16, src.byteLength));
  new Uint8Array(k.memory.buffer, p, src.byteLength).set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
  return p;
}

test('max_row_sq_norm_f32 / _f64 equal the twin bit for bit (ragged widths, any row range, a NaN or Inf propagates)', () => {
  const r = rng(21);
  for (const cols of [1, 3, 4, 7, 16, 37]) {
    for (const f32 of [true, false]) {
      const rows = 50;
      const x = f32 ? Float32Array.from(r.fillNormal(new Float64Array(rows * cols), 3)) : r.fillNormal(new Float64Array(rows * cols), 3);
      for (const [r0, r1] of [[0, rows], [0, 1], [13, 29], [7, 7]]) {
        const px = put(x), po = k.alloc(32);
        (f32 ? k.max_row_sq_norm_f32 : k.max_row_sq_norm_f64)(px, r0, r1, cols, po, 2);
        const got = new Float64Array(k.memory.buffer, po + 16, 1)[0];
        const want = new Float64Array(3);
        checks.max_row_sq_norm(x, r0, r1, cols, want, 2);
        assert.ok(bits(Float64Array.of(got)).equals(bits(Float64Array.of(want[2]))), `cols ${cols} ${f32 ? 'f32' : 'f64'} rows [${r0}, ${r1}): ${got} vs ${want[2]}`);
        if (r1 > r0) {
          let direct = 0; // the definition, summed in another order: equal within f64 rounding
          for (let i = r0; i < r1; i++) { let s = 0; for (let j = 0; j < cols; j++) s += x[i * cols + j] ** 2; direct = Math.max(direct, s); }
          assert.ok(Math.abs(got - direct) <= 1e-12 * direct, `cols ${cols}: ${got} vs the direct sum ${direct}`);
        } else {
          assert.equal(got, 0, 'no rows: 0');
        }
        k.free(px); k.free(po);
      }
      for (const bad of [NaN, Infinity, -Infinity]) {
        const y = x.slice(); y[cols * 20 + cols - 1] = bad;
        const py = put(y), po = k.alloc(16);
        (f32 ? k.max_row_sq_norm_f32 : k.max_row_sq_norm_f64)(py, 0, rows, cols, po, 0);
        const got = new Float64Array(k.memory.buffer, po, 1)[0];
        const want = new Float64Array(1); checks.max_row_sq_norm(y, 0, rows, cols, want, 0);
        assert.ok(Number.isNaN(bad) ? Number.isNaN(got) && Number.isNaN(want[0]) : got === Infinity && want[0] === Infinity, `${bad} in the rows: ${got}, twin ${want[0]}`);
        k.free(py); k.free(po);
      }
    }
  }
});

test('csr_check_range equals the twin: the first bad row length and the first out-of-range entry of its ranges, −1 for none', () => {
  const r = rng(22);
  const n = 200, nc = 150;
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowPtr[i + 1] = rowPtr[i] + r.int(9);
  const m = rowPtr[n], md = 8;
  const colIdx = Int32Array.from({ length: m }, () => r.int(nc));
  const cases: [string, (rp: Int32Array, ci: Int32Array) => void][] = [
    ['intact', () => {}],
    ['colIdx = numCols', (_rp, ci) => { ci[m - 3] = nc; }],
    ['colIdx negative', (_rp, ci) => { ci[5] = -1; ci[m - 2] = nc + 7; }],
    ['a row too long', (rp) => { rp[77] -= 9; }],
    ['a negative row', (rp) => { rp[120] = rp[121] + 1; }],
  ];
  for (const [what, corrupt] of cases) {
    const rp = rowPtr.slice(), ci = colIdx.slice();
    corrupt(rp, ci);
    const prp = put(rp), pci = put(ci), po = k.alloc(128);
    for (const [r0, r1, e0, e1] of [[0, n, 0, m], [0, 100, 0, 400], [100, n, 400, m], [60, 130, 3, m - 1]]) {
      k.csr_check_range(prp, pci, r0, r1, e0, e1, md, nc, po, 3);
      const got = Array.from(new Float64Array(k.memory.buffer, po + 48, 2));
      const want = new Float64Array(8);
      checks.csr_check_range(rp, ci, r0, r1, e0, e1, md, nc, want, 3);
      assert.deepEqual(got, [want[6], want[7]], `${what}: rows [${r0}, ${r1}), entries [${e0}, ${e1})`);
      if (what === 'intact') assert.deepEqual(got, [-1, -1]);
    }
    k.free(prp); k.free(pci); k.free(po);
  }
});

test('dropout_f32 equals its twin bit for bit, any cut into ranges gives the same mask, and it drops a fraction ≈ p', () => {
  const r = rng(23);
  const len = 100003, p = 0.3, keep = 1 / (1 - p), k0 = 0x9e3779b9, k1 = 12345;
  const x = Float32Array.from(r.fillNormal(new Float64Array(len)));
  const px = put(x), pm = k.alloc(4 * len);
  k.dropout_f32(px, pm, len, 0, p, keep, k0, k1);
  const gotX = new Float32Array(k.memory.buffer, px, len).slice(), gotM = new Float32Array(k.memory.buffer, pm, len).slice();
  const tx = x.slice(), tm = new Float32Array(len);
  elementwise.dropout_f32(tx, tm, len, 0, p, keep, k0, k1);
  assert.ok(bits(gotM).equals(bits(tm)), 'mask: kernel = twin');
  assert.ok(bits(gotX).equals(bits(tx)), 'x: kernel = twin');
  // ranges [0, a), [a, b), [b, len) with their first index: the same mask, the twin likewise (odd cuts: scalar tails)
  const px2 = put(x), pm2 = k.alloc(4 * len), cm = new Float32Array(len), cx = x.slice();
  for (const [a, b] of [[0, 4001], [4001, 50000], [50000, len]]) {
    k.dropout_f32(px2 + 4 * a, pm2 + 4 * a, b - a, a, p, keep, k0, k1);
    elementwise.dropout_f32(cx.subarray(a, b), cm.subarray(a, b), b - a, a, p, keep, k0, k1);
  }
  assert.ok(bits(new Float32Array(k.memory.buffer, pm2, len)).equals(bits(gotM)), 'kernel: three ranges = one');
  assert.ok(bits(new Float32Array(k.memory.buffer, px2, len)).equals(bits(gotX)), 'kernel x: three ranges = one');
  assert.ok(bits(cm).equals(bits(tm)), 'twin: three ranges = one');
  const dropped = gotM.filter((v) => v === 0).length;
  assert.ok(gotM.every((v) => v === 0 || v === Math.fround(keep)), 'mask entries are 0 or 1/(1 − p)');
  // Bin(len, p): within 6 standard deviations of len·p (a two-sided tail below 2·10⁻⁹ by the normal approximation)
  const band = 6 * Math.sqrt(len * p * (1 - p));
  assert.ok(Math.abs(dropped - len * p) <= band, `dropped ${dropped} of ${len}, expected ${len * p} ± ${band.toFixed(0)}`);
  // other keys: another mask
  k.dropout_f32(px2, pm2, len, 0, p, keep, k0, k1 + 1);
  assert.ok(!bits(new Float32Array(k.memory.buffer, pm2, len)).equals(bits(gotM)), 'another key, another mask');
  for (const q of [px, pm, px2, pm2]) k.free(q);
});
