import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors } from '../../src/index.js';
import { run, scratch, spawn, writeRingGraph } from '../support/cli-harness.js';

const { at } = scratch('narrowgt-cli-');
writeFileSync(at('garbage.npz'), 'this is not a zip archive');
writeFileSync(at('garbage.safetensors'), 'not safetensors either');
writeFileSync(at('garbage.json'), '{ not json');
// A safetensors file that is well formed but lacks most model tensors.
writeFileSync(at('partial.safetensors'), writeSafetensors({ 'layers.0.w_q': { data: new Float32Array(4), shape: [2, 2] } }));
// A small heterophilous-layout graph: 120 nodes on a ring with chords (test/support/cli-harness.ts).
writeRingGraph(at('ring.npz'));
const COMMANDS = ['demo', 'train', 'compress', 'certify', 'eval', 'experiment', 'bench', 'info'];

test('narrowgt --help lists every command; each command has --help with its usage', async () => {
  const r = spawn('--help');
  assert.equal(r.status, 0);
  for (const c of COMMANDS) {
    assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
    const h = await run(c, '--help');
    assert.equal(h.status, 0, c);
    assert.match(h.stdout, new RegExp(`^usage: narrowgt ${c}`));
    if (c !== 'info') assert.match(h.stdout, /--json/);
  }
});

test('the executable reports failures as one stderr line with exit code 2 and no stack trace', () => {
  for (const [args, re] of [[['frobnicate'], /^narrowgt: unknown command 'frobnicate'/], [['demo', '--graph', at('garbage.npz')], /^narrowgt: (readNpz|loadGraph)[^\n]*(zip|npz)/i]] as const) {
    const r = spawn(...args);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('bad arguments and bad files give one line on stderr naming the problem and exit code 2, never a stack trace', async () => {
  const cases: [string[], RegExp][] = [
    [['demo', '--nope'], /^narrowgt: demo: Unknown option '--nope'/],
    [['demo', '--graph', 'graph.txt'], /^narrowgt: demo: --graph must name an \.npz file/],
    [['demo', '--graph', '/nonexistent/g.npz'], /^narrowgt: loadGraphFile: cannot read path '\/nonexistent\/g.npz'/],
    [['demo', '--graph', at('garbage.npz')], /^narrowgt: (readNpz|loadGraph)[^\n]*(zip|npz)/i],
    [['demo', '--widths', '4,0'], /^narrowgt: demo: --widths entries must be integers in \[1, 4096\], got '0'/],
    [['demo', '--svg', 'out.png'], /^narrowgt: demo: --svg must name an \.svg file/],
    [['train'], /^narrowgt: train: --out is required/],
    [['train', '--out', 'm.bin'], /^narrowgt: train: --out must name a \.safetensors file/],
    [['train', '--out', at('m.safetensors'), '--width', '0'], /^narrowgt: train: --width must be an integer in \[1, 4096\], got '0'/],
    [['train', '--out', at('m.safetensors'), '--lr', 'fast'], /^narrowgt: train: --lr must be a number > 0, got 'fast'/],
    [['train', 'extra', '--out', at('m.safetensors')], /^narrowgt: train: unexpected argument 'extra'/],
    [['train', '--out', at('m.safetensors'), '--dropout', '1'], /^narrowgt: train: --dropout must lie in \[0, 1\), got 1/],
    [['train', '--out', at('m.safetensors'), '--dropout=-0.1'], /^narrowgt: train: --dropout must be a number ≥ 0, got '-0.1'/],
    [['demo', '--self-loops', 'no'], /^narrowgt: demo: --self-loops must be one of true, false, got 'no'/],
    [['compress', '--width', '4'], /^narrowgt: compress: --model is required/],
    [['compress', '--model', at('m.safetensors'), '--width', 'four'], /^narrowgt: compress: --width must be an integer/],
    [['compress', '--model', at('m.safetensors'), '--width', '4', '--hidden', 'half'], /^narrowgt: compress: --hidden must be one of full, select, clusters/],
    [['compress', '--model', at('none.safetensors'), '--width', '4', '--graph', at('ring.npz')], /^narrowgt: compress: --model '.*none\.safetensors' does not exist/],
    [['compress', '--model', at('garbage.safetensors'), '--width', '4', '--graph', at('ring.npz')], /^narrowgt: readSafetensors: header length \d+ exceeds|^narrowgt: readSafetensors: header length \d+ runs past/],
    [['compress', '--model', at('partial.safetensors'), '--width', '4', '--graph', at('ring.npz')], /^narrowgt: modelFromSafetensors: missing tensor 'layers\.0\.w_k'/],
    [['certify', '--model', at('m.safetensors'), '--compressed', 'c.txt'], /^narrowgt: certify: --compressed must name a \.json file/],
    [['certify', '--model', at('m.safetensors'), '--compressed', at('garbage.json'), '--graph', at('ring.npz')], /^narrowgt: deserialize: text is not JSON/],
    [['eval', '--model', at('garbage.safetensors'), '--graph', at('ring.npz'), '--repeats', '0'], /^narrowgt: eval: --repeats must be an integer in \[1, 1000\]/],
    [['eval', '--model', at('m.txt')], /^narrowgt: eval: --model must name a \.safetensors file, got '.*m\.txt'/],
    [['experiment'], /^narrowgt: experiment: give an experiment name/],
    [['experiment', 'table5'], /^narrowgt: experiment: unknown experiment 'table5'/],
    [['experiment', 'compression', '--scratch-lrs', '0.1,x'], /^narrowgt: experiment: --scratch-lrs entries must be positive numbers, got 'x'/],
    [['bench', 'attention'], /^narrowgt: bench: unexpected argument 'attention'/],
    [['demo', '--split', '3', '--graph', at('ring.npz')], /^narrowgt: demo: --split 3 is out of range: .* ships 1 splits/],
  ];
  for (const [args, re] of cases) {
    const r = await run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0], re, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('train → compress (certified, fine-tuned) → certify → eval on a small graph: files round-trip and the numbers agree', async () => {
  const wide = at('wide.safetensors'), narrow = at('narrow.safetensors'), twin = at('twin.json');
  const t = await run('train', '--graph', at('ring.npz'), '--width', '8', '--layers', '2', '--epochs', '5', '--out', wide, '--json');
  assert.equal(t.status, 0, t.stderr);
  const trained = JSON.parse(t.stdout);
  // --dropout and --self-loops false reach the trainer and the file's metadata
  const d = await run('train', '--graph', at('ring.npz'), '--width', '8', '--layers', '2', '--epochs', '3', '--dropout', '0.5', '--self-loops', 'false',
    '--out', at('dropout.safetensors'), '--json');
  assert.equal(d.status, 0, d.stderr);
  assert.equal(JSON.parse(d.stdout).dropout, 0.5);
  const header = readFileSync(at('dropout.safetensors')).subarray(0, 4096).toString('latin1');
  assert.match(header, /"attention_pattern":"\{\\"kind\\":\\"graph\\",\\"selfLoops\\":false\}"/);
  assert.match(header, /\\"dropout\\":0\.5/);
  assert.notEqual(JSON.parse(d.stdout).final.loss, trained.final.loss);
  const c = await run('compress', '--graph', at('ring.npz'), '--model', wide, '--width', '3', '--fine-tune-epochs', '5', '--out', narrow, '--compressed', twin, '--json');
  assert.equal(c.status, 0, c.stderr);
  const report = JSON.parse(c.stdout);
  assert.ok(existsSync(narrow) && existsSync(twin));
  // Training evaluates with batch statistics in f32, the file folds them (rounded to F32) into affine maps: close, not identical.
  assert.ok(Math.abs(report.reference.test - trained.final.test) <= 0.01, `${report.reference.test} vs ${trained.final.test}`);
  assert.equal(report.certificate.holds, true, report.certificate.reasons.join('\n'));
  assert.deepEqual(report.constructed.widths, [3, 3, 3]);
  const e = await run('eval', '--graph', at('ring.npz'), '--model', narrow, '--json');
  assert.equal(e.status, 0, e.stderr);
  const ev = JSON.parse(e.stdout);
  assert.equal(ev.test, report.fineTuned.test, 'the shipped file evaluates as the fine-tuned network did');
  assert.equal(ev.parameters, report.fineTuned.parameters);
  const v = await run('certify', '--graph', at('ring.npz'), '--model', wide, '--compressed', twin, '--json');
  assert.equal(v.status, 0, v.stderr);
  const cert = JSON.parse(v.stdout);
  assert.equal(cert.holds, true);
  assert.equal(cert.outputError, report.certificate.outputError, 'recertifying the saved twin reproduces its output error');
  assert.match(readFileSync(twin, 'utf8'), /"format":"narrowgt-compressed"/);
});

test('--threads N sets the kernel threads of any command (info reports them); a bad count is one line and exit code 2', () => {
  const one = spawn('info', '--json', '--threads', '1');
  assert.equal(one.status, 0, one.stderr);
  assert.equal(JSON.parse(one.stdout).threads, 1);
  const two = spawn('info', '--json', '--threads', '2');
  assert.equal(two.status, 0, two.stderr);
  assert.equal(JSON.parse(two.stdout).threads, 2, 'Node 20 has worker_threads and SharedArrayBuffer');
  for (const bad of ['0', '1.5', 'x', '', '257']) {
    const r = spawn('info', '--threads', bad);
    assert.equal(r.status, 2, `--threads '${bad}': ${r.stderr}`);
    assert.equal(r.stderr, `narrowgt: info: --threads must be an integer from 1 to 256, got '${bad}'\n`);
  }
  const negative = spawn('info', '--threads', '-1'); // node:util parseArgs reads -1 as an option: still one line, exit 2
  assert.equal(negative.status, 2, negative.stderr);
  assert.match(negative.stderr, /^narrowgt: info: [^\n]*--threads[^\n]*\n$/);
  const h = spawn('info', '--help');
  assert.match(h.stdout, /--threads N/);
});

test('narrowgt info --json reports the wasm-simd backend', () => {
  const r = spawn('info', '--json');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.backend, 'wasm-simd');
  assert.ok(j.kernelBuild === 'plain' || j.kernelBuild === 'relaxed', `kernelBuild ${j.kernelBuild}`);
  assert.ok(j.wasmBytes > 1000);
});
