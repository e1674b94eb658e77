// Row-wise norms and distances of node matrices (one node per row): the max and mean ‖h_i‖₂ of Table 1 and
// assumption (A1) of Shirzad et al. (2024), and the colmax error max_i ‖a_i − b_i‖₂ the certificates report
// (docs/theory.md#1-conventions).
import type { DenseMatrix } from './dense.js';

/** max_i ‖a_i − b_i‖₂ over rows (colmax of docs/theory.md#1-conventions, in the row convention). */
export function maxRowDistance(a: DenseMatrix, b: DenseMatrix): number {
  const ad = a.data, bd = b.data, c = a.cols;
  let worst = 0;
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < c; j++) { const t = ad[i * c + j] - bd[i * c + j]; s += t * t; }
    worst = Math.max(worst, Math.sqrt(s));
  }
  return worst;
}

/** max_i ‖a_i‖₂ and mean_i ‖a_i‖₂ over rows. */
export function rowNormStats(a: DenseMatrix): { max: number; mean: number } {
  const d = a.data, c = a.cols;
  let max = 0, sum = 0;
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < c; j++) s += d[i * c + j] * d[i * c + j];
    const r = Math.sqrt(s);
    max = Math.max(max, r);
    sum += r;
  }
  return { max, mean: a.rows ? sum / a.rows : 0 };
}
