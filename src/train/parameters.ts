// The trainable parameters of the practical graph transformer (App. D.2; THEORY §1.3) as named matrices,
// and their seeded initialization.
import { InputError } from '../runtime/errors.js';
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import { rng } from '../random/rng.js';

/** The architecture of a trainable network. */
export interface NetworkConfig {
  /** d_in, the width of the node features. */
  inputDim: number;
  /** D, the width of every layer (64 "large", 4 "small" in the paper). */
  width: number;
  /** L, the number of transformer layers (4 in the paper). */
  layers: number;
  /** Number of classes; the head has one logit per class. */
  numClasses: number;
}

/**
 * Parameter names, in a fixed order: encoder.weight (D×d_in), encoder.bias (1×D), then for each layer ℓ
 * layers.ℓ.{wQ, wK, wV} (D×D), bn1.{gamma, beta} (1×D), w1 (D×D), b1 (1×D), w2 (D×D), b2 (1×D),
 * bn2.{gamma, beta} (1×D), and head.weight (C×D), head.bias (1×C). Weights are out×in (applied as H·Wᵀ).
 */
export function parameterShapes(config: NetworkConfig): [string, number, number][] {
  const { inputDim: f, width: D, layers: L, numClasses: C } = config;
  const shapes: [string, number, number][] = [['encoder.weight', D, f], ['encoder.bias', 1, D]];
  for (let l = 0; l < L; l++) {
    const p = `layers.${l}.`;
    shapes.push([p + 'wQ', D, D], [p + 'wK', D, D], [p + 'wV', D, D], [p + 'bn1.gamma', 1, D], [p + 'bn1.beta', 1, D],
      [p + 'w1', D, D], [p + 'b1', 1, D], [p + 'w2', D, D], [p + 'b2', 1, D], [p + 'bn2.gamma', 1, D], [p + 'bn2.beta', 1, D]);
  }
  shapes.push(['head.weight', C, D], ['head.bias', 1, C]);
  return shapes;
}

/** Named parameter matrices (biases and batch-norm vectors are 1×p matrices). */
export type ParameterSet<T extends FloatDType = FloatDType> = Map<string, DenseMatrix<T>>;

/** Throws InputError unless every field of the config is a positive integer. */
export function checkConfig(fn: string, config: NetworkConfig): void {
  for (const key of ['inputDim', 'width', 'layers', 'numClasses'] as const) {
    const v = config[key];
    if (!Number.isInteger(v) || v < 1) throw new InputError(`${fn}: config.${key} must be a positive integer, got ${String(v)}`);
  }
}

/**
 * Seeded initialization, PyTorch's nn.Linear default: weights and biases uniform in ±1/√fan_in
 * (kaiming_uniform with a = √5), batch-norm γ = 1 and β = 0. The same seed gives the same parameters
 * in every runtime (src/random/rng.ts). Cost O(#parameters). Throws InputError on a bad config or seed.
 */
export function initParameters<T extends FloatDType = 'f32'>(config: NetworkConfig, seed: number, dtype: T = 'f32' as T): ParameterSet<T> {
  checkConfig('initParameters', config);
  if (!Number.isInteger(seed)) throw new InputError(`initParameters: seed must be an integer, got ${seed}`);
  const r = rng(seed);
  const params: ParameterSet<T> = new Map();
  let fanIn = config.inputDim;
  for (const [name, rows, cols] of parameterShapes(config)) {
    const m = DenseMatrix.zeros(rows, cols, dtype);
    const d = m.data;
    if (name.endsWith('.gamma')) d.fill(1);
    else if (!name.endsWith('.beta')) {
      if (!/(bias|\.b[12])$/.test(name)) fanIn = cols;
      const bound = 1 / Math.sqrt(fanIn);
      for (let i = 0; i < d.length; i++) d[i] = (2 * r.float() - 1) * bound;
    }
    params.set(name, m);
  }
  return params;
}

/** A deep copy in the given dtype. */
export function cloneParameters<T extends FloatDType>(params: ParameterSet, dtype: T): ParameterSet<T> {
  const out: ParameterSet<T> = new Map();
  for (const [name, m] of params) out.set(name, m.clone(dtype));
  return out;
}

/** Frees every matrix of the set. */
export function freeParameters(params: ParameterSet): void {
  for (const m of params.values()) m.free();
}

/** Total number of scalars. */
export function countParameters(params: ParameterSet): number {
  let n = 0;
  for (const m of params.values()) n += m.rows * m.cols;
  return n;
}
