// Softmax attention restricted to a sparse pattern (Section 2 of the paper): the fused CSR kernel.
import { InputError, ShapeError } from '../runtime/errors.js';
import { runKernel } from '../runtime/dispatch.js';
import { attentionRows } from '../runtime/threads/splits.js';
import { scratch } from '../runtime/scratch.js';
import { Storage, assertWasmRoom, type DType } from '../runtime/storage.js';
import { assertFiniteStorage, checkOptionsObject, optionalBoolean, requireAllocatable, requireLive } from '../runtime/validate.js';
import { DenseMatrix, requireDenseMatrix, type FloatDType } from '../linalg/dense.js';
import { CsrGraph } from '../graph/csr.js';
import * as twin from '../twin/attention_csr.js';
import { maxRowSquaredNorm } from '../linalg/max-row-norm.js';

export interface SparseAttentionOptions<T extends FloatDType = FloatDType> {
  /** Multiplies every logit q_i·k_j (default 1; the practical variant uses 1/√d). */
  scale?: number;
  /** Also return the attention weight a_ij of every pattern entry, in CSR order (default false). */
  returnWeights?: boolean;
  /** Write the output here (nDst×dV, f32) instead of allocating. */
  out?: DenseMatrix<T>;
  /** Write the weights here (numEdges entries, same dtype) instead of allocating; implies returnWeights. */
  weightsOut?: Storage<T>;
  /** Scan q, k and v for NaN/Inf first (default true; a SIMD scan, ~1 % of the attention's cost). */
  checkFinite?: boolean;
}

export interface SparseAttentionResult<T extends FloatDType = FloatDType> {
  /** h_i = Σ_j a_ij v_j, one row per destination node (a zero row where the node has no neighbours). */
  output: DenseMatrix<T>;
  /** a_ij for every pattern entry in CSR order (rows sum to 1), when asked for. */
  weights?: Storage<T>;
}

function checkMatrix(fn: string, name: string, m: unknown, dtype: FloatDType): asserts m is DenseMatrix {
  requireDenseMatrix(fn, name, m);
  if (m.dtype !== dtype) throw new InputError(`${fn}: ${name} is ${m.dtype} but q is ${dtype}; all operands share one dtype`);
}

/**
 * Fused sparse softmax attention (f32 for inference, f64 for certificates): for each row i of `pattern`, s_ij = scale·q_i·k_j over its
 * columns j, a_ij = softmax_j(s_ij), h_i = Σ_j a_ij v_j — no n×n matrix. The softmax subtracts the row
 * max, or in f32, when every score of the row is provably in [−20, 20] (|scale|·‖q_i‖·max_j‖k_j‖ ≤ 20),
 * the fixed shift ⌈that bound·log₂e⌉·ln2, which lets the kernel do the row in one pass (same result up
 * to rounding: softmax is shift-invariant; see assembly/attention_bounded_f32.ts). q is numRows×dQK, k is numCols×dQK, v is numCols×dV; dQK may differ from dV (a JL-compressed
 * Q/K). Cost O(m·(dQK + dV)). A row with no pattern entries yields a zero output row (and no weights).
 * Throws InputError / ShapeError naming the argument before any work: among them, in f32, a scale beyond
 * the f32 range or one for which max(1, |scale|)·max‖q_i‖·max‖k_j‖ overflows the dtype (every weight would be NaN), a
 * pattern whose arrays were changed after validation (CsrGraph.assertIntact), and a freed operand.
 */
export function sparseAttention<T extends FloatDType>(q: DenseMatrix<T>, k: DenseMatrix<T>, v: DenseMatrix<T>, pattern: CsrGraph,
  options: SparseAttentionOptions<T> & ({ returnWeights: true } | { weightsOut: Storage<T> })): SparseAttentionResult<T> & { weights: Storage<T> };
export function sparseAttention<T extends FloatDType>(q: DenseMatrix<T>, k: DenseMatrix<T>, v: DenseMatrix<T>, pattern: CsrGraph,
  options?: SparseAttentionOptions<T>): SparseAttentionResult<T>;
export function sparseAttention<T extends FloatDType>(q: DenseMatrix<T>, k: DenseMatrix<T>, v: DenseMatrix<T>, pattern: CsrGraph,
  options: SparseAttentionOptions<T> = {}): SparseAttentionResult<T> {
  const fn = 'sparseAttention';
  requireDenseMatrix(fn, 'q', q);
  const dtype = q.dtype;
  checkMatrix(fn, 'k', k, dtype); checkMatrix(fn, 'v', v, dtype);
  if (!(pattern instanceof CsrGraph)) throw new InputError(`${fn}: pattern must be a CsrGraph (see csrFromEdges)`);
  pattern.assertIntact(fn, 'pattern');
  checkOptionsObject(fn, options);
  const nDst = pattern.numRows, nSrc = pattern.numCols, m = pattern.numEdges;
  if (q.rows !== nDst) throw new ShapeError(`${fn}: q has ${q.rows} rows but pattern has ${nDst} rows`);
  if (k.rows !== nSrc) throw new ShapeError(`${fn}: k has ${k.rows} rows but pattern has ${nSrc} columns`);
  if (v.rows !== nSrc) throw new ShapeError(`${fn}: v has ${v.rows} rows but pattern has ${nSrc} columns`);
  if (k.cols !== q.cols) throw new ShapeError(`${fn}: q has ${q.cols} columns but k has ${k.cols}`);
  const scale = options.scale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new InputError(`${fn}: options.scale must be a finite number, got ${String(scale)}`);
  // The f32 kernel multiplies in f32: a scale finite in f64 but beyond the f32 range (1e300) is +Inf there
  // and makes every weight NaN. It must be finite as an f32 — and so must scale·q·k (checked below).
  if (dtype === 'f32' && !Number.isFinite(Math.fround(scale))) {
    throw new InputError(`${fn}: options.scale = ${scale} is beyond the f32 range of q, k and v (|scale| ≤ 3.4e38)`);
  }
  const returnWeights = optionalBoolean(fn, 'options.returnWeights', options.returnWeights, false);
  const checkFinite = optionalBoolean(fn, 'options.checkFinite', options.checkFinite, true);
  const dQK = q.cols, dV = v.cols;
  const out = options.out;
  if (out) {
    checkMatrix(fn, 'options.out', out, dtype);
    if (out.rows !== nDst || out.cols !== dV) throw new ShapeError(`${fn}: options.out is ${out.rows}×${out.cols}, expected ${nDst}×${dV}`);
    if ([q, k, v].some((x) => x.storage === out.storage)) throw new InputError(`${fn}: options.out must not alias q, k or v`);
  }
  const wOut = options.weightsOut;
  if (wOut && (!(wOut instanceof Storage) || wOut.dtype !== dtype || wOut.length !== m)) {
    throw new ShapeError(`${fn}: options.weightsOut must be a ${dtype} Storage of length numEdges = ${m}`);
  }
  if (wOut !== undefined) requireLive(fn, 'options.weightsOut', wOut as Storage<DType>);
  // One pass over q and k (threaded; assembly/checks.ts max_row_sq_norm_*) gives the logit bound's row norms and, as
  // a non-finite norm, the finiteness flag; v gets the same pass when checkFinite. Only when a norm is not finite do
  // the scans run in order for the error naming the first bad array and index (an f64 norm may also overflow alone).
  const qSq = maxRowSquaredNorm(q), kSq = maxRowSquaredNorm(k);
  if (checkFinite && !(Number.isFinite(qSq) && Number.isFinite(kSq) && Number.isFinite(maxRowSquaredNorm(v)))) {
    assertFiniteStorage(fn, 'q', q.storage as Storage<DType>);
    assertFiniteStorage(fn, 'k', k.storage as Storage<DType>);
    assertFiniteStorage(fn, 'v', v.storage as Storage<DType>);
  }
  checkLogits(fn, Math.sqrt(qSq), Math.sqrt(kSq), scale, dtype);
  if (!out) requireAllocatable(fn, `the ${nDst}×${dV} output`, nDst * dV, dtype === 'f32' ? 4 : 8);
  const wantWeights = returnWeights || wOut !== undefined;
  // what the call allocates in WASM memory, checked before any of it (docs/architecture.md, "Memory model"): the output and
  // weights it makes, the kernel's per-row shifts, the scratch, and copies of operands that live in the JS heap
  const eb = dtype === 'f32' ? 4 : 8;
  const copied = [q, k, v, out].reduce((s, x) => s + (x && !x.storage.resident ? x.rows * x.cols * eb : 0), 0) +
    (pattern.rowPtr.resident ? 0 : (nDst + 1) * 4) + (pattern.colIdx.resident ? 0 : m * 4) +
    (wOut && !wOut.resident ? m * eb : 0);
  assertWasmRoom(fn, `the attention on ${nDst} rows and ${m} entries`, (out ? 0 : nDst * dV * eb) + (wantWeights && !wOut ? m * eb : 0) +
    nDst * 4 + Math.max(pattern.maxDegree, 1) * 2 * eb + copied + (1 << 16));
  const output = out ?? DenseMatrix.zeros(nDst, dV, dtype);
  const weights = wantWeights ? (wOut ?? Storage.alloc(dtype, m)) : undefined;
  const bytes = dtype === 'f32' ? 4 : 8;
  runKernel({
    args: [output.storage, q.storage, k.storage, v.storage, pattern.rowPtr, pattern.colIdx, weights ?? null] as Storage<DType>[],
    writes: [output.storage, weights ?? null] as Storage<DType>[],
    rows: attentionRows(nDst, nSrc, dQK, dV, scale, pattern.rowPtr.array, pattern.maxDegree, wantWeights, dtype === 'f32', pattern),
    kernel: (kern, [po, pq, pk, pv, prp, pci, pw]) => {
      const scores = weights ? pw : scratch(kern, bytes * Math.max(pattern.maxDegree, 1));
      if (dtype === 'f32') kern.attention_csr_f32(po, pq, pk, pv, prp, pci, nDst, dQK, dV, scale, scores, weights ? 1 : 0, nSrc);
      else kern.attention_csr_f64(po, pq, pk, pv, prp, pci, nDst, dQK, dV, scale, scores, weights ? 1 : 0);
    },
    twin: () => {
      const scores = weights ? weights.array : new (dtype === 'f32' ? Float32Array : Float64Array)(Math.max(pattern.maxDegree, 1));
      if (dtype === 'f32') {
        twin.attention_csr_f32(output.data as Float32Array, q.data as Float32Array, k.data as Float32Array, v.data as Float32Array,
          pattern.rowPtr.array, pattern.colIdx.array, nDst, dQK, dV, scale, scores as Float32Array, weights ? 1 : 0, nSrc);
      } else {
        twin.attention_csr_f64(output.data as Float64Array, q.data as Float64Array, k.data as Float64Array, v.data as Float64Array,
          pattern.rowPtr.array, pattern.colIdx.array, nDst, dQK, dV, scale, scores as Float64Array, weights ? 1 : 0);
      }
    },
  });
  return (weights ? { output, weights } : { output }) as SparseAttentionResult<T>;
}

/**
 * |q_i·k_j| and |s_ij| ≤ |scale|·‖q_i‖·‖k_j‖ must stay finite in the kernel's dtype, or its scores overflow to ±Inf and
 * the softmax gives NaN (issue 13). The bound is computed in f64 from the largest row norms of q and k (maxRowSquaredNorm,
 * in f64 itself it can exceed the range: then it is +Inf and rejected too) — O((n_dst + n_src)·d), whatever checkFinite says.
 */
function checkLogits(fn: string, qNorm: number, kNorm: number, scale: number, dtype: FloatDType): void {
  // the kernel forms q_i·k_j before scaling it: the dot product itself must fit too (scale 0 does not save 0·Inf)
  const bound = Math.max(1, Math.abs(scale)) * qNorm * kNorm;
  const max = dtype === 'f32' ? 3.4e38 : 1.7e308;
  if (!(bound <= max)) {
    throw new InputError(`${fn}: max(1, |options.scale|)·max‖q_i‖·max‖k_j‖ = ${bound} overflows ${dtype} (≤ ${max}): the logits would be ±Inf and the weights NaN (scale the inputs${dtype === 'f32' ? ' or use f64' : ''})`);
  }
}
