// G = [ReLU(W_1c_a + b_1)], the decoder of the one-hot block's z (Thm 4.4, App. C.5; docs/theory.md#11-theorem-44--clustering
// (construction)): built by compressByClusters and rebuilt by its verifier to check that the centres it is given are
// the ones G was built from.
import type { DenseMatrix } from '../../linalg/dense.js';
import type { LayerWeights } from '../../model/layer.js';
import { mul } from '../shared/basis.js';

/** ReLU(C·W_1ᵀ + b_1)ᵀ: the hidden activations of the centres, D_hidden×k (the decoder of z). */
export function centreActivations(centres: DenseMatrix<'f64'>, layer: LayerWeights): DenseMatrix<'f64'> {
  const pre = mul(centres, layer.w1, false, true); // k×D_hidden
  const pd = pre.data, c = pre.cols, b1 = layer.b1;
  for (let a = 0; a < pre.rows; a++) for (let j = 0; j < c; j++) {
    const v = pd[a * c + j] + (b1 ? b1[j] : 0);
    pd[a * c + j] = v > 0 ? v : 0;
  }
  const g = pre.transpose();
  pre.free();
  return g;
}
