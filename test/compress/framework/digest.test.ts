// Certificates record SHA-256 digests of what they were computed on (src/compress/framework/digest.ts,
// docs/theory.md#3-certificates), and certify() says which of its inputs differ from the recorded ones (issue 16, item 4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  init, rng, certify, compressWithJl, compressedToJson, compressedFromJson, certificateFromJson, certificateToJson, deserialize, serialize,
  digestInputs, digestModel, digestPattern, digestFeatures, digestTwin, CsrGraph, DenseMatrix, FormatError, GraphTransformer,
  type Certificate, type CompressedModel,
} from '../../../src/index.js';
import { sha256Hex } from '../../../src/compress/framework/digest.js';
import { gaussianInput, erPattern, theoryModel } from '../../support/models.js';

await init();

const g = rng(16_4);
const n = 30;
const model = theoryModel(g, { dIn: 5, width: 8, depth: 2, beta: 1 });
const x = gaussianInput(g, n, 5, 1);
const pattern = erPattern(g, n, 0.15);
const twin = compressWithJl(model, x, pattern, { d: 6, seed: 3 });

/** The model with one weight's lowest mantissa bit flipped (layer 1, W_V[0][0]). */
function flipOneBit(m: GraphTransformer): GraphTransformer {
  const layers = m.layers.map((l) => ({ ...l }));
  const wV = layers[1].wV.clone('f64');
  const bits = new BigUint64Array(new Float64Array([wV.get(0, 0)]).buffer);
  bits[0] ^= 1n;
  wV.set(0, 0, new Float64Array(bits.buffer)[0]);
  layers[1].wV = wV;
  const out = new GraphTransformer({ layers, activation: m.activation, variant: m.variant });
  wV.free();
  return out;
}

test('the SHA-256 under the digests meets the FIPS 180-4 test vectors ("abc", the empty string, the 448-bit message)', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.equal(sha256Hex(enc('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(sha256Hex(enc('')), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(sha256Hex(enc('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
});

test('the pattern and feature digests are SHA-256 of the documented encoding, rebuilt here byte by byte and hashed by node:crypto', () => {
  const str = (s: string) => { const b = Buffer.from(s, 'utf8'); const len = Buffer.alloc(4); len.writeUInt32LE(b.length); return Buffer.concat([Buffer.from('s'), len, b]); };
  const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
  const f64 = (v: number) => { const b = Buffer.alloc(8); b.writeDoubleLE(v); return b; };
  const ints = (v: number[]) => Buffer.concat([Buffer.from('I'), u32(v.length), ...v.map((i) => { const b = Buffer.alloc(4); b.writeInt32LE(i); return b; })]);
  const p = CsrGraph.fromArrays(3, 3, [0, 2, 3, 5], [0, 1, 1, 0, 2]);
  const expectP = createHash('sha256').update(Buffer.concat([str('narrowgt-digest-v1'), str('pattern'), Buffer.from('f'), f64(3), Buffer.from('f'), f64(3),
    ints([0, 2, 3, 5]), ints([0, 1, 1, 0, 2])])).digest('hex');
  assert.equal(digestPattern(p), expectP);
  const m = DenseMatrix.fromRows([[1.5, -0], [Math.PI, 1e-300]], 'f64');
  const expectX = createHash('sha256').update(Buffer.concat([str('narrowgt-digest-v1'), str('features'), Buffer.from('M'), u32(2), u32(2),
    f64(1.5), f64(-0), f64(Math.PI), f64(1e-300)])).digest('hex');
  assert.equal(digestFeatures(m), expectX);
  // an f32 matrix hashes as its exact f64 widening (what certifyWith reads)
  assert.equal(digestFeatures(m.clone('f32')), digestFeatures(m.clone('f32').clone('f64')));
  p.free(); m.free();
});

test('each digest changes with one weight bit, one CSR index, one feature, and the logit scale; equal inputs give equal digests', () => {
  const base = digestInputs(model, twin, x, pattern);
  for (const v of Object.values(base)) assert.match(v, /^[0-9a-f]{64}$/);
  assert.deepEqual(digestInputs(model, twin, x.clone('f64'), CsrGraph.fromArrays(pattern.numRows, pattern.numCols, pattern.rowPtr.array, pattern.colIdx.array)), base);
  const flipped = flipOneBit(model);
  assert.notEqual(digestModel(flipped), base.reference);
  const narrowFlipped = flipOneBit(twin.narrow);
  assert.notEqual(digestTwin({ ...twin, narrow: narrowFlipped }), base.narrow);
  const scaled = new GraphTransformer({ layers: model.layers.map((l, i) => ({ ...l, logitScale: i === 0 ? 0.5 : l.logitScale })) });
  assert.notEqual(digestModel(scaled), base.reference);
  const ci = Int32Array.from(pattern.colIdx.array);
  // an entry that is not its row's first and has a free column just below it: moving it there keeps the row sorted
  const e = ci.findIndex((c, i) => i > 0 && c > ci[i - 1] + 1 && pattern.rowPtr.array.indexOf(i) < 0);
  assert.ok(e > 0);
  ci[e] -= 1;
  const moved = CsrGraph.fromArrays(pattern.numRows, pattern.numCols, pattern.rowPtr.array, ci);
  assert.notEqual(digestPattern(moved), base.pattern);
  const x2 = x.clone('f64');
  x2.set(n - 1, 4, x2.get(n - 1, 4) + 2 ** -40);
  assert.notEqual(digestFeatures(x2), base.features);
  for (const m of [flipped, narrowFlipped, scaled, moved, x2]) m.free();
});

test('a construction records the digests of its inputs; certify() on the same inputs says all four match', () => {
  assert.deepEqual(twin.certificate.inputs, digestInputs(model, twin, x, pattern));
  assert.equal(twin.certificate.inputsMatchRecorded, undefined, 'a construction compares with nothing');
  const again = certify(model, twin, x, pattern);
  assert.deepEqual(again.inputs, twin.certificate.inputs);
  assert.deepEqual(again.inputsMatchRecorded, { reference: true, narrow: true, pattern: true, features: true });
});

test('certify() on another graph or other features reports exactly the inputs that differ, and still certifies (no throw)', () => {
  const other = erPattern(rng(99), n, 0.2);
  const onOther = certify(model, twin, x, other);
  assert.deepEqual(onOther.inputsMatchRecorded, { reference: true, narrow: true, pattern: false, features: true });
  assert.equal(onOther.inputs?.pattern, digestPattern(other));
  const x2 = x.clone('f64');
  x2.set(0, 0, -x2.get(0, 0));
  assert.deepEqual(certify(model, twin, x2, pattern).inputsMatchRecorded, { reference: true, narrow: true, pattern: true, features: false });
  const flipped = flipOneBit(model);
  assert.deepEqual(certify(flipped, twin, x, pattern).inputsMatchRecorded, { reference: false, narrow: true, pattern: true, features: true });
  other.free(); x2.free(); flipped.free();
});

test('digests survive JSON; a certificate or compressed model written without them still loads, and certify() then reports null', () => {
  const round = deserialize(serialize(twin)) as CompressedModel;
  assert.deepEqual(round.certificate.inputs, twin.certificate.inputs);
  assert.deepEqual(certify(model, round, x, pattern).inputsMatchRecorded, { reference: true, narrow: true, pattern: true, features: true });
  round.narrow.free();
  // an old record: the same JSON with the field removed
  const json = compressedToJson(twin) as { certificate: { [k: string]: unknown } };
  delete json.certificate.inputs;
  const old = compressedFromJson(JSON.parse(JSON.stringify(json)));
  assert.equal(old.certificate.inputs, undefined);
  assert.equal(certify(model, old, x, pattern).inputsMatchRecorded, null);
  old.narrow.free();
  const bareCert = certificateToJson(twin.certificate) as { [k: string]: unknown };
  delete bareCert.inputs;
  assert.equal((certificateFromJson(bareCert) as Certificate).inputs, undefined);
  // and a twin without any certificate compares with nothing
  const { certificate: _, ...withoutCertificate } = twin;
  assert.equal(certify(model, withoutCertificate, x, pattern).inputsMatchRecorded, null);
});

test('a certificate whose recorded digests are malformed is a FormatError naming the field', () => {
  const bad = certificateToJson(twin.certificate) as { inputs: { [k: string]: unknown } };
  bad.inputs = { ...bad.inputs, pattern: 'abc' };
  assert.throws(() => certificateFromJson(bad), (e: unknown) => e instanceof FormatError && /certificate\.inputs\.pattern must be a SHA-256 hex digest/.test(e.message));
  assert.throws(() => certificateFromJson({ ...bad, inputs: 7 }), (e: unknown) => e instanceof FormatError && /certificate\.inputs must be an object/.test(e.message));
});
