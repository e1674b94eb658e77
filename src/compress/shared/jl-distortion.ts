// The realised JL dot-product distortion of Lemma L5 over a pattern's edges (docs/theory.md#16-shared-lemmas-l1-to-l7,
// #4-theorem-33--jl-on-w_q-and-w_k): Theorem 3.3's verifier (as logitDistortion) and Theorem 4.4's case (1)
// (thm-4.4-clusters/jl-first-layer.ts) both measure it here, since a result folder may not import another
// (docs/architecture.md); f64.
import type { DenseMatrix } from '../../linalg/dense.js';
import type { CsrGraph } from '../../graph/csr.js';
import { edgeLogits } from '../../model/forward.js';

/**
 * η = max over pattern edges (i, j) of |q̂_i·k̂_j − q̄_i·k̄_j| / ((‖q̄_i‖² + ‖k̄_j‖²)/2), rows of qBar, kBar (exact) and
 * qHat, kHat (sketched); a zero denominator with a non-zero difference is ∞. Cost O(m·(D + d)).
 */
export function edgeDotDistortion(qBar: DenseMatrix<'f64'>, kBar: DenseMatrix<'f64'>, qHat: DenseMatrix<'f64'>, kHat: DenseMatrix<'f64'>,
  pattern: CsrGraph): number {
  const exact = edgeLogits(qBar, kBar, pattern, 1), sketched = edgeLogits(qHat, kHat, pattern, 1);
  const qn = sqNorms(qBar), kn = sqNorms(kBar);
  const rp = pattern.rowPtr.array, ci = pattern.colIdx.array;
  let eta = 0;
  for (let i = 0; i < pattern.numRows; i++) {
    for (let e = rp[i]; e < rp[i + 1]; e++) {
      const den = (qn[i] + kn[ci[e]]) / 2, num = Math.abs(sketched[e] - exact[e]);
      if (den > 0) eta = Math.max(eta, num / den);
      else if (num > 0) eta = Infinity;
    }
  }
  return eta;
}

function sqNorms(a: DenseMatrix<'f64'>): Float64Array {
  const out = new Float64Array(a.rows), d = a.data, c = a.cols;
  for (let i = 0; i < a.rows; i++) { let s = 0; for (let j = 0; j < c; j++) s += d[i * c + j] ** 2; out[i] = s; }
  return out;
}
