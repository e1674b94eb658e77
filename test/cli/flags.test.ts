// The command line's global flags and its progress lines: --version, --quiet, demo --svg (and where the figure
// goes without it), progress throttled when stderr is not a terminal and cut to the width of one that is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { endProgress, fitToWidth, progress, progressStage, PROGRESS_INTERVAL_MS, setQuiet } from '../../src/cli/output.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
const narrowgt = (args: string[], cwd?: string) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd });

/** What progress() writes to stderr while `fn` runs, as the terminal `tty` (or a pipe when undefined) would get it. */
function captured(fn: () => void, tty?: { columns: number }): string {
  const write = process.stderr.write, isTTY = process.stderr.isTTY, columns = process.stderr.columns;
  const out: string[] = [];
  process.stderr.write = ((chunk: string | Uint8Array) => { out.push(String(chunk)); return true; }) as typeof process.stderr.write;
  process.stderr.isTTY = tty !== undefined;
  process.stderr.columns = tty?.columns ?? columns;
  try {
    fn();
  } finally {
    endProgress();
    process.stderr.write = write;
    process.stderr.isTTY = isTTY;
    process.stderr.columns = columns;
  }
  return out.join('');
}

test('narrowgt --version (and -v) prints the package version and nothing else', () => {
  for (const flag of ['--version', '-v']) {
    const r = narrowgt([flag]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
    assert.equal(r.stderr, '');
  }
  assert.match(narrowgt(['--help']).stdout, /narrowgt --version/);
});

test('piped, progress is one line per stage or per second: 200 epochs in 0.2 s of one stage give one line', () => {
  const text = captured(() => {
    for (let e = 1; e <= 200; e++) progress(`demo: width 2: fine-tune lr 0.01 epoch ${e}/200 val 0.5`, e);
    progress('demo: width 2: fine-tune lr 0.01 epoch 1/1 val 0.5', 200 + PROGRESS_INTERVAL_MS); // a second later: a line
    progress('demo: width 4: construct and certify', 201 + PROGRESS_INTERVAL_MS); // a new stage: a line at once
    progress('demo: width 4: fine-tune lr 0.01 epoch 1/200 val 0.6', 202 + PROGRESS_INTERVAL_MS);
    progress('demo: width 4: fine-tune lr 0.01 epoch 2/200 val 0.6', 203 + PROGRESS_INTERVAL_MS);
  });
  assert.deepEqual(text.split('\n').filter(Boolean), [
    'demo: width 2: fine-tune lr 0.01 epoch 1/200 val 0.5',
    'demo: width 2: fine-tune lr 0.01 epoch 1/1 val 0.5',
    'demo: width 4: construct and certify',
    'demo: width 4: fine-tune lr 0.01 epoch 1/200 val 0.6',
  ]);
  assert.equal(progressStage('train: epoch 3/40 loss 0.5'), 'train: epoch ');
});

test('in a 40-column terminal a progress line is rewritten in place and cut to 39 characters', () => {
  const long = 'demo: width 16: fine-tune lr 0.01 epoch 12/40 val 0.9123 ‖ΔT‖/‖T‖ and more';
  const text = captured(() => progress(long, 0), { columns: 40 });
  const line = text.split('\r\x1b[K').filter(Boolean)[0]!;
  assert.equal([...line].length, 39);
  assert.ok(line.endsWith('…') && long.startsWith(line.slice(0, -1)));
  assert.ok(!text.includes('\n'));
  assert.equal(fitToWidth('short', 40), 'short');
});

test('--quiet (before or after the command) drops every progress line', () => {
  setQuiet(true);
  try {
    assert.equal(captured(() => progress('demo: anything', 0)), '');
  } finally {
    setQuiet(false);
  }
});

test('demo --svg PATH writes there; without it narrowgt-demo.svg lands in the current folder, and the output says where', () => {
  const dir = mkdtempSync(join(tmpdir(), 'narrowgt-flags-'));
  try {
    const quick = ['--widths', '2', '--fine-tune-epochs', '2'];
    const chosen = join(dir, 'chosen.svg');
    const a = narrowgt(['demo', ...quick, '--svg', chosen, '--quiet'], dir);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(a.stderr, '', '--quiet: nothing on stderr');
    assert.match(readFileSync(chosen, 'utf8'), /^<svg/);
    assert.ok(a.stdout.trimEnd().split('\n').pop()!.startsWith(`wrote ${chosen} `));
    assert.ok(!existsSync(join(dir, 'narrowgt-demo.svg')));
    const b = narrowgt(['-q', 'demo', ...quick, '--json'], dir);
    assert.equal(b.status, 0, b.stderr);
    assert.equal(b.stderr, '');
    assert.equal(JSON.parse(b.stdout).svg, join(dir, 'narrowgt-demo.svg'));
    assert.match(readFileSync(join(dir, 'narrowgt-demo.svg'), 'utf8'), /^<svg/);
    assert.match(narrowgt(['demo', '--help']).stdout, /--svg VALUE .*default: narrowgt-demo\.svg in the current folder/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
