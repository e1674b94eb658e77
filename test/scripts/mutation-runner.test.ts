// The mutation runner's refusal rules (scripts/mutation/run.mjs, issue 16 item 6), checked with `--check` on small
// lists written here: it validates the list and exits before copying or building anything, so this stays quick.
// The runner itself (tens of minutes) is not part of `npm test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const runner = join(root, 'scripts', 'mutation', 'run.mjs');

/** `run.mjs --check --mutants <list.json>`: exit status and output. */
function check(list: unknown[]): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'narrowgt-mutation-test-'));
  try {
    const file = join(dir, 'list.json');
    writeFileSync(file, JSON.stringify(list));
    const r = spawnSync(process.execPath, [runner, '--check', '--mutants', file], { cwd: root, encoding: 'utf8' });
    return { status: r.status, output: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// package.json holds `"name": "narrowgt",` exactly once and `"narrowgt` many times: stable strings for the rules.
const valid = { id: 'valid', file: 'package.json', find: '"name": "narrowgt",', replace: '"name": "x",', description: 'renamed', tests: ['test/compress/'] };

test('mutation runner: a list whose find strings each occur exactly once, with filters that select tests, is accepted', () => {
  const r = check([valid]);
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /1 mutants, every find string occurs exactly once/);
});

test('mutation runner: a mutant whose find string is absent is refused (exit 2), so the list cannot silently rot', () => {
  const r = check([valid, { ...valid, id: 'gone', find: 'this string is in no file of the repository' }]);
  assert.equal(r.status, 2, r.output);
  assert.match(r.output, /gone: find string occurs 0 times in package\.json/);
});

test('mutation runner: a find string occurring more than once is refused (the mutant would be ambiguous)', () => {
  const r = check([{ ...valid, id: 'twice', find: '"narrowgt' }]);
  assert.equal(r.status, 2, r.output);
  assert.match(r.output, /twice: find string occurs \d+ times/);
  assert.doesNotMatch(r.output, /twice: find string occurs 1 times/);
});

test('mutation runner: duplicate ids, paths outside the repository, test files as targets and empty filters are refused', () => {
  const cases: [unknown, RegExp][] = [
    [[valid, valid], /valid: duplicate id/],
    [[{ ...valid, file: '../outside.ts' }], /file must be a path inside the repository/],
    [[{ ...valid, file: 'test/scripts/mutation-runner.test.ts' }], /mutants change the code under test, not the tests/],
    [[{ ...valid, tests: ['no/such/test/folder'] }], /test filter 'no\/such\/test\/folder' matches no test file/],
    [[{ ...valid, replace: valid.find }], /replace equals find/],
  ];
  for (const [list, message] of cases) {
    const r = check(list as unknown[]);
    assert.equal(r.status, 2, r.output);
    assert.match(r.output, message);
  }
});
