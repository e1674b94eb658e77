// Johnson–Lindenstrauss maps M ∈ R^{d×D} with E[MᵀM] = I (Gaussian, sparse sign, SRHT), their
// application to many vectors at once, and the dimension rule d_JL. All f64.
import { InputError, ArgumentRangeError } from '../runtime/errors.js';
import { runKernel } from '../runtime/dispatch.js';
import { Storage, type DType } from '../runtime/storage.js';
import { rng, type Rng } from '../random/rng.js';
import * as twin from '../twin/hadamard.js';
import { DenseMatrix, requireF64Matrix } from './dense.js';
import { matmul } from './matmul.js';
import { requireInt, requireOpen, requireSeed, checkOptionsObject, requireAllocatable } from '../runtime/validate.js';

/** 'gaussian': iid N(0, 1/d). 'sparse-sign': ±1/√(s·d) with probability s/2 each, else 0. 'srht': subsampled randomized Hadamard. */
export type JlKind = 'gaussian' | 'sparse-sign' | 'srht';

export interface JlOptions {
  /** Which map (default 'gaussian'). */
  kind?: JlKind;
  /** Seed of the draw (default 0); the same seed gives the same map on every backend. */
  seed?: number;
  /**
   * 'sparse-sign' only: the fraction s of non-zero entries, in (0, 1] (default 1/3, Achlioptas 2003).
   * s = 1 is the dense Rademacher map; 'auto' is s = 1/√D (the "very sparse" map of Li, Hastie & Church 2006).
   */
  density?: number | 'auto';
}

export interface JlTransformOptions extends JlOptions {
  /** 'rows' (default): x is n×D and each row is a vector (out n×d = x·Mᵀ). 'columns': x is D×n (out d×n = M·x). */
  vectors?: 'rows' | 'columns';
}

/** What `m` counts in jlMinDim: the N squared norms the union bound covers. */
export type JlCount = 'pairs' | 'vectors' | 'points';

export interface JlMinDimOptions {
  /**
   * 'pairs' (default): m pairs (x, y) whose dot products must be kept (N = 2m, the vectors x ± y).
   * 'vectors': m vectors whose squared norms must be kept (N = m).
   * 'points': m points whose pairwise distances must be kept (N = m(m−1)/2 differences).
   */
  count?: JlCount;
}

/**
 * The target dimension d_JL(N, ε, δ) = ⌈4·ln(2N/δ) / (ε² − 2ε³/3)⌉ of the Gaussian JL lemma
 * (docs/theory.md §16, L5; Dasgupta & Gupta 2003, the χ² Chernoff bound P(|‖Mz‖² − ‖z‖²| > ε‖z‖²) ≤
 * 2·exp(−(d/4)(ε² − 2ε³/3)), and a union bound over N vectors). With d ≥ d_JL, a Gaussian or Rademacher /
 * Achlioptas map keeps all N squared norms within 1 ± ε with probability ≥ 1 − δ; for pairs this gives
 * |(Mx)·(My) − x·y| ≤ (ε/2)(‖x‖² + ‖y‖²) (≤ ε‖x‖‖y‖ when ‖x‖ = ‖y‖), the additive form Cor. 3.2 needs.
 * For comparison, scikit-learn's johnson_lindenstrauss_min_dim(n, ε) = 4·ln n / (ε²/2 − ε³/3) has no δ.
 * Example (docs/theory.md §16, L5): m = 1000 pairs, ε = 0.1, δ = 0.01 → 5529. Cost O(1).
 * Throws RangeError for m not a positive integer (≥ 2 for 'points'), ε ∉ (0, 1) or δ ∉ (0, 1),
 * InputError for an unknown options.count.
 */
export function jlMinDim(m: number, eps: number, delta: number, options: JlMinDimOptions = {}): number {
  const fn = 'jlMinDim';
  checkOptionsObject(fn, options);
  const count = options.count ?? 'pairs';
  if (count !== 'pairs' && count !== 'vectors' && count !== 'points') {
    throw new InputError(`${fn}: options.count must be 'pairs', 'vectors' or 'points', got ${String(count)}`);
  }
  requireInt(fn, 'm', m, count === 'points' ? 2 : 1);
  requireOpen(fn, 'eps', eps, 0, 1);
  requireOpen(fn, 'delta', delta, 0, 1);
  const n = count === 'pairs' ? 2 * m : count === 'vectors' ? m : m * (m - 1) / 2;
  const d = Math.ceil(4 * Math.log(2 * n / delta) / (eps * eps - 2 * eps ** 3 / 3));
  if (!Number.isSafeInteger(d)) throw new ArgumentRangeError(`${fn}: eps = ${eps} asks for ${d} dimensions, beyond 2^53; raise eps`);
  return d;
}

interface Plan {
  kind: JlKind;
  d: number;
  dim: number;
  /** sparse-sign: the density s. */
  density: number;
  /** srht: 2^⌈log₂ D⌉, the ±1 signs of the D input coordinates, the d distinct Hadamard rows. */
  size: number;
  signs: Float64Array;
  rows: Int32Array;
  g: Rng;
}

function plan(fn: string, d: unknown, dim: unknown, options: JlOptions, dName: string, dimName: string): Plan {
  checkOptionsObject(fn, options);
  requireInt(fn, dName, d, 1, 2 ** 26);
  requireInt(fn, dimName, dim, 1, 2 ** 26); // an SRHT holds 2^⌈log₂ dim⌉ f64 signs: ≤ 2^27, one WASM block
  const kind = options.kind ?? 'gaussian';
  if (kind !== 'gaussian' && kind !== 'sparse-sign' && kind !== 'srht') {
    throw new InputError(`${fn}: options.kind must be 'gaussian', 'sparse-sign' or 'srht', got ${String(kind)}`);
  }
  const seed = options.seed ?? 0;
  requireSeed(fn, seed);
  let density = 1;
  if (kind === 'sparse-sign') {
    const s = options.density ?? 1 / 3;
    if (s === 'auto') density = 1 / Math.sqrt(dim);
    else if (typeof s === 'number' && s > 0 && s <= 1) density = s;
    else throw new ArgumentRangeError(`${fn}: options.density must lie in (0, 1] or be 'auto', got ${String(s)}`);
  } else if (options.density !== undefined) {
    throw new InputError(`${fn}: options.density applies only to kind 'sparse-sign', not '${kind}'`);
  }
  let size = 1;
  while (size < dim) size *= 2;
  if (kind === 'srht' && d > size) {
    throw new ArgumentRangeError(`${fn}: an SRHT has at most 2^⌈log₂ ${dimName}⌉ = ${size} distinct rows, but ${dName} = ${d}`);
  }
  const g = rng(seed);
  const p: Plan = { kind, d, dim, density, size, signs: new Float64Array(0), rows: new Int32Array(0), g };
  if (kind === 'srht') {
    // signs first, then a partial Fisher–Yates draw of d of the `size` Hadamard rows
    p.signs = new Float64Array(dim);
    for (let j = 0; j < dim; j++) p.signs[j] = (g.nextUint32() & 1) ? -1 : 1;
    const pool = new Int32Array(size);
    for (let i = 0; i < size; i++) pool[i] = i;
    for (let i = 0; i < d; i++) {
      const j = i + Math.floor(g.float() * (size - i));
      const t = pool[i]; pool[i] = pool[j]; pool[j] = t;
    }
    p.rows = pool.slice(0, d);
  }
  return p;
}

function popcountParity(x: number): number {
  x ^= x >>> 16; x ^= x >>> 8; x ^= x >>> 4; x ^= x >>> 2; x ^= x >>> 1;
  return x & 1;
}

/** The explicit d×D matrix of a plan (for gaussian and sparse-sign this is where the randomness is drawn). */
function materialize(p: Plan): DenseMatrix<'f64'> {
  const { d, dim } = p;
  const m = DenseMatrix.zeros(d, dim, 'f64');
  const out = m.data;
  if (p.kind === 'gaussian') {
    p.g.fillNormal(out, 1 / Math.sqrt(d));
  } else if (p.kind === 'sparse-sign') {
    const s = p.density, v = 1 / Math.sqrt(s * d), half = s / 2;
    for (let t = 0; t < out.length; t++) {
      const u = p.g.nextUint32() * 2 ** -32; // 32 random bits suffice to place u against s/2 and s
      out[t] = u < half ? v : u < s ? -v : 0;
    }
  } else {
    const v = 1 / Math.sqrt(d);
    for (let i = 0; i < d; i++) {
      const r = p.rows[i];
      for (let j = 0; j < dim; j++) out[i * dim + j] = popcountParity(r & j) ? -p.signs[j] * v : p.signs[j] * v;
    }
  }
  return m;
}

/**
 * A random d×D Johnson–Lindenstrauss matrix M (f64) with E[MᵀM] = I_D, so ‖Mx‖² is an unbiased
 * estimate of ‖x‖² (Johnson & Lindenstrauss 1984; paper App. C, Thm 3.3 uses the Gaussian one).
 * - 'gaussian': iid N(0, 1/d) (docs/theory.md §16, L5).
 * - 'sparse-sign': iid ±1/√(s·d) with probability s/2 each, 0 otherwise (Achlioptas 2003 for s = 1 and
 *   1/3, with the same bound as the Gaussian; Li, Hastie & Church 2006 for s = 1/√D, whose guarantee is
 *   asymptotic and needs inputs that are not too sparse).
 * - 'srht': M = (1/√d)·R·H·diag(σ), H the D'×D' Sylvester–Hadamard matrix (D' = 2^⌈log₂D⌉, the input
 *   zero-padded), σ iid ±1, R d distinct rows drawn uniformly (Ailon & Chazelle 2009; Tropp 2011). Its
 *   JL bound needs d larger than the Gaussian rule by a log factor; jlTransform applies it in D'·log₂D'
 *   per vector instead of d·D.
 * Cost d·D draws (Gaussian, sparse sign) or d·D sign lookups (SRHT). Deterministic in the seed.
 * Throws RangeError for d or D not positive integers, a density outside (0, 1], an SRHT with
 * d > 2^⌈log₂D⌉; InputError for an unknown kind, a density with another kind, a non-integer seed.
 */
export function jlMatrix(d: number, D: number, options: JlOptions = {}): DenseMatrix<'f64'> {
  const p = plan('jlMatrix', d, D, options, 'd', 'D');
  requireAllocatable('jlMatrix', `a ${d}×${D} map`, d * D, 8);
  return materialize(p);
}

/** In place: `count` blocks of n×width, each multiplied by H_n along its n axis (kernel or twin). */
function fwht(buf: Storage<'f64'>, count: number, n: number, width: number): void {
  runKernel({
    args: [buf as Storage<DType>], writes: [buf as Storage<DType>],
    kernel: (k, [p]) => k.fwht_f64(p, count, n, width),
    twin: () => twin.fwht_f64(buf.array, count, n, width),
  });
}

/**
 * Applies the JL map M = jlMatrix(d, D, options) (the same seed gives the same M) to every row
 * (x n×D → n×d, x·Mᵀ) or every column (options.vectors = 'columns': x D×n → d×n, M·x) of x, in f64.
 * Gaussian and sparse sign: forms M, then one matmul (2·n·d·D flops, SIMD). SRHT: never forms M; signs,
 * zero-pads to D' = 2^⌈log₂D⌉, runs the fast Walsh–Hadamard kernel (n·D'·log₂D' additions) and keeps d
 * coordinates. Accuracy: that of matmul (Gaussian, sparse sign) or ≤ log₂D'·2⁻⁵³·Σ|x| per output (SRHT);
 * the SRHT result is bit-identical across backends. Throws as jlMatrix, plus ShapeError for an empty x
 * and InputError for a non-f64 or non-finite x or an unknown options.vectors.
 */
export function jlTransform(x: DenseMatrix<'f64'>, d: number, options: JlTransformOptions = {}): DenseMatrix<'f64'> {
  const fn = 'jlTransform';
  checkOptionsObject(fn, options);
  const vectors = options.vectors ?? 'rows';
  if (vectors !== 'rows' && vectors !== 'columns') throw new InputError(`${fn}: options.vectors must be 'rows' or 'columns', got ${String(vectors)}`);
  requireF64Matrix(fn, 'x', x);
  const byRow = vectors === 'rows';
  const dim = byRow ? x.cols : x.rows, n = byRow ? x.rows : x.cols;
  const p = plan(fn, d, dim, options, 'd', byRow ? 'x.cols' : 'x.rows');
  if (p.kind !== 'srht') {
    requireAllocatable(fn, `a ${d}×${dim} map`, p.d * p.dim, 8);
    const m = materialize(p);
    try {
      return byRow ? matmul(x, m, { transB: true, checkFinite: false }) : matmul(m, x, { checkFinite: false });
    } finally {
      m.free();
    }
  }
  const size = p.size, src = x.data, signs = p.signs, rows = p.rows, v = 1 / Math.sqrt(d);
  const buf = Storage.alloc('f64', n * size);
  try {
    if (byRow) {
      // block i = row i of x, signed and zero-padded to length D'
      const b = buf.array;
      for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) b[i * size + j] = src[i * dim + j] * signs[j];
      fwht(buf, n, size, 1);
      const out = DenseMatrix.zeros(n, d, 'f64');
      const o = out.data, h = buf.array;
      for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) o[i * d + t] = h[i * size + rows[t]] * v;
      return out;
    }
    // one block of D'×n: row j of x signed, rows D..D'−1 zero; transform down the columns
    const b = buf.array;
    for (let j = 0; j < dim; j++) {
      const sj = signs[j];
      for (let c = 0; c < n; c++) b[j * n + c] = src[j * n + c] * sj;
    }
    fwht(buf, 1, size, n);
    const out = DenseMatrix.zeros(d, n, 'f64');
    const o = out.data, h = buf.array;
    for (let t = 0; t < d; t++) {
      const r = rows[t] * n;
      for (let c = 0; c < n; c++) o[t * n + c] = h[r + c] * v;
    }
    return out;
  } finally {
    buf.free();
  }
}

