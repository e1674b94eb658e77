import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  init, DenseMatrix, GraphTransformer, serialize, deserialize, encodeMatrix, decodeMatrix, modelToJson, modelFromJson,
  compressWithJl, compressExactLowRank, certify, scope, rng, FormatError,
  type CompressedModel, type Certificate,
} from '../../src/index.js';
import { encodeJsonValue, decodeJsonValue } from '../../src/model/serialize.js';
import { wasmHeapBytes } from '../../src/runtime/storage.js';
import { fcParams, announceSeed } from '../support/fc.js';
import { gaussianInput, lowRankInput, makePattern, practicalModel, theoryModel } from '../support/models.js';

announceSeed('test/model/serialize.test.ts');
await init();

/** Bit-level equality of two float arrays (distinguishes −0 from 0 and compares NaN payloads). */
function sameBits(a: Float32Array | Float64Array, b: Float32Array | Float64Array): boolean {
  if (a.length !== b.length || a.constructor !== b.constructor) return false;
  const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength), ub = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

function sameMatrix(a: DenseMatrix, b: DenseMatrix): boolean {
  return a.rows === b.rows && a.cols === b.cols && a.dtype === b.dtype && sameBits(a.data, b.data);
}

function sameModel(a: GraphTransformer, b: GraphTransformer): void {
  assert.equal(b.variant, a.variant);
  assert.equal(b.activation, a.activation);
  assert.deepEqual(b.widths, a.widths);
  const ma = a.matrices(), mb = b.matrices();
  assert.equal(mb.length, ma.length);
  ma.forEach((m, i) => assert.ok(sameMatrix(m, mb[i]), `matrix ${i}`));
  a.layers.forEach((l, i) => {
    const k = b.layers[i];
    for (const f of ['b1', 'b2'] as const) {
      if (l[f]) assert.ok(sameBits(l[f]!, k[f]!), `layer ${i} ${f}`);
      else assert.equal(k[f] ?? null, null);
    }
    assert.ok(Object.is(k.logitScale, l.logitScale));
    assert.equal(k.attentionSkip === 'identity', l.attentionSkip === 'identity');
  });
}

// Doubles with every awkward bit pattern: ±0, subnormals, huge, NaN, ±Infinity.
const awkward = fc.oneof(fc.double(), fc.constantFrom(-0, 0, 5e-324, -5e-324, Number.MAX_VALUE, NaN, Infinity, -Infinity));

test('encodeMatrix / decodeMatrix round-trip f64 and f32 matrices bit-exact (−0, subnormals, NaN, ±Infinity included)', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.array(awkward, { minLength: 36, maxLength: 36 }),
    fc.constantFrom<'f32' | 'f64'>('f32', 'f64'), (r, c, vals, dtype) => scope(() => {
      const m = DenseMatrix.from(vals.slice(0, r * c), r, c, dtype);
      const back = decodeMatrix(JSON.parse(JSON.stringify(encodeMatrix(m))));
      assert.ok(sameMatrix(m, back));
    })), fcParams(200));
});

test('encodeJsonValue / decodeJsonValue keep −0, NaN and ±Infinity through JSON text', () => {
  fc.assert(fc.property(fc.jsonValue(), fc.array(awkward), (j, nums) => {
    const v = { j, nums, nested: [{ a: nums[0] ?? -0 }] };
    const back = decodeJsonValue(JSON.parse(JSON.stringify(encodeJsonValue(v))));
    assert.deepEqual(back, decodeJsonValue(encodeJsonValue(v)));
    assert.deepEqual((back as { nums: number[] }).nums, nums);
  }), fcParams(100));
});

test('models (theory and practical variant) serialize to JSON text and load back bit-exact; the loaded model computes the same bits', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.boolean(), (seed, practical) => scope(() => {
    const g = rng(seed);
    const model = practical ? practicalModel(g, { dIn: 4, width: 8, depth: 2, beta: 1.3, classes: 3 })
      : theoryModel(g, { dIn: 4, width: 8, depth: 2, beta: 1.3, bias: true });
    const loaded = deserialize(serialize(model)) as GraphTransformer;
    assert.ok(loaded instanceof GraphTransformer);
    sameModel(model, loaded);
    sameModel(model, modelFromJson(JSON.parse(JSON.stringify(modelToJson(model)))));
    const x = gaussianInput(g, 12, 4, 1), pattern = makePattern(g, 'sparse', 12, 0.3);
    assert.ok(sameMatrix(model.forward(x, pattern).output, loaded.forward(x, pattern).output));
  })), fcParams(20));
});

test('compressed models and certificates (JL and exact low rank) load back bit-exact, and certify() on the loaded twin reproduces the certificate', () => {
  scope(() => {
    const g = rng(31);
    const model = theoryModel(g, { dIn: 10, width: 24, depth: 2, beta: 1, w1Rank: 3 });
    const x = lowRankInput(g, 30, 10, 3, 1);
    const pattern = makePattern(g, 'expander', 30, 0.1);
    const twins: CompressedModel[] = [
      compressWithJl(model, x, pattern, { d: 6, eps: 0.9, seed: 4 }),
      compressExactLowRank(model, x, pattern, { d: 4, foldInput: false }),
    ];
    for (const c of twins) {
      const loaded = deserialize(serialize(c)) as CompressedModel;
      sameModel(c.narrow, loaded.narrow);
      assert.equal(loaded.construction, c.construction);
      for (const [a, b] of [[c.inputAdapter, loaded.inputAdapter], [c.uOut, loaded.uOut]] as const) {
        if (a) assert.ok(sameMatrix(a, b!)); else assert.equal(b, null);
      }
      c.decoders.forEach((d, l) => {
        for (const k of ['input', 'half', 'threeQuarter'] as const) {
          const u = d[k], v = loaded.decoders[l][k];
          if (typeof u === 'string') assert.equal(v, u); else assert.ok(sameMatrix(u, v as DenseMatrix), `decoder ${l} ${k}`);
        }
      });
      assert.deepEqual(loaded.details, c.details);
      assert.deepEqual(loaded.certificate, c.certificate);
      // certify() adds one field a construction's certificate lacks: whether its inputs are the recorded ones (they are)
      const { inputsMatchRecorded, ...recertified } = certify(model, loaded, x, pattern);
      assert.deepEqual(recertified, c.certificate, `${c.construction}: re-certified`);
      assert.deepEqual(inputsMatchRecorded, { reference: true, narrow: true, pattern: true, features: true });
      const cert = deserialize(serialize(c.certificate)) as Certificate;
      assert.deepEqual(cert, c.certificate);
    }
  });
});

test('deserialize rejects malformed text with FormatError naming the problem', () => {
  assert.throws(() => deserialize('{'), (e: Error) => e instanceof FormatError && /not JSON/.test(e.message));
  assert.throws(() => deserialize('{"format":"x"}'), (e: Error) => e instanceof FormatError && /unknown format x/.test(e.message));
  assert.throws(() => decodeMatrix({ dtype: 'f64', shape: [2, 2], base64: 'AAAA' }), (e: Error) => e instanceof FormatError && /needs 32/.test(e.message));
  assert.throws(() => modelFromJson({ format: 'narrowgt-model', version: 2, layers: [] }), (e: Error) => e instanceof FormatError && /version 2/.test(e.message));
});

test('deserialize: null or mistyped parts of a record are a FormatError naming deserialize and the field, and a failed load frees what it decoded', () => {
  scope(() => {
    const g = rng(32);
    const model = theoryModel(g, { dIn: 6, width: 8, depth: 2, beta: 1, w1Rank: 2 });
    const x = lowRankInput(g, 20, 6, 2, 1);
    const pattern = makePattern(g, 'expander', 20, 0.2);
    const good = JSON.parse(serialize(compressExactLowRank(model, x, pattern, { d: 2, foldInput: false })));
    const cases: [string, (o: any) => void, RegExp][] = [
      ['narrow.layers[0] = null', (o) => { o.narrow.layers[0] = null; }, /^deserialize: layers\[0\] must be an object, got null/],
      ['narrow.layers[1].wK = 7', (o) => { o.narrow.layers[1].wK = 7; }, /^deserialize: layers\[1\]\.wK: expected an encoded array/],
      ['decoders = [1, 2]', (o) => { o.decoders = [1, 2]; }, /^deserialize: decoders\[0\] must be an object, got number/],
      ['decoders = [null, null]', (o) => { o.decoders = [null, null]; }, /^deserialize: decoders\[0\] must be an object, got null/],
      ['one decoder too few', (o) => { o.decoders.pop(); }, /^deserialize: decoders has 1 entries, the narrow network 2 layers/],
      ['certificate.checks = null', (o) => { o.certificate.checks = null; }, /^deserialize: certificate\.checks must be an array/],
      ['narrow.encoder = "x"', (o) => { o.narrow.encoder = 'x'; }, /^deserialize: encoder must be an object, got string/],
    ];
    for (const [what, mutate, message] of cases) {
      const o = structuredClone(good);
      mutate(o);
      assert.throws(() => deserialize(JSON.stringify(o)), (e: Error) => e instanceof FormatError && message.test(e.message), what);
    }
    // The last decoder is malformed: the narrow network and the first decoders were decoded before the error.
    const late = structuredClone(good);
    late.decoders[1].threeQuarter = { dtype: 'f64', shape: [2, 2], base64: 'AAAA' };
    const text = JSON.stringify(late);
    for (let i = 0; i < 50; i++) assert.throws(() => deserialize(text), FormatError);
    const before = wasmHeapBytes().live;
    for (let i = 0; i < 500; i++) assert.throws(() => deserialize(text), FormatError);
    assert.equal(wasmHeapBytes().live, before, 'live WASM bytes unchanged over 500 failed loads');
  });
});
