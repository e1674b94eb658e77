// The graph transformer of Section 2 of Shirzad et al. (2024) — docs/theory.md#2-the-model-and-its-assumptions exactly — and, behind
// `variant: 'practical'`, the experiments' variant of App. D.2 (docs/theory.md#17-the-practical-variant): 1/√d logit scale, skip
// connections, batch norm folded to affine maps, an input encoder and a classification head.
import { BackendError, InputError, ShapeError } from '../runtime/errors.js';
import { scope, type DType, type Owner, type Storage } from '../runtime/storage.js';
import { assertFiniteStorage, checkOptionsObject, optionalBoolean } from '../runtime/validate.js';
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import { CsrGraph } from '../graph/csr.js';
import {
  checkAffine, checkLayer, type Activation, type AffineMap, type LayerShape, type LayerWeights, type SkipMap,
} from './layer.js';
import { forwardNetwork, type ForwardTrace } from './forward.js';
import { assertForwardFits, planNetwork, DEFAULT_QUERY_BLOCKS, type ForwardPlan } from './forward-plan.js';
import { wasmKernels } from '../runtime/init.js';

/** 'theory': docs/theory.md#2-the-model-and-its-assumptions (no skips, norms, encoder, head or b_2). 'practical': App. D.2 parts allowed. */
export type ModelVariant = 'theory' | 'practical';

/** Everything that defines a model. Matrices are copied by the constructor; the model owns its copies. */
export interface ModelSpec {
  layers: LayerWeights[];
  /** σ of the FFN (default 'relu'). */
  activation?: Activation;
  /** Default 'theory'. */
  variant?: ModelVariant;
  /** Practical variant: input encoder d_in → p₀ applied before layer 0. */
  encoder?: AffineMap | null;
  /** Practical variant: classification head applied after the last layer. */
  head?: AffineMap | null;
}

export interface ForwardOptions<T extends FloatDType = 'f64'> {
  /** 'f64' (certificates, default) or 'f32' (inference); both run the fused WASM attention kernel. */
  dtype?: T;
  /** Also return every H^(ℓ), H^(ℓ+1/2), H^(ℓ+3/4) and the per-edge logits, log-weights and weights (default false). */
  trace?: boolean;
  /**
   * The public function errors name (default 'GraphTransformer.forward'): set by library functions that run
   * the forward on their caller's behalf (forward, evaluateModel, the compress* constructions).
   */
  caller?: string;
}

export interface ForwardResult<T extends FloatDType = 'f64'> {
  /** T(X): the head's output (practical variant with a head) or H^(L); n×outputDim. */
  output: DenseMatrix<T>;
  trace?: ForwardTrace<T>;
}

function cloneAffine(map: AffineMap | null | undefined): AffineMap | null {
  if (!map) return null;
  return { weight: map.weight.clone('f64'), bias: map.bias ? Float64Array.from(map.bias) : null };
}

function cloneSkip(skip: SkipMap | null | undefined): SkipMap | null {
  if (!skip) return null;
  return skip === 'identity' ? 'identity' : skip.clone('f64');
}

function cloneLayer(l: LayerWeights): LayerWeights {
  return {
    wQ: l.wQ.clone('f64'), wK: l.wK.clone('f64'), wV: l.wV.clone('f64'), w1: l.w1.clone('f64'), w2: l.w2.clone('f64'),
    b1: l.b1 ? Float64Array.from(l.b1) : null,
    b2: l.b2 ? Float64Array.from(l.b2) : null,
    logitScale: l.logitScale ?? 1,
    attentionSkip: cloneSkip(l.attentionSkip), attentionNorm: cloneAffine(l.attentionNorm),
    ffnSkip: cloneSkip(l.ffnSkip), ffnNorm: cloneAffine(l.ffnNorm),
  };
}

function affineMatrices(map: AffineMap | null | undefined): DenseMatrix<'f64'>[] {
  return map ? [map.weight] : [];
}

/** Every weight matrix of a layer (skips given as 'identity' are not matrices). */
export function layerMatrices(l: LayerWeights): DenseMatrix<'f64'>[] {
  const out = [l.wQ, l.wK, l.wV, l.w1, l.w2, ...affineMatrices(l.attentionNorm), ...affineMatrices(l.ffnNorm)];
  for (const s of [l.attentionSkip, l.ffnSkip]) if (s && s !== 'identity') out.push(s);
  return out;
}

/**
 * A graph transformer (Shirzad et al. 2024, Sec. 2; docs/theory.md#2-the-model-and-its-assumptions) of depth L with per-layer widths, so that
 * narrow twins (d×d, D×d, d×D maps; layer 0 d×d_in) are the same class. Weights are f64 and live in WASM
 * memory; free() releases them (or create the model inside scope()).
 */
export class GraphTransformer implements Owner {
  readonly variant: ModelVariant;
  readonly activation: Activation;
  readonly layers: readonly LayerWeights[];
  readonly encoder: AffineMap | null;
  readonly head: AffineMap | null;
  /** Widths of each layer (input, queryKey, value, hidden, output). */
  readonly shapes: readonly LayerShape[];
  /** d_in: the width of the X it reads. */
  readonly inputDim: number;
  /** The width of T(X). */
  readonly outputDim: number;

  /**
   * Validates and copies `spec`. Cost: one copy of every weight.
   * Throws InputError (bad variant or activation, non-f64 or non-finite weight, practical parts in a
   * theory model) or ShapeError (consecutive widths that do not chain), naming the field.
   */
  constructor(spec: ModelSpec) {
    const fn = 'GraphTransformer';
    if (typeof spec !== 'object' || spec === null) throw new InputError(`${fn}: spec must be an object { layers, … }`);
    const variant = spec.variant ?? 'theory';
    if (variant !== 'theory' && variant !== 'practical') throw new InputError(`${fn}: spec.variant must be 'theory' or 'practical', got ${String(variant)}`);
    const activation = spec.activation ?? 'relu';
    if (activation !== 'relu' && activation !== 'identity') throw new InputError(`${fn}: spec.activation must be 'relu' or 'identity', got ${String(activation)}`);
    if (!Array.isArray(spec.layers) || spec.layers.length === 0) throw new InputError(`${fn}: spec.layers must be a non-empty array of layer weights`);
    const practical = variant === 'practical';
    if (!practical && (spec.encoder || spec.head)) throw new InputError(`${fn}: spec.encoder and spec.head need variant: 'practical'`);
    let inputDim: number;
    let p: number;
    if (spec.encoder) {
      if (!(spec.encoder.weight instanceof DenseMatrix)) throw new InputError(`${fn}: spec.encoder.weight must be a DenseMatrix`);
      inputDim = spec.encoder.weight.cols;
      p = checkAffine(fn, 'spec.encoder', spec.encoder, null, inputDim);
    } else {
      if (!(spec.layers[0]?.wQ instanceof DenseMatrix)) throw new InputError(`${fn}: layers[0].wQ must be a DenseMatrix`);
      inputDim = p = spec.layers[0].wQ.cols;
    }
    const shapes: LayerShape[] = [];
    spec.layers.forEach((l, i) => {
      const s = checkLayer(fn, i, l, p, practical);
      shapes.push(s);
      p = s.output;
    });
    let outputDim = p;
    if (spec.head) outputDim = checkAffine(fn, 'spec.head', spec.head, null, p);
    this.variant = variant;
    this.activation = activation;
    this.shapes = shapes;
    this.inputDim = inputDim;
    this.outputDim = outputDim;
    this.layers = spec.layers.map(cloneLayer);
    this.encoder = cloneAffine(spec.encoder);
    this.head = cloneAffine(spec.head);
  }

  /** L, the number of layers. */
  get depth(): number {
    return this.layers.length;
  }

  /** The input width of each layer followed by the width of H^(L): L + 1 numbers. */
  get widths(): number[] {
    return [...this.shapes.map((s) => s.input), this.shapes[this.shapes.length - 1].output];
  }

  /** Every weight matrix (layers, then encoder and head). */
  matrices(): DenseMatrix<'f64'>[] {
    return [...this.layers.flatMap(layerMatrices), ...affineMatrices(this.encoder), ...affineMatrices(this.head)];
  }

  storages(): Storage<DType>[] {
    return this.matrices().map((m) => m.storage as Storage<DType>);
  }

  /** Releases every weight's WASM memory (idempotent); the model must not be used afterwards. */
  free(): void {
    for (const m of this.matrices()) m.free();
  }

  /** free(), for `using` (explicit resource management). */
  [Symbol.dispose](): void {
    this.free();
  }

  /**
   * T(X) on the attention pattern (docs/theory.md#2-the-model-and-its-assumptions / #17-the-practical-variant), x being n×d_in with node i in row i.
   * f64 is for certificates; f32 runs the same fused attention kernel in single precision for inference.
   * With `trace`, also every H^(ℓ), H^(ℓ+1/2), H^(ℓ+3/4) and per-edge logits / log a_ij / a_ij.
   * Cost per layer O(n·p·(dQK + dV) + n·dV·dH + n·dH·dOut) for the maps (SIMD GEMM) plus O(m·(dQK + dV))
   * for attention; the trace adds O(m·dQK) for the f64 logits. Intermediates are freed; the caller owns
   * the returned matrices (free them, or call inside scope()).
   * Throws InputError (x not a finite DenseMatrix — checked as given and again after the conversion to
   * `dtype` —, bad dtype or options, pattern not a CsrGraph or its arrays changed since validation) or
   * ShapeError (x.cols ≠ inputDim, pattern not n×n) before any work; NumericalError naming the layer when a
   * layer's output (or its attention's logits) overflows the dtype — each layer's output is scanned once
   * (one SIMD pass over n×width, about 0.3% of the f32 Tolokers bench forward). Errors name options.caller.
   */
  forward<T extends FloatDType = 'f64'>(x: DenseMatrix, pattern: CsrGraph, options: ForwardOptions<T> = {}): ForwardResult<T> {
    checkOptionsObject('GraphTransformer.forward', options);
    const fn = options.caller ?? 'GraphTransformer.forward';
    if (typeof fn !== 'string') throw new InputError(`GraphTransformer.forward: options.caller must be a string, got ${String(fn)}`);
    const dtype = (options.dtype ?? 'f64') as T;
    if (dtype !== 'f64' && dtype !== 'f32') throw new InputError(`${fn}: options.dtype must be 'f32' or 'f64', got ${String(dtype)}`);
    if (!(x instanceof DenseMatrix)) throw new InputError(`${fn}: x must be a DenseMatrix (n×d_in, one node per row)`);
    if (!(pattern instanceof CsrGraph)) throw new InputError(`${fn}: pattern must be a CsrGraph`);
    if (x.cols !== this.inputDim) throw new ShapeError(`${fn}: x has ${x.cols} columns but the model reads d_in = ${this.inputDim}`);
    if (pattern.numRows !== x.rows || pattern.numCols !== x.rows) {
      throw new ShapeError(`${fn}: pattern is ${pattern.numRows}×${pattern.numCols} but x has n = ${x.rows} rows`);
    }
    assertFiniteStorage(fn, 'x', x.storage as Storage<DType>);
    pattern.assertIntact(fn, 'pattern'); // edgeLogits, logSoftmaxRows and the query blocks read its arrays directly
    const wantTrace = optionalBoolean(fn, 'options.trace', options.trace, false);
    // x is read, never written, so it is copied only where the trace must hold its own H^(input), the
    // dtype changes, or x lives in the JS heap while the kernels run in WASM (one copy, not one per call).
    const copy = wantTrace || x.dtype !== dtype || (x.storage.resident !== (wasmKernels() !== null));
    // the inference forward's memory, planned before any work (src/model/forward-plan.ts): BackendError when it cannot fit
    const queryBlocks = wantTrace ? DEFAULT_QUERY_BLOCKS : assertForwardFits(fn, this, x.rows, x.cols, dtype, copy, pattern).queryBlocks;
    // scope() keeps what the returned list reaches (depth ≤ 3), so matrices are returned flat.
    const kept = withMemoryError(fn, x.rows, () => scope(() => {
      const input = copy ? x.clone(dtype) : x as DenseMatrix<T>;
      // finite f64 values beyond the f32 range become ±Inf in the copy: scanned in the dtype the kernels read
      if (input.dtype !== x.dtype) assertFiniteStorage(fn, `x (converted to ${dtype})`, input.storage as Storage<DType>);
      // Work buffers shared by all layers (no trace): each layer gives back what is dead.
      const { output, trace } = forwardNetwork(this, input, pattern, { trace: wantTrace, ownsInput: input !== x, fn, queryBlocks });
      if (!wantTrace) return { matrices: [output], meta: null };
      const { encoded, layers: steps, final } = trace!;
      const matrices: DenseMatrix<T>[] = [output, input, encoded, final];
      for (const s of steps) matrices.push(s.attention, s.half, s.threeQuarter, s.output);
      return { matrices, meta: { steps, input, encoded, final } };
    }));
    const meta = kept.meta;
    if (!meta) return { output: kept.matrices[0] };
    return { output: kept.matrices[0], trace: { input: meta.input, encoded: meta.encoded, layers: meta.steps, final: meta.final } };
  }
}

/**
 * Runs fn; a BackendError for full WASM memory raised inside (an allocation the plan did not foresee, or memory
 * fragmented) is restated naming the public function `caller`. scope() has freed the call's blocks by then.
 */
function withMemoryError<R>(caller: string, n: number, fn: () => R): R {
  try {
    return fn();
  } catch (e) {
    // a Storage's block (BackendError), a kernel's temporary block (the abort import's BackendError), or TLSF's
    // trap on a small block (RuntimeError: unreachable)
    const full = (e instanceof BackendError && /WASM memory is full|out of memory/.test(e.message)) ||
      (e instanceof WebAssembly.RuntimeError && /unreachable/.test(e.message));
    if (full && !(e as Error).message.startsWith(`${caller}:`)) {
      throw new BackendError(`${caller}: WASM memory ran out during the forward on n = ${n} nodes (${(e as Error).message}); the blocks it had allocated are freed`);
    }
    throw e;
  }
}

/**
 * The memory plan of `model.forward(x, pattern, { dtype })` without a trace, before any work (docs/architecture.md,
 * "Memory"): `workBytes` of WASM memory beside x and the pattern at its peak (an upper bound of the measured peak,
 * tested), the pattern's bytes, and the row blocks Q is formed in when memory is plentiful. `inputCopyBytes` is
 * x's copy when the forward makes one (x of another dtype, or in the JS heap while the kernels run in WASM).
 * forward() itself takes more row blocks of Q when memory is short, and throws BackendError up front when even
 * MAX_QUERY_BLOCKS do not fit.
 */
export function forwardPlanBytes(model: GraphTransformer, pattern: CsrGraph, options: { dtype?: FloatDType; inputDtype?: FloatDType } = {}): ForwardPlan {
  if (!(model instanceof GraphTransformer)) throw new InputError('forwardPlanBytes: model must be a GraphTransformer (see createModel)');
  if (!(pattern instanceof CsrGraph)) throw new InputError('forwardPlanBytes: pattern must be a CsrGraph');
  checkOptionsObject('forwardPlanBytes', options);
  const dtype = options.dtype ?? 'f64';
  if (dtype !== 'f64' && dtype !== 'f32') throw new InputError(`forwardPlanBytes: options.dtype must be 'f32' or 'f64', got ${String(dtype)}`);
  const inputDtype = options.inputDtype ?? dtype;
  if (inputDtype !== 'f64' && inputDtype !== 'f32') throw new InputError(`forwardPlanBytes: options.inputDtype must be 'f32' or 'f64', got ${String(inputDtype)}`);
  const n = pattern.numRows;
  return planNetwork(model, n, model.inputDim, dtype, inputDtype !== dtype, DEFAULT_QUERY_BLOCKS, (n + 1 + pattern.numEdges) * 4);
}

/** Builds a GraphTransformer from its weights (same as `new GraphTransformer(spec)`). */
export function createModel(spec: ModelSpec): GraphTransformer {
  return new GraphTransformer(spec);
}

/** Runs `model.forward(x, pattern, options)`; see GraphTransformer.forward. */
export function forward<T extends FloatDType = 'f64'>(model: GraphTransformer, x: DenseMatrix, pattern: CsrGraph,
  options: ForwardOptions<T> = {}): ForwardResult<T> {
  if (!(model instanceof GraphTransformer)) throw new InputError('forward: model must be a GraphTransformer (see createModel)');
  checkOptionsObject('forward', options);
  return model.forward(x, pattern, { ...options, caller: options?.caller ?? 'forward' });
}
