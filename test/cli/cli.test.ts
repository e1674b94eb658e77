import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const garbage = join(mkdtempSync(join(tmpdir(), 'narrowgt-cli-')), 'garbage.npz');
writeFileSync(garbage, 'this is not a zip archive');
const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
function run(...args: string[]) {
  return spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });
}

test('narrowgt --help lists the commands; each command has --help', () => {
  const r = run('--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /demo/);
  assert.match(r.stdout, /info/);
  for (const c of ['demo', 'info']) {
    const h = run(c, '--help');
    assert.equal(h.status, 0, c);
    assert.match(h.stdout, new RegExp(`^usage: narrowgt ${c}`));
  }
});

test('bad arguments and bad files give one line on stderr naming the problem and exit code 2, never a stack trace', () => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /^narrowgt: unknown command 'frobnicate'/],
    [['demo', '--nope'], /^narrowgt: demo: Unknown option '--nope'/],
    [['demo', '--graph', 'graph.txt'], /^narrowgt: demo: --graph must name an \.npz file/],
    [['demo', '--graph', '/nonexistent/g.npz'], /^narrowgt: loadGraphFile: cannot read path '\/nonexistent\/g.npz'/],
    [['demo', '--graph', garbage], /^narrowgt: (readNpz|loadGraph)[^\n]*(zip|npz)/i],
  ];
  for (const [args, re] of cases) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0], re);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('narrowgt info --json reports the wasm-simd backend', () => {
  const r = run('info', '--json');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.backend, 'wasm-simd');
  assert.ok(j.wasmBytes > 1000);
});
