// The library entry as a browser or edge bundler sees it: a platform-neutral esbuild build of
// dist/src/index.js (the options of scripts/runtimes/bundle.mjs, which ships dist/browser/narrowgt.js).
// Reports the sizes; fails if a Node built-in is reachable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions } from 'esbuild';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from '../../src/runtime/kernels-wasm.generated.js';
import { KERNELS_THREADS_WASM_BASE64 } from '../../src/runtime/threads/kernels-threads-wasm.generated.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const { libraryBundleOptions } = (await import(new URL('scripts/runtimes/bundle.mjs', `file://${root}`).href)) as { libraryBundleOptions: BuildOptions };
interface Sizes { table: string; wasm: number; full: number; slim: number; base64: number; fullCode: string; slimCode: string }
const { sizeTable, documentedTable } = (await import(new URL('scripts/runtimes/sizes.mjs', `file://${root}`).href)) as
  { sizeTable: () => Promise<Sizes>; documentedTable: () => string | null };
const sizes = await sizeTable();

const bundled = await build({ ...libraryBundleOptions, write: false, outfile: 'narrowgt.js' });
const code = bundled.outputFiles!.find((f) => f.path.endsWith('.js'))!.text;

test('no Node built-in is reachable from the library entry (platform-neutral esbuild metafile)', () => {
  const builtins = new Set(builtinModules);
  const reached = Object.entries(bundled.metafile!.inputs).flatMap(([file, input]) => input.imports
    .filter((i) => i.path.startsWith('node:') || builtins.has(i.path.split('/')[0]))
    .map((i) => `${file} imports ${i.path}`));
  assert.deepEqual(reached, []);
  // A neutral build refuses to resolve built-ins, so any that crept in would have thrown above instead;
  // this guards the options themselves.
  assert.equal(libraryBundleOptions.platform, 'neutral');
});

test('dist/browser/narrowgt.js is this bundle (npm run build ran scripts/runtimes/bundle.mjs)', () => {
  const shipped = readFileSync(new URL('dist/browser/narrowgt.js', `file://${root}`), 'utf8');
  assert.equal(shipped.replace(/\/\/# sourceMappingURL=\S+\n$/, ''), code);
  const slim = readFileSync(new URL('dist/browser/narrowgt-slim.js', `file://${root}`), 'utf8');
  assert.equal(slim.replace(/\/\/# sourceMappingURL=\S+\n$/, ''), sizes.slimCode, 'dist/browser/narrowgt-slim.js is the slim bundle');
});

test('the slim entry (narrowgt/slim) bundles without the embedded kernels, the full entry with them', () => {
  assert.equal(sizes.fullCode, code);
  assert.ok(!sizes.slimCode.includes(KERNELS_WASM_BASE64.slice(0, 4096)), 'no base64 of the kernels in the slim bundle');
  assert.ok(!sizes.slimCode.includes(KERNELS_RELAXED_WASM_BASE64.slice(0, 4096)), 'nor of the relaxed-SIMD build');
  assert.ok(!sizes.slimCode.includes(KERNELS_THREADS_WASM_BASE64.slice(0, 4096)), 'nor of the shared-memory build');
  const all = KERNELS_WASM_BASE64.length + KERNELS_RELAXED_WASM_BASE64.length + KERNELS_THREADS_WASM_BASE64.length;
  assert.ok(sizes.full - sizes.slim >= all, `slim is ${sizes.full - sizes.slim} B smaller, the base64 of the three builds is ${all} B`);
});

test("the export condition 'narrowgt-slim' makes a bundler resolve `narrowgt` to the slim entry", async () => {
  const app = "import { init, matmul } from 'narrowgt'; export { init, matmul };";
  const withCondition = async (conditions: string[]) => (await build({ ...libraryBundleOptions, entryPoints: undefined, metafile: false,
    stdin: { contents: app, resolveDir: root, sourcefile: 'app.js' }, conditions, write: false, outfile: 'app.js' })).outputFiles![0]!.text;
  const prefix = KERNELS_WASM_BASE64.slice(0, 4096);
  assert.ok((await withCondition([])).includes(prefix), 'without the condition: the embedded kernels');
  assert.ok(!(await withCondition(['narrowgt-slim'])).includes(prefix), 'with it: none');
});

test('the size table in docs/runtimes.md is the one this build gives (else: node scripts/runtimes/sizes.mjs --write)', () => {
  assert.equal(sizes.base64, KERNELS_WASM_BASE64.length + KERNELS_RELAXED_WASM_BASE64.length + KERNELS_THREADS_WASM_BASE64.length);
  assert.equal(documentedTable(), sizes.table,
    'docs/runtimes.md is stale: run `npm run build && node scripts/runtimes/sizes.mjs --write` and commit the table');
});

test('sizes: kernels.wasm, and the library entry minified and gzipped (reported)', (t) => {
  const wasm = readFileSync(new URL('dist/kernels.wasm', `file://${root}`)).length;
  const gzipped = gzipSync(code, { level: 9 }).length;
  assert.ok(code.includes(KERNELS_WASM_BASE64), 'the bundle embeds the kernels');
  assert.ok(code.includes(KERNELS_RELAXED_WASM_BASE64), 'and their relaxed-SIMD build');
  assert.ok(code.includes(KERNELS_THREADS_WASM_BASE64), 'and their shared-memory build');
  t.diagnostic(`kernels.wasm: ${wasm} B (${gzipSync(readFileSync(new URL('dist/kernels.wasm', `file://${root}`)), { level: 9 }).length} B gzipped)`);
  t.diagnostic(`library entry, bundled + minified: ${code.length} B; gzipped: ${gzipped} B; of which embedded kernels (base64): ${KERNELS_WASM_BASE64.length} B`);
});
