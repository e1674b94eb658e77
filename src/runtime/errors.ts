// The error hierarchy. Every message starts with the public function's name and names the argument.

// A brand on every error narrowgt throws on purpose, so that ArgumentRangeError / ArgumentTypeError (which
// extend the built-in RangeError / TypeError) are `instanceof NarrowgtError` too. Symbol.for: two copies of
// the package in one program (a bundle and node_modules) still recognise each other's errors.
const BRAND = Symbol.for('narrowgt.error');

function branded(x: unknown): boolean {
  return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Base class of every error narrowgt throws on purpose. `e instanceof NarrowgtError` holds for each of the
 * classes below, ArgumentRangeError and ArgumentTypeError included.
 */
export class NarrowgtError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }

  static override [Symbol.hasInstance](x: unknown): boolean {
    // NarrowgtError itself recognises the brand; its subclasses keep the ordinary prototype test.
    return this === NarrowgtError ? branded(x) : Function.prototype[Symbol.hasInstance].call(this, x);
  }
}
(NarrowgtError.prototype as unknown as Record<symbol, unknown>)[BRAND] = true;

/** Operand shapes do not fit (wrong length, mismatched inner dimensions). */
export class ShapeError extends NarrowgtError {}

/** A value is not allowed: NaN or ±Infinity, a negative size, an unsupported dtype. */
export class InputError extends NarrowgtError {}

/** An index (CSR column, node id, edge endpoint) lies outside its range. */
export class IndexError extends NarrowgtError {}

/** A file or byte buffer is malformed (bad .npy header, bad zip, missing member). */
export class FormatError extends NarrowgtError {}

/** An iterative method did not reach its tolerance in the allowed iterations. */
export class ConvergenceError extends NarrowgtError {}

/**
 * Finite input gave a non-finite intermediate: a layer's output overflowed its dtype (f32 beyond ~3.4e38,
 * f64 beyond ~1.8e308). The message names the public function and the layer.
 */
export class NumericalError extends NarrowgtError {}

/** The WASM backend is not available or was used before init(). */
export class BackendError extends NarrowgtError {}

/** A thread-pool worker failed to start or failed in its part of a kernel call (src/runtime/threads/). */
export class WorkerError extends BackendError {}

/** A numeric argument or option outside its allowed range. A RangeError and a NarrowgtError. */
export class ArgumentRangeError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'RangeError'; // what String(e) and stack traces print, as for the built-in it extends
  }
}
(ArgumentRangeError.prototype as unknown as Record<symbol, unknown>)[BRAND] = true;

/** An argument or option of the wrong type (a string where a number or boolean belongs). A TypeError and a NarrowgtError. */
export class ArgumentTypeError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'TypeError';
  }
}
(ArgumentTypeError.prototype as unknown as Record<symbol, unknown>)[BRAND] = true;
