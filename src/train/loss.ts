// Softmax cross-entropy over the nodes of a mask (full-batch node classification).
import { InputError, ShapeError } from '../runtime/errors.js';
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';

/**
 * Mean over the masked nodes of −log softmax(logits_i)[y_i], and its gradient with respect to the logits
 * (softmax(logits_i) − onehot(y_i)) / |mask| on masked rows, 0 elsewhere. Max-subtracted, sums in f64.
 * Cost O(n·C). Throws ShapeError on mismatched lengths, InputError on an empty mask or a label outside [0, C).
 */
export function softmaxCrossEntropy<T extends FloatDType>(logits: DenseMatrix<T>, labels: Int32Array, mask: Uint8Array):
  { loss: number; dLogits: DenseMatrix<T> } {
  const fn = 'softmaxCrossEntropy';
  const n = logits.rows, C = logits.cols;
  if (labels.length !== n) throw new ShapeError(`${fn}: labels has length ${labels.length}, expected ${n} (logits rows)`);
  if (mask.length !== n) throw new ShapeError(`${fn}: mask has length ${mask.length}, expected ${n}`);
  let count = 0;
  for (let i = 0; i < n; i++) if (mask[i]) {
    count++;
    if (!(labels[i] >= 0 && labels[i] < C)) throw new InputError(`${fn}: labels[${i}] = ${labels[i]} is outside [0, ${C})`);
  }
  if (count === 0) throw new InputError(`${fn}: mask selects no node`);
  const dLogits = DenseMatrix.zeros(n, C, logits.dtype);
  const z = logits.data, g = dLogits.data;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    if (!mask[i]) continue;
    let mx = -Infinity;
    for (let c = 0; c < C; c++) mx = Math.max(mx, z[i * C + c]);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(z[i * C + c] - mx);
    const lse = mx + Math.log(sum);
    loss += lse - z[i * C + labels[i]];
    for (let c = 0; c < C; c++) g[i * C + c] = (Math.exp(z[i * C + c] - lse) - (c === labels[i] ? 1 : 0)) / count;
  }
  return { loss: loss / count, dLogits };
}
