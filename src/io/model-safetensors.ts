// Graph transformers in and out as .safetensors files, under one documented tensor naming (docs/compression.md
// §Weights in and out), so that a network trained in PyTorch is compressed here and the narrow one goes back.
//
//   encoder.weight [p₀, d_in]  encoder.bias [p₀]                        (practical variant)
//   layers.{i}.w_q [d_qk, p]   layers.{i}.w_k [d_qk, p]   layers.{i}.w_v [d_v, p]
//   layers.{i}.attention_skip [d_v, p]                                  (absent: identity, or none — metadata)
//   layers.{i}.bn1.{weight, bias, running_mean, running_var} [d_v]     (BatchNorm1d, PyTorch's names) or
//   layers.{i}.norm1.weight [d_v, d_v]  layers.{i}.norm1.bias [d_v]     (a general affine map: folded BN, compressed)
//   layers.{i}.w_1 [d_h, d_v]  layers.{i}.b_1 [d_h]  layers.{i}.w_2 [d_out, d_h]  layers.{i}.b_2 [d_out]
//   layers.{i}.ffn_skip [d_out, d_v]   layers.{i}.bn2.* | layers.{i}.norm2.*
//   head.weight [C, p_L]  head.bias [C]
// Weights are out×in (PyTorch's nn.Linear layout), F32 or F64. String metadata: format, version, variant,
// activation, depth, logit_scales (JSON array), attention_skip / ffn_skip (JSON arrays of 'identity' | 'matrix'
// | 'none'), bn_epsilon, attention_pattern (JSON, src/graph/attention-pattern.ts); all optional on input, with the
// defaults documented at modelFromSafetensors. By default the writer folds each layer's logit scale into w_q (the
// scale becomes the natural one, 1/√d_qk practical or 1 theory), so the tensors alone carry the function: a PyTorch
// module that loads them with plain load_state_dict and uses 1/√d_qk computes what narrowgt computes.
import { FormatError, InputError } from '../runtime/errors.js';
import { scope } from '../runtime/storage.js';
import { DenseMatrix } from '../linalg/dense.js';
import { GraphTransformer, type ModelVariant } from '../model/graph-transformer.js';
import { foldBatchNorm, type Activation, type AffineMap, type LayerWeights, type SkipMap } from '../model/layer.js';
import { checkAttentionPattern, type AttentionPattern } from '../graph/attention-pattern.js';
import { readSafetensors, writeSafetensors, type SafeTensor } from './safetensors.js';

/** The `format` metadata value of a model file. */
export const MODEL_SAFETENSORS_FORMAT = 'narrowgt.graph-transformer';

/** Batch-norm ε when the file does not say (PyTorch's BatchNorm1d default, and src/train's). */
export const DEFAULT_BN_EPSILON = 1e-5;

type FloatData = Float32Array | Float64Array;
type SkipKind = 'identity' | 'matrix' | 'none';

/** A batch norm in PyTorch's terms (γ = weight, β = bias, running statistics), written as `bn1` / `bn2`. */
export interface BatchNormTensors {
  weight: ArrayLike<number>;
  bias: ArrayLike<number>;
  runningMean: ArrayLike<number>;
  runningVar: ArrayLike<number>;
}

export interface ModelToSafetensorsOptions {
  /**
   * Element type of every tensor: 'F64' (default; bit-exact for narrowgt's f64 weights), 'F32' (PyTorch's
   * default), or 'F16' / 'BF16' (half the size; each weight rounded to nearest even, InputError beyond the range).
   */
  dtype?: 'F32' | 'F64' | 'F16' | 'BF16';
  /** Extra string metadata (e.g. how the model was trained); may not override the keys this module writes. */
  metadata?: Record<string, string>;
  /**
   * Write the norms of these layers as BatchNorm1d tensors instead of folded affine maps: `batchNorms[i] =
   * { norm1, norm2 }`. Used for trained networks (src/io/trained-safetensors.ts) so that PyTorch loads them
   * into nn.BatchNorm1d; the model's own norms must equal their fold (not checked here).
   */
  batchNorms?: ({ norm1: BatchNormTensors | null; norm2: BatchNormTensors | null } | null)[];
  /** The attention pattern the model computes on, recorded as `attention_pattern` (default: not recorded). */
  pattern?: AttentionPattern;
  /**
   * Fold each layer's logit scale s into w_q as w_q·(s/s₀), s₀ the natural scale (1/√d_qk practical, 1 theory), and
   * record no `logit_scales` (default true: the tensors alone are the function, what a plain PyTorch state_dict keeps).
   * false writes w_q as it is and the scales as metadata: every weight bit-exact, but a reader that ignores the
   * metadata computes another function.
   */
  foldLogitScale?: boolean;
}

const RESERVED = ['format', 'version', 'variant', 'activation', 'depth', 'logit_scales', 'attention_skip', 'ffn_skip', 'bn_epsilon', 'attention_pattern'];

/** The logit scale a reader assumes when a file records none: 1/√d_qk (practical, App. D.2) or 1 (theory, Sec. 2). */
export function naturalLogitScale(variant: ModelVariant, queryKeyWidth: number): number {
  return variant === 'practical' ? 1 / Math.sqrt(queryKeyWidth) : 1;
}

function skipKind(s: SkipMap | null | undefined): SkipKind {
  return !s ? 'none' : s === 'identity' ? 'identity' : 'matrix';
}

/**
 * The tensors and metadata of `model` under the naming above (no bytes yet). Cost O(#weights).
 * Throws InputError for a model that is not a GraphTransformer or options that are not valid.
 */
export function modelToTensors(model: GraphTransformer, options: ModelToSafetensorsOptions = {}):
  { tensors: Map<string, { data: FloatData; shape: number[]; dtype?: 'F16' | 'BF16' }>; metadata: Record<string, string> } {
  const fn = 'modelToSafetensors';
  if (!(model instanceof GraphTransformer)) throw new InputError(`${fn}: model must be a GraphTransformer`);
  const dtype = options.dtype ?? 'F64';
  if (!['F32', 'F64', 'F16', 'BF16'].includes(dtype)) throw new InputError(`${fn}: options.dtype must be 'F32', 'F64', 'F16' or 'BF16', got ${String(dtype)}`);
  const half = dtype === 'F16' || dtype === 'BF16' ? { dtype } : {}; // writeSafetensors rounds these
  const extra = options.metadata ?? {};
  for (const [k, v] of Object.entries(extra)) {
    if (typeof v !== 'string') throw new InputError(`${fn}: options.metadata.${k} must be a string`);
    if (RESERVED.includes(k)) throw new InputError(`${fn}: options.metadata.${k} is written by modelToSafetensors itself`);
  }
  const bns = options.batchNorms;
  if (bns !== undefined && (!Array.isArray(bns) || bns.length !== model.depth)) {
    throw new InputError(`${fn}: options.batchNorms must have one entry per layer (${model.depth})`);
  }
  const fold = options.foldLogitScale ?? true;
  if (typeof fold !== 'boolean') throw new InputError(`${fn}: options.foldLogitScale must be a boolean, got ${String(fold)}`);
  const pattern = options.pattern === undefined ? null : checkAttentionPattern(fn, 'options.pattern', options.pattern);
  const make = (values: ArrayLike<number>): FloatData => (dtype === 'F32' ? Float32Array.from(values) : Float64Array.from(values)); // F16/BF16 round from f64 once
  const tensors = new Map<string, { data: FloatData; shape: number[]; dtype?: 'F16' | 'BF16' }>();
  const matrix = (name: string, m: DenseMatrix<'f64'>): void => { tensors.set(name, { data: make(m.data), shape: [m.rows, m.cols], ...half }); };
  const vector = (name: string, v: ArrayLike<number> | null | undefined): void => { if (v) tensors.set(name, { data: make(v), shape: [v.length], ...half }); };
  const affine = (name: string, a: AffineMap | null): void => {
    if (!a) return;
    matrix(`${name}.weight`, a.weight);
    vector(`${name}.bias`, a.bias);
  };
  affine('encoder', model.encoder);
  model.layers.forEach((l, i) => {
    const p = `layers.${i}.`;
    const factor = fold ? (l.logitScale ?? 1) / naturalLogitScale(model.variant, l.wQ.rows) : 1;
    if (factor === 1) matrix(p + 'w_q', l.wQ);
    else tensors.set(p + 'w_q', { data: make(Float64Array.from(l.wQ.data, (v) => v * factor)), shape: [l.wQ.rows, l.wQ.cols] });
    matrix(p + 'w_k', l.wK); matrix(p + 'w_v', l.wV);
    matrix(p + 'w_1', l.w1); vector(p + 'b_1', l.b1);
    matrix(p + 'w_2', l.w2); vector(p + 'b_2', l.b2);
    if (l.attentionSkip && l.attentionSkip !== 'identity') matrix(p + 'attention_skip', l.attentionSkip);
    if (l.ffnSkip && l.ffnSkip !== 'identity') matrix(p + 'ffn_skip', l.ffnSkip);
    for (const [which, norm] of [['1', l.attentionNorm], ['2', l.ffnNorm]] as const) {
      const bn = bns?.[i]?.[`norm${which}`];
      if (bn) {
        vector(`${p}bn${which}.weight`, bn.weight); vector(`${p}bn${which}.bias`, bn.bias);
        vector(`${p}bn${which}.running_mean`, bn.runningMean); vector(`${p}bn${which}.running_var`, bn.runningVar);
      } else {
        affine(`${p}norm${which}`, norm ?? null);
      }
    }
  });
  affine('head', model.head);
  const metadata: Record<string, string> = {
    ...extra,
    format: MODEL_SAFETENSORS_FORMAT, version: '1',
    variant: model.variant, activation: model.activation, depth: String(model.depth),
    ...(fold ? {} : { logit_scales: JSON.stringify(model.layers.map((l) => l.logitScale ?? 1)) }),
    attention_skip: JSON.stringify(model.layers.map((l) => skipKind(l.attentionSkip))),
    ffn_skip: JSON.stringify(model.layers.map((l) => skipKind(l.ffnSkip))),
    bn_epsilon: String(DEFAULT_BN_EPSILON),
    ...(pattern ? { attention_pattern: JSON.stringify(pattern) } : {}),
  };
  return { tensors, metadata };
}

/**
 * A GraphTransformer as .safetensors bytes under the naming of this file's header. F64 (default) keeps every
 * weight bit-exact; F32 rounds each weight once (reading it back and writing F32 again gives the same bytes).
 * Cost O(#weights). Throws InputError as modelToTensors.
 */
export function modelToSafetensors(model: GraphTransformer, options: ModelToSafetensorsOptions = {}): Uint8Array {
  const { tensors, metadata } = modelToTensors(model, options);
  return writeSafetensors(tensors, metadata);
}

/** Reads the named tensors one by one, reporting missing, unexpected, mis-shaped and mis-typed ones. */
class TensorReader {
  private readonly used = new Set<string>();
  constructor(private readonly fn: string, private readonly tensors: Map<string, SafeTensor>) {}

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  private take(name: string, shape: (number | null)[], what: string): { t: SafeTensor; shape: number[] } {
    const t = this.tensors.get(name);
    if (!t) throw new FormatError(`${this.fn}: missing tensor '${name}' (${what})`);
    this.used.add(name);
    if (!['F32', 'F64', 'F16', 'BF16'].includes(t.dtype)) throw new FormatError(`${this.fn}: tensor '${name}' has dtype ${t.dtype}; weights must be F32 or F64 (or F16, BF16)`);
    const ok = t.shape.length === shape.length && shape.every((s, k) => s === null || s === t.shape[k]);
    if (!ok) {
      const want = `[${shape.map((s) => (s === null ? '*' : s)).join(', ')}]`;
      throw new FormatError(`${this.fn}: tensor '${name}' has shape [${t.shape.join(', ')}], expected ${want} (${what})`);
    }
    for (let i = 0; i < t.data.length; i++) {
      if (!Number.isFinite(t.data[i] as number)) throw new FormatError(`${this.fn}: tensor '${name}' has a non-finite value at element ${i}`);
    }
    return { t, shape: t.shape };
  }

  matrix(name: string, rows: number | null, cols: number | null, what: string): DenseMatrix<'f64'> {
    const { t, shape } = this.take(name, [rows, cols], what);
    return DenseMatrix.from(t.data as FloatData, shape[0], shape[1], 'f64');
  }

  vector(name: string, length: number, what: string): Float64Array {
    return Float64Array.from(this.take(name, [length], what).t.data as FloatData);
  }

  optionalVector(name: string, length: number, what: string): Float64Array | null {
    return this.has(name) ? this.vector(name, length, what) : null;
  }

  /** Throws on any tensor no rule read (PyTorch's integer `num_batches_tracked` buffers are allowed and ignored). */
  finish(): void {
    for (const name of [...this.tensors.keys()].sort()) {
      if (this.used.has(name) || /^layers\.\d+\.bn[12]\.num_batches_tracked$/.test(name)) continue;
      throw new FormatError(`${this.fn}: unexpected tensor '${name}' (see docs/compression.md for the tensor names)`);
    }
  }
}

function parseJsonArray<T>(fn: string, metadata: Record<string, string>, key: string, depth: number, check: (v: unknown) => v is T): T[] | null {
  const raw = metadata[key];
  if (raw === undefined) return null;
  let v: unknown;
  try { v = JSON.parse(raw); } catch { throw new FormatError(`${fn}: metadata ${key} is not JSON: ${raw.slice(0, 80)}`); }
  if (!Array.isArray(v) || v.length !== depth || !v.every(check)) {
    throw new FormatError(`${fn}: metadata ${key} must be a JSON array of ${depth} entries (one per layer), got ${raw.slice(0, 80)}`);
  }
  return v as T[];
}

/**
 * Reads a model written by modelToSafetensors, or by PyTorch under the same names (scripts/python/narrowgt_torch.py).
 * Defaults when metadata is absent: variant 'practical' if an encoder, head, norm, skip or b_2 tensor is present
 * (else 'theory'); activation 'relu'; depth from the layer tensors; logit scale 1/√d_qk (practical) or 1
 * (theory); skips absent as tensors are the identity in the practical variant; bn_epsilon 1e-5. A BatchNorm
 * (`bn1`, `bn2`) is folded at its running statistics (App. D.2, docs/theory.md §17: BN(x) = Gx + c).
 * Cost O(#weights). Throws FormatError naming the tensor or key: a malformed file (readSafetensors' errors:
 * header length, offsets, dtype codes), another format, a missing tensor, an unexpected tensor, a shape that
 * does not chain, a dtype other than F32/F64, a non-finite weight, bad metadata.
 */
export function modelFromSafetensors(bytes: Uint8Array): { model: GraphTransformer; metadata: Record<string, string>; pattern: AttentionPattern | null } {
  const fn = 'modelFromSafetensors';
  const { tensors, metadata } = readSafetensors(bytes);
  const pattern = patternFromMetadata(fn, metadata);
  return { model: modelFromTensors(fn, tensors, metadata), metadata, pattern };
}

/**
 * The attention pattern a file records: its `attention_pattern` metadata (JSON of an AttentionPattern), or — for
 * files written by narrowgt 0.1's `train`, which recorded only `narrowgt.trained.selfLoops` — the graph with or
 * without self loops; null when the file says nothing (a plain PyTorch state_dict). Throws FormatError naming `fn`
 * on a malformed record.
 */
export function patternFromMetadata(fn: string, metadata: Record<string, string>): AttentionPattern | null {
  const raw = metadata.attention_pattern;
  if (raw !== undefined) {
    let v: unknown;
    try { v = JSON.parse(raw); } catch { throw new FormatError(`${fn}: metadata attention_pattern is not JSON: ${raw.slice(0, 80)}`); }
    try { return checkAttentionPattern(fn, 'metadata attention_pattern', v); } catch (e) { throw new FormatError((e as Error).message); }
  }
  const trained = metadata['narrowgt.trained'];
  if (trained !== undefined) {
    try {
      const t = JSON.parse(trained) as { selfLoops?: unknown };
      if (typeof t?.selfLoops === 'boolean') return { kind: 'graph', selfLoops: t.selfLoops };
    } catch { /* not ours to judge: extra metadata */ }
  }
  return null;
}

/** modelFromSafetensors on already-parsed tensors (see there). */
export function modelFromTensors(fn: string, tensors: Map<string, SafeTensor>, metadata: Record<string, string>): GraphTransformer {
  // The temporaries (read matrices, folded norms) are freed by scope(); the model owns its copies.
  return scope(() => buildModel(fn, tensors, metadata));
}

function buildModel(fn: string, tensors: Map<string, SafeTensor>, metadata: Record<string, string>): GraphTransformer {
  if (metadata.format !== undefined && metadata.format !== MODEL_SAFETENSORS_FORMAT) {
    throw new FormatError(`${fn}: metadata format is '${metadata.format}', expected '${MODEL_SAFETENSORS_FORMAT}'`);
  }
  if (metadata.version !== undefined && metadata.version !== '1') throw new FormatError(`${fn}: metadata version '${metadata.version}' is not supported (1)`);
  const names = [...tensors.keys()];
  let depth = 0;
  for (const n of names) { const m = /^layers\.(\d+)\./.exec(n); if (m) depth = Math.max(depth, Number(m[1]) + 1); }
  if (metadata.depth !== undefined) {
    const d = Number(metadata.depth);
    if (!Number.isInteger(d) || d < 1) throw new FormatError(`${fn}: metadata depth must be a positive integer, got '${metadata.depth}'`);
    if (d < depth) throw new FormatError(`${fn}: unexpected tensor under layers.${depth - 1} (metadata depth is ${d})`);
    depth = d;
  }
  if (depth === 0) throw new FormatError(`${fn}: missing tensor 'layers.0.w_q' (the file holds no layer)`);
  const practicalTensor = names.some((n) => /^(encoder|head)\.|\.(bn[12]|norm[12])\.|\.(attention_skip|ffn_skip|b_2)$/.test(n));
  const variant = (metadata.variant ?? (practicalTensor ? 'practical' : 'theory')) as ModelVariant;
  if (variant !== 'practical' && variant !== 'theory') throw new FormatError(`${fn}: metadata variant must be 'practical' or 'theory', got '${variant}'`);
  const activation = (metadata.activation ?? 'relu') as Activation;
  if (activation !== 'relu' && activation !== 'identity') throw new FormatError(`${fn}: metadata activation must be 'relu' or 'identity', got '${activation}'`);
  const isKind = (v: unknown): v is SkipKind => v === 'identity' || v === 'matrix' || v === 'none';
  const isScale = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
  const scales = parseJsonArray(fn, metadata, 'logit_scales', depth, isScale);
  const attSkips = parseJsonArray(fn, metadata, 'attention_skip', depth, isKind);
  const ffnSkips = parseJsonArray(fn, metadata, 'ffn_skip', depth, isKind);
  const bnEps = metadata.bn_epsilon === undefined ? DEFAULT_BN_EPSILON : Number(metadata.bn_epsilon);
  if (!(bnEps >= 0 && Number.isFinite(bnEps))) throw new FormatError(`${fn}: metadata bn_epsilon must be a finite number ≥ 0, got '${metadata.bn_epsilon}'`);
  const practical = variant === 'practical';
  const r = new TensorReader(fn, tensors);

  let encoder: AffineMap | null = null;
  let p: number;
  if (r.has('encoder.weight') || r.has('encoder.bias')) {
    const weight = r.matrix('encoder.weight', null, null, 'encoder, out × d_in');
    encoder = { weight, bias: r.optionalVector('encoder.bias', weight.rows, 'encoder bias') };
    p = weight.rows;
  } else {
    const t = tensors.get('layers.0.w_q');
    if (!t) throw new FormatError(`${fn}: missing tensor 'layers.0.w_q'`);
    p = t.shape[1] ?? 0;
  }
  const norm = (prefix: string, which: '1' | '2', width: number): AffineMap | null => {
    const bn = `${prefix}bn${which}`, af = `${prefix}norm${which}`;
    const hasBn = [...tensors.keys()].some((n) => n.startsWith(bn + '.') && !n.endsWith('.num_batches_tracked'));
    const hasAffine = r.has(af + '.weight') || r.has(af + '.bias');
    if (hasBn && hasAffine) throw new FormatError(`${fn}: unexpected tensor '${af}.weight': ${bn} is also present (give one norm)`);
    if (hasBn) {
      const what = `BatchNorm1d over width ${width}`;
      return foldBatchNorm({
        gamma: r.vector(bn + '.weight', width, what), beta: r.vector(bn + '.bias', width, what),
        mean: r.vector(bn + '.running_mean', width, what), variance: r.vector(bn + '.running_var', width, what), epsilon: bnEps,
      });
    }
    if (hasAffine) return { weight: r.matrix(af + '.weight', width, width, `affine norm ${width}×${width}`), bias: r.optionalVector(af + '.bias', width, 'norm bias') };
    return null;
  };
  const skip = (name: string, kind: SkipKind | null, out: number, input: number): SkipMap | null => {
    const present = r.has(name);
    const k = kind ?? (present ? 'matrix' : practical ? 'identity' : 'none');
    if (k === 'matrix') return r.matrix(name, out, input, `skip ${out}×${input}`);
    if (present) throw new FormatError(`${fn}: unexpected tensor '${name}' (metadata says the skip is '${k}')`);
    if (k === 'identity' && out !== input) throw new FormatError(`${fn}: missing tensor '${name}': the skip maps width ${input} to ${out}, so it cannot be the identity`);
    return k === 'identity' ? 'identity' : null;
  };
  const layers: LayerWeights[] = [];
  for (let i = 0; i < depth; i++) {
    const pre = `layers.${i}.`;
    const wQ = r.matrix(pre + 'w_q', null, p, `d_qk × input width ${p}`);
    const wK = r.matrix(pre + 'w_k', wQ.rows, p, `d_qk × input width ${p}`);
    const wV = r.matrix(pre + 'w_v', null, p, `d_v × input width ${p}`);
    const dV = wV.rows;
    const attentionSkip = skip(pre + 'attention_skip', attSkips?.[i] ?? null, dV, p);
    const attentionNorm = norm(pre, '1', dV);
    const w1 = r.matrix(pre + 'w_1', null, dV, `d_h × d_v = ${dV}`);
    const b1 = r.optionalVector(pre + 'b_1', w1.rows, 'FFN hidden bias');
    const w2 = r.matrix(pre + 'w_2', null, w1.rows, `d_out × d_h = ${w1.rows}`);
    const b2 = r.optionalVector(pre + 'b_2', w2.rows, 'FFN output bias');
    const ffnSkip = skip(pre + 'ffn_skip', ffnSkips?.[i] ?? null, w2.rows, dV);
    const ffnNorm = norm(pre, '2', w2.rows);
    layers.push({
      wQ, wK, wV, w1, w2, b1, b2, attentionSkip, attentionNorm, ffnSkip, ffnNorm,
      logitScale: scales?.[i] ?? naturalLogitScale(variant, wQ.rows),
    });
    p = w2.rows;
  }
  let head: AffineMap | null = null;
  if (r.has('head.weight') || r.has('head.bias')) {
    const weight = r.matrix('head.weight', null, p, `classes × last width ${p}`);
    head = { weight, bias: r.optionalVector('head.bias', weight.rows, 'head bias') };
  }
  r.finish();
  try {
    return new GraphTransformer({ layers, activation, variant, encoder, head });
  } catch (e) {
    throw new FormatError(`${fn}: ${(e as Error).message}`);
  }
}
