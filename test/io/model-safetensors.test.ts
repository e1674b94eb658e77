import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  init, scope, rng, readSafetensors, writeSafetensors, FormatError, InputError, toGraphTransformer, initParameters, freeParameters,
  GraphTransformer as GraphTransformerClass, type GraphTransformer,
} from '../../src/index.js';
import { modelFromSafetensors, modelToSafetensors, modelToTensors, MODEL_SAFETENSORS_FORMAT } from '../../src/io/model-safetensors.js';
import { trainedToSafetensors } from '../../src/io/trained-safetensors.js';
import { compressPractical } from '../../src/index.js';
import { practicalModel, theoryModel, gaussianInput, erPattern, maxRowDistanceTo, naiveForward } from '../support/models.js';
import { subspaceModel } from '../support/trained-models.js';

await init();

function weights(model: GraphTransformer): Float64Array[] {
  const out: Float64Array[] = [];
  const add = (v: ArrayLike<number> | null | undefined): void => { if (v) out.push(Float64Array.from(v)); };
  add(model.encoder?.weight.data); add(model.encoder?.bias);
  for (const l of model.layers) {
    for (const m of [l.wQ, l.wK, l.wV, l.w1, l.w2]) add(m.data);
    add(l.b1); add(l.b2); add(l.attentionNorm?.weight.data); add(l.attentionNorm?.bias); add(l.ffnNorm?.weight.data); add(l.ffnNorm?.bias);
    for (const s of [l.attentionSkip, l.ffnSkip]) if (s && s !== 'identity') add(s.data);
  }
  add(model.head?.weight.data); add(model.head?.bias);
  return out;
}

function sameBits(a: Float64Array[], b: Float64Array[]): boolean {
  return a.length === b.length && a.every((v, i) => Buffer.from(v.buffer).equals(Buffer.from(b[i].buffer)));
}

/** A compressed twin: d×d skip matrices, affine norms with identity weight, per-layer widths — every naming rule used. */
function compressedTwin(): GraphTransformer {
  return scope(() => {
    const g = rng(11);
    const model = practicalModel(g, { dIn: 5, width: 8, depth: 2, beta: 1.5, classes: 3 });
    const x = gaussianInput(g, 40, 5, 1);
    const pattern = erPattern(g, 40, 0.2);
    return compressPractical(model, x, pattern, { d: 3, hidden: 'select' }).narrow;
  });
}

test('modelToSafetensors (F64, foldLogitScale false) → modelFromSafetensors is bit-exact for theory, practical and compressed models, and writing again gives the same bytes', () => {
  const g = rng(1);
  const models = [
    theoryModel(g, { dIn: 6, width: 9, depth: 3, beta: 1.2, bias: true }),
    practicalModel(g, { dIn: 4, width: 8, depth: 2, beta: 2, classes: 2 }),
    compressedTwin(),
  ];
  for (const m of models) {
    const bytes = modelToSafetensors(m, { foldLogitScale: false });
    const { model: back, metadata } = modelFromSafetensors(bytes);
    assert.equal(metadata.format, MODEL_SAFETENSORS_FORMAT);
    assert.equal(back.variant, m.variant);
    assert.deepEqual(back.widths, m.widths);
    assert.deepEqual(back.layers.map((l) => l.logitScale), m.layers.map((l) => l.logitScale));
    assert.deepEqual(back.layers.map((l) => [l.attentionSkip === 'identity' ? 'I' : l.attentionSkip ? 'M' : '-', l.ffnSkip === 'identity' ? 'I' : l.ffnSkip ? 'M' : '-']),
      m.layers.map((l) => [l.attentionSkip === 'identity' ? 'I' : l.attentionSkip ? 'M' : '-', l.ffnSkip === 'identity' ? 'I' : l.ffnSkip ? 'M' : '-']));
    assert.ok(sameBits(weights(back), weights(m)), 'every weight bit-identical');
    assert.ok(Buffer.from(modelToSafetensors(back, { foldLogitScale: false })).equals(Buffer.from(bytes)), 'the same bytes when written again');
    back.free();
  }
});

test('F32 files: each weight is rounded once (Math.fround) and a second F32 write gives identical bytes (scales as metadata; folded, a second write is identical too)', () => {
  const m = compressedTwin();
  const folded = modelToSafetensors(m, { dtype: 'F32' });
  const foldedBack = modelFromSafetensors(folded).model;
  assert.ok(Buffer.from(modelToSafetensors(foldedBack, { dtype: 'F32' })).equals(Buffer.from(folded)), 'folded: the scale is natural on reading, so w_q is written as read');
  foldedBack.free();
  const bytes = modelToSafetensors(m, { dtype: 'F32', foldLogitScale: false });
  for (const t of readSafetensors(bytes).tensors.values()) assert.equal(t.dtype, 'F32');
  const back = modelFromSafetensors(bytes).model;
  const a = weights(m), b = weights(back);
  assert.ok(a.every((v, i) => v.every((x, j) => Math.fround(x) === b[i][j])), 'weights are fround of the originals');
  assert.ok(Buffer.from(modelToSafetensors(back, { dtype: 'F32', foldLogitScale: false })).equals(Buffer.from(bytes)));
});

test('a PyTorch-style file (BatchNorm1d tensors, num_batches_tracked, no metadata) folds BN as G = γ/√(σ²+ε), c = β − Gμ (App. D.2; docs/theory.md §17)', () => {
  // One practical layer, D = 2, d_in = 1. Values chosen so that the fold is exact in binary: ε = 1 from metadata.
  const f = (...v: number[]) => Float32Array.from(v);
  const eye = f(1, 0, 0, 1);
  const tensors: Record<string, { data: Float32Array | BigInt64Array; shape: number[] }> = {
    'encoder.weight': { data: f(1, 2), shape: [2, 1] }, 'encoder.bias': { data: f(0, 0), shape: [2] },
    'layers.0.w_q': { data: eye, shape: [2, 2] }, 'layers.0.w_k': { data: eye, shape: [2, 2] }, 'layers.0.w_v': { data: eye, shape: [2, 2] },
    'layers.0.bn1.weight': { data: f(2, 6), shape: [2] }, 'layers.0.bn1.bias': { data: f(1, -1), shape: [2] },
    'layers.0.bn1.running_mean': { data: f(0.5, 2), shape: [2] }, 'layers.0.bn1.running_var': { data: f(3, 8), shape: [2] },
    'layers.0.bn1.num_batches_tracked': { data: BigInt64Array.from([7n]), shape: [] },
    'layers.0.w_1': { data: eye, shape: [2, 2] }, 'layers.0.b_1': { data: f(0, 0), shape: [2] },
    'layers.0.w_2': { data: eye, shape: [2, 2] }, 'layers.0.b_2': { data: f(0, 0), shape: [2] },
    'head.weight': { data: f(1, -1), shape: [1, 2] }, 'head.bias': { data: f(0), shape: [1] },
  };
  const { model } = modelFromSafetensors(writeSafetensors(tensors, { bn_epsilon: '1' }));
  const l = model.layers[0];
  assert.equal(model.variant, 'practical');
  assert.equal(l.attentionSkip, 'identity');
  assert.equal(l.ffnNorm, null);
  assert.equal(l.logitScale, 1 / Math.sqrt(2));
  // G = diag(2/√(3+1), 6/√(8+1)) = diag(1, 2); c = β − Gμ = (1 − 0.5, −1 − 4) = (0.5, −5).
  assert.deepEqual(Array.from(l.attentionNorm!.weight.data), [1, 0, 0, 2]);
  assert.deepEqual(Array.from(l.attentionNorm!.bias!), [0.5, -5]);
});

test('trainedToSafetensors: the file reads back as toGraphTransformer\'s model (same full-batch BN statistics), forwards agree to 1e-12', () => {
  scope(() => {
    const g = rng(3);
    const n = 30, f = 4;
    const pattern = erPattern(g, n, 0.2);
    const x = gaussianInput(g, n, f, 1);
    const config = { inputDim: f, width: 6, layers: 2, numClasses: 2 };
    const params = initParameters(config, 5, 'f64');
    const reference = toGraphTransformer(params, config, x, pattern);
    const { model, metadata } = modelFromSafetensors(trainedToSafetensors(config, params, x, pattern, { dtype: 'F64', metadata: { note: 'test' } }));
    assert.equal(metadata.note, 'test');
    const a = reference.forward(x, pattern).output, b = naiveForward(model, x, pattern).output;
    const scale = Math.max(...Array.from(a.data, Math.abs));
    assert.ok(maxRowDistanceTo(a, b) <= 1e-12 * scale, `${maxRowDistanceTo(a, b)}`);
    freeParameters(params);
  });
});

test('malformed files give FormatError naming the problem: header length, offsets, dtype, missing / unexpected tensor, shape, values, metadata', () => {
  const m = practicalModel(rng(4), { dIn: 3, width: 4, depth: 2, beta: 1, classes: 2 });
  const good = modelToTensors(m, { dtype: 'F32' });
  const rewrite = (edit: (t: Map<string, { data: Float32Array | Float64Array | Int32Array; shape: number[] }>, md: Record<string, string>) => void): Uint8Array => {
    const t = new Map(good.tensors) as Map<string, { data: Float32Array | Float64Array | Int32Array; shape: number[] }>;
    const md = { ...good.metadata };
    edit(t, md);
    return writeSafetensors(t, md);
  };
  const bytes = writeSafetensors(good.tensors, good.metadata);
  const badLength = Uint8Array.from(bytes);
  new DataView(badLength.buffer).setBigUint64(0, BigInt(bytes.length), true);
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  header['layers.0.w_q'].data_offsets = [0, 10 ** 9];
  const json = new TextEncoder().encode(JSON.stringify(header));
  const body = bytes.subarray(8 + headerLength);
  const badOffsets = new Uint8Array(8 + json.length + body.length);
  new DataView(badOffsets.buffer).setBigUint64(0, BigInt(json.length), true);
  badOffsets.set(json, 8);
  badOffsets.set(body, 8 + json.length);
  const cases: [string, Uint8Array, RegExp][] = [
    ['header length', badLength, /^readSafetensors: header length \d+ runs past the end/],
    ['offsets', badOffsets, /^readSafetensors: tensor 'layers\.0\.w_q' data_offsets \[0, 1000000000\] run past/],
    ['dtype', rewrite((t) => { t.set('layers.1.w_k', { data: new Int32Array(16), shape: [4, 4] }); }), /^modelFromSafetensors: tensor 'layers\.1\.w_k' has dtype I32; weights must be F32 or F64/],
    ['missing', rewrite((t) => { t.delete('layers.1.w_k'); }), /^modelFromSafetensors: missing tensor 'layers\.1\.w_k'/],
    ['unexpected', rewrite((t) => { t.set('layers.0.w_o', { data: new Float32Array(16), shape: [4, 4] }); }), /^modelFromSafetensors: unexpected tensor 'layers\.0\.w_o'/],
    ['shape', rewrite((t) => { t.set('layers.0.w_v', { data: new Float32Array(12), shape: [4, 3] }); }), /^modelFromSafetensors: tensor 'layers\.0\.w_v' has shape \[4, 3\], expected \[\*, 4\]/],
    ['rank', rewrite((t) => { t.set('head.bias', { data: new Float32Array(2), shape: [1, 2] }); }), /^modelFromSafetensors: tensor 'head\.bias' has shape \[1, 2\], expected \[2\]/],
    ['non-finite', rewrite((t) => { t.set('layers.0.b_1', { data: Float32Array.from([0, NaN, 0, 0]), shape: [4] }); }), /^modelFromSafetensors: tensor 'layers\.0\.b_1' has a non-finite value at element 1/],
    ['format', rewrite((_t, md) => { md.format = 'pytorch'; }), /^modelFromSafetensors: metadata format is 'pytorch'/],
    ['scales', rewrite((_t, md) => { md.logit_scales = '[1]'; }), /^modelFromSafetensors: metadata logit_scales must be a JSON array of 2 entries/],
    ['skip', rewrite((_t, md) => { md.ffn_skip = '["matrix","identity"]'; }), /^modelFromSafetensors: missing tensor 'layers\.0\.ffn_skip'/],
    ['empty', writeSafetensors({}, {}), /^modelFromSafetensors: missing tensor 'layers\.0\.w_q'/],
  ];
  for (const [what, file, re] of cases) {
    assert.throws(() => modelFromSafetensors(file), (e: unknown) => e instanceof FormatError && re.test((e as Error).message), what);
  }
  assert.throws(() => modelToSafetensors(m, { metadata: { format: 'x' } }), InputError);
  assert.throws(() => modelToSafetensors({} as GraphTransformer), InputError);
});

test('the subspace generator is what the trained tests assume: every stage is zero outside the first r coordinates', () => {
  const g = rng(9);
  const m = subspaceModel(g, { dIn: 5, width: 10, rank: 3, depth: 2, classes: 2 });
  const x = gaussianInput(g, 25, 5, 1), pattern = erPattern(g, 25, 0.3);
  const ref = naiveForward(m, x, pattern);
  for (const l of ref.layers) for (const stage of [l.input, l.half, l.threeQuarter, l.output]) {
    for (const row of stage) for (let j = 3; j < row.length; j++) assert.equal(row[j], 0);
  }
});

/** The file with its metadata removed, as `save_file(model.state_dict())` in PyTorch would write it. */
function withoutMetadata(bytes: Uint8Array): Uint8Array {
  const { tensors } = readSafetensors(bytes);
  return writeSafetensors(Object.fromEntries([...tensors].map(([k, t]) => [k, { data: t.data as Float64Array, shape: t.shape }])));
}

test('by default the logit scale is folded into w_q: with every metadata entry dropped the file computes the same function (compressed twin, theory model with scale 0.3 and 4)', () => {
  const g = rng(21);
  const theory = theoryModel(g, { dIn: 5, width: 6, depth: 2, beta: 1, bias: true });
  const scaled = (s: number[]): GraphTransformer => new GraphTransformerClass({ variant: 'theory', layers: theory.layers.map((l, i) => ({ ...l, logitScale: s[i] })) });
  const models = [compressedTwin(), scaled([0.3, 4])];
  for (const m of models) {
    assert.ok(m.layers.some((l) => l.logitScale !== (m.variant === 'practical' ? 1 / Math.sqrt(l.wQ.rows) : 1)), 'a scale that is not the natural one');
    const bytes = modelToSafetensors(m);
    const { metadata } = readSafetensors(bytes);
    assert.equal(metadata.logit_scales, undefined, 'no logit_scales entry to lose');
    const plain = modelFromSafetensors(withoutMetadata(bytes)).model;
    // A theory file without metadata is read as theory (no practical tensors), a compressed one as practical.
    assert.equal(plain.variant, m.variant);
    const x = gaussianInput(g, 30, m.inputDim, 1), pattern = erPattern(g, 30, 0.3);
    const a = m.forward(x, pattern).output, b = plain.forward(x, pattern).output;
    let worst = 0, scale = 0;
    for (let i = 0; i < a.data.length; i++) { worst = Math.max(worst, Math.abs(a.data[i] - b.data[i])); scale = Math.max(scale, Math.abs(a.data[i])); }
    // One rounding of w_q·(s/s₀) per weight: the logits move by a few ulps, the outputs by ≈ 1e-15 relative.
    assert.ok(worst <= 1e-12 * Math.max(scale, 1), `max |T(X) − T_plain(X)| = ${worst} (scale ${scale})`);
    for (const o of [a, b, x]) o.free();
    pattern.free(); plain.free();
  }
});

test('the attention pattern is recorded in the file and read back; a malformed record is a FormatError', () => {
  const m = compressedTwin();
  for (const pattern of [{ kind: 'graph', selfLoops: false }, { kind: 'full' }, { kind: 'expander', degree: 6, seed: 3, selfLoops: true }] as const) {
    const back = modelFromSafetensors(modelToSafetensors(m, { pattern }));
    assert.deepEqual(back.pattern, pattern);
    back.model.free();
  }
  assert.equal(modelFromSafetensors(modelToSafetensors(m)).pattern, null, 'no pattern recorded: null');
  const { tensors } = readSafetensors(modelToSafetensors(m));
  const t = Object.fromEntries([...tensors].map(([k, v]) => [k, { data: v.data as Float64Array, shape: v.shape }]));
  assert.throws(() => modelFromSafetensors(writeSafetensors(t, { attention_pattern: '{"kind":"graph"}' })),
    (e: unknown) => e instanceof FormatError && /^modelFromSafetensors: metadata attention_pattern\.selfLoops must be a boolean/.test((e as Error).message));
  assert.throws(() => modelFromSafetensors(writeSafetensors(t, { attention_pattern: 'graph' })), { name: 'FormatError', message: /^modelFromSafetensors: metadata attention_pattern is not JSON/ });
  // narrowgt 0.1's train recorded only narrowgt.trained.selfLoops
  assert.deepEqual(modelFromSafetensors(writeSafetensors(t, { 'narrowgt.trained': '{"selfLoops":false}' })).pattern, { kind: 'graph', selfLoops: false });
  assert.throws(() => modelToSafetensors(m, { pattern: { kind: 'expander', degree: 5, seed: 0, selfLoops: true } }), { name: 'InputError', message: /^modelToSafetensors: options\.pattern\.degree/ });
  assert.throws(() => modelToSafetensors(m, { foldLogitScale: 'yes' as unknown as boolean }), { name: 'InputError', message: /^modelToSafetensors: options\.foldLogitScale must be a boolean/ });
  m.free();
});
