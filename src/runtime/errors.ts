// The error hierarchy. Every message starts with the public function's name and names the argument.

/** Base class of every error narrowgt throws on purpose. */
export class NarrowgtError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

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

/** The WASM backend is not available or was used before init(). */
export class BackendError extends NarrowgtError {}
