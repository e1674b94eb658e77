// A seeded random train/validation/test split of the nodes, for graphs that ship without splits
// (the paper's Amazon Photo experiment, Appendix D.1, uses 0.6/0.2/0.2; Shchur-layout files ship none).
import { InputError } from '../runtime/errors.js';
import { checkOptionsObject, requireAllocatable } from '../runtime/validate.js';
import { rng } from '../random/rng.js';

/** One split of the nodes: mask[i] = 1 when node i belongs to the part. The three parts are disjoint. */
export interface GraphSplit {
  train: Uint8Array;
  val: Uint8Array;
  test: Uint8Array;
}

export interface RandomSplitOptions {
  /** Fraction of the nodes in the training part (default 0.6). */
  train?: number;
  /** Fraction of the nodes in the validation part (default 0.2); the test part gets the rest. */
  val?: number;
  /** Seed of the permutation (default 0); the same seed gives the same split in every runtime. */
  seed?: number;
}

/**
 * A uniformly random split of n nodes into train, validation and test parts.
 *
 * The nodes are permuted with `rng(seed).permutation(n)` (Fisher–Yates); the first round(train·n) go
 * to train, the next round(val·n) to validation (fewer if the two would exceed n), the rest to test.
 * Not stratified by class. Reference: Shirzad et al. 2024, Appendix D.1 (Photo: "a random train/validation/test split with a ratio
 * of 0.6/0.2/0.2").
 * Cost O(n). Throws InputError when n is not a non-negative integer, a fraction is not a finite number
 * in [0, 1], train + val exceeds 1, or the seed is not an integer.
 */
export function randomSplit(n: number, options: RandomSplitOptions = {}): GraphSplit {
  const fn = 'randomSplit';
  if (!Number.isSafeInteger(n) || n < 0) throw new InputError(`${fn}: n must be a non-negative integer, got ${String(n)}`);
  checkOptionsObject(fn, options);
  requireAllocatable(fn, 'n', n, 4);
  const train = options.train ?? 0.6, val = options.val ?? 0.2, seed = options.seed ?? 0;
  for (const [name, f] of [['train', train], ['val', val]] as const) {
    if (typeof f !== 'number' || !Number.isFinite(f) || f < 0 || f > 1) throw new InputError(`${fn}: options.${name} must be a fraction in [0, 1], got ${String(f)}`);
  }
  // a small slack so that e.g. 0.7 + 0.3 (not exactly 1 in binary) is accepted
  if (train + val > 1 + 1e-12) throw new InputError(`${fn}: options.train + options.val = ${train + val} exceeds 1`);
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new InputError(`${fn}: options.seed must be an integer, got ${String(seed)}`);
  const numTrain = Math.round(train * n);
  const numVal = Math.min(Math.round(val * n), n - numTrain);
  const order = rng(seed).permutation(n);
  const split: GraphSplit = { train: new Uint8Array(n), val: new Uint8Array(n), test: new Uint8Array(n) };
  for (let t = 0; t < n; t++) {
    const part = t < numTrain ? split.train : t < numTrain + numVal ? split.val : split.test;
    part[order[t]] = 1;
  }
  return split;
}
