// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
// {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {string: string}}, then the
// raw little-endian tensor bytes. Written here rather than taken from npm: the only package of that name
// (safetensors@0.0.1) is an unmaintained placeholder, and the format is ~100 lines with strict validation.
// see: https://github.com/huggingface/safetensors (format description in its README)
import { FormatError, InputError } from '../runtime/errors.js';

/**
 * The dtypes narrowgt reads and writes (safetensors names). F16 and BF16 (what most PyTorch and Hugging Face
 * checkpoints hold) are read into a Float32Array — exactly: every half and bfloat16 value is an f32 — and
 * written from a Float32Array or Float64Array on request (a tensor's `dtype: 'F16'`), rounded to nearest even.
 */
export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';
type Data = Float64Array | Float32Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

export interface SafeTensor {
  dtype: SafetensorsDType;
  shape: number[];
  data: Data;
}

const INFO: Record<SafetensorsDType, { bytes: number; ctor: { new (b: ArrayBuffer, o: number, n: number): Data } }> = {
  F64: { bytes: 8, ctor: Float64Array }, F32: { bytes: 4, ctor: Float32Array }, I64: { bytes: 8, ctor: BigInt64Array },
  F16: { bytes: 2, ctor: Uint16Array as never }, BF16: { bytes: 2, ctor: Uint16Array as never },
  I32: { bytes: 4, ctor: Int32Array }, I16: { bytes: 2, ctor: Int16Array }, I8: { bytes: 1, ctor: Int8Array },
  U8: { bytes: 1, ctor: Uint8Array }, BOOL: { bytes: 1, ctor: Uint8Array },
};

const MAX_HEADER = 100 * 1024 * 1024; // the reference implementation's limit

// The format is little-endian; typed arrays use the platform's order, which is little-endian on every runtime we target.
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function product(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Parses a .safetensors file. Returns the tensors by name and the optional string metadata. F16 and BF16
 * tensors come back with that dtype and their values, exactly, in a Float32Array.
 * Throws FormatError naming the problem: header length beyond the file, header not JSON, unknown dtype,
 * shape × dtype size ≠ byte range, offsets out of range, overlapping or gapped tensors.
 */
export function readSafetensors(bytes: Uint8Array): { tensors: Map<string, SafeTensor>; metadata: Record<string, string> } {
  const fn = 'readSafetensors';
  if (!(bytes instanceof Uint8Array)) throw new InputError(`${fn}: bytes must be a Uint8Array`);
  if (!littleEndian) throw new FormatError(`${fn}: big-endian platforms are not supported`);
  if (bytes.length < 8) throw new FormatError(`${fn}: file has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n > MAX_HEADER) throw new FormatError(`${fn}: header length ${n} exceeds the ${MAX_HEADER}-byte limit`);
  if (8 + n > bytes.length) throw new FormatError(`${fn}: header length ${n} runs past the end of the ${bytes.length}-byte file`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new FormatError(`${fn}: header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new FormatError(`${fn}: header must be a JSON object`);
  const body = bytes.subarray(8 + n);
  const metadata: Record<string, string> = Object.create(null); // '__proto__' is a legal key
  const entries: { name: string; dtype: SafetensorsDType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null) throw new FormatError(`${fn}: __metadata__ must be an object of strings`);
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') throw new FormatError(`${fn}: __metadata__.${k} must be a string`);
        metadata[k] = v;
      }
      continue;
    }
    const t = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof t !== 'object' || t === null) throw new FormatError(`${fn}: tensor '${name}' must be an object`);
    if (typeof t.dtype !== 'string' || !(t.dtype in INFO)) throw new FormatError(`${fn}: tensor '${name}' has unsupported dtype ${JSON.stringify(t.dtype)}`);
    if (!Array.isArray(t.shape) || !t.shape.every((s) => Number.isInteger(s) && s >= 0)) throw new FormatError(`${fn}: tensor '${name}' has an invalid shape ${JSON.stringify(t.shape)}`);
    const off = t.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isInteger(o) && o >= 0) || off[1] < off[0]) {
      throw new FormatError(`${fn}: tensor '${name}' has invalid data_offsets ${JSON.stringify(off)}`);
    }
    if (off[1] > body.length) throw new FormatError(`${fn}: tensor '${name}' data_offsets [${off[0]}, ${off[1]}] run past the ${body.length}-byte data section`);
    const dtype = t.dtype as SafetensorsDType;
    const want = product(t.shape as number[]) * INFO[dtype].bytes;
    if (off[1] - off[0] !== want) throw new FormatError(`${fn}: tensor '${name}' (${dtype} ${JSON.stringify(t.shape)}) needs ${want} bytes but data_offsets span ${off[1] - off[0]}`);
    entries.push({ name, dtype, shape: t.shape as number[], begin: off[0], end: off[1] });
  }
  // the data section must be covered exactly, without overlap or gaps (as the reference implementation checks)
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of sorted) {
    if (e.begin !== cursor) throw new FormatError(`${fn}: tensor '${e.name}' starts at ${e.begin}, expected ${cursor} (overlapping or gapped data)`);
    cursor = e.end;
  }
  if (cursor !== body.length) throw new FormatError(`${fn}: the data section has ${body.length - cursor} trailing bytes no tensor covers`);
  const tensors = new Map<string, SafeTensor>();
  for (const e of entries) {
    const { bytes: size, ctor } = INFO[e.dtype];
    const copy = Uint8Array.prototype.slice.call(body, e.begin, e.end); // aligned, owned copy (a Buffer's own slice() is a view)
    const raw = new ctor(copy.buffer, 0, (e.end - e.begin) / size);
    const data = e.dtype === 'F16' ? halfToFloat32(raw as unknown as Uint16Array) : e.dtype === 'BF16' ? bfloat16ToFloat32(raw as unknown as Uint16Array) : raw;
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data });
  }
  return { tensors, metadata };
}

function dtypeOf(fn: string, name: string, data: Data, declared?: SafetensorsDType): SafetensorsDType {
  if (declared !== undefined && !(declared in INFO)) throw new InputError(`${fn}: tensor '${name}' has unknown dtype ${String(declared)}`);
  if (declared === 'BOOL' && data instanceof Uint8Array) return 'BOOL';
  if (declared === 'F16' || declared === 'BF16') {
    if (data instanceof Float32Array || data instanceof Float64Array) return declared;
    throw new InputError(`${fn}: tensor '${name}' is written as ${declared} from a Float32Array or Float64Array`);
  }
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof BigInt64Array) return 'I64';
  if (data instanceof Int32Array) return 'I32';
  if (data instanceof Int16Array) return 'I16';
  if (data instanceof Int8Array) return 'I8';
  if (data instanceof Uint8Array) return 'U8';
  throw new InputError(`${fn}: tensor '${name}' data must be a Float64Array, Float32Array, BigInt64Array, Int32Array, Int16Array, Int8Array or Uint8Array`);
}

/**
 * Serializes tensors (name → {data, shape, dtype?}) and string metadata to .safetensors bytes. Names are written in
 * sorted order, data 8-byte aligned as the reference writer pads the header with spaces. A tensor with
 * `dtype: 'F16'` or `'BF16'` and Float32Array / Float64Array data is rounded to that format (nearest, ties to
 * even, straight from the f64 value: no double rounding). Throws InputError when a shape does not match its
 * data length, a metadata value is not a string, or a value is non-finite or beyond the range of F16/BF16.
 */
export function writeSafetensors(tensors: Map<string, { data: Data; shape: number[]; dtype?: SafetensorsDType }> | Record<string, { data: Data; shape: number[]; dtype?: SafetensorsDType }>,
  metadata: Record<string, string> = {}): Uint8Array {
  const fn = 'writeSafetensors';
  if (!littleEndian) throw new InputError(`${fn}: big-endian platforms are not supported`);
  if (!(tensors instanceof Map) && (tensors === null || typeof tensors !== 'object')) throw new InputError(`${fn}: tensors must be a Map or an object of tensors`);
  if (metadata === null || typeof metadata !== 'object') throw new InputError(`${fn}: metadata must be an object of strings`);
  const list = (tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors)).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const header: Record<string, unknown> = Object.create(null); // '__proto__' is a legal tensor name
  for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new InputError(`${fn}: metadata.${k} must be a string`);
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  const raws: Uint8Array[] = [];
  for (const [name, t] of list) {
    if (name === '__metadata__') throw new InputError(`${fn}: '__metadata__' is reserved and cannot name a tensor`);
    if (t === null || typeof t !== 'object') throw new InputError(`${fn}: tensor '${name}' must be an object { data, shape, dtype? }`);
    const dtype = dtypeOf(fn, name, t.data, t.dtype);
    if (!Array.isArray(t.shape) || !t.shape.every((s) => Number.isInteger(s) && s >= 0) || product(t.shape) !== t.data.length) {
      throw new InputError(`${fn}: tensor '${name}' has shape ${JSON.stringify(t.shape)} but ${t.data.length} elements`);
    }
    const raw = dtype === 'F16' || dtype === 'BF16'
      ? encodeHalf(fn, name, t.data as Float32Array | Float64Array, dtype === 'F16' ? HALF : BFLOAT)
      : new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    raws.push(raw);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + raw.byteLength] };
    offset += raw.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padded - json.length));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const raw of raws) {
    out.set(raw, at);
    at += raw.byteLength;
  }
  return out;
}

// --- F16 / BF16 (IEEE 754 binary16; bfloat16 = the top half of a binary32) ------------------------------

interface HalfFormat { name: string; expBits: number; manBits: number }
const HALF: HalfFormat = { name: 'F16', expBits: 5, manBits: 10 };
const BFLOAT: HalfFormat = { name: 'BF16', expBits: 8, manBits: 7 };

let halfTable: Float32Array | null = null;

/** The value of every binary16 bit pattern (exact in f32), built once: 256 KiB. */
function halfValues(): Float32Array {
  if (halfTable) return halfTable;
  halfTable = new Float32Array(65536);
  for (let b = 0; b < 65536; b++) {
    const sign = b & 0x8000 ? -1 : 1, exp = (b >> 10) & 0x1f, man = b & 0x3ff;
    halfTable[b] = exp === 0 ? sign * man * 2 ** -24 : exp === 31 ? (man ? NaN : sign * Infinity) : sign * (1024 + man) * 2 ** (exp - 25);
  }
  return halfTable;
}

function halfToFloat32(bits: Uint16Array): Float32Array {
  const t = halfValues(), out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = t[bits[i]];
  return out;
}

function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  const wide = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) wide[i] = bits[i] << 16;
  return new Float32Array(wide.buffer);
}

/** Little-endian bytes of `values` rounded to the format (nearest, ties to even); InputError on overflow or NaN. */
function encodeHalf(fn: string, name: string, values: Float32Array | Float64Array, f: HalfFormat): Uint8Array {
  const out = new Uint16Array(values.length);
  const bias = 2 ** (f.expBits - 1) - 1, emin = 1 - bias, emax = bias, implicit = 2 ** f.manBits;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) throw new InputError(`${fn}: tensor '${name}' has a non-finite value (${x}) at element ${i}; ${f.name} is written from finite values only`);
    const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
    const a = Math.abs(x);
    if (a === 0) { out[i] = sign; continue; }
    let e = Math.floor(Math.log2(a));
    if (2 ** e > a) e--;
    else if (2 ** (e + 1) <= a) e++;
    if (e < emin) e = emin;
    const m = a / 2 ** (e - f.manBits); // exact: a division by a power of two in the normal range
    let r = Math.floor(m);
    const frac = m - r;
    if (frac > 0.5 || (frac === 0.5 && r % 2 === 1)) r++;
    if (r >= 2 * implicit) { r /= 2; e++; }
    if (e > emax) throw new InputError(`${fn}: tensor '${name}' element ${i} = ${x} is beyond the ${f.name} range`);
    out[i] = r < implicit ? sign | r : sign | ((e + bias) << f.manBits) | (r - implicit);
  }
  return new Uint8Array(out.buffer);
}
