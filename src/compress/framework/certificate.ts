// The certificate framework: run the reference T and the narrow twin T̂ on the actual graph (f64), measure
// every quantity the theorems speak of (Sec. 2 and its assumptions (A1)–(A3); docs/theory.md#1-conventions, #2-the-model-and-its-assumptions, #19-tolerances-and-the-testing-protocol), and let the construction's verifier check its
// hypotheses and bounds. Nothing is assumed: α and β are measured, each inequality is evaluated on realised
// values, and a violated hypothesis makes `holds` false with a reason.
import { InputError, ShapeError } from '../../runtime/errors.js';
import { scope } from '../../runtime/storage.js';
import { DenseMatrix, type FloatDType } from '../../linalg/dense.js';
import { matmul } from '../../linalg/matmul.js';
import { spectralNorm } from '../../linalg/spectral-norm.js';
import { maxRowDistance, rowNormStats } from '../../linalg/row-norm-stats.js';
import type { CsrGraph } from '../../graph/csr.js';
import { GraphTransformer, type ForwardOptions, type ForwardResult } from '../../model/graph-transformer.js';
import { type ForwardTrace } from '../../model/forward.js';
import { checkCertifyArguments } from './arguments.js';
import { digestInputs } from './digest.js';
import { DEFAULT_TOLERANCES, makeCheck, type CertifyOptions } from './check.js';
import type {
  Certificate, CertifyContext, Check, CompressedModel, ConstructionVerifier, Decoder, LayerCertificate,
} from './types.js';

/** A·Bᵀ (f64 GEMM, no finiteness check: the traces are checked where they are made). */
function mulT(a: DenseMatrix<'f64'>, b: DenseMatrix<'f64'>): DenseMatrix<'f64'> {
  return matmul(a, b, { transB: true, checkFinite: false });
}

/** The spectral norms a theorem's β ranges over: √s·W_Q, √s·W_K, W_V, W_1, W_2 of every layer. */
export function layerOperatorNorms(model: GraphTransformer): { wQ: number; wK: number; wV: number; w1: number; w2: number }[] {
  return model.layers.map((l) => {
    const root = Math.sqrt(l.logitScale ?? 1);
    return { wQ: root * spectralNorm(l.wQ), wK: root * spectralNorm(l.wK), wV: spectralNorm(l.wV), w1: spectralNorm(l.w1), w2: spectralNorm(l.w2) };
  });
}

/** β (docs/theory.md#2-the-model-and-its-assumptions A2): the largest spectral norm of any map, √logitScale folded into W_Q and W_K. */
export function measureBeta(model: GraphTransformer): number {
  return Math.max(...layerOperatorNorms(model).flatMap((o) => [o.wQ, o.wK, o.wV, o.w1, o.w2]));
}

/** α (docs/theory.md#2-the-model-and-its-assumptions A1): max over layers ℓ < L and nodes i of ‖h_i^(ℓ)‖², from a traced forward. */
export function measureAlpha(trace: ForwardTrace): number {
  let a = 0;
  for (const l of trace.layers) a = Math.max(a, rowNormStats(l.input).max ** 2);
  return a;
}

/** Ĥ·Uᵀ for a decoder (null when there is none). Throws ShapeError when 'identity' joins unequal widths. */
export function lift(h: DenseMatrix<'f64'>, decoder: Decoder, referenceWidth: number, what: string): DenseMatrix<'f64'> | null {
  if (decoder === 'none') return null;
  if (decoder === 'identity') {
    if (h.cols !== referenceWidth) throw new ShapeError(`certify: decoder of ${what} is 'identity' but widths are ${h.cols} (narrow) and ${referenceWidth} (reference)`);
    return h;
  }
  if (decoder.rows !== referenceWidth || decoder.cols !== h.cols) {
    throw new ShapeError(`certify: decoder of ${what} is ${decoder.rows}×${decoder.cols}, expected ${referenceWidth}×${h.cols}`);
  }
  return mulT(h, decoder);
}

function liftedError(narrow: DenseMatrix<'f64'>, reference: DenseMatrix<'f64'>, decoder: Decoder, what: string): number | null {
  const lifted = lift(narrow, decoder, reference.cols, what);
  return lifted ? maxRowDistance(lifted, reference) : null;
}

export interface CompressedForwardOptions<T extends FloatDType> extends ForwardOptions<T> {
  /** Map the output back with U_out (default true). */
  lift?: boolean;
}

/**
 * U_out·T̂(X): the narrow network on the same pattern, after the input adapter, mapped back to the
 * reference width (rows: T̂(X)·U_outᵀ). With `lift: false`, T̂(X) itself. Runs the fused attention kernel
 * in f32 or f64. Cost: the narrow forward plus O(n·d·D) for U_out. Throws as GraphTransformer.forward.
 */
export function forwardCompressed<T extends FloatDType = 'f64'>(compressed: Omit<CompressedModel, 'certificate'>, x: DenseMatrix,
  pattern: CsrGraph, options: CompressedForwardOptions<T> = {}): ForwardResult<T> {
  const fn = 'forwardCompressed';
  if (!compressed || !(compressed.narrow instanceof GraphTransformer)) throw new InputError(`${fn}: compressed.narrow must be a GraphTransformer`);
  if (!(x instanceof DenseMatrix)) throw new InputError(`${fn}: x must be a DenseMatrix`);
  const a0 = compressed.inputAdapter;
  if (a0 && a0.cols !== x.cols) throw new ShapeError(`${fn}: compressed.inputAdapter is ${a0.rows}×${a0.cols} but x has ${x.cols} columns`);
  const dtype = (options.dtype ?? 'f64') as T;
  const kept = scope(() => {
    const xin = a0 ? mulT(x.dtype === 'f64' ? (x as DenseMatrix<'f64'>) : x.clone('f64'), a0) : x;
    const res = compressed.narrow.forward(xin, pattern, options);
    const u = compressed.uOut;
    if ((options.lift ?? true) && u) {
      const w = (dtype === 'f64' ? u : u.clone('f32')) as DenseMatrix<T>;
      res.output = matmulT(res.output, w);
    }
    return { output: res.output, trace: res.trace, all: traceMatrices(res.trace) };
  });
  return kept.trace ? { output: kept.output, trace: kept.trace } : { output: kept.output };
}

function matmulT<T extends FloatDType>(a: DenseMatrix<T>, b: DenseMatrix<T>): DenseMatrix<T> {
  return mulT(a as DenseMatrix<'f64'>, b as DenseMatrix<'f64'>) as unknown as DenseMatrix<T>;
}

function traceMatrices<T extends FloatDType>(t: ForwardTrace<T> | undefined): DenseMatrix<T>[] {
  if (!t) return [];
  return [t.input, t.encoded, t.final, ...t.layers.flatMap((l) => [l.input, l.attention, l.half, l.threeQuarter, l.output])];
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let e = 0; e < a.length; e++) {
    const d = Math.abs(a[e] - b[e]);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let e = 0; e < a.length; e++) m = Math.max(m, Math.abs(a[e]));
  return m;
}

/**
 * Measures a compressed model against its reference on (x, pattern) and runs `verifier`'s checks
 * (the constructions call this; users call certify()). Generic measurements: e^(ℓ), e_{1/2}, e_{3/4}
 * through the decoders, ε_a^(ℓ) = max_E |ŝ − s|, max_E |log â/a|, α, β, the output error; generic checks:
 * every attention row non-empty (notation of Sec. 2; docs/theory.md#1-conventions) and Lemma L1 (max |log â/a| ≤ 2ε_a) per layer.
 * Cost: two traced f64 forwards, O(n·D·d) per decoder, the β norms (SVD of each map) and the verifier.
 * Throws InputError / ShapeError on malformed arguments, before any work.
 */
export function certifyWith(verifier: ConstructionVerifier, reference: GraphTransformer, compressed: Omit<CompressedModel, 'certificate'>,
  x: DenseMatrix, pattern: CsrGraph, options: CertifyOptions = {}): Certificate {
  checkCertifyArguments('certify', reference, compressed, x, pattern);
  const tolerances = { ...DEFAULT_TOLERANCES, ...options.tolerances };
  return scope(() => {
    const x64 = (x.dtype === 'f64' ? x : x.clone('f64')) as DenseMatrix<'f64'>;
    const ref = reference.forward(x64, pattern, { trace: true, caller: 'certify' });
    const nar = forwardCompressed(compressed, x64, pattern, { trace: true });
    const rt = ref.trace!, nt = nar.trace!;
    const alpha = measureAlpha(rt);
    const beta = measureBeta(reference);
    const outputError = maxRowDistance(nar.output, ref.output);
    const outputScale = rowNormStats(ref.output).max;
    const L = reference.depth;
    const layers: LayerCertificate[] = [];
    for (let l = 0; l < L; l++) {
      const r = rt.layers[l], h = nt.layers[l], dec = compressed.decoders[l];
      let outDecoder: Decoder;
      if (l + 1 < L) outDecoder = compressed.decoders[l + 1].input;
      else if (!reference.head) outDecoder = compressed.uOut ?? 'identity';
      else outDecoder = h.output.cols === r.output.cols ? 'identity' : 'none';
      layers.push({
        layer: l,
        inputError: liftedError(h.input, r.input, dec.input, `layer ${l} input`),
        halfError: liftedError(h.half, r.half, dec.half, `layer ${l} H^(ℓ+1/2)`),
        threeQuarterError: liftedError(h.threeQuarter, r.threeQuarter, dec.threeQuarter, `layer ${l} H^(ℓ+3/4)`),
        outputError: liftedError(h.output, r.output, outDecoder, `layer ${l} output`),
        logitError: maxAbsDiff(h.logits, r.logits),
        maxLogRatio: maxAbsDiff(h.logWeights, r.logWeights),
        extra: {},
      });
    }
    const ctx: CertifyContext = {
      reference, compressed, x: x64, pattern, referenceTrace: rt, narrowTrace: nt,
      alpha, beta, outputError, outputScale, layers, tolerances,
    };
    const checks: Check[] = [];
    const degrees = pattern.degrees();
    let empty = 0;
    for (let i = 0; i < degrees.length; i++) if (degrees[i] === 0) empty++;
    checks.push(makeCheck(tolerances, {
      name: 'every node attends to someone (N(i) ≠ ∅)', kind: 'hypothesis', layer: null, measured: empty, bound: 0,
      detail: `${empty} of ${degrees.length} pattern rows are empty; add self loops (notation of Sec. 2; docs/theory.md#1-conventions)`,
    }));
    layers.forEach((lc, l) => {
      const s = maxAbs(rt.layers[l].logits) + maxAbs(nt.layers[l].logits);
      checks.push(makeCheck(tolerances, {
        name: 'L1: max|log â/a| ≤ 2ε_a', kind: 'inequality', layer: l, measured: lc.maxLogRatio, bound: 2 * lc.logitError, scale: 1 + s,
        detail: `layer ${l}: max_E |log â − log a| = ${lc.maxLogRatio} vs 2·max_E|ŝ − s| = ${2 * lc.logitError}`,
      }));
    });
    // Whatever a theorem's checks say, a certificate whose measured quantities are not finite certifies nothing. (A
    // twin farther from T(X) than T̂ = 0 can still satisfy every bound — the bounds are then large — so that is said
    // by summarizeCertificate, not made a failure: Thm 3.3 at large ε legitimately holds there.)
    const measuredValues = [alpha, beta, outputError, outputScale, ...layers.flatMap((lc) => [lc.inputError, lc.halfError, lc.threeQuarterError,
      lc.outputError, lc.logitError, lc.maxLogRatio].filter((v): v is number => v !== null))];
    const nonFinite = measuredValues.filter((v) => !Number.isFinite(v)).length;
    checks.push(makeCheck(tolerances, {
      name: 'measured quantities are finite', kind: 'hypothesis', layer: null, measured: nonFinite, bound: 0,
      detail: `${nonFinite} of ${measuredValues.length} measured quantities (α, β, output error and scale, per-layer errors) are NaN or ±∞`,
    }));
    const result = verifier.verify(ctx);
    checks.push(...result.checks);
    result.layerExtras?.forEach((extra, l) => { if (layers[l]) Object.assign(layers[l].extra, extra); });
    const counted = checks.filter((c) => c.applicable);
    const reasons = counted.filter((c) => !c.holds).map((c) =>
      `${c.layer === null ? '' : `layer ${c.layer}: `}${c.name} fails: ${c.measured} > ${c.bound} (${c.detail})`);
    let maxLogRatio = 0;
    for (const lc of layers) maxLogRatio = Math.max(maxLogRatio, lc.maxLogRatio);
    const certificate: Certificate = {
      format: 'narrowgt-certificate', version: 1,
      construction: compressed.construction, theorem: verifier.theorem,
      holds: reasons.length === 0, reasons,
      alpha, beta,
      numNodes: x.rows, numEdges: pattern.numEdges, depth: L,
      referenceWidths: reference.widths, narrowWidths: compressed.narrow.widths,
      outputError, outputScale, maxLogRatio,
      layers, checks, predicted: result.predicted,
      seeds: result.seeds ?? null,
      parameters: { rtol: tolerances.rtol, atolFactor: tolerances.atolFactor, ...result.parameters },
      inputs: digestInputs(reference, compressed, x64, pattern),
    };
    return certificate;
  });
}
