// Regression tests for issue 13's parser defects: headers that recursed, allocated or looped, zip
// directories read two ways, inflated sizes without a cap. Each case failed on main before this change
// (a RangeError, a silent subset, or seconds of work) and must now be a FormatError naming the member
// and the field, thrown quickly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readNpy, readNpz, loadGraph, FormatError, NarrowgtError } from '../../src/index.js';
import { encodeNpy, encodeNpz, npy } from '../support/npy-encode.js';

/** Runs fn, asserts it throws a FormatError matching `pattern` within `ms` milliseconds. */
function rejectsQuickly(fn: () => unknown, pattern: RegExp, ms = 1000): void {
  const t0 = performance.now();
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof FormatError, `expected FormatError, got ${String(e)}`);
    assert.match((e as Error).message, pattern);
    return true;
  });
  const took = performance.now() - t0;
  assert.ok(took < ms, `took ${took.toFixed(0)} ms (limit ${ms})`);
}

const GRAPH = {
  node_features: npy.f4([3, 2], [1, 2, 3, 4, 5, 6]),
  node_labels: npy.i8([3], [0, 1, 0]),
  edges: npy.i8([2, 2], [0, 1, 1, 2]),
  train_masks: npy.b1([1, 3], [1, 0, 0]),
  val_masks: npy.b1([1, 3], [0, 1, 0]),
  test_masks: npy.b1([1, 3], [0, 0, 1]),
};

test('a header of 3,000 nested parentheses is a FormatError from readNpy, readNpz and loadGraph, not a stack overflow', () => {
  const deep = `{'descr': '<f4', 'fortran_order': False, 'shape': ${'('.repeat(3000)}${')'.repeat(3000)}, }`;
  const bytes = encodeNpy('<f4', [], new Uint8Array(0), { header: deep });
  rejectsQuickly(() => readNpy(bytes), /^readNpy: header is not a valid dict literal \(nesting deeper than 16 levels/);
  rejectsQuickly(() => readNpz(encodeNpz({ x: bytes }, 6)), /^readNpz: member 'x': header is not a valid dict literal \(nesting/);
  rejectsQuickly(() => loadGraph(encodeNpz({ ...GRAPH, node_features: bytes }, 6)), /^loadGraph: member 'node_features': header .*nesting/);
  // nesting within the limit still parses
  const ok = encodeNpy('<f4', [2], new Uint8Array(8), { header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': [[[(1,)]]], }" });
  rejectsQuickly(() => readNpy(ok), /keys 'descr', 'fortran_order', 'shape', got 'descr', 'fortran_order', 'shape', 'x'/);
});

test("'<U0' elements take no bytes, so their count is bounded by the file's size before anything is allocated", () => {
  rejectsQuickly(() => readNpy(encodeNpy('<U0', [1e12], new Uint8Array(0))), /^readNpy: header 'shape' \(1000000000000\) of 0-byte '<U0' elements asks for 1000000000000/);
  rejectsQuickly(() => readNpy(encodeNpy('<U0', [1e8], new Uint8Array(0))), /asks for 100000000, more than the file's 128 bytes allow/, 500);
  const few = readNpy(encodeNpy('<U0', [3], new Uint8Array(0)));
  assert.deepEqual(few.data, ['', '', '']);
});

test('a header longer than 256 KiB is rejected before its text is decoded', () => {
  const bytes = new Uint8Array(12 + 10);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
  new DataView(bytes.buffer).setUint32(8, 2 ** 31, true);
  rejectsQuickly(() => readNpy(bytes), /^readNpy: header length 2147483648 exceeds the 262144-byte limit/);
});

const SHCHUR = {
  adj_data: npy.f4([2], [1, 1]),
  adj_indices: npy.i4([2], [1, 0]),
  adj_indptr: npy.i4([3], [0, 1, 2]),
  adj_shape: npy.i8([2], [2, 2]),
  attr_data: npy.f4([1], [1]),
  attr_indices: npy.i4([1], [0]),
  attr_indptr: npy.i4([3], [0, 1, 1]),
  labels: npy.i1([2], [0, 1]),
};

test("the Shchur layout's attr_shape is checked against the size limit before the dense features are allocated", () => {
  for (const f of [2 ** 31 - 1, 1e8]) {
    const zip = encodeNpz({ ...SHCHUR, attr_shape: npy.i8([2], [2, f]) }, 6);
    rejectsQuickly(() => loadGraph(zip), new RegExp(`^loadGraph: member 'attr_shape' is \\(2, ${f}\\): dense f32 features would take ${8 * f} bytes`));
  }
  const g = loadGraph(encodeNpz({ ...SHCHUR, attr_shape: npy.i8([2], [2, 3]) }, 6));
  assert.deepEqual(Array.from(g.features.data), [1, 0, 0, 0, 0, 0]);
  g.free();
});

// --- zip structure (PKWARE APPNOTE.TXT) ----------------------------------------------------------------

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const eocdOf = (zip: Uint8Array) => zip.length - 22; // fflate writes no comment
/** Offsets of the central directory entries. */
function centralEntries(zip: Uint8Array): number[] {
  const d = dv(zip), out: number[] = [];
  let o = d.getUint32(eocdOf(zip) + 16, true);
  for (let e = 0; e < d.getUint16(eocdOf(zip) + 10, true); e++) {
    out.push(o);
    o += 46 + d.getUint16(o + 28, true) + d.getUint16(o + 30, true) + d.getUint16(o + 32, true);
  }
  return out;
}

test("an end record whose two entry counts disagree is a FormatError, not a silent subset of the members", () => {
  const zip = encodeNpz(GRAPH, 6);
  dv(zip).setUint16(eocdOf(zip) + 8, 2, true); // entries on this disk: 2 of 6
  rejectsQuickly(() => readNpz(zip), /^readNpz: end record: entries on this disk \(2\) and total entries \(6\) disagree/);
  const total = encodeNpz(GRAPH, 6);
  dv(total).setUint16(eocdOf(total) + 10, 2, true);
  rejectsQuickly(() => readNpz(total), /^readNpz: end record: entries on this disk \(6\) and total entries \(2\) disagree/);
});

/** The archive with a zip64 end record and locator inserted before the end record (APPNOTE 4.3.14-15). */
function withZip64(zip: Uint8Array, markers: boolean, count64?: number): Uint8Array {
  const e = eocdOf(zip), d = dv(zip);
  const count = d.getUint16(e + 10, true), size = d.getUint32(e + 12, true), offset = d.getUint32(e + 16, true);
  const out = new Uint8Array(zip.length + 76);
  out.set(zip.subarray(0, e));
  const o = dv(out);
  o.setUint32(e, 0x06064b50, true);
  o.setBigUint64(e + 4, 44n, true);
  o.setUint16(e + 12, 45, true); o.setUint16(e + 14, 45, true);
  o.setBigUint64(e + 24, BigInt(count64 ?? count), true);
  o.setBigUint64(e + 32, BigInt(count64 ?? count), true);
  o.setBigUint64(e + 40, BigInt(size), true);
  o.setBigUint64(e + 48, BigInt(offset), true);
  o.setUint32(e + 56, 0x07064b50, true);
  o.setBigUint64(e + 64, BigInt(e), true);
  o.setUint32(e + 72, 1, true);
  out.set(zip.subarray(e), e + 76);
  if (markers) {
    const f = e + 76;
    o.setUint16(f + 8, 0xffff, true); o.setUint16(f + 10, 0xffff, true);
    o.setUint32(f + 12, 0xffffffff, true); o.setUint32(f + 16, 0xffffffff, true);
  }
  return out;
}

test('a zip64 locator is followed: every member is read (as numpy reads them), and a disagreeing zip64 record is a FormatError', () => {
  const zip = encodeNpz(GRAPH, 6);
  for (const markers of [false, true]) {
    const got = readNpz(withZip64(zip, markers));
    assert.deepEqual([...got.keys()].sort(), Object.keys(GRAPH).sort(), `markers ${markers}`);
  }
  rejectsQuickly(() => readNpz(withZip64(zip, false, 3)), /^readNpz: end record and zip64 end record disagree \(entries 6 vs 3/);
});

test("a member whose local header names it differently from the central directory is a FormatError naming it", () => {
  const zip = encodeNpz(GRAPH, 6);
  zip[30] ^= 0x20; // first letter of the first local header's name: 'n' → 'N'
  rejectsQuickly(() => readNpz(zip), /^readNpz: member 'node_features\.npy': local header names it 'Node_features\.npy'/);
});

test('declared sizes are checked against maxBytes before inflating, and a member must inflate to exactly its declared size', () => {
  const big = encodeNpz({ zeros: encodeNpy('<f8', [125_000], new Uint8Array(1_000_000)) }, 6);
  assert.ok(big.length < 10_000, 'the member compresses well');
  rejectsQuickly(() => readNpz(big, { maxBytes: 100_000 }), /^readNpz: the members declare 1000128 bytes uncompressed, more than maxBytes = 100000/);
  assert.equal(readNpz(big).get('zeros')!.data.length, 125_000);
  // three flipped bits in the central directory's size field: 2 GiB is refused before any inflating or CRC
  const lie = big.slice();
  const cd = centralEntries(lie)[0];
  dv(lie).setUint32(cd + 24, dv(lie).getUint32(cd + 24, true) | 0x80000000, true);
  rejectsQuickly(() => readNpz(lie), /^readNpz: the members declare 2148483776 bytes uncompressed, more than maxBytes = 268435456/, 200);
  // a smaller lie: the inflated bytes do not match the declared size (the CRC runs over declared bytes only)
  const short = big.slice();
  dv(short).setUint32(centralEntries(short)[0] + 24, 1000, true);
  rejectsQuickly(() => readNpz(short), /^readNpz: member 'zeros' inflates to more than 1000 bytes but its directory entry declares size 1000/);
  const long = big.slice();
  dv(long).setUint32(centralEntries(long)[0] + 24, 2_000_000, true);
  rejectsQuickly(() => readNpz(long), /^readNpz: member 'zeros' inflates to 1000128 bytes but its directory entry declares size 2000000/);
});

test('a stored member whose sizes disagree, or whose bytes run into the central directory, is a FormatError', () => {
  const zip = encodeNpz(GRAPH, 0);
  const cd = centralEntries(zip)[0];
  dv(zip).setUint32(cd + 20, dv(zip).getUint32(cd + 20, true) + 1, true);
  rejectsQuickly(() => readNpz(zip), /^readNpz: member 'node_features\.npy': stored member's compressed size/);
  const both = encodeNpz(GRAPH, 0);
  const last = centralEntries(both).at(-1)!;
  dv(both).setUint32(last + 20, 1e6, true); dv(both).setUint32(last + 24, 1e6, true);
  rejectsQuickly(() => readNpz(both), /^readNpz: member 'test_masks\.npy': compressed size 1000000 at offset \d+ runs into the central directory/);
});

test('readNpy and readNpz read a Node Buffer view (a pooled slice of a larger buffer) correctly', () => {
  const file = npy.f8([3], [1.5, -2, 3]);
  const pool = new Uint8Array(file.length + 13);
  pool.set(file, 13);
  const view = Buffer.from(pool.buffer, 13, file.length); // a Buffer's slice() is a view: it must not be relied on to copy
  assert.deepEqual(Array.from(readNpy(view).data as Float64Array), [1.5, -2, 3]);
  const zip = encodeNpz({ a: file }, 0);
  const zpool = new Uint8Array(zip.length + 5);
  zpool.set(zip, 5);
  assert.deepEqual(Array.from(readNpz(Buffer.from(zpool.buffer, 5, zip.length)).get('a')!.data as Float64Array), [1.5, -2, 3]);
});

test('options = null is an InputError (a NarrowgtError), not a TypeError from reading a property of null', () => {
  const zip = encodeNpz(GRAPH, 6);
  for (const call of [() => readNpy(npy.f4([1], [1]), null as never), () => readNpz(zip, null as never), () => loadGraph(zip, null as never)]) {
    assert.throws(call, (e: unknown) => e instanceof NarrowgtError && /options must be an object/.test((e as Error).message));
  }
});
