// JSON for compressed models and certificates, and serialize()/deserialize() for those and for models (the model
// records and the bit-exact float encoding are src/model/serialize.ts). Above model/ because a compressed model
// holds a model and a certificate.
import { FormatError, InputError } from '../../runtime/errors.js';
import { scope } from '../../runtime/storage.js';
import { DenseMatrix } from '../../linalg/dense.js';
import { GraphTransformer } from '../../model/graph-transformer.js';
import {
  decodeJsonValue, decodeMatrix64, encodeJsonValue, encodeMatrix, modelFromJson, modelToJson, record, type JsonValue,
} from '../../model/serialize.js';
import { checkAttentionPattern, type AttentionPattern } from '../../graph/attention-pattern.js';
import type { Certificate, CompressedModel, Decoder, LayerDecoders } from './types.js';

function encodeDecoder(d: Decoder): JsonValue {
  return d === 'identity' || d === 'none' ? d : (encodeMatrix(d) as unknown as JsonValue);
}

function decodeDecoder(fn: string, d: unknown, where: string): Decoder {
  return d === 'identity' || d === 'none' ? d : decodeMatrix64(fn, d, where);
}

/** A compressed model (narrow net, adapter, U_out, decoders, details, certificate) as a JSON object. */
export function compressedToJson(c: CompressedModel): { [k: string]: JsonValue } {
  if (typeof c !== 'object' || c === null || !(c.narrow instanceof GraphTransformer)) throw new InputError('compressedToJson: c must be a compressed model');
  return {
    format: 'narrowgt-compressed', version: 1, construction: c.construction,
    narrow: modelToJson(c.narrow),
    inputAdapter: c.inputAdapter ? (encodeMatrix(c.inputAdapter) as unknown as JsonValue) : null,
    uOut: c.uOut ? (encodeMatrix(c.uOut) as unknown as JsonValue) : null,
    decoders: c.decoders.map((d) => ({ input: encodeDecoder(d.input), half: encodeDecoder(d.half), threeQuarter: encodeDecoder(d.threeQuarter) })),
    details: encodeJsonValue(c.details),
    certificate: encodeJsonValue(c.certificate),
    ...(c.pattern ? { pattern: checkAttentionPattern('compressedToJson', 'c.pattern', c.pattern) as unknown as JsonValue } : {}),
  };
}

/**
 * The compressed model of compressedToJson. Throws FormatError naming `fn` (default 'compressedFromJson') and the field
 * on a malformed record; whatever was decoded before the error is freed.
 */
export function compressedFromJson(json: unknown, fn = 'compressedFromJson'): CompressedModel {
  const o = json as { [k: string]: unknown };
  if (typeof o !== 'object' || o === null || o.format !== 'narrowgt-compressed') throw new FormatError(`${fn}: not a narrowgt-compressed record`);
  if (o.version !== 1) throw new FormatError(`${fn}: unsupported version ${String(o.version)}`);
  if (!Array.isArray(o.decoders)) throw new FormatError(`${fn}: decoders must be an array`);
  const decodersJson = o.decoders;
  const pattern = o.pattern === undefined || o.pattern === null ? null : patternField(fn, o.pattern);
  const details = decodeJsonValue(o.details ?? {});
  if (typeof details !== 'object' || details === null || Array.isArray(details)) throw new FormatError(`${fn}: details must be an object`);
  const certificate = certificateFromJson(o.certificate, fn);
  const narrow = modelFromJson(o.narrow, fn);
  try {
    const parts = scope(() => {
      const decoders: LayerDecoders[] = decodersJson.map((raw, i) => {
        const d = record(fn, `decoders[${i}]`, raw);
        return {
          input: decodeDecoder(fn, d.input, `decoders[${i}].input`), half: decodeDecoder(fn, d.half, `decoders[${i}].half`),
          threeQuarter: decodeDecoder(fn, d.threeQuarter, `decoders[${i}].threeQuarter`),
        };
      });
      if (decoders.length !== narrow.depth) throw new FormatError(`${fn}: decoders has ${decoders.length} entries, the narrow network ${narrow.depth} layers`);
      const inputAdapter = o.inputAdapter ? decodeMatrix64(fn, o.inputAdapter, 'inputAdapter') : null;
      const uOut = o.uOut ? decodeMatrix64(fn, o.uOut, 'uOut') : null;
      const matrices = [inputAdapter, uOut, ...decoders.flatMap((d) => [d.input, d.half, d.threeQuarter])].filter((m): m is DenseMatrix<'f64'> => m instanceof DenseMatrix);
      return { matrices, decoders, inputAdapter, uOut };
    });
    return {
      construction: String(o.construction), narrow, inputAdapter: parts.inputAdapter, uOut: parts.uOut, decoders: parts.decoders,
      details: details as { [k: string]: JsonValue }, certificate, pattern,
    };
  } catch (e) {
    narrow.free();
    throw e;
  }
}

function patternField(fn: string, value: unknown): AttentionPattern {
  try { return checkAttentionPattern(fn, 'pattern', value); } catch (e) { throw new FormatError((e as Error).message); }
}

/** A certificate as a JSON object (tagged non-finite numbers). */
export function certificateToJson(c: Certificate): JsonValue {
  return encodeJsonValue(c);
}

/**
 * The certificate of certificateToJson. Throws FormatError naming `fn` on a malformed record: another format, or
 * checks / layers that are not arrays of objects, or measured quantities that are not numbers.
 */
export function certificateFromJson(json: unknown, fn = 'certificateFromJson'): Certificate {
  const c = decodeJsonValue(json) as unknown as Certificate;
  if (typeof c !== 'object' || c === null || c.format !== 'narrowgt-certificate') throw new FormatError(`${fn}: not a narrowgt-certificate record`);
  for (const key of ['checks', 'layers'] as const) {
    const list = c[key] as unknown;
    if (!Array.isArray(list)) throw new FormatError(`${fn}: certificate.${key} must be an array`);
    list.forEach((x, i) => record(fn, `certificate.${key}[${i}]`, x));
  }
  for (const key of ['outputError', 'outputScale', 'maxLogRatio', 'alpha', 'beta'] as const) {
    if (typeof c[key] !== 'number') throw new FormatError(`${fn}: certificate.${key} must be a number`);
  }
  record(fn, 'certificate.predicted', c.predicted);
  // Digests are optional: certificates written before narrowgt recorded them still load (src/compress/framework/digest.ts).
  if (c.inputs !== undefined) {
    const inputs = record(fn, 'certificate.inputs', c.inputs);
    for (const key of ['reference', 'narrow', 'pattern', 'features'] as const) {
      if (typeof inputs[key] !== 'string' || !/^[0-9a-f]{64}$/.test(inputs[key] as string)) {
        throw new FormatError(`${fn}: certificate.inputs.${key} must be a SHA-256 hex digest`);
      }
    }
  }
  return c;
}

/** JSON text of a model, a compressed model or a certificate (JSON.stringify of the *ToJson record). */
export function serialize(value: GraphTransformer | CompressedModel | Certificate): string {
  if (value instanceof GraphTransformer) return JSON.stringify(modelToJson(value));
  if ((value as Certificate).format === 'narrowgt-certificate') return JSON.stringify(certificateToJson(value as Certificate));
  return JSON.stringify(compressedToJson(value as CompressedModel));
}

/** Parses JSON text written by serialize(), returning the model, compressed model or certificate. Throws FormatError. */
export function deserialize(text: string): GraphTransformer | CompressedModel | Certificate {
  let json: { format?: unknown };
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FormatError(`deserialize: text is not JSON (${(e as Error).message})`);
  }
  switch (json?.format) {
    case 'narrowgt-model': return modelFromJson(json, 'deserialize');
    case 'narrowgt-compressed': return compressedFromJson(json, 'deserialize');
    case 'narrowgt-certificate': return certificateFromJson(json, 'deserialize');
    default: throw new FormatError(`deserialize: unknown format ${String(json?.format)}`);
  }
}
