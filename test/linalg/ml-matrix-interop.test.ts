// DenseMatrix.fromMl/toMl (src/linalg/dense.ts) without ml-matrix on the library's import path: toMl builds
// with the Matrix class the caller passes, fromMl reads any to2DArray(), and nothing reachable from the entries
// imports ml-matrix (so `import('narrowgt')` does not load it; see docs/runtimes.md, "Cold start").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { Matrix as MlMatrix } from 'ml-matrix';
import { DenseMatrix, InputError } from '../../src/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('toMl(Matrix) builds an ml-matrix Matrix of the same entries; fromMl reads it and any object with to2DArray()', () => {
  const a = DenseMatrix.fromRows([[1, -2.5, 3], [4, 5, 2 ** -1074]]);
  const ml = a.toMl(MlMatrix);
  assert.ok(ml instanceof MlMatrix);
  assert.deepEqual([ml.rows, ml.columns], [2, 3]);
  assert.deepEqual(ml.to2DArray(), a.toRows());
  const back = DenseMatrix.fromMl(ml);
  assert.equal(back.dtype, 'f64');
  assert.deepEqual(Array.from(back.data), Array.from(a.data));
  assert.equal(DenseMatrix.fromMl({ to2DArray: () => [[1, 2]] }, 'f32').dtype, 'f32');
});

test('toMl without a Matrix class and fromMl of a non-matrix throw InputError naming the method', () => {
  const a = DenseMatrix.fromRows([[1]]);
  assert.throws(() => (a.toMl as (m?: unknown) => unknown)(), (e: unknown) => e instanceof InputError && /DenseMatrix\.toMl: pass ml-matrix's Matrix class/.test(e.message));
  assert.throws(() => DenseMatrix.fromMl([[1]] as never), (e: unknown) => e instanceof InputError && /DenseMatrix\.fromMl: m must be/.test(e.message));
});

test('no module reachable from the library entries (narrowgt, narrowgt/slim) imports ml-matrix', async () => {
  const { libraryBundleOptions, slimBundleOptions } = (await import(new URL('scripts/runtimes/bundle.mjs', `file://${root}`).href)) as
    { libraryBundleOptions: BuildOptions; slimBundleOptions: BuildOptions };
  for (const options of [libraryBundleOptions, slimBundleOptions]) {
    const r = await build({ ...options, write: false, outfile: 'probe.js', minify: false, metafile: true });
    const inputs = Object.keys(r.metafile!.inputs);
    assert.ok(inputs.some((f) => f.endsWith('dist/src/linalg/dense.js')), `${String(options.entryPoints)} bundles dense.js`);
    assert.deepEqual(inputs.filter((f) => f.includes('ml-matrix')), [], `${String(options.entryPoints)} reaches ml-matrix`);
  }
});
