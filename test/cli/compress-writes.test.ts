// `compress --out A --compressed B` writes both files or neither, and a bad output path fails before any work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { run, scratch, spawn, writeRingGraph } from '../support/cli-harness.js';

const { at } = scratch('narrowgt-compress-writes-');
writeRingGraph(at('ring.npz'));

test('compress: a --compressed path in a missing folder is one line, exit 2, and the existing --out file is left as it was', async () => {
  const wide = at('wide.safetensors');
  assert.equal((await run('train', '--graph', at('ring.npz'), '--width', '8', '--layers', '1', '--epochs', '2', '--out', wide)).status, 0);
  writeFileSync(at('narrow.safetensors'), 'the previous file');
  const r = spawn('compress', '--graph', at('ring.npz'), '--model', wide, '--width', '3', '--out', at('narrow.safetensors'), '--compressed', at('missing/dir/c.json'));
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^narrowgt: compress: .*--compressed/);
  assert.equal(readFileSync(at('narrow.safetensors'), 'utf8'), 'the previous file');
  assert.ok(!existsSync(at('missing')));
  // And when both paths are good, both files are written.
  const ok = await run('compress', '--graph', at('ring.npz'), '--model', wide, '--width', '3', '--out', at('narrow.safetensors'), '--compressed', at('c.json'));
  assert.equal(ok.status, 0, ok.stderr);
  assert.notEqual(readFileSync(at('narrow.safetensors'), 'utf8'), 'the previous file');
  assert.ok(existsSync(at('c.json')));
});
