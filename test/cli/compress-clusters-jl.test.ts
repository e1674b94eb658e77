// `compress --hidden clusters --first-layer jl` on a theory-variant network: Theorem 4.4's case (1) from the command line
// (docs/theory.md#11-theorem-44--clustering), its twin re-measured by `certify`, and its flag errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { init, GraphTransformer, modelToSafetensors, deserialize, type CompressedModel } from '../../src/index.js';
import { run, scratch } from '../support/cli-harness.js';
import { encodeNpz, npy } from '../support/npy-encode.js';
import { clusteredInstance } from '../support/compress-generators.js';

await init();
const { at } = scratch('narrowgt-compress-clusters-jl-');
// Clustered features on a block-diagonal graph (the generator of Thm 4.4's tests), written as a graph file.
const inst = clusteredInstance({ n: 90, clusters: 3, dIn: 12, width: 32, layers: 2, spread: 0.02, beta: 1, alpha0: 1, edgeProb: 0.3, biasScale: 0, seed: 2 });
const n = inst.x.rows, rp = inst.pattern.rowPtr.array, ci = inst.pattern.colIdx.array, edges: number[] = [];
for (let i = 0; i < n; i++) for (let e = rp[i]; e < rp[i + 1]; e++) if (ci[e] !== i) edges.push(i, ci[e]);
const mask = (p: number) => Array.from({ length: n }, (_, i) => (i % 3 === p ? 1 : 0));
writeFileSync(at('clustered.npz'), encodeNpz({
  node_features: npy.f8([n, 12], inst.x.data), node_labels: npy.i8([n], inst.labels), edges: npy.i8([edges.length / 2, 2], edges),
  train_masks: npy.b1([1, n], mask(0)), val_masks: npy.b1([1, n], mask(1)), test_masks: npy.b1([1, n], mask(2)),
}, 6));
writeFileSync(at('theory.safetensors'), modelToSafetensors(new GraphTransformer({ layers: inst.layers })));

test('compress --hidden clusters --first-layer jl: a certified case-(1) twin with d×d_in first-layer maps, which certify re-measures to the same checks', async () => {
  const r = await run('compress', '--graph', at('clustered.npz'), '--model', at('theory.safetensors'), '--width', '256', '--hidden', 'clusters',
    '--first-layer', 'jl', '--jl-eps', '0.5', '--max-clusters', '5', '--seed', '3', '--compressed', at('c.json'), '--out', at('narrow.safetensors'), '--json');
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.firstLayer, 'jl');
  assert.equal(report.certificate.parameters.firstLayer, 'jl');
  assert.ok(report.certificate.holds, report.certificate.reasons.join('\n'));
  const c = deserialize(readFileSync(at('c.json'), 'utf8')) as CompressedModel;
  assert.equal(c.details.firstLayer, 'jl');
  assert.equal(c.details.jlEps, 0.5);
  assert.equal((c.details.labels as number[][])[0].length, n);
  assert.deepEqual([c.narrow.layers[0].wQ.rows, c.narrow.layers[0].wQ.cols], [256, 12]);
  const again = await run('certify', '--graph', at('clustered.npz'), '--model', at('theory.safetensors'), '--compressed', at('c.json'), '--json');
  assert.equal(again.status, 0, again.stderr);
  const cert = JSON.parse(again.stdout);
  assert.equal(cert.holds, true);
  assert.deepEqual(cert.checks.map((k: { measured: number }) => k.measured), c.certificate.checks.map((k) => k.measured));
  assert.deepEqual(cert.inputsMatchRecorded, { reference: true, narrow: true, pattern: true, features: true });
});

test('compress --hidden clusters --first-layer low-rank: case (2) from the command line (topd input adapter, k-means up to d)', async () => {
  const r = await run('compress', '--graph', at('clustered.npz'), '--model', at('theory.safetensors'), '--width', '4', '--hidden', 'clusters',
    '--first-layer', 'low-rank', '--compressed', at('c2.json'), '--json');
  assert.equal(r.status, 0, r.stderr);
  const c = deserialize(readFileSync(at('c2.json'), 'utf8')) as CompressedModel;
  assert.equal(c.details.firstLayer, 'low-rank');
  assert.deepEqual([c.inputAdapter?.rows, c.inputAdapter?.cols], [4, 12]);
  assert.ok(c.certificate.holds, c.certificate.reasons.join('\n'));
});

test('compress --first-layer: bad values and combinations are one line naming the flag, exit 2', async () => {
  const base = ['compress', '--graph', at('clustered.npz'), '--model', at('theory.safetensors'), '--width', '8'];
  for (const [extra, re] of [
    [['--hidden', 'clusters', '--first-layer', 'sketch'], /--first-layer must be one of low-rank, jl/],
    [['--hidden', 'clusters', '--first-layer', 'low-rank', '--jl-eps', '0.3'], /--jl-eps needs --first-layer jl/],
    [['--hidden', 'clusters', '--first-layer', 'jl', '--jl-eps', '2'], /--jl-eps needs --first-layer jl and a value in \(0, 1\)/],
    [['--hidden', 'full', '--first-layer', 'jl'], /--first-layer runs Theorem 4\.4: give --hidden clusters/],
    [['--hidden', 'clusters', '--first-layer', 'jl', '--max-clusters', '9'], /--max-clusters must be an integer in \[1, 8\]/],
    [['--hidden', 'clusters', '--max-clusters', '2'], /--max-clusters needs --first-layer/],
  ] as const) {
    const r = await run(...base, ...extra);
    assert.equal(r.status, 2, `${extra.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr); // checked before the files are read: not even the pattern note
    assert.match(lines[0], /^narrowgt: compress: /);
    assert.match(lines[0], re);
  }
});
