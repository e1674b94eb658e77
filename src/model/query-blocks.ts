// The row blocks of Q the inference forward forms Q in (src/model/forward.ts, attentionByQueryBlocks), shared by
// the forward and its memory plan (src/model/forward-plan.ts) without either importing the other.
import type { CsrGraph } from '../graph/csr.js';

/** Q is formed in this many row blocks by default (src/model/forward.ts, attentionByQueryBlocks)… */
export const DEFAULT_QUERY_BLOCKS = 4;
/** …and in up to this many when memory is short (each block is one GEMM and one attention call). */
export const MAX_QUERY_BLOCKS = 256;
/** Below this many bytes of Q, Q is formed whole (one GEMM). */
export const QUERY_BLOCK_MIN_BYTES = 1 << 20;

/** The most pattern entries in one block of `rowsPer` consecutive rows (what a streamed block copies in). */
export function streamBlockEntries(pattern: CsrGraph, rowsPer: number): number {
  const rp = pattern.rowPtr.array, n = pattern.numRows;
  let most = 0;
  for (let r0 = 0; r0 < n; r0 += rowsPer) most = Math.max(most, rp[Math.min(r0 + rowsPer, n)] - rp[r0]);
  return most;
}
