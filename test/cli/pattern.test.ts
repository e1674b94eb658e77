// The attention pattern belongs to the model file: train records it, eval / compress / certify follow it, and a flag
// that contradicts it is a one-line error (exit 2), never a silent change of the function.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { readSafetensors, writeSafetensors, deserialize, type CompressedModel } from '../../src/index.js';
import { run, scratch, spawn, writeRingGraph } from '../support/cli-harness.js';

const { at } = scratch('narrowgt-pattern-');
writeRingGraph(at('ring.npz'));
const graph = ['--graph', at('ring.npz')];

/** The same tensors with every metadata entry dropped: what `save_file(model.state_dict())` writes. */
function stripped(path: string, to: string): string {
  const { tensors } = readSafetensors(new Uint8Array(readFileSync(path)));
  writeFileSync(to, writeSafetensors(Object.fromEntries([...tensors].map(([k, t]) => [k, { data: t.data as Float32Array, shape: t.shape }]))));
  return to;
}

async function evalJson(...args: string[]): Promise<{ pattern: string; train: number; val: number; test: number }> {
  const r = await run('eval', ...graph, '--repeats', '1', '--json', ...args);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const metrics = (r: { train: number; val: number; test: number }): number[] => [r.train, r.val, r.test];

for (const pattern of ['graph', 'full', 'graph+self-loops+expander:4:7']) {
  test(`a model trained with --pattern ${pattern} is evaluated on that pattern without any flag`, async () => {
    const model = at(`${pattern.replace(/[^a-z0-9]/g, '_')}.safetensors`);
    const t = await run('train', ...graph, '--width', '8', '--layers', '2', '--epochs', '4', '--pattern', pattern, '--out', model, '--json');
    assert.equal(t.status, 0, t.stderr);
    assert.equal(JSON.parse(t.stdout).pattern, pattern);
    const followed = await evalJson('--model', model);
    assert.equal(followed.pattern, pattern);
    // The same tensors without the record, run on the pattern named explicitly: identical numbers …
    const plain = stripped(model, at(`plain-${pattern.replace(/[^a-z0-9]/g, '_')}.safetensors`));
    assert.deepEqual(metrics(await evalJson('--model', plain, '--pattern', pattern)), metrics(followed));
    // … and on the default pattern (graph + self loops), other numbers: the record is what kept them.
    const r = await run('eval', ...graph, '--repeats', '1', '--json', '--model', plain);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /records no attention pattern; running on graph\+self-loops/);
    assert.notDeepEqual(metrics(JSON.parse(r.stdout)), metrics(followed));
    // A flag that agrees with the file is accepted; one that contradicts it is one line and exit 2.
    assert.deepEqual(metrics(await evalJson('--model', model, '--pattern', pattern)), metrics(followed));
    const bad = spawn('eval', ...graph, '--model', model, '--pattern', pattern === 'full' ? 'graph' : 'full');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, new RegExp(`^narrowgt: eval: the attention pattern (graph|full) given on the command line contradicts --model, which records ${pattern.replace(/\+/g, '\\+')} `));
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  });
}

test('compress records the pattern in the narrow file and the twin; certify follows both and refuses a contradiction', async () => {
  const wide = at('noloops.safetensors'), narrow = at('noloops-narrow.safetensors'), twin = at('noloops-twin.json');
  assert.equal((await run('train', ...graph, '--width', '8', '--layers', '2', '--epochs', '3', '--self-loops', 'false', '--out', wide)).status, 0);
  const c = await run('compress', ...graph, '--model', wide, '--width', '3', '--out', narrow, '--compressed', twin, '--json');
  assert.equal(c.status, 0, c.stderr);
  const report = JSON.parse(c.stdout);
  assert.equal(report.pattern, 'graph');
  assert.equal(readSafetensors(new Uint8Array(readFileSync(narrow))).metadata.attention_pattern, '{"kind":"graph","selfLoops":false}');
  const parsed = deserialize(readFileSync(twin, 'utf8')) as CompressedModel;
  assert.deepEqual(parsed.pattern, { kind: 'graph', selfLoops: false });
  parsed.narrow.free();
  // The narrow file evaluates to what compress reported for the constructed network (same pattern, logit scale folded).
  const e = await evalJson('--model', narrow);
  assert.deepEqual(metrics(e), metrics(report.constructed));
  const cert = await run('certify', ...graph, '--model', wide, '--compressed', twin, '--json');
  assert.equal(cert.status, 0, cert.stderr);
  assert.equal(JSON.parse(cert.stdout).outputError, report.certificate.outputError);
  const bad = spawn('certify', ...graph, '--model', wide, '--compressed', twin, '--self-loops', 'true');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^narrowgt: certify: the attention pattern graph\+self-loops given on the command line contradicts --(model|compressed)/);
  const mixed = spawn('certify', ...graph, '--model', at('full.safetensors'), '--compressed', twin);
  assert.equal(mixed.status, 2);
  assert.match(mixed.stderr, /^narrowgt: certify: --compressed records attention pattern graph but --model records full/);
});

test('the certificate headline states the measured error and the two verdicts, never a bare "holds"', async () => {
  const c = await run('compress', ...graph, '--model', at('noloops.safetensors'), '--width', '3');
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stdout, /measured on the graph: relative output error [0-9.e+-]+ (%|\(relative\))/);
  assert.match(c.stdout, /the theorem's hypotheses: (all \d+ hold|\d+ of \d+ FAIL)/);
  assert.match(c.stdout, /per-layer inequalities \(realised quantities\): (all \d+ hold|\d+ of \d+ FAIL)/);
  assert.doesNotMatch(c.stdout, /\b(holds|HOLDS)\b/);
});
