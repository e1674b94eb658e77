// Runs every compiled test file under dist/test with Node's test runner.
// FC_SEED pins the fast-check seed (default 42, printed by each property test file);
// NARROWGT_TEST_FILTER=substring runs only the files whose path contains it.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
