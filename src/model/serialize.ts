// JSON for models (compressed models and certificates: src/compress/framework/serialize.ts), loading back bit-exact: float arrays are stored
// as base64 of their little-endian bytes with dtype and shape; plain numbers use JSON's round-trip
// decimal form, except −0, ±Infinity and NaN, which are tagged ({ "$number": "-0" } …).
import { FormatError, InputError } from '../runtime/errors.js';
import { scope } from '../runtime/storage.js';
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import { GraphTransformer, layerMatrices } from './graph-transformer.js';
import type { AffineMap, LayerWeights, SkipMap } from './layer.js';

/** JSON-representable data (what a compressed model's `details` and certificate parameters may hold). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A float array in JSON: dtype, shape and base64 of the little-endian bytes. */
export interface EncodedArray {
  dtype: FloatDType;
  shape: number[];
  base64: string;
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(s);
}

function fromBase64(fn: string, b64: string): Uint8Array {
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    throw new FormatError(`${fn}: invalid base64 payload`);
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function encodeValues(values: ArrayLike<number>, dtype: FloatDType, shape: number[]): EncodedArray {
  const size = dtype === 'f64' ? 8 : 4;
  const bytes = new Uint8Array(values.length * size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) {
    if (dtype === 'f64') view.setFloat64(i * size, values[i], true);
    else view.setFloat32(i * size, values[i], true);
  }
  return { dtype, shape, base64: toBase64(bytes) };
}

function decodeValues(fn: string, enc: unknown): { values: Float64Array | Float32Array; dtype: FloatDType; shape: number[] } {
  const e = enc as EncodedArray;
  if (typeof e !== 'object' || e === null || (e.dtype !== 'f64' && e.dtype !== 'f32') || !Array.isArray(e.shape) || typeof e.base64 !== 'string') {
    throw new FormatError(`${fn}: expected an encoded array { dtype, shape, base64 }`);
  }
  const bytes = fromBase64(fn, e.base64);
  const size = e.dtype === 'f64' ? 8 : 4;
  const count = e.shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== count * size) throw new FormatError(`${fn}: payload has ${bytes.length} bytes, shape [${e.shape.join(', ')}] of ${e.dtype} needs ${count * size}`);
  const view = new DataView(bytes.buffer);
  const values = e.dtype === 'f64' ? new Float64Array(count) : new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = e.dtype === 'f64' ? view.getFloat64(i * size, true) : view.getFloat32(i * size, true);
  return { values, dtype: e.dtype, shape: e.shape };
}

/** A DenseMatrix as JSON (bit-exact). */
export function encodeMatrix(m: DenseMatrix): EncodedArray {
  if (!(m instanceof DenseMatrix)) throw new InputError('encodeMatrix: m must be a DenseMatrix');
  return encodeValues(m.data, m.dtype, [m.rows, m.cols]);
}

/** The DenseMatrix encoded by encodeMatrix. Throws FormatError on a malformed record. */
export function decodeMatrix(enc: unknown): DenseMatrix {
  const { values, dtype, shape } = decodeValues('decodeMatrix', enc);
  if (shape.length !== 2) throw new FormatError(`decodeMatrix: shape must have 2 entries, got ${shape.length}`);
  return DenseMatrix.from(values, shape[0], shape[1], dtype);
}

export function decodeMatrix64(fn: string, enc: unknown, where = 'a weight'): DenseMatrix<'f64'> {
  const { values, dtype, shape } = decodeValues(`${fn}: ${where}`, enc);
  if (shape.length !== 2) throw new FormatError(`${fn}: ${where} must have a 2-entry shape, got ${shape.length}`);
  if (dtype !== 'f64') throw new FormatError(`${fn}: ${where} must be f64, got ${dtype}`);
  return DenseMatrix.from(values, shape[0], shape[1], 'f64');
}

/** `value` as a plain JSON object, or a FormatError naming where it was expected. */
export function record(fn: string, where: string, value: unknown): { [k: string]: unknown } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FormatError(`${fn}: ${where} must be an object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  return value as { [k: string]: unknown };
}

function encodeVector(v: Float64Array | null | undefined): EncodedArray | null {
  return v ? encodeValues(v, 'f64', [v.length]) : null;
}

function decodeVector(fn: string, enc: unknown): Float64Array | null {
  if (enc === null || enc === undefined) return null;
  const { values, dtype } = decodeValues(fn, enc);
  if (dtype !== 'f64') throw new FormatError(`${fn}: bias vectors must be f64`);
  return values as Float64Array;
}

/** Numbers JSON cannot carry (−0, ±Infinity, NaN) as tagged objects; everything else unchanged. */
export function encodeJsonValue(v: unknown): JsonValue {
  if (typeof v === 'number') {
    if (Object.is(v, -0)) return { $number: '-0' };
    if (!Number.isFinite(v)) return { $number: String(v) };
    return v;
  }
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(encodeJsonValue);
  if (typeof v === 'object') {
    const out: { [k: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(v as object)) if (x !== undefined) out[k] = encodeJsonValue(x);
    return out;
  }
  throw new InputError(`encodeJsonValue: cannot encode a ${typeof v}`);
}

/** Inverse of encodeJsonValue. */
export function decodeJsonValue(v: unknown): JsonValue {
  if (Array.isArray(v)) return v.map(decodeJsonValue);
  if (v !== null && typeof v === 'object') {
    const o = v as { [k: string]: unknown };
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === '$number' && typeof o.$number === 'string') {
      const s = o.$number;
      if (s === '-0') return -0;
      if (s === 'Infinity' || s === '-Infinity' || s === 'NaN') return Number(s);
      throw new FormatError(`decodeJsonValue: unknown tagged number ${s}`);
    }
    const out: { [k: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(o)) out[k] = decodeJsonValue(x);
    return out;
  }
  return v as JsonValue;
}

function encodeAffine(a: AffineMap | null | undefined): JsonValue {
  return a ? { weight: encodeMatrix(a.weight) as unknown as JsonValue, bias: encodeVector(a.bias) as unknown as JsonValue } : null;
}

function decodeAffine(fn: string, a: unknown, where: string): AffineMap | null {
  if (a === null || a === undefined) return null;
  const o = record(fn, where, a);
  return { weight: decodeMatrix64(fn, o.weight, `${where}.weight`), bias: decodeVector(fn, o.bias) };
}

function encodeSkip(s: SkipMap | null | undefined): JsonValue {
  if (!s) return null;
  return s === 'identity' ? 'identity' : (encodeMatrix(s) as unknown as JsonValue);
}

function decodeSkip(fn: string, s: unknown, where: string): SkipMap | null {
  if (s === null || s === undefined) return null;
  return s === 'identity' ? 'identity' : decodeMatrix64(fn, s, where);
}

/** A GraphTransformer as a JSON object (weights bit-exact). */
export function modelToJson(model: GraphTransformer): { [k: string]: JsonValue } {
  if (!(model instanceof GraphTransformer)) throw new InputError('modelToJson: model must be a GraphTransformer');
  const enc = (m: DenseMatrix) => encodeMatrix(m) as unknown as JsonValue;
  return {
    format: 'narrowgt-model', version: 1, variant: model.variant, activation: model.activation,
    encoder: encodeAffine(model.encoder), head: encodeAffine(model.head),
    layers: model.layers.map((l) => ({
      wQ: enc(l.wQ), wK: enc(l.wK), wV: enc(l.wV), w1: enc(l.w1), w2: enc(l.w2),
      b1: encodeVector(l.b1) as unknown as JsonValue, b2: encodeVector(l.b2) as unknown as JsonValue,
      logitScale: encodeJsonValue(l.logitScale ?? 1),
      attentionSkip: encodeSkip(l.attentionSkip), attentionNorm: encodeAffine(l.attentionNorm),
      ffnSkip: encodeSkip(l.ffnSkip), ffnNorm: encodeAffine(l.ffnNorm),
    })),
  };
}

/**
 * The GraphTransformer of modelToJson. Throws FormatError naming `fn` (default 'modelFromJson'; deserialize passes its
 * own name) and the field on a malformed record; whatever was decoded before the error is freed.
 */
export function modelFromJson(json: unknown, fn = 'modelFromJson'): GraphTransformer {
  const o = json as { format?: unknown; version?: unknown; layers?: unknown[]; [k: string]: unknown };
  if (typeof o !== 'object' || o === null || o.format !== 'narrowgt-model') throw new FormatError(`${fn}: not a narrowgt-model record`);
  if (o.version !== 1) throw new FormatError(`${fn}: unsupported version ${String(o.version)}`);
  if (!Array.isArray(o.layers)) throw new FormatError(`${fn}: layers must be an array`);
  const layersJson = o.layers;
  // Decoded matrices are temporaries (the constructor copies them): scope() frees them, also when decoding fails.
  return scope(() => {
    const layers: LayerWeights[] = layersJson.map((raw, i) => {
      const at = `layers[${i}]`;
      const l = record(fn, at, raw);
      const scale = decodeJsonValue(l.logitScale ?? 1);
      if (typeof scale !== 'number') throw new FormatError(`${fn}: ${at}.logitScale must be a number`);
      return {
        wQ: decodeMatrix64(fn, l.wQ, `${at}.wQ`), wK: decodeMatrix64(fn, l.wK, `${at}.wK`), wV: decodeMatrix64(fn, l.wV, `${at}.wV`),
        w1: decodeMatrix64(fn, l.w1, `${at}.w1`), w2: decodeMatrix64(fn, l.w2, `${at}.w2`),
        b1: decodeVector(fn, l.b1), b2: decodeVector(fn, l.b2),
        logitScale: scale,
        attentionSkip: decodeSkip(fn, l.attentionSkip, `${at}.attentionSkip`), attentionNorm: decodeAffine(fn, l.attentionNorm, `${at}.attentionNorm`),
        ffnSkip: decodeSkip(fn, l.ffnSkip, `${at}.ffnSkip`), ffnNorm: decodeAffine(fn, l.ffnNorm, `${at}.ffnNorm`),
      };
    });
    const encoder = decodeAffine(fn, o.encoder, 'encoder'), head = decodeAffine(fn, o.head, 'head');
    try {
      return new GraphTransformer({ layers, activation: o.activation as 'relu', variant: o.variant as 'theory', encoder, head });
    } catch (e) {
      throw new FormatError(`${fn}: ${(e as Error).message}`);
    }
  });
}

