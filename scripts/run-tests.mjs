// Runs every compiled test file under dist/test with Node's test runner.
// FC_SEED pins the fast-check seed (default 42, printed by each property test file);
// NARROWGT_TEST_FILTER=substring runs only the files whose path contains it.
// Then the files that compare kernels with their twins (RELAXED_PASS) run again in a Node with relaxed SIMD on
// (Node 20: --experimental-wasm-relaxed-simd), where init() loads the relaxed-SIMD build (dist/kernels-relaxed.wasm);
// NARROWGT_KERNEL_BUILD=relaxed makes test/support/backends.ts check that it did. NARROWGT_RELAXED_PASS=0 skips it. That pass preloads test/support/relaxed-init.js (relaxed build, one thread: the
// threaded build is plain SIMD).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.js') ? [p] : [];
  });
}
const filter = process.env.NARROWGT_TEST_FILTER ?? '';
const files = walk('dist/test').filter((f) => f.includes(filter)).sort();
if (files.length === 0) {
  console.error(`run-tests: no test files matched under dist/test (filter '${filter}')`);
  process.exit(1);
}
const RELAXED_PASS = ['dist/test/linalg/', 'dist/test/attention/', 'dist/test/model/', 'dist/test/train/'];
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
const relaxed = files.filter((f) => RELAXED_PASS.some((p) => f.replace(/\\/g, '/').startsWith(p)));
if (relaxed.length === 0 || process.env.NARROWGT_RELAXED_PASS === '0') process.exit(r.status ?? 1);
console.log(`run-tests: ${relaxed.length} files again with the relaxed-SIMD build (--experimental-wasm-relaxed-simd)`);
const flags = process.versions.node.split('.')[0] === '20' ? ['--experimental-wasm-relaxed-simd'] : [];
const preload = pathToFileURL(join('dist', 'test', 'support', 'relaxed-init.js')).href; // the relaxed build, one thread
const rr = spawnSync(process.execPath, [...flags, '--import', preload, '--test', '--test-reporter=spec', ...relaxed],
  { stdio: 'inherit', env: { ...process.env, NARROWGT_KERNEL_BUILD: 'relaxed' } });
process.exit((r.status ?? 1) || (rr.status ?? 1));
