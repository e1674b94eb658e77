// The Gram matrices A·Aᵀ and B·Bᵀ of two row sets (n×p, n×q), visited pair by pair in row blocks, so that τ_v and η_V
// (Thm 4.4, Lemmas C.5/C.6, L4; docs/theory.md#11-theorem-44--clustering (bounds checked)) cost O(n²·(p + q)) time but only
// O(block·n) memory instead of two n×n matrices. f64.
import { scope } from '../../runtime/storage.js';
import { DenseMatrix } from '../../linalg/dense.js';
import { mul } from '../shared/basis.js';

/** At most this many Gram entries a block (2²¹ f64 = 16 MiB for each of the two). */
const BLOCK_ENTRIES = 1 << 21;

/** Rows r0..r1−1 of m, copied. */
function rowRange(m: DenseMatrix<'f64'>, r0: number, r1: number): DenseMatrix<'f64'> {
  const out = DenseMatrix.zeros(r1 - r0, m.cols, 'f64');
  out.data.set(m.data.subarray(r0 * m.cols, r1 * m.cols)); // m.data read after the allocation (memory.grow detaches views)
  return out;
}

/**
 * Calls visit(u, w, (AAᵀ)_uw, (BBᵀ)_uw) for every pair w ≤ u (the Gram matrices are symmetric, the diagonal included).
 * a and b must have the same number of rows. `blockEntries` (default 2²¹) bounds the entries of a block (tests vary it).
 */
export function forEachGramPair(a: DenseMatrix<'f64'>, b: DenseMatrix<'f64'>, visit: (u: number, w: number, g: number, gHat: number) => void,
  blockEntries = BLOCK_ENTRIES): void {
  const n = a.rows, block = Math.max(1, Math.floor(blockEntries / Math.max(1, n)));
  for (let r0 = 0; r0 < n; r0 += block) {
    const r1 = Math.min(n, r0 + block);
    scope(() => {
      const ga = mul(rowRange(a, r0, r1), a, false, true), gb = mul(rowRange(b, r0, r1), b, false, true);
      const x = ga.data, y = gb.data;
      for (let u = r0; u < r1; u++) {
        const o = (u - r0) * n;
        for (let w = 0; w <= u; w++) visit(u, w, x[o + w], y[o + w]);
      }
    });
  }
}

/** Squared row norms of m. */
export function rowSquaredNorms(m: DenseMatrix<'f64'>): Float64Array {
  const out = new Float64Array(m.rows), d = m.data, c = m.cols;
  for (let i = 0; i < m.rows; i++) { let s = 0; for (let j = 0; j < c; j++) s += d[i * c + j] ** 2; out[i] = s; }
  return out;
}
