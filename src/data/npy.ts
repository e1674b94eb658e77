// Reading one NumPy .npy array (format versions 1.0, 2.0 and 3.0) from bytes, in any JavaScript
// runtime: no Node built-ins, no eval. The layout is a 6-byte magic, a version, a little-endian header
// length, a Python dict literal (descr, fortran_order, shape) and the raw elements.
// see: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
import { FormatError, InputError } from '../runtime/errors.js';
import { parseNpyHeader, MAX_HEADER_CHARS } from './npy-header.js';
import { checkOptionsObject } from '../runtime/validate.js';

/** The element types readNpy understands, named as NumPy names them. */
export type NpyDType = 'float32' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'uint32' | 'bool' | 'unicode';

/** The elements of an array, row-major (C order), in the typed array that matches its dtype. */
export type NpyData = Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array
  | Uint32Array | string[];

/** One decoded array. `data.length` is the product of `shape` (1 for a 0-d array). */
export interface NpyArray {
  /** The element type; 'bool' comes as a Uint8Array of 0 and 1, 'unicode' as string[]. */
  readonly dtype: NpyDType;
  /** The dtype string as written in the file, e.g. '<f4', '>i8', '<U7'. */
  readonly descr: string;
  /** Dimensions; [] for a 0-d (scalar) array. */
  readonly shape: readonly number[];
  /** Elements in row-major order (a Fortran-order file is transposed on reading). */
  readonly data: NpyData;
}

export interface ReadNpyOptions {
  /** A name for error messages (e.g. the file name); default none. */
  name?: string;
}

interface DTypeInfo { dtype: NpyDType; size: number }

// kind letter + size in bytes → dtype; unicode ('U') is handled apart (its size is a character count).
const NUMERIC: Record<string, DTypeInfo> = {
  f4: { dtype: 'float32', size: 4 }, f8: { dtype: 'float64', size: 8 },
  i8: { dtype: 'int64', size: 8 }, i4: { dtype: 'int32', size: 4 }, i2: { dtype: 'int16', size: 2 }, i1: { dtype: 'int8', size: 1 },
  u1: { dtype: 'uint8', size: 1 }, u4: { dtype: 'uint32', size: 4 }, b1: { dtype: 'bool', size: 1 },
};
const CTOR = {
  float32: Float32Array, float64: Float64Array, int64: BigInt64Array, int32: Int32Array, int16: Int16Array,
  int8: Int8Array, uint8: Uint8Array, uint32: Uint32Array, bool: Uint8Array,
} as const;

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const HOST_BIG_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 0;

/**
 * Decodes one NumPy `.npy` array from its bytes.
 *
 * Supports format versions 1.0, 2.0 and 3.0 and the dtypes `<f4 <f8 <i8 <i4 <i2 |i1 |u1 <u4 |b1 <U…`
 * (fixed-width UTF-32 strings, trailing NULs stripped as NumPy does). Big-endian files (`>f4` …) are
 * converted to host order, not rejected. A Fortran-order array is transposed so `data` is always
 * row-major. int64 stays exact as a BigInt64Array (callers narrow it with a range check).
 * Cost: one copy of the element bytes, O(size); a Fortran-order array costs one more pass.
 * Reference: the NumPy format specification (numpy.lib.format).
 * Throws InputError when `bytes` is not a Uint8Array; FormatError naming the problem on a bad magic,
 * an unsupported version, a header length past the end, an unparseable or incomplete header dict,
 * an unknown or structured dtype, pickled objects, or data shorter or longer than the shape says.
 */
export function readNpy(bytes: Uint8Array, options: ReadNpyOptions = {}): NpyArray {
  if (!(bytes instanceof Uint8Array)) throw new InputError('readNpy: bytes must be a Uint8Array');
  checkOptionsObject('readNpy', options);
  if (options.name !== undefined && typeof options.name !== 'string') throw new InputError('readNpy: options.name must be a string');
  return parseNpy(options.name === undefined ? 'readNpy' : `readNpy: '${options.name}'`, bytes);
}

/** readNpy without the argument checks; `where` starts every error message (used by readNpz). */
export function parseNpy(where: string, bytes: Uint8Array): NpyArray {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new FormatError(`${where}: not a .npy array (the first bytes are not the magic "\\x93NUMPY")`);
  }
  const major = bytes[6], minor = bytes[7];
  if (major < 1 || major > 3 || minor !== 0) throw new FormatError(`${where}: unsupported .npy format version ${major}.${minor} (1.0, 2.0, 3.0 are read)`);
  const lenBytes = major === 1 ? 2 : 4;
  const start = 8 + lenBytes;
  if (bytes.length < start) throw new FormatError(`${where}: file ends inside the header length field`);
  const headerLen = lenBytes === 2 ? bytes[8] | (bytes[9] << 8) : (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16)) + bytes[11] * 2 ** 24;
  const dataStart = start + headerLen;
  if (headerLen > 4 * MAX_HEADER_CHARS) {
    throw new FormatError(`${where}: header length ${headerLen} exceeds the ${4 * MAX_HEADER_CHARS}-byte limit of a .npy header`);
  }
  if (dataStart > bytes.length) {
    throw new FormatError(`${where}: header length ${headerLen} runs past the end of the ${bytes.length}-byte file`);
  }
  const header = parseNpyHeader(where, decodeHeaderText(where, bytes.subarray(start, dataStart), major));
  const { dtype, itemSize, unicodeChars, bigEndian } = parseDescr(where, header.descr);
  const shape = header.shape;
  const have = bytes.length - dataStart;
  // The element count is checked against the bytes present before anything is allocated: a shape
  // of 10¹² elements in a 100-byte file is a FormatError, not an allocation attempt.
  let count = 1;
  for (const d of shape) count *= d;
  if (shape.includes(0)) count = 0;
  // Elements of 0 bytes ('<U0') occupy nothing in the file, so the byte count below cannot bound them;
  // they decode to empty strings, and no more of them are accepted than the file has bytes.
  if (itemSize === 0 && count > bytes.length) {
    throw new FormatError(`${where}: header 'shape' (${shape.join(', ')}) of 0-byte '${header.descr}' elements asks for ${count}, more than the file's ${bytes.length} bytes allow`);
  }
  const nbytes = count * itemSize;
  if (!Number.isSafeInteger(nbytes)) throw new FormatError(`${where}: shape (${shape.join(', ')}) is too large`);
  if (have < nbytes) {
    throw new FormatError(`${where}: data is ${have} bytes but shape (${shape.join(', ')}) of ${header.descr} needs ${nbytes} (truncated file?)`);
  }
  if (have > nbytes) {
    throw new FormatError(`${where}: ${have - nbytes} bytes follow the ${nbytes} bytes that shape (${shape.join(', ')}) of ${header.descr} needs`);
  }
  let data: NpyData = dtype === 'unicode'
    ? decodeUnicode(where, bytes, dataStart, count, unicodeChars, bigEndian)
    : decodeNumeric(dtype, bytes, dataStart, count, itemSize, bigEndian);
  if (header.fortranOrder && shape.length > 1 && count > 0) data = fortranToRowMajor(data, shape);
  return { dtype, descr: header.descr, shape: [...shape], data };
}

function decodeHeaderText(where: string, raw: Uint8Array, major: number): string {
  if (major === 3) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new FormatError(`${where}: a version 3.0 header must be valid UTF-8`);
    }
  }
  let s = '';
  for (let i = 0; i < raw.length; i++) s += String.fromCharCode(raw[i]); // latin-1
  return s;
}

function parseDescr(where: string, descr: string): { dtype: NpyDType; itemSize: number; unicodeChars: number; bigEndian: boolean } {
  if (/^[|<>=]?O/.test(descr)) throw new FormatError(`${where}: dtype '${descr}' holds pickled Python objects, which are never read`);
  const m = /^([|<>=]?)([a-zA-Z])(\d+)$/.exec(descr);
  if (!m) throw new FormatError(`${where}: unknown dtype '${descr}'`);
  const [, order, kind, sizeText] = m;
  const size = Number(sizeText);
  // '=' means "the writer's native order", which a file cannot tell us; NumPy always writes '<' or '>'.
  if (order === '=') throw new FormatError(`${where}: dtype '${descr}' has native byte order '=', ambiguous in a file`);
  const bigEndian = order === '>';
  if (kind === 'U') {
    if (order !== '<' && order !== '>') throw new FormatError(`${where}: dtype '${descr}' needs a byte order ('<' or '>')`);
    return { dtype: 'unicode', itemSize: 4 * size, unicodeChars: size, bigEndian };
  }
  const info = NUMERIC[kind + sizeText];
  if (!info) throw new FormatError(`${where}: unknown dtype '${descr}' (read: <f4 <f8 <i8 <i4 <i2 |i1 |u1 <u4 |b1 <U…)`);
  if (info.size > 1 && order !== '<' && order !== '>') throw new FormatError(`${where}: dtype '${descr}' needs a byte order ('<' or '>')`);
  return { dtype: info.dtype, itemSize: size, unicodeChars: 0, bigEndian };
}

function decodeNumeric(dtype: Exclude<NpyDType, 'unicode'>, bytes: Uint8Array, start: number, count: number, size: number,
  bigEndian: boolean): Exclude<NpyData, string[]> {
  // Uint8Array's slice() copies into a fresh, aligned buffer: the zip member's offset need not be a multiple
  // of 8. Called through the prototype because a Node Buffer's own slice() returns a view, not a copy.
  const copy = Uint8Array.prototype.slice.call(bytes, start, start + count * size);
  if (size > 1 && bigEndian !== HOST_BIG_ENDIAN) {
    for (let o = 0; o < copy.length; o += size) copy.subarray(o, o + size).reverse();
  }
  const out = new CTOR[dtype](copy.buffer, 0, count);
  if (dtype === 'bool') for (let i = 0; i < count; i++) out[i] = out[i] ? 1 : 0; // NumPy reads any non-zero byte as True
  return out;
}

function decodeUnicode(where: string, bytes: Uint8Array, start: number, count: number, chars: number, bigEndian: boolean): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, count * chars * 4);
  const out = new Array<string>(count);
  const codes: number[] = [];
  for (let i = 0; i < count; i++) {
    codes.length = 0;
    for (let c = 0; c < chars; c++) {
      const cp = view.getUint32((i * chars + c) * 4, !bigEndian);
      if (cp > 0x10ffff) throw new FormatError(`${where}: element ${i} holds ${cp.toString(16)}, not a Unicode code point`);
      codes.push(cp);
    }
    let end = codes.length;
    while (end > 0 && codes[end - 1] === 0) end--; // NumPy pads short strings with NULs and strips them on reading
    let s = '';
    for (let c = 0; c < end; c++) s += String.fromCodePoint(codes[c]);
    out[i] = s;
  }
  return out;
}

/** Reorders column-major elements (first index fastest) into row-major order (last index fastest). */
function fortranToRowMajor<D extends NpyData>(src: D, shape: readonly number[]): D {
  const nd = shape.length, count = src.length;
  const out = (Array.isArray(src) ? new Array<string>(count) : new (src.constructor as new (n: number) => D)(count)) as D;
  const fStride = new Array<number>(nd);
  fStride[0] = 1;
  for (let k = 1; k < nd; k++) fStride[k] = fStride[k - 1] * shape[k - 1];
  const idx = new Array<number>(nd).fill(0);
  let f = 0;
  for (let c = 0; c < count; c++) {
    (out as unknown as unknown[])[c] = (src as unknown as unknown[])[f];
    // advance the row-major multi-index, keeping f = Σ idx[k]·fStride[k]
    for (let k = nd - 1; k >= 0; k--) {
      idx[k]++;
      f += fStride[k];
      if (idx[k] < shape[k]) break;
      f -= idx[k] * fStride[k];
      idx[k] = 0;
    }
  }
  return out;
}
