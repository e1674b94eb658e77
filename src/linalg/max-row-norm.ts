// The largest squared row norm of a matrix, for the logit bound of sparseAttention (issue 13) and its finiteness
// check: assembly/checks.ts max_row_sq_norm_* (SIMD, row ranges on the thread pool) or its twin src/twin/checks.ts.
import { runSlotted } from '../runtime/dispatch.js';
import type { DType, Storage } from '../runtime/storage.js';
import { CHECK_SLOTS, rowCheckRanges } from '../runtime/threads/splits.js';
import * as twin from '../twin/checks.js';
import type { DenseMatrix } from './dense.js';

/**
 * max_i Σ_j m_ij² in f64 (0 for no rows), computed in the order the kernel states (four partial sums per row; the
 * same bits for every thread count and on the twin). Not finite when m holds a NaN or ±Inf (NaN propagates), or
 * when an f64 square overflows. Cost O(rows·cols); allocates nothing (the slots are a block init() made).
 */
export function maxRowSquaredNorm(m: DenseMatrix): number {
  const f32 = m.dtype === 'f32', rows = m.rows, cols = m.cols, name = f32 ? 'max_row_sq_norm_f32' : 'max_row_sq_norm_f64';
  const slots = runSlotted([m.storage as Storage<DType>], m.storage.resident, CHECK_SLOTS, 0,
    (k, [px], po) => k[name](px, 0, rows, cols, po, 0),
    (out) => twin.max_row_sq_norm(m.data, 0, rows, cols, out, 0),
    (po) => rowCheckRanges(name, rows, cols, po));
  // each range wrote its slot, the others hold 0; a maximum is exact, so any split gives these bits
  let best = 0;
  for (let t = 0; t < CHECK_SLOTS; t++) best = Math.max(best, slots[t]);
  return best;
}
