// ‖A‖₂ = σ₁(A), exactly enough for a certificate (relative error ≤ 1e-11): the β of assumption (A2) in
// Shirzad et al. (2024, Sec. 2; docs/theory.md#2-the-model-and-its-assumptions) and Table 1's operator norms.
// linalg/norms.ts operatorNorm is the fast power-iteration estimate; this one is the certified value.
import type { DenseMatrix } from './dense.js';
import { rng } from '../random/rng.js';
import { lanczosTopEigenvalue } from './lanczos.js';

/**
 * ‖A‖₂ = σ₁(A) (0 for an empty matrix): Lanczos with full reorthogonalisation (src/linalg/lanczos.ts) on the
 * smaller Gram matrix (AᵀA or AAᵀ, applied as two products, never formed), stopped by the residual bound
 * |β_k·y_k| ≤ 1e-11·θ (|λ − θ| ≤ |β_k y_k| for an eigenvalue λ; Golub & Van Loan, 4th ed., §10.1) or when k
 * reaches min(m, n), where it is exact.
 * Cost O(k·m·n + k²·min(m, n)), k ≪ min(m, n) except for nearly flat spectra. Accuracy: relative error ≤ 1e-11 (in practice ~1e-15, the Ritz error being quadratic in the residual),
 * below the certificates' rtol of 1e-9. Deterministic (fixed start vector from rng(0)).
 */
export function spectralNorm(a: DenseMatrix<'f64'>): number {
  const m = a.rows, n = a.cols;
  if (m === 0 || n === 0) return 0;
  const A = Float64Array.from(a.data);
  const dim = Math.min(m, n), other = Math.max(m, n);
  const tall = m >= n; // Gram AᵀA (n×n) when tall, else AAᵀ (m×m)
  const tmp = new Float64Array(other);
  const gram = (v: Float64Array, out: Float64Array): void => {
    tmp.fill(0);
    if (tall) {
      for (let i = 0; i < m; i++) { let s = 0; const o = i * n; for (let j = 0; j < n; j++) s += A[o + j] * v[j]; tmp[i] = s; }
      for (let i = 0; i < m; i++) { const t = tmp[i], o = i * n; if (t !== 0) for (let j = 0; j < n; j++) out[j] += A[o + j] * t; }
    } else {
      for (let i = 0; i < m; i++) { const t = v[i], o = i * n; if (t !== 0) for (let j = 0; j < n; j++) tmp[j] += A[o + j] * t; }
      for (let i = 0; i < m; i++) { let s = 0; const o = i * n; for (let j = 0; j < n; j++) s += A[o + j] * tmp[j]; out[i] = s; }
    }
  };
  return Math.sqrt(lanczosTopEigenvalue(gram, dim, rng(0).fillNormal(new Float64Array(dim)), 1e-11, dim).theta);
}
