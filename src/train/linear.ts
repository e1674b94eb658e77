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

/** Gradients of Y = X·Wᵀ + b: dW = dYᵀ·X, db = Σ_i dY_i, and dX = dY·W unless `needInput` is false. */
export function linearBackward<T extends FloatDType>(dy: DenseMatrix<T>, x: DenseMatrix<T>, weight: DenseMatrix<T>, needInput = true):
  { dX: DenseMatrix<T> | null; dW: DenseMatrix<T>; db: DenseMatrix<T> } {
  const dW = matmul(dy, x, { transA: true, checkFinite: false });
  const db = columnSums(dy);
  const dX = needInput ? matmul(dy, weight, { checkFinite: false }) : null;
  return { dX, dW, db };
}

/** a ← a + b elementwise (same shape); returns a. */
export function addInto<T extends FloatDType>(a: DenseMatrix<T>, b: DenseMatrix<T>): DenseMatrix<T> {
  return addInPlace(a, b);
}
