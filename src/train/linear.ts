// Affine maps on node rows (Y = X·Wᵀ + 𝟙bᵀ) and their gradients, through the SIMD GEMM.
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import { matmul } from '../linalg/matmul.js';
import { addInPlace, addRowVectorInPlace, columnSumsOf } from './elementwise.js';

/** Y = X·Wᵀ (+ b on every row). W is out×in, b is 1×out. Cost 2·n·in·out flops. */
export function linearForward<T extends FloatDType>(x: DenseMatrix<T>, weight: DenseMatrix<T>, bias?: DenseMatrix<T>): DenseMatrix<T> {
  const y = matmul(x, weight, { transB: true, checkFinite: false });
  if (bias) addRowVector(y, bias);
  return y;
}

/** y_i += b for every row i. */
export function addRowVector<T extends FloatDType>(y: DenseMatrix<T>, b: DenseMatrix<T>): void {
  addRowVectorInPlace(y, b);
}

/** The 1×p column sums of an n×p matrix (sums in f64). */
export function columnSums<T extends FloatDType>(y: DenseMatrix<T>): DenseMatrix<T> {
  return columnSumsOf(y);
}

/**
 * Gradients of Y = X·Wᵀ + b: dW = dYᵀ·X, db = Σ_i dY_i (unless `needBias` is false: a map without bias), and
 * dX = dY·W unless `needInput` is false. W is converted to dY's dtype when they differ.
 */
export function linearBackward<T extends FloatDType>(dy: DenseMatrix<T>, x: DenseMatrix<T>, weight: DenseMatrix, needInput = true, needBias = true):
  { dX: DenseMatrix<T> | null; dW: DenseMatrix<T>; db: DenseMatrix<T> | null } {
  const dW = matmul(dy, x, { transA: true, checkFinite: false });
  const db = needBias ? columnSums(dy) : null;
  if (!needInput) return { dX: null, dW, db };
  const w = (weight.dtype === dy.dtype ? weight : weight.clone(dy.dtype)) as DenseMatrix<T>;
  const dX = matmul(dy, w, { checkFinite: false });
  if (w !== (weight as DenseMatrix<FloatDType>)) w.free();
  return { dX, dW, db };
}

/** a ← a + b elementwise (same shape); returns a. */
export function addInto<T extends FloatDType>(a: DenseMatrix<T>, b: DenseMatrix<T>): DenseMatrix<T> {
  return addInPlace(a, b);
}
