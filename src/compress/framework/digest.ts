// Digests of what a certificate was computed on (docs/theory.md#3-certificates): SHA-256 (FIPS 180-4, by
// @noble/hashes, synchronous and dependency-free, so it runs in every runtime narrowgt supports) of a canonical
// byte encoding of the reference network, of the twin, of the attention pattern's CSR and of the features.
//
// The encoding ("narrowgt-digest-v1") is a sequence of tokens, each a one-byte tag followed by its payload, all
// integers u32 and all numbers IEEE-754 f64, little-endian:
//   's' string   — u32 UTF-8 byte length, the bytes
//   'f' number   — f64
//   'n' null     — nothing (an absent bias, skip, norm, encoder, head, adapter or decoder)
//   'M' matrix   — u32 rows, u32 cols, rows·cols f64 in row-major order (the stored bits: −0 and NaN payloads count)
//   'v' vector   — u32 length, the f64 values
//   'I' indices  — u32 length, the i32 values
// A stream starts with the string 'narrowgt-digest-v1' and the kind ('model', 'twin', 'pattern', 'features').
//   model:    variant, activation, number of layers, then per layer wQ, wK, wV, w1, w2 (matrices), b1, b2
//             (vectors or null), logitScale (number), attentionSkip, attentionNorm, ffnSkip, ffnNorm (a skip is the
//             string 'identity', a matrix or null; a norm is null or its weight matrix then its bias), then the encoder
//             and the head (null or weight then bias).
//   twin:     the construction's name, the narrow network's model stream (as above, from its 'model' string on),
//             the input adapter and U_out (matrix or null), the number of layers, then each layer's three decoders
//             (U^(ℓ), U_V, U_σ: a matrix or the string 'identity' or 'none').
//   pattern:  numRows, numCols (numbers), rowPtr, colIdx (indices).
//   features: the matrix of f64 values the certificate read (an f32 X is widened first, as certifyWith does).
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { DenseMatrix } from '../../linalg/dense.js';
import type { CsrGraph } from '../../graph/csr.js';
import type { GraphTransformer } from '../../model/graph-transformer.js';
import type { AffineMap, SkipMap } from '../../model/layer.js';
import type { CompressedModel, Decoder, InputDigests, InputsMatch } from './types.js';

export type { InputDigests, InputsMatch } from './types.js';

const VERSION = 'narrowgt-digest-v1';
const CHUNK = 8192;

/** SHA-256 of a stream of typed tokens, fed incrementally (large matrices go through in chunks). */
class DigestWriter {
  private readonly hash = sha256.create();
  private readonly scratch = new DataView(new ArrayBuffer(CHUNK * 8));
  private readonly scratchBytes = new Uint8Array(this.scratch.buffer);

  private tag(t: string): void {
    this.hash.update(Uint8Array.of(t.charCodeAt(0)));
  }

  private u32(v: number): void {
    this.scratch.setUint32(0, v >>> 0, true);
    this.hash.update(this.scratchBytes.slice(0, 4));
  }

  private f64s(values: ArrayLike<number>): void {
    for (let start = 0; start < values.length; start += CHUNK) {
      const end = Math.min(values.length, start + CHUNK);
      for (let i = start; i < end; i++) this.scratch.setFloat64((i - start) * 8, values[i], true);
      this.hash.update(this.scratchBytes.slice(0, (end - start) * 8));
    }
  }

  string(s: string): void {
    const bytes = new TextEncoder().encode(s);
    this.tag('s');
    this.u32(bytes.length);
    this.hash.update(bytes);
  }

  number(v: number): void {
    this.tag('f');
    this.f64s([v]);
  }

  null(): void {
    this.tag('n');
  }

  matrix(m: DenseMatrix): void {
    this.tag('M');
    this.u32(m.rows);
    this.u32(m.cols);
    this.f64s(m.data);
  }

  vector(v: ArrayLike<number> | null | undefined): void {
    if (!v) return this.null();
    this.tag('v');
    this.u32(v.length);
    this.f64s(v);
  }

  indices(v: Int32Array): void {
    this.tag('I');
    this.u32(v.length);
    for (let start = 0; start < v.length; start += CHUNK) {
      const end = Math.min(v.length, start + CHUNK);
      for (let i = start; i < end; i++) this.scratch.setInt32((i - start) * 4, v[i], true);
      this.hash.update(this.scratchBytes.slice(0, (end - start) * 4));
    }
  }

  hex(): string {
    return bytesToHex(this.hash.digest());
  }
}

function writeAffine(w: DigestWriter, map: AffineMap | null | undefined): void {
  if (!map) return w.null();
  w.matrix(map.weight);
  w.vector(map.bias);
}

function writeSkip(w: DigestWriter, skip: SkipMap | null | undefined): void {
  if (!skip) w.null();
  else if (skip === 'identity') w.string('identity');
  else w.matrix(skip);
}

function writeDecoder(w: DigestWriter, d: Decoder): void {
  if (d === 'identity' || d === 'none') w.string(d);
  else w.matrix(d);
}

function writeModel(w: DigestWriter, model: GraphTransformer): void {
  w.string('model');
  w.string(model.variant);
  w.string(model.activation);
  w.number(model.layers.length);
  for (const l of model.layers) {
    for (const m of [l.wQ, l.wK, l.wV, l.w1, l.w2]) w.matrix(m);
    w.vector(l.b1);
    w.vector(l.b2);
    w.number(l.logitScale ?? 1);
    writeSkip(w, l.attentionSkip);
    writeAffine(w, l.attentionNorm);
    writeSkip(w, l.ffnSkip);
    writeAffine(w, l.ffnNorm);
  }
  writeAffine(w, model.encoder);
  writeAffine(w, model.head);
}

function start(kind: string): DigestWriter {
  const w = new DigestWriter();
  w.string(VERSION);
  w.string(kind);
  return w;
}

/** SHA-256 hex of a network's canonical encoding (structure and every weight's bits). */
export function digestModel(model: GraphTransformer): string {
  const w = start('model');
  writeModel(w, model);
  return w.hex();
}

/** SHA-256 hex of a twin: the construction, T̂, A^(0), U_out and the decoders (not `details` or the certificate). */
export function digestTwin(compressed: Omit<CompressedModel, 'certificate'>): string {
  const w = start('twin');
  w.string(String(compressed.construction));
  writeModel(w, compressed.narrow);
  for (const m of [compressed.inputAdapter, compressed.uOut]) { if (m) w.matrix(m); else w.null(); }
  w.number(compressed.decoders.length);
  for (const d of compressed.decoders) { writeDecoder(w, d.input); writeDecoder(w, d.half); writeDecoder(w, d.threeQuarter); }
  return w.hex();
}

/** SHA-256 hex of an attention pattern's CSR. */
export function digestPattern(pattern: CsrGraph): string {
  const w = start('pattern');
  w.number(pattern.numRows);
  w.number(pattern.numCols);
  w.indices(pattern.rowPtr.array);
  w.indices(pattern.colIdx.array);
  return w.hex();
}

/** SHA-256 hex of the features as f64 values (an f32 matrix hashes as its exact widening). */
export function digestFeatures(x: DenseMatrix): string {
  const w = start('features');
  w.matrix(x);
  return w.hex();
}

/** The four digests of a certificate's inputs. */
export function digestInputs(reference: GraphTransformer, compressed: Omit<CompressedModel, 'certificate'>, x: DenseMatrix,
  pattern: CsrGraph): InputDigests {
  return { reference: digestModel(reference), narrow: digestTwin(compressed), pattern: digestPattern(pattern), features: digestFeatures(x) };
}

/** Field by field equality of two digest records. */
export function compareDigests(recorded: InputDigests, given: InputDigests): InputsMatch {
  return {
    reference: recorded.reference === given.reference, narrow: recorded.narrow === given.narrow,
    pattern: recorded.pattern === given.pattern, features: recorded.features === given.features,
  };
}

/** SHA-256 hex of raw bytes (exposed for the test vector of FIPS 180-4). */
export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}
