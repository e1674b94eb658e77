// Softmax attention restricted to a sparse pattern (Section 2 of the paper): the fused CSR kernel.
import { InputError, ShapeError } from '../runtime/errors.js';
import { wasmKernels } from '../runtime/init.js';
import { scratch } from '../runtime/scratch.js';
import { Storage, withPointers, type DType } from '../runtime/storage.js';
import { assertFiniteStorage } from '../runtime/validate.js';
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import { CsrGraph } from '../graph/csr.js';
import * as twin from '../twin/attention_csr.js';

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
  if (!(m instanceof DenseMatrix)) throw new InputError(`${fn}: ${name} must be a DenseMatrix`);
  if (m.dtype !== dtype) throw new InputError(`${fn}: ${name} is ${m.dtype} but q is ${dtype}; all operands share one dtype`);
}

/**
 * Fused sparse softmax attention (f32 for inference, f64 for certificates): for each row i of `pattern`, s_ij = scale·q_i·k_j over its
 * columns j, a_ij = softmax_j(s_ij), h_i = Σ_j a_ij v_j — no n×n matrix. The softmax subtracts the row
 * max, or in f32, when every score of the row is provably in [−20, 20] (|scale|·‖q_i‖·max_j‖k_j‖ ≤ 20),
 * the fixed shift ⌈that bound·log₂e⌉·ln2, which lets the kernel do the row in one pass (same result up
 * to rounding: softmax is shift-invariant; see assembly/attention_bounded_f32.ts). q is numRows×dQK, k is numCols×dQK, v is numCols×dV; dQK may differ from dV (a JL-compressed
 * Q/K). Cost O(m·(dQK + dV)). A row with no pattern entries yields a zero output row (and no weights).
 * Throws InputError / ShapeError naming the argument before any work.
 */
export function sparseAttention<T extends FloatDType>(q: DenseMatrix<T>, k: DenseMatrix<T>, v: DenseMatrix<T>, pattern: CsrGraph,
  options: SparseAttentionOptions<T> & ({ returnWeights: true } | { weightsOut: Storage<T> })): SparseAttentionResult<T> & { weights: Storage<T> };
export function sparseAttention<T extends FloatDType>(q: DenseMatrix<T>, k: DenseMatrix<T>, v: DenseMatrix<T>, pattern: CsrGraph,
  options?: SparseAttentionOptions<T>): SparseAttentionResult<T>;
export function sparseAttention<T extends FloatDType>(q: DenseMatrix<T>, k: DenseMatrix<T>, v: DenseMatrix<T>, pattern: CsrGraph,
  options: SparseAttentionOptions<T> = {}): SparseAttentionResult<T> {
  const fn = 'sparseAttention';
  if (!(q instanceof DenseMatrix)) throw new InputError(`${fn}: q must be a DenseMatrix`);
  const dtype = q.dtype;
  checkMatrix(fn, 'k', k, dtype); checkMatrix(fn, 'v', v, dtype);
  if (!(pattern instanceof CsrGraph)) throw new InputError(`${fn}: pattern must be a CsrGraph (see csrFromEdges)`);
  const nDst = pattern.numRows, nSrc = pattern.numCols, m = pattern.numEdges;
  if (q.rows !== nDst) throw new ShapeError(`${fn}: q has ${q.rows} rows but pattern has ${nDst} rows`);
  if (k.rows !== nSrc) throw new ShapeError(`${fn}: k has ${k.rows} rows but pattern has ${nSrc} columns`);
  if (v.rows !== nSrc) throw new ShapeError(`${fn}: v has ${v.rows} rows but pattern has ${nSrc} columns`);
  if (k.cols !== q.cols) throw new ShapeError(`${fn}: q has ${q.cols} columns but k has ${k.cols}`);
  const scale = options.scale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new InputError(`${fn}: options.scale must be a finite number, got ${scale}`);
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
  if (options.checkFinite ?? true) {
    assertFiniteStorage(fn, 'q', q.storage as Storage<DType>);
    assertFiniteStorage(fn, 'k', k.storage as Storage<DType>);
    assertFiniteStorage(fn, 'v', v.storage as Storage<DType>);
  }
  const output = out ?? DenseMatrix.zeros(nDst, dV, dtype);
  const wantWeights = options.returnWeights || wOut !== undefined;
  const weights = wantWeights ? (wOut ?? Storage.alloc(dtype, m)) : undefined;
  const bytes = dtype === 'f32' ? 4 : 8;
  const kern = wasmKernels();
  if (kern) {
    const arrays = [output.storage, q.storage, k.storage, v.storage, pattern.rowPtr, pattern.colIdx, weights ?? null] as Storage<DType>[];
    const writeBack = [output.storage, weights ?? null] as Storage<DType>[];
    withPointers(kern, arrays, ([po, pq, pk, pv, prp, pci, pw]) => {
      const scores = weights ? pw : scratch(kern, bytes * Math.max(pattern.maxDegree, 1));
      if (dtype === 'f32') kern.attention_csr_f32(po, pq, pk, pv, prp, pci, nDst, dQK, dV, scale, scores, weights ? 1 : 0, nSrc);
      else kern.attention_csr_f64(po, pq, pk, pv, prp, pci, nDst, dQK, dV, scale, scores, weights ? 1 : 0);
    }, writeBack);
  } else {
    const scores = weights ? weights.array : new (dtype === 'f32' ? Float32Array : Float64Array)(Math.max(pattern.maxDegree, 1));
    if (dtype === 'f32') {
      twin.attention_csr_f32(output.data as Float32Array, q.data as Float32Array, k.data as Float32Array, v.data as Float32Array,
        pattern.rowPtr.array, pattern.colIdx.array, nDst, dQK, dV, scale, scores as Float32Array, weights ? 1 : 0, nSrc);
    } else {
      twin.attention_csr_f64(output.data as Float64Array, q.data as Float64Array, k.data as Float64Array, v.data as Float64Array,
        pattern.rowPtr.array, pattern.colIdx.array, nDst, dQK, dV, scale, scores as Float64Array, weights ? 1 : 0);
    }
  }
  return (weights ? { output, weights } : { output }) as SparseAttentionResult<T>;
}
