// The weights of one graph-transformer layer and the shape rules that tie consecutive layers together.
//
// Convention (docs/theory.md#1-conventions): node features are ROWS — H is n×p, row i is h_i — so that
// they feed the CSR attention kernel directly. Weights keep the paper's shape W ∈ R^{out×in}, so a map is
// applied as H·Wᵀ (matmul(H, W, { transB: true })). docs/theory.md's column formulas W·H read as H·Wᵀ here.
import { InputError, ShapeError } from '../runtime/errors.js';
import { DenseMatrix } from '../linalg/dense.js';
import { assertFinite } from '../linalg/dense.js';

/** The elementwise nonlinearity σ of the feed-forward block (1-Lipschitz; ReLU is the paper's default). */
export type Activation = 'relu' | 'identity';

/** y = W·x + b for each node (rows: Y = X·Wᵀ + 𝟙bᵀ). A folded batch norm, an encoder or a head. */
export interface AffineMap {
  /** out×in. */
  weight: DenseMatrix<'f64'>;
  /** Length out; absent or null means no bias. */
  bias?: Float64Array | null;
}

/** A skip path: the identity (same width) or a general matrix (compressed residual streams, docs/theory.md#17-the-practical-variant(a)). */
export type SkipMap = 'identity' | DenseMatrix<'f64'>;

/**
 * One layer (docs/theory.md#2-the-model-and-its-assumptions, row convention):
 *   S = logitScale · (H W_Qᵀ)(H W_Kᵀ)ᵀ on the pattern, A = row-softmax(S), Att = A·(H W_Vᵀ)
 *   H½ = Att                                   (theory)   |  H½ = norm₁(skip₁(H) + Att)        (practical)
 *   H¾ = σ(H½ W_1ᵀ + b_1)
 *   H¹ = H¾ W_2ᵀ + b_2                          (theory)   |  H¹ = norm₂(skip₂(H½) + H¾W_2ᵀ + b_2) (practical)
 * The theory model has no b_2, skips or norms (b_1 is allowed: Theorem 4.4's construction needs it).
 */
export interface LayerWeights {
  /** dQK × p (p = width of this layer's input). */
  wQ: DenseMatrix<'f64'>;
  /** dQK × p. */
  wK: DenseMatrix<'f64'>;
  /** dV × p. */
  wV: DenseMatrix<'f64'>;
  /** dHidden × dV. */
  w1: DenseMatrix<'f64'>;
  /** dOut × dHidden. */
  w2: DenseMatrix<'f64'>;
  /** FFN hidden bias, length dHidden (Thm 4.4). */
  b1?: Float64Array | null;
  /** FFN output bias, length dOut (practical variant only). */
  b2?: Float64Array | null;
  /** Multiplies every logit (default 1; the practical variant uses 1/√dQK of the reference). */
  logitScale?: number;
  /** Practical variant: skip around attention (dV × p, or 'identity' when dV = p). */
  attentionSkip?: SkipMap | null;
  /** Practical variant: folded batch norm after the attention block (dV × dV). */
  attentionNorm?: AffineMap | null;
  /** Practical variant: skip around the FFN (dOut × dV, or 'identity'). */
  ffnSkip?: SkipMap | null;
  /** Practical variant: folded batch norm after the FFN block (dOut × dOut). */
  ffnNorm?: AffineMap | null;
}

/** The widths a layer reads and writes. */
export interface LayerShape {
  input: number;
  queryKey: number;
  value: number;
  hidden: number;
  output: number;
}

/** True when the layer uses any practical-variant part (skip, norm or b_2). */
export function isPracticalLayer(layer: LayerWeights): boolean {
  return Boolean(layer.attentionSkip || layer.attentionNorm || layer.ffnSkip || layer.ffnNorm || layer.b2);
}

function requireMatrix(fn: string, name: string, m: unknown): asserts m is DenseMatrix<'f64'> {
  if (!(m instanceof DenseMatrix)) throw new InputError(`${fn}: ${name} must be a DenseMatrix`);
  if (m.dtype !== 'f64') throw new InputError(`${fn}: ${name} is ${m.dtype}; model weights are f64 (convert with clone('f64'))`);
  assertFinite(fn, name, m.data);
}

function requireShape(fn: string, name: string, m: DenseMatrix<'f64'>, rows: number, cols: number): void {
  if (m.rows !== rows || m.cols !== cols) throw new ShapeError(`${fn}: ${name} is ${m.rows}×${m.cols}, expected ${rows}×${cols}`);
}

function requireVector(fn: string, name: string, v: unknown, length: number): void {
  if (v === undefined || v === null) return;
  if (!(v instanceof Float64Array)) throw new InputError(`${fn}: ${name} must be a Float64Array`);
  if (v.length !== length) throw new ShapeError(`${fn}: ${name} has length ${v.length}, expected ${length}`);
  assertFinite(fn, name, v);
}

/** Validates an affine map out×in (weight and optional bias). */
export function checkAffine(fn: string, name: string, map: unknown, out: number | null, input: number): number {
  if (typeof map !== 'object' || map === null) throw new InputError(`${fn}: ${name} must be { weight, bias? }`);
  const a = map as AffineMap;
  requireMatrix(fn, `${name}.weight`, a.weight);
  if (a.weight.cols !== input || (out !== null && a.weight.rows !== out)) {
    throw new ShapeError(`${fn}: ${name}.weight is ${a.weight.rows}×${a.weight.cols}, expected ${out ?? 'any'}×${input}`);
  }
  requireVector(fn, `${name}.bias`, a.bias, a.weight.rows);
  return a.weight.rows;
}

function checkSkip(fn: string, name: string, skip: unknown, out: number, input: number): void {
  if (skip === undefined || skip === null) return;
  if (skip === 'identity') {
    if (out !== input) throw new ShapeError(`${fn}: ${name} is 'identity' but maps width ${input} to ${out}; give a ${out}×${input} matrix`);
    return;
  }
  requireMatrix(fn, name, skip);
  requireShape(fn, name, skip, out, input);
}

/**
 * Checks every weight of layer `index` against the input width p and returns the layer's widths.
 * Throws InputError (not a DenseMatrix, not f64, non-finite, bad scale) or ShapeError naming the field.
 */
export function checkLayer(fn: string, index: number, layer: LayerWeights, p: number, practical: boolean): LayerShape {
  const at = `layers[${index}]`;
  if (typeof layer !== 'object' || layer === null) throw new InputError(`${fn}: ${at} must be an object of weights`);
  for (const k of ['wQ', 'wK', 'wV', 'w1', 'w2'] as const) requireMatrix(fn, `${at}.${k}`, layer[k]);
  const dQK = layer.wQ.rows, dV = layer.wV.rows, dH = layer.w1.rows, dOut = layer.w2.rows;
  requireShape(fn, `${at}.wQ`, layer.wQ, dQK, p);
  requireShape(fn, `${at}.wK`, layer.wK, dQK, p);
  requireShape(fn, `${at}.wV`, layer.wV, dV, p);
  requireShape(fn, `${at}.w1`, layer.w1, dH, dV);
  requireShape(fn, `${at}.w2`, layer.w2, dOut, dH);
  requireVector(fn, `${at}.b1`, layer.b1, dH);
  const scale = layer.logitScale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
    throw new InputError(`${fn}: ${at}.logitScale must be a positive finite number, got ${String(scale)}`);
  }
  if (!practical && isPracticalLayer(layer)) {
    throw new InputError(`${fn}: ${at} has practical-variant parts (b2, skips or norms); pass variant: 'practical' to use them`);
  }
  requireVector(fn, `${at}.b2`, layer.b2, dOut);
  checkSkip(fn, `${at}.attentionSkip`, layer.attentionSkip, dV, p);
  if (layer.attentionNorm) checkAffine(fn, `${at}.attentionNorm`, layer.attentionNorm, dV, dV);
  checkSkip(fn, `${at}.ffnSkip`, layer.ffnSkip, dOut, dV);
  if (layer.ffnNorm) checkAffine(fn, `${at}.ffnNorm`, layer.ffnNorm, dOut, dOut);
  return { input: p, queryKey: dQK, value: dV, hidden: dH, output: dOut };
}

export interface BatchNormParameters {
  /** Learned scale γ (length p). */
  gamma: ArrayLike<number>;
  /** Learned shift b (length p). */
  beta: ArrayLike<number>;
  /** Running (or full-batch) mean μ. */
  mean: ArrayLike<number>;
  /** Running (or full-batch) variance σ². */
  variance: ArrayLike<number>;
  /** Added to the variance (default 1e-5, PyTorch's default). */
  epsilon?: number;
}

/**
 * Folds an inference-time batch norm into an affine map (docs/theory.md#17-the-practical-variant): BN(x) = G x + c with
 * G = diag(γ_j / √(σ_j² + ε)) and c = b − G μ. Its Lipschitz constant is max_j |G_jj|. Cost O(p²) (the
 * diagonal is stored as a dense p×p matrix so that compressed models may replace it by a general map).
 * Throws ShapeError when the four vectors differ in length, InputError on a negative variance or bad ε.
 */
export function foldBatchNorm(params: BatchNormParameters): AffineMap {
  const fn = 'foldBatchNorm';
  const { gamma, beta, mean, variance } = params;
  const eps = params.epsilon ?? 1e-5;
  const p = gamma.length;
  for (const [name, v] of [['beta', beta], ['mean', mean], ['variance', variance]] as const) {
    if (v.length !== p) throw new ShapeError(`${fn}: params.${name} has length ${v.length}, expected ${p} (the length of gamma)`);
  }
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new InputError(`${fn}: params.epsilon must be a non-negative finite number, got ${eps}`);
  const weight = DenseMatrix.zeros(p, p, 'f64');
  const bias = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    if (!(variance[j] + eps > 0)) throw new InputError(`${fn}: params.variance[${j}] + epsilon = ${variance[j] + eps} must be positive`);
    const g = gamma[j] / Math.sqrt(variance[j] + eps);
    weight.data[j * p + j] = g;
    bias[j] = beta[j] - g * mean[j];
  }
  return { weight, bias };
}
