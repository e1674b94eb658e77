import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { init, DenseMatrix, selectRows, pivotedQr, ShapeError, InputError, rng } from '../../src/index.js';
import { withBackend } from '../support/backends.js';
import { fcParams, announceSeed } from '../support/fc.js';
import { rankDeficient, withSpectrum, gaussian, mul, frob } from '../support/matrices.js';

announceSeed('test/linalg/select-rows.test.ts');
await init();

/** U·B[S, :] for B (D×n), U (D×d), S (d rows). */
function reconstruct(b: DenseMatrix<'f64'>, u: DenseMatrix<'f64'>, rows: Int32Array): Float64Array {
  const n = b.cols, d = rows.length;
  const bs = new Float64Array(d * n);
  for (let i = 0; i < d; i++) bs.set(b.data.subarray(rows[i] * n, rows[i] * n + n), i * n);
  return mul(u.data, bs, b.rows, d, n);
}

function checkSelection(label: string, b: DenseMatrix<'f64'>, d: number, sel: ReturnType<typeof selectRows>): void {
  const D = b.rows;
  assert.equal(sel.rows.length, d, `${label}: ${sel.rows.length} rows chosen`);
  assert.equal(new Set(sel.rows).size, d, `${label}: repeated rows`);
  assert.ok(sel.rows.every((r) => r >= 0 && r < D), `${label}: row index out of range`);
  assert.equal(sel.u.rows, D); assert.equal(sel.u.cols, d);
  // An interpolative decomposition: U's rows at the k = min(rank, d) interpolating rows S_0..S_{k−1} are
  // the unit vectors e_i, and U's columns k..d−1 (rows chosen beyond the rank) are zero.
  const k = Math.min(sel.rank, d);
  for (let i = 0; i < k; i++) for (let j = 0; j < d; j++) {
    assert.equal(sel.u.get(sel.rows[i], j), i === j ? 1 : 0, `${label}: U[S_${i}, ${j}]`);
  }
  for (let i = 0; i < D; i++) for (let j = k; j < d; j++) assert.equal(sel.u.get(i, j), 0, `${label}: U[${i}, ${j}]`);
}

test('rank(B) = r ≤ d: U·B[S, :] reconstructs B to 1e-10 relative, U is an interpolation (identity on S), for every shape (B is D×n)', async () => {
  const cases = fc.record({
    D: fc.integer({ min: 1, max: 70 }),
    n: fc.integer({ min: 1, max: 70 }),
    rFrac: fc.double({ min: 0, max: 1, noNaN: true }),
    extra: fc.integer({ min: 0, max: 5 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
  await fc.assert(fc.asyncProperty(cases, async ({ D, n, rFrac, extra, seed }) => {
    const r = Math.max(1, Math.round(rFrac * Math.min(D, n)));
    const d = Math.min(D, r + extra);
    const b = rankDeficient(rng(seed), D, n, r);
    for (const which of ['wasm-simd', 'js'] as const) {
      const sel = await withBackend(which, () => selectRows(b, d));
      const label = `${which} D=${D} n=${n} r=${r} d=${d}`;
      assert.equal(sel.rank, r, `${label}: rank ${sel.rank}`);
      checkSelection(label, b, d, sel);
      const err = frob(b.data, reconstruct(b, sel.u, sel.rows)) / frob(b.data);
      assert.ok(err <= 1e-10, `${label}: relative reconstruction error ${err}`);
      sel.u.free();
    }
    b.free();
  }), fcParams(60));
});

test('rank(B) > d: the residual ‖B − U·B[S, :]‖_F equals ‖R22‖_F of the pivoted QR of Bᵀ (the least-squares interpolation), to 1e-10 relative', async () => {
  // With Bᵀ·P = Q·[R11 R12; 0 R22], B[rest, :] − (R11⁻¹R12)ᵀ·B[S, :] = (Q₂·R22)ᵀ, so the error is exactly ‖R22‖_F.
  for (const [D, n, d, seed] of [[60, 40, 10, 1], [40, 90, 25, 2], [33, 33, 1, 3], [80, 12, 11, 4]] as const) {
    const b = withSpectrum(rng(seed), D, n, Array.from({ length: Math.min(D, n) }, (_, i) => 0.7 ** i)).a;
    for (const which of ['wasm-simd', 'js'] as const) {
      const sel = await withBackend(which, () => selectRows(b, d));
      checkSelection(`${which} ${D}×${n} d=${d}`, b, d, sel);
      const f = await withBackend(which, () => pivotedQr(b.transpose()));
      const r = f.upperTriangularMatrix;
      let r22 = 0;
      for (let i = d; i < r.rows; i++) for (let j = d; j < D; j++) r22 += r.get(i, j) ** 2;
      r22 = Math.sqrt(r22);
      const err = frob(b.data, reconstruct(b, sel.u, sel.rows));
      assert.ok(Math.abs(err - r22) <= 1e-10 * frob(b.data), `${which} ${D}×${n} d=${d}: residual ${err} vs ‖R22‖ ${r22}`);
      assert.deepEqual(sel.rows, f.pivotPermutationVector.slice(0, d), 'S = the first d pivots');
      f.free(); r.free(); sel.u.free();
    }
  }
});

test('Prop. 4.1 setting: a ReLU output whose 12 rows span 3 dimensions is rebuilt from 4 chosen rows, U·relu(Z)[S, :] = relu(Z) to 1e-10', () => {
  // Z with rank-3 rows after the ReLU: repeat 3 non-negative base rows with non-negative weights, so relu(Z) = Z.
  const g = rng(9);
  const base = gaussian(g, 3, 20).data.map(Math.abs);
  const D = 12, n = 20, z = new Float64Array(D * n);
  for (let i = 0; i < D; i++) for (let t = 0; t < 3; t++) {
    const w = Math.abs(g.normal());
    for (let j = 0; j < n; j++) z[i * n + j] += w * base[t * n + j];
  }
  const relu = DenseMatrix.from(z.map((x) => Math.max(0, x)), D, n, 'f64');
  const sel = selectRows(relu, 4);
  assert.equal(sel.rank, 3);
  const err = frob(relu.data, reconstruct(relu, sel.u, sel.rows)) / frob(relu.data);
  assert.ok(err <= 1e-10, `reconstruction ${err}`);
});

test('selectRows rejects bad b, d and tol with typed errors naming the argument, before any work', () => {
  const b = gaussian(rng(1), 5, 4);
  assert.throws(() => selectRows('b' as never, 2), (e: unknown) => e instanceof InputError && /^selectRows: b must be a DenseMatrix/.test(e.message));
  assert.throws(() => selectRows(DenseMatrix.zeros(5, 4, 'f32') as never, 2), (e: unknown) => e instanceof InputError && /^selectRows: b is f32/.test(e.message));
  assert.throws(() => selectRows(DenseMatrix.zeros(0, 4, 'f64'), 1), (e: unknown) => e instanceof ShapeError && /^selectRows: b is 0×4/.test(e.message));
  assert.throws(() => selectRows(b, 0), (e: unknown) => e instanceof RangeError && /^selectRows: d must lie in \[1, 5\]/.test(e.message));
  assert.throws(() => selectRows(b, 6), RangeError);
  assert.throws(() => selectRows(b, 2.5), (e: unknown) => e instanceof TypeError && /^selectRows: d must be an integer/.test(e.message));
  assert.throws(() => selectRows(b, 2, { tol: -1 }), (e: unknown) => e instanceof RangeError && /^selectRows: options\.tol/.test(e.message));
  const bad = b.clone();
  bad.set(0, 0, Number.NEGATIVE_INFINITY);
  assert.throws(() => selectRows(bad, 2), (e: unknown) => e instanceof InputError && /^selectRows: b has a non-finite value \(-Infinity\) at index 0/.test(e.message));
});

test('a zero B has rank 0 and U = 0 (B = U·B[S, :] trivially)', () => {
  const sel = selectRows(DenseMatrix.zeros(4, 3, 'f64'), 2);
  assert.equal(sel.rank, 0);
  assert.equal(sel.rows.length, 2);
  assert.ok(sel.u.data.every((x) => x === 0));
});
