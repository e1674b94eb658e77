// `narrowgt certify` says which inputs differ from those the compressed twin's certificate was computed on (their
// SHA-256 digests, src/compress/framework/digest.ts; issue 16, item 4), in one line and in --json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { run, scratch, writeRingGraph } from '../support/cli-harness.js';

const { at } = scratch('narrowgt-cli-inputs-');
writeRingGraph(at('ring.npz'));
writeRingGraph(at('ring96.npz'), 96);

test('certify on the graph of compress: every input matches; on another graph: the pattern and the features differ; an old twin: unknown', async () => {
  const wide = at('wide.safetensors'), twin = at('twin.json');
  const t = await run('train', '--graph', at('ring.npz'), '--width', '6', '--layers', '1', '--epochs', '2', '--out', wide, '--json');
  assert.equal(t.status, 0, t.stderr);
  const c = await run('compress', '--graph', at('ring.npz'), '--model', wide, '--width', '3', '--compressed', twin, '--json');
  assert.equal(c.status, 0, c.stderr);
  const same = await run('certify', '--graph', at('ring.npz'), '--model', wide, '--compressed', twin);
  assert.equal(same.status, 0, same.stderr);
  assert.match(same.stdout, /^inputs: reference, twin, attention pattern and features are those the certificate in --compressed was computed on \(SHA-256\)$/m);
  const sameJson = JSON.parse((await run('certify', '--graph', at('ring.npz'), '--model', wide, '--compressed', twin, '--json')).stdout);
  assert.deepEqual(sameJson.inputsMatchRecorded, { reference: true, narrow: true, pattern: true, features: true });
  assert.match(sameJson.inputs.features, /^[0-9a-f]{64}$/);

  const other = await run('certify', '--graph', at('ring96.npz'), '--model', wide, '--compressed', twin);
  assert.equal(other.status, 0, other.stderr);
  assert.match(other.stdout, /^inputs: the attention pattern and the features differ from those the certificate in --compressed was computed on \(SHA-256\)$/m);
  const otherJson = JSON.parse((await run('certify', '--graph', at('ring96.npz'), '--model', wide, '--compressed', twin, '--json')).stdout);
  assert.deepEqual(otherJson.inputsMatchRecorded, { reference: true, narrow: true, pattern: false, features: false });

  const record = JSON.parse(readFileSync(twin, 'utf8'));
  delete record.certificate.inputs;
  writeFileSync(at('old.json'), JSON.stringify(record));
  const old = await run('certify', '--graph', at('ring.npz'), '--model', wide, '--compressed', at('old.json'));
  assert.equal(old.status, 0, old.stderr);
  assert.match(old.stdout, /^inputs: the compressed model's certificate recorded no digests/m);
  const oldJson = JSON.parse((await run('certify', '--graph', at('ring.npz'), '--model', wide, '--compressed', at('old.json'), '--json')).stdout);
  assert.equal(oldJson.inputsMatchRecorded, null);
});
