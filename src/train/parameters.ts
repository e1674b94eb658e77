// Seeded initialization of the practical network's parameters (App. D.2; docs/theory.md#17-the-practical-variant) under the one
// naming of src/model/parameters.ts, and helpers on parameter sets.
import { InputError } from '../runtime/errors.js';
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import { rng } from '../random/rng.js';
import { checkConfig, parameterShapes, type NetworkConfig, type ParameterSet } from '../model/parameters.js';

export { checkConfig, parameterShapes, practicalStructure, type NetworkConfig, type ParameterSet } from '../model/parameters.js';

/**
 * Seeded initialization, PyTorch's nn.Linear default: weights and biases uniform in ±1/√fan_in
 * (kaiming_uniform with a = √5), batch-norm γ (bn*.weight) = 1 and β (bn*.bias) = 0. The same seed gives the
 * same parameters in every runtime (src/random/rng.ts). Cost O(#parameters). Throws InputError on a bad
 * config or seed.
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
    if (/\.bn[12]\.weight$/.test(name)) d.fill(1);
    else if (!/\.bn[12]\.bias$/.test(name)) {
      if (!/(bias|\.b_[12])$/.test(name)) fanIn = cols;
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
