// A tiny .npy / .npz writer for tests, written from the format description (numpy.lib.format), so the
// reader is tested against bytes it did not produce itself. Little-endian host assumed (checked).
import { zipSync } from 'fflate';

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('npy-encode: tests assume a little-endian host');

export interface NpyEncodeOptions {
  fortranOrder?: boolean;
  /** Format version 1, 2 or 3 (default 1). */
  version?: 1 | 2 | 3;
  /** Use this header text verbatim instead of the dict built from descr/shape/fortranOrder. */
  header?: string;
}

/** Python's repr of a shape tuple: (), (5,), (2, 3). */
export function shapeRepr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** The bytes of a .npy file holding `payload` (the raw element bytes, already in file order). */
export function encodeNpy(descr: string, shape: readonly number[], payload: Uint8Array, options: NpyEncodeOptions = {}): Uint8Array {
  const version = options.version ?? 1;
  const dict = options.header ?? `{'descr': '${descr}', 'fortran_order': ${options.fortranOrder ? 'True' : 'False'}, 'shape': ${shapeRepr(shape)}, }`;
  const prefix = version === 1 ? 10 : 12;
  let text = new TextEncoder().encode(dict);
  // pad with spaces and end with '\n' so that the data starts on a 64-byte boundary, as NumPy does
  const total = Math.ceil((prefix + text.length + 1) / 64) * 64;
  const header = new Uint8Array(total - prefix).fill(0x20);
  header.set(text);
  header[header.length - 1] = 0x0a;
  text = header;
  const out = new Uint8Array(prefix + text.length + payload.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, text.length, true);
  else dv.setUint32(8, text.length, true);
  out.set(text, prefix);
  out.set(payload, prefix + text.length);
  return out;
}

/** The little-endian bytes of a typed array's elements (a copy). */
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

/** Reverses every `size`-byte group (little ↔ big endian). */
export function swapBytes(bytes: Uint8Array, size: number): Uint8Array {
  const out = bytes.slice();
  for (let o = 0; o < out.length; o += size) out.subarray(o, o + size).reverse();
  return out;
}

/** Fixed-width UTF-32 (NumPy '<U{width}') bytes of `strings`, NUL-padded. */
export function utf32(strings: readonly string[], width: number, bigEndian = false): Uint8Array {
  const out = new Uint8Array(strings.length * width * 4);
  const dv = new DataView(out.buffer);
  strings.forEach((s, i) => {
    const cps = [...s].map((c) => c.codePointAt(0)!);
    if (cps.length > width) throw new Error(`utf32: '${s}' is longer than ${width}`);
    cps.forEach((cp, c) => dv.setUint32((i * width + c) * 4, cp, !bigEndian));
  });
  return out;
}

/** An .npz archive of the given .npy files (names without '.npy'); level 0 stores, level 6 deflates. */
export function encodeNpz(members: Record<string, Uint8Array>, level: 0 | 6): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [name, bytes] of Object.entries(members)) files[`${name}.npy`] = bytes;
  return zipSync(files, { level });
}

/** Shorthands for the members of a synthetic graph. */
export const npy = {
  f4: (shape: number[], values: ArrayLike<number>) => encodeNpy('<f4', shape, bytesOf(Float32Array.from(values))),
  f8: (shape: number[], values: ArrayLike<number>) => encodeNpy('<f8', shape, bytesOf(Float64Array.from(values))),
  i8: (shape: number[], values: ArrayLike<number | bigint>) => encodeNpy('<i8', shape, bytesOf(BigInt64Array.from(values, (v) => BigInt(v)))),
  i4: (shape: number[], values: ArrayLike<number>) => encodeNpy('<i4', shape, bytesOf(Int32Array.from(values))),
  i1: (shape: number[], values: ArrayLike<number>) => encodeNpy('|i1', shape, bytesOf(Int8Array.from(values))),
  b1: (shape: number[], values: ArrayLike<number>) => encodeNpy('|b1', shape, Uint8Array.from(values)),
  u: (shape: number[], strings: string[], width: number) => encodeNpy(`<U${width}`, shape, utf32(strings, width)),
};
