import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zipSync } from 'fflate';
import { readNpz, FormatError, InputError } from '../../src/index.js';
import { encodeNpz, npy } from '../support/npy-encode.js';

const MEMBERS = {
  features: npy.f4([2, 3], [1, 2, 3, 4, 5, 6]),
  edges: npy.i8([2, 2], [0, 1, 1, 0]),
  names: npy.u([2], ['node a', 'b'], 6),
  scalar: npy.f8([], [0.5]),
};

/** The compression method of each local file header (0 = stored, 8 = deflate), from PKWARE APPNOTE 4.3.7. */
function methods(zip: Uint8Array): number[] {
  const out: number[] = [];
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let o = 0; o + 30 <= zip.length;) {
    if (dv.getUint32(o, true) !== 0x04034b50) break;
    out.push(dv.getUint16(o + 8, true));
    o += 30 + dv.getUint16(o + 26, true) + dv.getUint16(o + 28, true) + dv.getUint32(o + 18, true);
  }
  return out;
}

for (const level of [0, 6] as const) {
  test(`readNpz decodes every member of a ${level === 0 ? 'stored' : 'deflated'} archive (zipSync level ${level}) under its name without '.npy'`, () => {
    const zip = encodeNpz(MEMBERS, level);
    assert.deepEqual(methods(zip), Array(4).fill(level === 0 ? 0 : 8), 'the archive really uses that compression method');
    const got = readNpz(zip);
    assert.deepEqual([...got.keys()].sort(), ['edges', 'features', 'names', 'scalar']);
    assert.deepEqual(got.get('features')!.shape, [2, 3]);
    assert.deepEqual(Array.from(got.get('features')!.data as Float32Array), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(Array.from(got.get('edges')!.data as BigInt64Array), [0n, 1n, 1n, 0n]);
    assert.deepEqual(got.get('names')!.data, ['node a', 'b']);
    assert.deepEqual(got.get('scalar')!.shape, []);
    assert.deepEqual(Array.from(got.get('scalar')!.data as Float64Array), [0.5]);
  });
}

// Archives written by NumPy 2.4.6 on this project's machine:
//   np.savez(f, x=np.array([1.5, -2.0], dtype='<f4'), idx=np.array([[0, 1], [1, 2]], dtype='<i8'))
// and the same with np.savez_compressed. NumPy writes zip64 local headers (force_zip64=True).
const NUMPY_NPZ = {
  savez: 'UEsDBC0AAAAAAAAAIQDWQ0sF//////////8FABQAeC5ucHkBABAAiAAAAAAAAACIAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxmNCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgyLCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAADAPwAAAMBQSwMELQAAAAAAAAAhAMbEQLP//////////wcAFABpZHgubnB5AQAQAKAAAAAAAAAAoAAAAAAAAACTTlVNUFkBAHYAeydkZXNjcic6ICc8aTgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgCgAAAAAAAAAAAQAAAAAAAAABAAAAAAAAAAIAAAAAAAAAUEsBAi0DLQAAAAAAAAAhANZDSwWIAAAAiAAAAAUAAAAAAAAAAAAAAIABAAAAAHgubnB5UEsBAi0DLQAAAAAAAAAhAMbEQLOgAAAAoAAAAAcAAAAAAAAAAAAAAIABvwAAAGlkeC5ucHlQSwUGAAAAAAIAAgBoAAAAmAEAAAAA',
  savez_compressed: 'UEsDBC0AAAAIAAAAIQDWQ0sF//////////8FABQAeC5ucHkBABAAiAAAAAAAAABLAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TZqKuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkY6mjoKtQoUAC4GhgP2DEACAFBLAwQtAAAACAAAACEAxsRAs///////////BwAUAGlkeC5ucHkBABAAoAAAAAAAAABOAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TaaGuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkY6CkaaOgq1CmQDLgYoYESjmaA0AFBLAQItAy0AAAAIAAAAIQDWQ0sFSwAAAIgAAAAFAAAAAAAAAAAAAACAAQAAAAB4Lm5weVBLAQItAy0AAAAIAAAAIQDGxECzTgAAAKAAAAAHAAAAAAAAAAAAAACAAYIAAABpZHgubnB5UEsFBgAAAAACAAIAaAAAAAkBAAAAAA==',
};

for (const [writer, b64] of Object.entries(NUMPY_NPZ)) {
  test(`readNpz decodes an archive NumPy's ${writer} wrote (zip64 local headers)`, () => {
    const got = readNpz(new Uint8Array(Buffer.from(b64, 'base64')));
    assert.deepEqual(Array.from(got.get('x')!.data as Float32Array), [1.5, -2]);
    assert.deepEqual(got.get('idx')!.shape, [2, 2]);
    assert.deepEqual(Array.from(got.get('idx')!.data as BigInt64Array), [0n, 1n, 1n, 2n]);
  });
}

test('readNpz with options.members decodes only those members and skips directory entries', () => {
  const zip = zipSync({ 'dir/': new Uint8Array(0), 'a.npy': MEMBERS.features, 'b.npy': new Uint8Array([1, 2, 3]) }, { level: 6 });
  const got = readNpz(zip, { members: ['a', 'missing'] });
  assert.deepEqual([...got.keys()], ['a']); // 'b' is malformed but never decoded
  assert.throws(() => readNpz(zip), (e: unknown) => e instanceof FormatError && /^readNpz: member 'b': not a \.npy array/.test(e.message));
  assert.throws(() => readNpz(zip, { members: [3] as never }), InputError);
});

test('readNpz rejects bytes that are not a zip, a truncated zip, and non-Uint8Array input', () => {
  const zip = encodeNpz(MEMBERS, 6);
  const check = (bytes: Uint8Array, pattern: RegExp) => assert.throws(() => readNpz(bytes), (e: unknown) => {
    assert.ok(e instanceof FormatError, `expected FormatError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
  check(new Uint8Array(0), /^readNpz: not a zip archive \(no end-of-central-directory record\)/);
  check(new Uint8Array(200).fill(7), /^readNpz: not a zip archive/);
  check(MEMBERS.features, /^readNpz: not a zip archive/); // a bare .npy is not an .npz
  check(zip.subarray(0, zip.length - 30), /^readNpz: not a zip archive/);
  check(zip.subarray(40), /^readNpz: (central directory entry 0 is damaged|bytes are not a readable zip archive)/);
  assert.throws(() => readNpz('x.npz' as never), (e: unknown) => e instanceof InputError && /^readNpz: bytes must be a Uint8Array/.test(e.message));
});

test('readNpz reports a flipped byte inside a stored member as a CRC mismatch naming the member', () => {
  const zip = encodeNpz({ w: npy.f4([3], [1, 2, 3]) }, 0);
  const at = zip.indexOf(0x80, 30 + 5 + 128); // a byte of the float 1.0 (0x3f800000) inside the stored data
  assert.ok(at > 0);
  const bad = zip.slice();
  bad[at] ^= 0x01;
  assert.throws(() => readNpz(bad), (e: unknown) => e instanceof FormatError && /^readNpz: member 'w' is damaged \(CRC-32 0x[0-9a-f]{8}, the archive records 0x[0-9a-f]{8}\)/.test(e.message));
});

test('readNpz reports a damaged deflate stream as FormatError, never as wrong numbers', () => {
  const zip = encodeNpz({ w: npy.f8([64], Array.from({ length: 64 }, (_, i) => i * 1.5)) }, 6);
  let failures = 0;
  for (let at = 30 + 5; at < 30 + 5 + 40; at++) {
    const bad = zip.slice();
    bad[at] ^= 0x55;
    try {
      readNpz(bad);
    } catch (e) {
      assert.ok(e instanceof FormatError, `byte ${at}: expected FormatError, got ${String(e)}`);
      assert.match(e.message, /^readNpz: /);
      failures++;
      continue;
    }
    assert.fail(`byte ${at} flipped and readNpz returned data`);
  }
  assert.equal(failures, 40);
});

test('readNpz rejects a member that is not a .npy file', () => {
  const zip = zipSync({ 'a.npy': MEMBERS.features, 'notes.txt': new TextEncoder().encode('hi') }, { level: 0 });
  assert.throws(() => readNpz(zip), (e: unknown) => e instanceof FormatError && /member 'notes\.txt' is not a \.npy array/.test(e.message));
});

test('readNpz reads an empty archive (np.savez with no arrays) as an empty Map', () => {
  assert.equal(readNpz(zipSync({})).size, 0);
});
