// Issue 13, the CLI as a user runs it: a failed write leaves the previous file intact (temporary file + rename),
// an unwritable second output is found before any work, and every failure — the deep .npy header that crashed
// the parser included — is one line with exit code 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, encodeNpz, npy } from '../support/npy-encode.js';

const dir = mkdtempSync(join(tmpdir(), 'narrowgt-exit-'));
const at = (name: string): string => join(dir, name);
const common = fileURLToPath(new URL('../../src/cli/common.js', import.meta.url));
const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const checkpoint = fileURLToPath(new URL('../../../data/checkpoints/minesweeper-d64.safetensors', import.meta.url));
const tempsIn = (d: string) => readdirSync(d).filter((f) => f.endsWith('.tmp') || f.endsWith('.old'));

test('a write that fails part-way (ulimit -f 8: 8 KiB) leaves the previous file intact and no temporary file', () => {
  const target = at('model.safetensors');
  const previous = new Uint8Array(1000).fill(7);
  writeFileSync(target, previous);
  const script = `import { writeOutput } from ${JSON.stringify(common)};
    try { writeOutput('train', ${JSON.stringify(target)}, new Uint8Array(100000).fill(1), 'out'); process.exit(0); }
    catch (e) { console.error(e.message); process.exit(2); }`;
  const r = spawnSync('sh', ['-c', `ulimit -f 8; exec "${process.execPath}" --input-type=module -e "$0"`, script], { encoding: 'utf8' });
  assert.equal(r.status, 2, `exit ${r.status}, stderr ${r.stderr}`);
  assert.match(r.stderr, /^train: cannot write --out '.*model\.safetensors' \(EFBIG\); no file was changed/);
  assert.deepEqual(new Uint8Array(readFileSync(target)), previous, 'the old file is unchanged');
  assert.deepEqual(tempsIn(dir), []);
});

function cli(...args: string[]) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { ...r, ms: performance.now() - t0 };
}

test('compress with an unwritable --compressed fails in seconds with exit 2 and writes nothing (it used to compress first)', () => {
  const out = at('narrow.safetensors');
  const r = cli('compress', '--model', checkpoint, '--width', '8', '--out', out, '--compressed', at('missing/dir/c.json'));
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^narrowgt: compress: --compressed '.*missing\/dir\/c\.json': the folder .* does not exist\n$/);
  assert.ok(!existsSync(out), '--out was not written');
  assert.ok(r.ms < 5000, `took ${r.ms.toFixed(0)} ms`);
});

test('a graph whose .npy header nests 3,000 brackets exits 2 with one line (it was exit 1, a stack overflow)', () => {
  const deep = encodeNpy('<f4', [], new Uint8Array(0), { header: `{'descr': '<f4', 'fortran_order': False, 'shape': ${'('.repeat(3000)}${')'.repeat(3000)}, }` });
  writeFileSync(at('deep.npz'), encodeNpz({ node_features: deep, edges: npy.i8([1, 2], [0, 0]) }, 6));
  const r = cli('eval', '--model', checkpoint, '--graph', at('deep.npz'));
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^narrowgt: loadGraphFile: member 'node_features': header is not a valid dict literal \(nesting deeper than 16 levels[^\n]*\n$/);
});
