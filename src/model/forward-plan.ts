// The memory plan of an inference forward (no trace, no cache; docs/architecture.md, "Memory model"): how many bytes
// of WASM memory forwardNetwork (src/model/forward.ts) allocates on top of its input and pattern, and how many
// row blocks of Q it forms Q in, computed before any work so that a graph that cannot fit is a BackendError up
// front instead of a failure half-way through a layer.
//
// forwardNetwork takes every n×width buffer from one BufferPool whose spares are kept until the end, and a
// spare is reused only for the same width. So the pool's bytes at the end are Σ_width (the most buffers of that
// width in use at once) · n · width, and since the pool never frees a spare before the end, its bytes only grow:
// that sum is also its peak. On top come the transient blocks of a layer (one row block of Q and its row
// pointers, a weight converted to the forward's dtype, the attention scratch) and the head's output.
// planNetwork walks the layers taking and giving back widths exactly as forwardLayer does for inference.
import type { CsrGraph } from '../graph/csr.js';
import type { FloatDType } from '../linalg/dense.js';
import { BackendError } from '../runtime/errors.js';
import { WASM_HEADROOM_BYTES, WASM_MEMORY_BYTES } from '../runtime/block-size.js';
import { loadedKernels, wasmKernels } from '../runtime/init.js';
import type { NetworkLayer, NetworkWeights, NormWeights } from './forward.js';
import { DEFAULT_QUERY_BLOCKS, MAX_QUERY_BLOCKS, QUERY_BLOCK_MIN_BYTES, streamBlockEntries } from './query-blocks.js';

export { DEFAULT_QUERY_BLOCKS, MAX_QUERY_BLOCKS, QUERY_BLOCK_MIN_BYTES };

/** Memory the plan leaves unclaimed (TLSF's reserve for small blocks, rounding, fragmentation). */
export const PLAN_HEADROOM_BYTES = WASM_HEADROOM_BYTES;
/** Blocks of this many bytes and more are large regions (assembly/memory.ts, LARGE_BYTES)… */
const LARGE_BYTES = 8 * 2 ** 20;
/** …counted at their size rounded up by at most one 64 KiB page. */
const LARGE_SLACK_BYTES = 65536;
/** The forward's small blocks that the plan does not list one by one (the attention scratch, a folded norm). */
const SMALL_BLOCKS_BYTES = 1 << 18;

export interface ForwardPlan {
  /** Bytes the forward allocates beyond its input and pattern, at its peak (planned; ≥ the measured peak). */
  workBytes: number;
  /** The input's own bytes when the forward copies it (another dtype, or it lives in the JS heap), else 0. */
  inputCopyBytes: number;
  /** How many row blocks Q is formed in (1: all of Q at once). */
  queryBlocks: number;
  /** The pattern's bytes (row pointers and column indices, i32). */
  patternBytes: number;
  /** How many layers form Q in row blocks (Q of at least QUERY_BLOCK_MIN_BYTES). */
  blockedLayers: number;
}

function isBatch(norm: NormWeights): boolean {
  return (norm as { kind?: string }).kind === 'batch';
}

/** Widths in use and the most of each width in use at once (the pool's spares). */
class WidthCounter {
  private inUse = new Map<number, number>();
  readonly most = new Map<number, number>();
  take(w: number): number {
    const c = (this.inUse.get(w) ?? 0) + 1;
    this.inUse.set(w, c);
    if (c > (this.most.get(w) ?? 0)) this.most.set(w, c);
    return w;
  }
  give(w: number): void {
    this.inUse.set(w, (this.inUse.get(w) ?? 0) - 1);
  }
  /** Σ_width most · (the bytes of one n×width block as the allocator counts it). */
  bytes(n: number, bytesEach: number): number {
    let s = 0;
    for (const [w, c] of this.most) s += c * counted(n * w * bytesEach);
    return s;
  }
}

/**
 * The bytes the allocator counts for a block (assembly/memory.ts): a large region (≥ 8 MiB) is the request
 * rounded to 16 bytes, or up to one 64 KiB page more when the free region it came from was not split; a TLSF
 * block is its payload rounded to 16 bytes plus its 4-byte header.
 */
function counted(bytes: number): number {
  return bytes >= LARGE_BYTES ? bytes + LARGE_SLACK_BYTES : Math.ceil((bytes + 4) / 16) * 16 + 16;
}

function outWidth(norm: NormWeights): number | null {
  return isBatch(norm) ? null : (norm as { weight: { rows: number } }).weight.rows;
}

/** One layer's takes and gives as forwardLayer makes them for inference (its input h is held by the caller meanwhile). */
function planLayer(layer: NetworkLayer, pool: WidthCounter, blocked: boolean): { out: number; transientCols: number } {
  const dQK = layer.wQ.rows, dV = layer.wV.rows;
  const k = pool.take(dQK), v = pool.take(dV);
  const attOut = pool.take(dV);
  let q = 0;
  if (!blocked) q = pool.take(dQK);
  if (!blocked) pool.give(q);
  pool.give(k); pool.give(v);
  let half = attOut;
  if (layer.attentionSkip && layer.attentionSkip !== 'identity') {
    half = pool.take(layer.attentionSkip.rows);
    pool.give(attOut);
  }
  if (layer.attentionNorm) {
    // a batch norm runs on its running statistics, folded to an affine map of the same width
    const normed = pool.take(outWidth(layer.attentionNorm) ?? half);
    pool.give(half);
    half = normed;
  }
  const tq = pool.take(layer.w1.rows);
  let output = pool.take(layer.w2.rows);
  pool.give(tq);
  if (layer.ffnSkip && layer.ffnSkip !== 'identity') { const s = pool.take(layer.ffnSkip.rows); pool.give(s); }
  pool.give(half);
  if (layer.ffnNorm) {
    const normed = pool.take(outWidth(layer.ffnNorm) ?? output);
    pool.give(output);
    output = normed;
  }
  return { out: output, transientCols: blocked ? dQK : 0 };
}

/**
 * The plan of `net`'s inference forward on n rows of width `inputDim` in `dtype`, with Q in `queryBlocks`
 * row blocks where it is blocked (src/model/forward.ts: WASM backend, Q of at least QUERY_BLOCK_MIN_BYTES).
 * `copiesInput`: the forward works on its own copy of the input (freed after the encoder, when there is one).
 */
export function planNetwork(net: NetworkWeights, n: number, inputDim: number, dtype: FloatDType, copiesInput: boolean,
  queryBlocks: number, patternBytes: number): ForwardPlan {
  const bytes = dtype === 'f32' ? 4 : 8;
  const pool = new WidthCounter();
  let h = inputDim, hInPool = false;
  if (net.encoder) { h = pool.take(net.encoder.weight.rows); hInPool = true; }
  let transient = 0, weightBytes = 0, blockedLayers = 0;
  for (const layer of net.layers) {
    const blocked = queryBlocks > 1 && n * layer.wQ.rows * bytes >= QUERY_BLOCK_MIN_BYTES;
    const { out, transientCols } = planLayer(layer, pool, blocked);
    const rowsPer = Math.ceil(n / Math.max(queryBlocks, 1));
    if (blocked) blockedLayers++;
    // a block of Q, its row pointers, the attention kernel's per-row shifts (rows × 4 bytes, assembly/attention_csr.ts),
    // and unblocked, the kernel's shifts for all n rows
    if (blocked) transient = Math.max(transient, counted(rowsPer * transientCols * bytes) + counted((rowsPer + 1) * 4) + counted(rowsPer * 4));
    else transient = Math.max(transient, counted(n * 4));
    for (const w of [layer.wQ, layer.wK, layer.wV, layer.w1, layer.w2]) weightBytes = Math.max(weightBytes, w.rows * w.cols * bytes);
    if (hInPool) pool.give(h);
    h = out; hInPool = true;
  }
  // the head's output is allocated outside the pool and returned
  const headBytes = net.head ? counted(n * net.head.weight.rows * bytes) : 0;
  const workBytes = pool.bytes(n, bytes) + headBytes + transient + counted(weightBytes) + SMALL_BLOCKS_BYTES;
  // the input copy is freed after the encoder: it overlaps only the encoder's output, which the pool's first take holds
  const inputCopyBytes = copiesInput ? n * inputDim * bytes : 0;
  return { workBytes, inputCopyBytes, queryBlocks, patternBytes, blockedLayers };
}

/**
 * The bytes of WASM memory a plan still needs beside what is live now: its work and input copy, and the
 * pattern when it lives in the JS heap (the kernels then copy it in for each call).
 */
function planNeeds(plan: ForwardPlan, pattern: CsrGraph, n: number): number {
  const resident = pattern.rowPtr.resident && pattern.colIdx.resident;
  if (resident) return plan.workBytes + plan.inputCopyBytes;
  // streamed one query block at a time (src/model/forward.ts) when Q is blocked, else copied in whole per call
  const blocked = plan.queryBlocks > 1 && plan.blockedLayers > 0;
  const stream = blocked ? counted(streamBlockEntries(pattern, Math.ceil(n / plan.queryBlocks)) * 4) : plan.patternBytes;
  return plan.workBytes + plan.inputCopyBytes + stream;
}

/**
 * The inference forward's plan for this network on `pattern`, choosing the fewest row blocks of Q (from
 * DEFAULT_QUERY_BLOCKS up to MAX_QUERY_BLOCKS) that fit in the WASM memory left; throws BackendError naming
 * `fn` before any work when none does. On the JS backend (no WASM memory to plan) it returns the default plan.
 */
export function assertForwardFits(fn: string, net: NetworkWeights, n: number, inputDim: number, dtype: FloatDType,
  copiesInput: boolean, pattern: CsrGraph): ForwardPlan {
  const patternBytes = (pattern.numRows + 1 + pattern.numEdges) * 4;
  const k = wasmKernels();
  const base = planNetwork(net, n, inputDim, dtype, copiesInput, DEFAULT_QUERY_BLOCKS, patternBytes);
  if (!k) return base;
  const live = loadedKernels()!.liveBytes();
  const available = WASM_MEMORY_BYTES - PLAN_HEADROOM_BYTES - live;
  let plan = base;
  for (let b = DEFAULT_QUERY_BLOCKS; b <= MAX_QUERY_BLOCKS; b *= 2) {
    plan = b === DEFAULT_QUERY_BLOCKS ? base : planNetwork(net, n, inputDim, dtype, copiesInput, b, patternBytes);
    if (planNeeds(plan, pattern, n) <= available) return plan;
  }
  const need = planNeeds(plan, pattern, n);
  throw new BackendError(`${fn}: the ${dtype} forward on n = ${n} nodes needs about ${need} bytes of WASM memory for its work buffers ` +
    `(with Q in ${plan.queryBlocks} row blocks) beside the ${live} in use, more than the ${available} left of the ${WASM_MEMORY_BYTES} ` +
    `a 32-bit WASM memory holds (less ${PLAN_HEADROOM_BYTES} headroom); free what is no longer needed, use a narrower model, ` +
    `or the f32 dtype for an f64 forward`);
}
