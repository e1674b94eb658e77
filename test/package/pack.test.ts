// The package as npm users get it: `npm pack`, then the tarball installed into a scratch app (offline: its
// dependencies come from the npm cache that `npm ci` filled) under .cache/package-test, where both README
// examples run under Node, compile under strict `tsc` (with the package's own .d.ts checked, no skipLibCheck),
// and the typed subpaths `narrowgt/slim` and `narrowgt/kernels.wasm` resolve.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const work = join(root, '.cache', 'package-test');
const app = join(work, 'app');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.status, 0, `${what} exited with ${r.status}:\n${r.stdout}${r.stderr}${r.error ? `\n${r.error.message}` : ''}`);
  return r.stdout;
}

/**
 * The package's runtime dependencies and theirs, as package-lock.json pins them, each as the registry tarball URL
 * `npm ci` fetched (and cached): as the scratch app's own dependencies they satisfy narrowgt's ranges without the
 * registry's metadata, which `npm ci` never fetched, so `npm install --offline` needs nothing but the cache.
 */
function pinnedDependencies(): Record<string, string> {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as
    { packages: Record<string, { version?: string; dependencies?: Record<string, string> }> };
  const registry = ok(spawnSync(npm, ['config', 'get', 'registry'], { cwd: root, encoding: 'utf8' }), 'npm config get registry').trim()
    .replace(/\/?$/, '/');
  const pinned: Record<string, string> = {};
  const visit = (name: string) => {
    if (pinned[name]) return;
    const entry = lock.packages[`node_modules/${name}`];
    assert.ok(entry?.version, `package-lock.json pins ${name}`);
    pinned[name] = `${registry}${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
    for (const dep of Object.keys(entry.dependencies ?? {})) visit(dep);
  };
  for (const dep of Object.keys(lock.packages['']!.dependencies ?? {})) visit(dep);
  return pinned;
}

interface Packed { filename: string; size: number; unpackedSize: number; entryCount: number; files: { path: string }[] }

rmSync(work, { recursive: true, force: true });
mkdirSync(app, { recursive: true });
const packed = (JSON.parse(ok(spawnSync(npm, ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }),
  'npm pack')) as Packed[])[0]!;
const files = packed.files.map((f) => f.path);
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);

test('npm pack: LICENSE, typed subpaths, kernels and slim entry shipped; no source maps, tests or TypeScript sources', (t) => {
  t.diagnostic(`npm pack: ${packed.filename}, ${packed.size} B packed, ${packed.unpackedSize} B unpacked, ${packed.entryCount} files`);
  for (const f of ['LICENSE', 'README.md', 'package.json', 'dist/kernels.wasm', 'dist/kernels-relaxed.wasm', 'types/kernels-wasm.d.ts', 'dist/src/index.js',
    'dist/src/index.d.ts', 'dist/src/slim.js', 'dist/src/slim.d.ts', 'dist/browser/narrowgt.js', 'dist/browser/narrowgt-slim.js',
    'dist/src/cli/main.js', 'data/minesweeper.npz']) assert.ok(files.includes(f), `${f} is in the tarball`);
  assert.deepEqual(files.filter((f) => f.startsWith('dist/src/') && f.endsWith('.map')), [], 'no source maps pointing at unshipped sources');
  assert.deepEqual(files.filter((f) => f.startsWith('dist/test/') || f.startsWith('dist/bench/') || /^(src|test)\//.test(f)), []);
  assert.match(readFileSync(join(root, 'LICENSE'), 'utf8'), /^MIT License/);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(pkg.license, 'MIT');
  for (const field of ['repository', 'homepage', 'bugs', 'keywords']) assert.ok(pkg[field], `package.json has ${field}`);
  const generated = readFileSync(join(root, 'dist', 'src', 'runtime', 'kernels-wasm.generated.d.ts'), 'utf8');
  assert.match(generated, /KERNELS_WASM_BASE64: string;/);
  assert.ok(generated.length < 1000, 'the .d.ts declares a string, not the base64 text');
});

test('the tarball installs offline into a scratch app, where both README examples run under Node', () => {
  const dependencies = pinnedDependencies();
  assert.ok(dependencies['fflate']);
  // ml-matrix is a devDependency (a test oracle): no library module imports it (test/linalg/ml-matrix-interop.test.ts)
  assert.equal(dependencies['ml-matrix'], undefined);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'narrowgt-pack-test', private: true, type: 'module', dependencies }, null, 2));
  ok(spawnSync(npm, ['install', '--offline', '--no-audit', '--no-fund', join(work, packed.filename)], { cwd: app, encoding: 'utf8' }),
    'npm install --offline <tarball>');
  assert.ok(examples.length >= 2, 'README has two js examples');
  examples.forEach((code, i) => {
    writeFileSync(join(app, `example-${i}.mjs`), code);
    const out = ok(spawnSync(process.execPath, [`example-${i}.mjs`], { cwd: app, encoding: 'utf8' }), `README example ${i}`);
    assert.doesNotMatch(out, /NaN|undefined/, `example ${i} printed NaN/undefined`);
    if (i === 0) assert.match(out, /^wasm-simd\n/);
  });
  const info = JSON.parse(ok(spawnSync(process.execPath, ['node_modules/.bin/narrowgt', 'info', '--json'], { cwd: app, encoding: 'utf8' }),
    'narrowgt info --json')) as { version: string; backend: string };
  assert.equal(info.backend, 'wasm-simd');
  assert.equal(info.version, (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
});

test('in that app the README examples, narrowgt/slim and narrowgt/kernels.wasm compile under strict tsc (no skipLibCheck)', () => {
  examples.forEach((code, i) => writeFileSync(join(app, `example-${i}.ts`), code));
  writeFileSync(join(app, 'subpaths.ts'), [
    "import kernels from 'narrowgt/kernels.wasm';",
    "import { init, backend, sparseAttention, DenseMatrix, csrFromEdges, type Backend, type Storage } from 'narrowgt/slim';",
    'const module: WebAssembly.Module = kernels;',
    'const loaded: Promise<Backend> = init(module);',
    "const g = csrFromEdges([0, 1], [1, 0], { selfLoops: true }), x = DenseMatrix.fromRows([[1, 0], [0, 1]], 'f32');",
    'const weights: Storage = sparseAttention(x, x, x, g, { returnWeights: true }).weights;',
    '// @ts-expect-error without returnWeights the weights may be missing',
    'const none: Storage = sparseAttention(x, x, x, g).weights;',
    'export { loaded, weights, none, backend };',
    '',
  ].join('\n'));
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM'],
      types: [], skipLibCheck: false,
    },
    include: ['*.ts'],
  }, null, 2));
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  ok(spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' }), 'strict tsc in the scratch app');
});
