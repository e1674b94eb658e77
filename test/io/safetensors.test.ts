import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readSafetensors, writeSafetensors, FormatError, InputError } from '../../src/index.js';
import { fcParams, announceSeed } from '../support/fc.js';

announceSeed('test/io/safetensors.test.ts');

function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

test('writeSafetensors → readSafetensors round-trips every dtype bit-exact (NaN payloads and -0 included)', () => {
  const arb = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== '__metadata__'), fc.oneof(
    fc.float64Array({ maxLength: 20 }).map((d) => ({ data: d as Float64Array | Float32Array | Int32Array | BigInt64Array | Uint8Array })),
    fc.float32Array({ maxLength: 20 }).map((d) => ({ data: d })),
    fc.int32Array({ maxLength: 20 }).map((d) => ({ data: d })),
    fc.bigInt64Array({ maxLength: 20 }).map((d) => ({ data: d })),
    fc.uint8Array({ maxLength: 20 }).map((d) => ({ data: d })),
  ), { maxKeys: 6 });
  fc.assert(fc.property(arb, fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), (tensors, metadata) => {
    const input = Object.fromEntries(Object.entries(tensors).map(([k, v]) => [k, { data: v.data, shape: [v.data.length] }]));
    const file = writeSafetensors(input, metadata);
    const header = Number(new DataView(file.buffer).getBigUint64(0, true));
    assert.equal((8 + header) % 8, 0, 'data section 8-byte aligned');
    const back = readSafetensors(file);
    assert.deepEqual(Object.entries(back.metadata).sort(), Object.entries(metadata).sort());
    assert.deepEqual([...back.tensors.keys()].sort(), Object.keys(input).sort());
    for (const [name, t] of Object.entries(input)) {
      const got = back.tensors.get(name)!;
      assert.deepEqual(got.shape, t.shape);
      assert.equal(got.data.constructor, t.data.constructor);
      assert.ok(bytesOf(got.data).equals(bytesOf(t.data)), `bytes of ${name}`);
    }
    assert.ok(Buffer.from(writeSafetensors(input, metadata)).equals(Buffer.from(file)), 'deterministic output');
  }), fcParams(100));
});

test('readSafetensors reads a hand-assembled file laid out as the format description gives it', () => {
  // header {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} followed by 1.5, -2 as little-endian f32
  const json = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const file = new Uint8Array(8 + json.length + 8);
  new DataView(file.buffer).setBigUint64(0, BigInt(json.length), true);
  file.set(new TextEncoder().encode(json), 8);
  new DataView(file.buffer).setFloat32(8 + json.length, 1.5, true);
  new DataView(file.buffer).setFloat32(8 + json.length + 4, -2, true);
  const t = readSafetensors(file).tensors.get('a')!;
  assert.deepEqual(Array.from(t.data as Float32Array), [1.5, -2]);
});

function assemble(header: unknown, dataBytes: number, lengthOverride?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const file = new Uint8Array(8 + json.length + dataBytes);
  new DataView(file.buffer).setBigUint64(0, BigInt(lengthOverride ?? json.length), true);
  file.set(json, 8);
  return file;
}

test('malformed files get a FormatError naming the problem', () => {
  const ok = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(5), /fewer than the 8-byte header length/],
    [assemble(ok, 8, 10_000), /header length 10000 runs past the end/],
    [assemble('{"a": ', 0), /header is not valid UTF-8 JSON/],
    [assemble('[1,2]', 0), /header must be a JSON object/],
    [assemble({ a: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, 2), /tensor 'a' has unsupported dtype "F8_E4M3"/],
    [assemble({ a: { dtype: 'F32', shape: [2, -1], data_offsets: [0, 8] } }, 8), /invalid shape/],
    [assemble({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 16] } }, 8), /data_offsets \[0, 16\] run past the 8-byte data section/],
    [assemble({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8), /needs 12 bytes but data_offsets span 8/],
    [assemble({ a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, 8), /invalid data_offsets/],
    [assemble({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8), /starts at 4, expected 0/],
    [assemble({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 8), /4 trailing bytes/],
    [assemble({ __metadata__: { v: 1 } }, 0), /__metadata__.v must be a string/],
  ];
  for (const [file, re] of cases) {
    assert.throws(() => readSafetensors(file), (e: unknown) => e instanceof FormatError && /^readSafetensors: /.test(e.message) && re.test(e.message), String(re));
  }
});

test('writeSafetensors rejects a shape that does not match the data', () => {
  assert.throws(() => writeSafetensors({ w: { data: new Float32Array(6), shape: [2, 2] } }), (e: unknown) => e instanceof InputError && /tensor 'w' has shape \[2,2\] but 6 elements/.test(e.message));
  assert.throws(() => writeSafetensors({ __metadata__: { data: new Float32Array(1), shape: [1] } }), InputError);
});
