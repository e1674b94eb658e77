// The argument checks every construction and certify() run before any work (errors name the public function).
import { ArgumentRangeError, ArgumentTypeError, InputError, ShapeError } from '../../runtime/errors.js';
import type { DType, Storage } from '../../runtime/storage.js';
import { assertFiniteStorage, checkOptionsObject, requireFinite, requireInt, show } from '../../runtime/validate.js';
import { DenseMatrix } from '../../linalg/dense.js';
import { CsrGraph } from '../../graph/csr.js';
import { GraphTransformer } from '../../model/graph-transformer.js';
import type { CompressedModel } from './types.js';

/** The argument checks of certify() and certifyWith(), before any work. Throws InputError / ShapeError. */
export function checkCertifyArguments(fn: string, reference: unknown, compressed: unknown, x: unknown, pattern: unknown): void {
  if (!(reference instanceof GraphTransformer)) throw new InputError(`${fn}: reference must be a GraphTransformer`);
  const c = compressed as CompressedModel;
  if (typeof c !== 'object' || c === null || !(c.narrow instanceof GraphTransformer)) throw new InputError(`${fn}: compressed must be a compressed model { narrow, decoders, … }`);
  if (!Array.isArray(c.decoders) || c.decoders.length !== reference.depth) {
    throw new ShapeError(`${fn}: compressed.decoders must have one entry per reference layer (${reference.depth})`);
  }
  if (c.narrow.depth !== reference.depth) throw new ShapeError(`${fn}: compressed.narrow has ${c.narrow.depth} layers, the reference ${reference.depth}`);
  if (!(x instanceof DenseMatrix)) throw new InputError(`${fn}: x must be a DenseMatrix (n×d_in)`);
  if (!(pattern instanceof CsrGraph)) throw new InputError(`${fn}: pattern must be a CsrGraph`);
  if (x.cols !== reference.inputDim) throw new ShapeError(`${fn}: x has ${x.cols} columns, the reference reads ${reference.inputDim}`);
  if (pattern.numRows !== x.rows || pattern.numCols !== x.rows) throw new ShapeError(`${fn}: pattern is ${pattern.numRows}×${pattern.numCols} but x has ${x.rows} rows`);
  assertFiniteStorage(fn, 'x', x.storage as Storage<DType>);
  pattern.assertIntact(fn, 'pattern'); // edgeLogits, logitDistortion and the verifiers read its arrays directly
}

/**
 * The argument checks every compress* function runs first: model a GraphTransformer, x a finite
 * DenseMatrix of n rows and d_in columns, pattern an n×n CsrGraph. Throws InputError / ShapeError.
 */
export function checkCompressArguments(fn: string, model: unknown, x: unknown, pattern: unknown): void {
  if (!(model instanceof GraphTransformer)) throw new InputError(`${fn}: model must be a GraphTransformer (see createModel)`);
  if (!(x instanceof DenseMatrix)) throw new InputError(`${fn}: x must be a DenseMatrix (n×d_in, one node per row)`);
  if (!(pattern instanceof CsrGraph)) throw new InputError(`${fn}: pattern must be a CsrGraph`);
  if (x.cols !== model.inputDim) throw new ShapeError(`${fn}: x has ${x.cols} columns, the model reads d_in = ${model.inputDim}`);
  if (pattern.numRows !== x.rows || pattern.numCols !== x.rows) throw new ShapeError(`${fn}: pattern is ${pattern.numRows}×${pattern.numCols} but x has ${x.rows} rows`);
  assertFiniteStorage(fn, 'x', x.storage as Storage<DType>);
  pattern.assertIntact(fn, 'pattern'); // edgeLogits, logitDistortion and the verifiers read its arrays directly
}

/**
 * InputError unless `options` is a (non-null, non-array) object — required, unlike checkOptionsObject's
 * optional bag. `shape` describes the object in the message ('{ d, … }').
 */
export function requireOptionsObject(fn: string, options: unknown, shape: string): asserts options is Record<string, unknown> {
  if (options === undefined) throw new InputError(`${fn}: options must be an object ${shape}, got undefined`);
  checkOptionsObject(fn, options);
}

/**
 * The options every construction passes to certifyWith: tolerances, if given, an object whose rtol and
 * atolFactor are finite numbers ≥ 0 (docs/theory.md#19-tolerances-and-the-testing-protocol).
 */
export function checkTolerances(fn: string, options: { tolerances?: unknown } | undefined): void {
  const t = options?.tolerances;
  if (t === undefined) return;
  checkOptionsObject(fn, t, 'options.tolerances');
  for (const name of ['rtol', 'atolFactor'] as const) {
    const v = (t as Record<string, unknown>)[name];
    if (v !== undefined) requireFinite(fn, `options.tolerances.${name}`, v, 0);
  }
}

/**
 * Validates the options shared by the rank-based constructions (an object with an integer d ≥ 1 and the
 * CertifyOptions of checkTolerances) and returns d.
 */
export function requireWidth(fn: string, options: unknown): number {
  requireOptionsObject(fn, options, '{ d, … }');
  checkTolerances(fn, options);
  const d = options.d;
  requireInt(fn, 'options.d', d, 1);
  return d;
}

/** ArgumentTypeError unless v is a number, ArgumentRangeError unless lo < v ≤ hi (a fraction in (0, 1]). */
export function requireHalfOpen(fn: string, name: string, v: unknown, lo: number, hi: number): asserts v is number {
  if (typeof v !== 'number') throw new ArgumentTypeError(`${fn}: ${name} must be a number in (${lo}, ${hi}], got ${show(v)}`);
  if (!(v > lo && v <= hi)) throw new ArgumentRangeError(`${fn}: ${name} must lie in (${lo}, ${hi}], got ${show(v)}`);
}

/** Throws InputError unless the model is the theory variant of Sec. 2; docs/theory.md#2-the-model-and-its-assumptions (b_1 allowed). */
export function requireTheoryModel(fn: string, model: GraphTransformer): void {
  if (model.variant !== 'theory') {
    throw new InputError(`${fn}: model is a practical-variant network; the construction is implemented for the theory model of Sec. 2 (skips and norms need the restatement of App. D.2: docs/theory.md#17-the-practical-variant)`);
  }
}
