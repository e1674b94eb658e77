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

// --- F16 / BF16 (issue 14, item 7) ------------------------------------------------------------------------

/** A hand-assembled file holding one tensor of raw little-endian u16 patterns under `dtype`. */
function halfFile(dtype: 'F16' | 'BF16', bits: number[]): Uint8Array {
  let json = JSON.stringify({ t: { dtype, shape: [bits.length], data_offsets: [0, 2 * bits.length] } });
  json += ' '.repeat((8 - ((json.length + 8) % 8)) % 8);
  const out = new Uint8Array(8 + json.length + 2 * bits.length);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(json.length), true);
  out.set(new TextEncoder().encode(json), 8);
  bits.forEach((b, i) => dv.setUint16(8 + json.length + 2 * i, b, true));
  return out;
}

test('readSafetensors reads F16 exactly into f32: normals, subnormals, ±0, ±Inf, the largest value, NaN', () => {
  // 0x3c00 = 1, 0xc000 = -2, 0x3555 = 0.333251953125, 0x0001 = 2^-24 (smallest subnormal), 0x03ff = largest
  // subnormal, 0x7bff = 65504, 0x8000 = -0, 0x7c00 = +Inf, 0x7e00 = NaN
  const bits = [0x3c00, 0xc000, 0x3555, 0x0001, 0x03ff, 0x7bff, 0x8000, 0x7c00, 0x7e00];
  const t = readSafetensors(halfFile('F16', bits)).tensors.get('t')!;
  assert.equal(t.dtype, 'F16');
  assert.ok(t.data instanceof Float32Array);
  const v = Array.from(t.data as Float32Array);
  assert.deepEqual(v.slice(0, 6), [1, -2, 0.333251953125, 2 ** -24, 1023 * 2 ** -24, 65504]);
  assert.ok(Object.is(v[6], -0)); assert.equal(v[7], Infinity); assert.ok(Number.isNaN(v[8]));
});

test('readSafetensors reads BF16 exactly (the top 16 bits of an f32)', () => {
  const values = [1, -2.5, 3.140625, 1e-38, -3.3895313892515355e38];
  const f32 = Float32Array.from(values);
  const bits = Array.from(new Uint32Array(f32.buffer), (u) => u >>> 16);
  const t = readSafetensors(halfFile('BF16', bits)).tensors.get('t')!;
  assert.equal(t.dtype, 'BF16');
  const expect = Array.from(new Float32Array(Uint32Array.from(bits, (b) => b << 16).buffer));
  assert.deepEqual(Array.from(t.data as Float32Array), expect);
  assert.deepEqual(expect.slice(0, 3), [1, -2.5, 3.140625], 'values with ≤ 8 significant bits are exact');
});

test('writeSafetensors writes F16 / BF16 on request, rounding to nearest even straight from f64, and rejects overflow', () => {
  // every F16 pattern that is finite round-trips bit-exactly: read (exact), write back F16
  const all = Array.from({ length: 0x10000 }, (_, b) => b).filter((b) => ((b >> 10) & 0x1f) !== 31);
  const read = readSafetensors(halfFile('F16', all)).tensors.get('t')!.data as Float32Array;
  const back = readSafetensors(writeSafetensors({ t: { data: read, shape: [read.length], dtype: 'F16' } })).tensors.get('t')!.data as Float32Array;
  assert.ok(Buffer.from(back.buffer).equals(Buffer.from(read.buffer)), 'every finite F16 value round-trips');
  // ties to even and no double rounding: 1 + 2^-11 is a tie (→ 1), 1 + 3·2^-11 is a tie (→ 1 + 2^-9),
  // and 1 + 2^-11 + 2^-40 (rounds to 1 + 2^-11 in f32, a tie) must round up from its f64 value
  const cases = [1 + 2 ** -11, 1 + 3 * 2 ** -11, 1 + 2 ** -11 + 2 ** -40, 2 ** -25, 2 ** -25 + 2 ** -40, 65519.99];
  const got = readSafetensors(writeSafetensors({ t: { data: Float64Array.from(cases), shape: [cases.length], dtype: 'F16' } })).tensors.get('t')!.data;
  assert.deepEqual(Array.from(got as Float32Array), [1, 1 + 2 ** -9, 1 + 2 ** -10, 0, 2 ** -24, 65504]);
  const bf = readSafetensors(writeSafetensors({ t: { data: Float64Array.from([1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -30]), shape: [3], dtype: 'BF16' } })).tensors.get('t')!.data;
  assert.deepEqual(Array.from(bf as Float32Array), [1, 1 + 2 ** -6, 1 + 2 ** -7]);
  assert.throws(() => writeSafetensors({ t: { data: Float32Array.from([65520]), shape: [1], dtype: 'F16' } }), (e: unknown) => e instanceof InputError && /beyond the F16 range/.test((e as Error).message));
  assert.throws(() => writeSafetensors({ t: { data: Float32Array.from([Number.NaN]), shape: [1], dtype: 'BF16' } }), InputError);
  assert.throws(() => writeSafetensors({ t: { data: Int32Array.from([1]), shape: [1], dtype: 'F16' } }), InputError);
  const file = writeSafetensors({ t: { data: Float32Array.from([1, 2, 3]), shape: [3], dtype: 'F16' } });
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + Number(new DataView(file.buffer).getBigUint64(0, true)))));
  assert.deepEqual(header.t, { dtype: 'F16', shape: [3], data_offsets: [0, 6] });
});

test('writeSafetensors rejects null tensors, null metadata and null entries with an InputError', () => {
  assert.throws(() => writeSafetensors(null as never), InputError);
  assert.throws(() => writeSafetensors({}, null as never), InputError);
  assert.throws(() => writeSafetensors({ t: null as never }), InputError);
});

test('modelFromSafetensors reads an F16 / BF16 checkpoint, and modelToSafetensors writes one on request', async () => {
  const { init, modelToSafetensors, modelFromSafetensors } = await import('../../src/index.js');
  const { readFileSync } = await import('node:fs');
  await init();
  const file = new Uint8Array(readFileSync(new URL('../../../data/checkpoints/minesweeper-d64.safetensors', import.meta.url)));
  const { model } = modelFromSafetensors(file);
  for (const dtype of ['F16', 'BF16'] as const) {
    const half = modelToSafetensors(model, { dtype });
    const f32 = modelToSafetensors(model, { dtype: 'F32' }).length;
    assert.ok(half.length < 0.6 * f32, `${dtype} is about half of F32 (${half.length} vs ${f32} bytes)`);
    for (const t of readSafetensors(half).tensors.values()) assert.equal(t.dtype, dtype);
    const back = modelFromSafetensors(half).model;
    // writing the read-back model again in the same dtype gives the same bytes (the rounding is idempotent)
    assert.ok(Buffer.from(modelToSafetensors(back, { dtype })).equals(Buffer.from(half)), `${dtype} round trip`);
    const w0 = model.layers[0].wQ.data, w1 = back.layers[0].wQ.data;
    const rel = dtype === 'F16' ? 2 ** -11 : 2 ** -8;
    for (let i = 0; i < w0.length; i++) assert.ok(Math.abs(w1[i] - w0[i]) <= rel * Math.abs(w0[i]) + 2 ** -24, `${dtype} w_q[${i}]`);
    back.free?.();
  }
  model.free?.();
});
