import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readNpy, rng, FormatError, InputError, type NpyData } from '../../src/index.js';
import { encodeNpy, bytesOf, swapBytes, utf32, shapeRepr } from '../support/npy-encode.js';
import { fcParams, announceSeed } from '../support/fc.js';

announceSeed('test/data/npy.test.ts');

type Kind = 'f4' | 'f8' | 'i8' | 'i4' | 'i2' | 'i1' | 'u1' | 'u4' | 'b1' | 'U';
const DTYPE_NAME: Record<Kind, string> = {
  f4: 'float32', f8: 'float64', i8: 'int64', i4: 'int32', i2: 'int16', i1: 'int8', u1: 'uint8', u4: 'uint32', b1: 'bool', U: 'unicode',
};
const CHARS = ['a', 'Z', '0', ' ', 'é', 'Ω', '中', '😀', '𝔸'];

/** Random row-major values of a kind; strings up to `width` code points. */
function randomValues(kind: Kind, count: number, seed: number, width: number): NpyData {
  const g = rng(seed);
  const u = () => g.nextUint32();
  switch (kind) {
    case 'f4': return g.fillNormal(new Float32Array(count));
    case 'f8': return g.fillNormal(new Float64Array(count), 1e3);
    case 'i8': return BigInt64Array.from({ length: count }, () => BigInt.asIntN(64, (BigInt(u()) << 32n) | BigInt(u())));
    case 'i4': return Int32Array.from({ length: count }, () => u() | 0);
    case 'i2': return Int16Array.from({ length: count }, () => (u() << 16) >> 16);
    case 'i1': return Int8Array.from({ length: count }, () => (u() << 24) >> 24);
    case 'u1': return Uint8Array.from({ length: count }, () => u() & 255);
    case 'u4': return Uint32Array.from({ length: count }, () => u());
    case 'b1': return Uint8Array.from({ length: count }, () => u() & 1);
    case 'U': return Array.from({ length: count }, () => Array.from({ length: g.int(width + 1) }, () => CHARS[g.int(CHARS.length)]).join(''));
  }
}

/** The same elements in column-major order (first index fastest), by the definition of Fortran order. */
function toFortranOrder<T>(values: ArrayLike<T>, shape: number[]): T[] {
  const out: T[] = [];
  for (let p = 0; p < values.length; p++) {
    let rest = p, c = 0;
    const cStride = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
    for (let k = 0; k < shape.length; k++) { c += (rest % shape[k]) * cStride[k]; rest = Math.floor(rest / shape[k]); }
    out.push(values[c]);
  }
  return out;
}

const SIZE: Record<Exclude<Kind, 'U'>, number> = { f4: 4, f8: 8, i8: 8, i4: 4, i2: 2, i1: 1, u1: 1, u4: 4, b1: 1 };
const CTOR = { f4: Float32Array, f8: Float64Array, i8: BigInt64Array, i4: Int32Array, i2: Int16Array, i1: Int8Array, u1: Uint8Array, u4: Uint32Array, b1: Uint8Array } as const;

const caseArb = fc.record({
  kind: fc.constantFrom<Kind>('f4', 'f8', 'i8', 'i4', 'i2', 'i1', 'u1', 'u4', 'b1', 'U'),
  shape: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 3 }),
  fortranOrder: fc.boolean(),
  bigEndian: fc.boolean(),
  version: fc.constantFrom<1 | 2 | 3>(1, 2, 3),
  width: fc.integer({ min: 0, max: 4 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

test('readNpy returns the written dtype, shape and row-major elements for every dtype, rank 0–3 (empty included), both byte orders, C and Fortran order, versions 1.0/2.0/3.0', () => {
  fc.assert(fc.property(caseArb, ({ kind, shape, fortranOrder, bigEndian, version, width, seed }) => {
    const count = shape.reduce((a, b) => a * b, 1);
    const values = randomValues(kind, count, seed, width);
    const fileOrder = fortranOrder ? toFortranOrder(values as ArrayLike<unknown>, shape) : Array.from(values as ArrayLike<unknown>);
    let descr: string, payload: Uint8Array;
    if (kind === 'U') {
      descr = `${bigEndian ? '>' : '<'}U${width}`;
      payload = utf32(fileOrder as string[], width, bigEndian);
    } else {
      const size = SIZE[kind];
      descr = `${size === 1 ? '|' : bigEndian ? '>' : '<'}${kind}`;
      const le = bytesOf((CTOR[kind] as unknown as { from(a: unknown[]): ArrayBufferView }).from(fileOrder));
      payload = bigEndian ? swapBytes(le, size) : le;
    }
    const got = readNpy(encodeNpy(descr, shape, payload, { fortranOrder, version }));
    assert.equal(got.dtype, DTYPE_NAME[kind]);
    assert.equal(got.descr, descr);
    assert.deepEqual(got.shape, shape);
    if (kind !== 'U') assert.equal(got.data.constructor, CTOR[kind]);
    assert.deepEqual(Array.from(got.data as ArrayLike<unknown>), Array.from(values as ArrayLike<unknown>));
  }), fcParams(300));
});

// Bytes written by NumPy 2.4.6 (np.save, or np.lib.format.write_array with the version shown) on this
// project's machine; the expected values are the arrays passed to NumPy, in the comment of each case.
const NUMPY_FIXTURES: { name: string; b64: string; dtype: string; shape: number[]; data: unknown[] }[] = [
  { // np.asfortranarray(np.arange(6, dtype='<f4').reshape(2, 3))
    name: 'fortran f4', dtype: 'float32', shape: [2, 3], data: [0, 1, 2, 3, 4, 5],
    b64: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAABAQAAAgD8AAIBAAAAAQAAAoEA=' },
  { // np.array(['a', 'héllo', '😀x'], dtype='<U5')
    name: 'unicode <U5', dtype: 'unicode', shape: [3], data: ['a', 'héllo', '😀x'],
    b64: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPFU1JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAphAAAAAAAAAAAAAAAAAAAAAAAAAGgAAADpAAAAbAAAAGwAAABvAAAAAPYBAHgAAAAAAAAAAAAAAAAAAAA=' },
  { // np.array([[1, -2], [2**40, 3]], dtype='>i8')
    name: 'big-endian i8', dtype: 'int64', shape: [2, 2], data: [1n, -2n, 2n ** 40n, 3n],
    b64: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPmk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAf/////////+AAABAAAAAAAAAAAAAAAAAw==' },
  { // np.array(2.5)
    name: '0-d f8', dtype: 'float64', shape: [], data: [2.5],
    b64: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAEQA==' },
  { // write_array(f, np.array([True, False, True]), version=(2, 0))
    name: 'version 2.0 bool', dtype: 'bool', shape: [3], data: [1, 0, 1],
    b64: 'k05VTVBZAgB0AAAAeydkZXNjcic6ICd8YjEnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMywpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAE=' },
  { // write_array(f, np.array([7, 8], dtype='<u4'), version=(3, 0))
    name: 'version 3.0 u4', dtype: 'uint32', shape: [2], data: [7, 8],
    b64: 'k05VTVBZAwB0AAAAeydkZXNjcic6ICc8dTQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoHAAAACAAAAA==' },
  { // np.zeros((0, 3), dtype='<i2')
    name: 'empty i2', dtype: 'int16', shape: [0, 3], data: [],
    b64: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGkyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDAsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo=' },
];

for (const fx of NUMPY_FIXTURES) {
  test(`readNpy decodes bytes NumPy wrote: ${fx.name}`, () => {
    const got = readNpy(new Uint8Array(Buffer.from(fx.b64, 'base64')));
    assert.equal(got.dtype, fx.dtype);
    assert.deepEqual(got.shape, fx.shape);
    assert.deepEqual(Array.from(got.data as ArrayLike<unknown>), fx.data);
  });
}

test('readNpy reads a bool byte other than 0 or 1 as True (NumPy does) and strips only trailing NULs of a string', () => {
  assert.deepEqual(Array.from(readNpy(encodeNpy('|b1', [3], Uint8Array.of(0, 2, 255))).data as Uint8Array), [0, 1, 1]);
  const s = new Uint8Array(16);
  new DataView(s.buffer).setUint32(4, 0x61, true); // "\0a\0\0" → NUL inside is kept, trailing ones dropped
  assert.deepEqual(readNpy(encodeNpy('<U4', [1], s)).data, ['\0a']);
});

// Each malformation and the words its FormatError must contain.
const f4 = bytesOf(Float32Array.of(1, 2, 3));
const good = encodeNpy('<f4', [3], f4);
const withHeader = (h: string, payload = f4) => encodeNpy('<f4', [3], payload, { header: h });
const MALFORMED: [string, Uint8Array, RegExp][] = [
  ['empty input', new Uint8Array(0), /not a \.npy array/],
  ['bad magic', Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x58, ...good.subarray(6)]), /not a \.npy array.*magic/],
  ['a zip file', Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0]), /magic/],
  ['version 4.0', Uint8Array.from([...good.subarray(0, 6), 4, 0, ...good.subarray(8)]), /unsupported \.npy format version 4\.0/],
  ['version 1.1', Uint8Array.from([...good.subarray(0, 6), 1, 1, ...good.subarray(8)]), /version 1\.1/],
  ['header length past the end', Uint8Array.from([...good.subarray(0, 8), 0xff, 0xff, ...good.subarray(10)]), /header length 65535 runs past the end/],
  ['v2 length field cut', Uint8Array.from([...good.subarray(0, 6), 2, 0, 0x10, 0]), /ends inside the header length/],
  ['magic and version only', good.subarray(0, 8), /ends inside the header length/],
  ['not a dict', withHeader("['descr', '<f4']"), /header is not a dict/],
  ['unclosed dict', withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (3,)"), /not a valid dict literal.*expected ',' or '}'/],
  ['garbage', withHeader("{'descr': <f4}"), /not a valid dict literal.*unexpected "<"/],
  ['unterminated string', withHeader("{'descr: '<f4}"), /not a valid dict literal.*(unterminated string|expected ':')/],
  ['text after the dict', withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), } x"), /unexpected text after the dict/],
  ['missing shape', withHeader("{'descr': '<f4', 'fortran_order': False}"), /exactly the keys 'descr', 'fortran_order', 'shape', got 'descr', 'fortran_order'/],
  ['extra key', withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': 1}"), /exactly the keys.*'x'/],
  ['repeated key', withHeader("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (3,)}"), /repeated key 'descr'/],
  ['negative dimension', withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-3,)}"), /'shape' must be a tuple of non-negative integers/],
  ['string shape', withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': '3'}"), /'shape' must be a tuple/],
  ['fortran_order not a bool', withHeader("{'descr': '<f4', 'fortran_order': 0, 'shape': (3,)}"), /'fortran_order' must be True or False/],
  ['descr not a string', withHeader("{'descr': 4, 'fortran_order': False, 'shape': (3,)}"), /'descr' must be a string/],
  ['structured dtype', withHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,)}"), /structured dtypes/],
  ['pickled objects', encodeNpy('|O', [3], new Uint8Array(24)), /pickled Python objects/],
  ['unknown dtype c8', encodeNpy('<c8', [3], new Uint8Array(24)), /unknown dtype '<c8'/],
  ['unknown dtype f2', encodeNpy('<f2', [3], new Uint8Array(6)), /unknown dtype '<f2'/],
  ['datetime', encodeNpy('<M8[ns]', [3], new Uint8Array(24)), /unknown dtype '<M8\[ns\]'/],
  ['no byte order on f4', encodeNpy('|f4', [3], f4), /'\|f4' needs a byte order/],
  ['native order', encodeNpy('=f4', [3], f4), /native byte order '='/],
  ['no byte order on U', encodeNpy('|U2', [1], new Uint8Array(8)), /'\|U2' needs a byte order/],
  ['data shorter than the shape says', encodeNpy('<f4', [4], f4), /data is 12 bytes but shape \(4\) of <f4 needs 16/],
  ['data longer than the shape says', encodeNpy('<f4', [2], f4), /4 bytes follow the 8 bytes that shape \(2\)/],
  ['0-d with no data', encodeNpy('<f8', [], new Uint8Array(0)), /data is 0 bytes but shape \(\) of <f8 needs 8/],
  ['shape too large', withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296)}"), /too large/],
  ['invalid utf-8 in a v3 header', (() => { const b = encodeNpy('<f4', [3], f4, { version: 3 }); b[13] = 0xff; return b; })(), /version 3\.0 header must be valid UTF-8/],
  ['code point past U+10FFFF', encodeNpy('<U1', [1], Uint8Array.of(0, 0, 0x11, 0)), /not a Unicode code point/],
];

for (const [what, bytes, pattern] of MALFORMED) {
  test(`readNpy rejects ${what} with a FormatError that says so`, () => {
    assert.throws(() => readNpy(bytes, { name: 'x.npy' }), (e: unknown) => {
      assert.ok(e instanceof FormatError, `expected FormatError, got ${String(e)}`);
      assert.match(e.message, /^readNpy: 'x\.npy': /);
      assert.match(e.message, pattern);
      return true;
    });
  });
}

test('readNpy names no file when none is given, and rejects a non-Uint8Array with InputError', () => {
  assert.throws(() => readNpy(new Uint8Array(3)), (e: unknown) => e instanceof FormatError && /^readNpy: not a \.npy array/.test(e.message));
  assert.throws(() => readNpy([1, 2, 3] as never), (e: unknown) => e instanceof InputError && /^readNpy: bytes must be a Uint8Array/.test(e.message));
  assert.throws(() => readNpy(new ArrayBuffer(8) as never), InputError);
});

test('readNpy reads a member that starts at an odd byte offset (copies into an aligned buffer)', () => {
  const bytes = encodeNpy('<f8', [2], bytesOf(Float64Array.of(1.25, -3)));
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  assert.deepEqual(Array.from(readNpy(shifted.subarray(3)).data as Float64Array), [1.25, -3]);
  assert.equal(shapeRepr([7]), '(7,)'); // the encoder writes 1-tuples the way Python does
});
