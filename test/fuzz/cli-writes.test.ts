// Issue 13, CLI writes: a command that writes several files writes all or none (writeOutputs), and the
// paths are checked before any work starts (checkPaths). test/fuzz/cli-exit.test.ts runs the executable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOutput, writeOutputs, checkPaths } from '../../src/cli/common.js';
import { CliError } from '../../src/cli/cli-error.js';

const dir = mkdtempSync(join(tmpdir(), 'narrowgt-writes-'));
const at = (name: string): string => join(dir, name);
const tempsIn = (d: string) => readdirSync(d).filter((f) => f.endsWith('.tmp') || f.endsWith('.old'));

test('writeOutputs is all-or-nothing: when the second file cannot be written the first is not changed either', () => {
  const a = at('a.safetensors');
  writeFileSync(a, 'old a');
  assert.throws(() => writeOutputs('compress', [
    { path: a, data: 'new a', option: 'out' },
    { path: at('missing/dir/c.json'), data: '{}', option: 'compressed' },
  ]), (e: unknown) => e instanceof CliError && /^compress: cannot write --compressed '.*missing\/dir\/c\.json' \(ENOENT\); no file was changed/.test((e as Error).message));
  assert.equal(readFileSync(a, 'utf8'), 'old a');
  writeOutputs('compress', [{ path: a, data: 'new a', option: 'out' }, { path: at('c.json'), data: '{}', option: 'compressed' }]);
  assert.equal(readFileSync(a, 'utf8'), 'new a');
  assert.equal(readFileSync(at('c.json'), 'utf8'), '{}');
  writeOutput('x', at('single.bin'), 'one', 'out');
  assert.equal(readFileSync(at('single.bin'), 'utf8'), 'one');
  assert.deepEqual(tempsIn(dir), []);
});

test('checkPaths rejects, before any work, a missing folder, a folder as the target, the same file twice, and missing inputs', () => {
  mkdirSync(at('folder'), { recursive: true });
  const bad: [Record<string, string>, RegExp][] = [
    [{ out: at('nope/x.safetensors') }, /^train: --out '.*nope\/x\.safetensors': the folder '.*nope' does not exist/],
    [{ out: at('folder') }, /^train: --out '.*folder' is a folder; name a file/],
    [{ out: at('same.json'), compressed: at('same.json') }, /^train: --compressed and --out name the same file/],
    [{ model: at('absent.safetensors') }, /^train: --model '.*absent\.safetensors' does not exist/],
    [{ model: at('folder') }, /^train: --model '.*folder' is a folder, not a file/],
  ];
  for (const [values, pattern] of bad) {
    assert.throws(() => checkPaths('train', values, { inputs: ['model'], outputs: ['out', 'compressed'] }), (e: unknown) => e instanceof CliError && pattern.test((e as Error).message), pattern.source);
  }
  checkPaths('train', { out: at('fine.safetensors') }, { inputs: ['model'], outputs: ['out'] });
});
