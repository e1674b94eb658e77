// Evaluation metrics of the paper's experiments (Section 5): ROC AUC for the binary graphs, accuracy otherwise.
import { InputError, ShapeError } from '../runtime/errors.js';
import type { DenseMatrix } from '../linalg/dense.js';

/**
 * Area under the ROC curve of `scores` for the 0/1 `labels` of the masked nodes, by the rank-sum
 * (Mann–Whitney U) formula with ties given their average rank — the same value as scikit-learn's
 * roc_auc_score, which integrates the ROC curve with ties as diagonal steps. Cost O(k log k) for k masked nodes.
 * Throws ShapeError on mismatched lengths, InputError when a label is not 0/1 or a class is absent.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>, mask?: ArrayLike<number>): number {
  const fn = 'rocAuc';
  const n = scores.length;
  if (labels.length !== n) throw new ShapeError(`${fn}: labels has length ${labels.length}, expected ${n}`);
  if (mask && mask.length !== n) throw new ShapeError(`${fn}: mask has length ${mask.length}, expected ${n}`);
  const idx: number[] = [];
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i]) continue;
    if (labels[i] !== 0 && labels[i] !== 1) throw new InputError(`${fn}: labels[${i}] = ${labels[i]}; ROC AUC needs 0/1 labels`);
    idx.push(i);
  }
  idx.sort((a, b) => scores[a] - scores[b]);
  let positives = 0, rankSum = 0;
  for (let s = 0; s < idx.length;) {
    let t = s;
    while (t + 1 < idx.length && scores[idx[t + 1]] === scores[idx[s]]) t++;
    const midRank = (s + t) / 2 + 1;
    for (let u = s; u <= t; u++) if (labels[idx[u]] === 1) { positives++; rankSum += midRank; }
    s = t + 1;
  }
  const negatives = idx.length - positives;
  if (positives === 0 || negatives === 0) throw new InputError(`${fn}: the masked labels hold only one class; ROC AUC is undefined`);
  return (rankSum - positives * (positives + 1) / 2) / (positives * negatives);
}

/** Fraction of masked nodes whose arg-max logit equals the label (first maximum on ties). Cost O(n·C). */
export function accuracy(logits: DenseMatrix, labels: ArrayLike<number>, mask?: ArrayLike<number>): number {
  const n = logits.rows, C = logits.cols, z = logits.data;
  if (labels.length !== n) throw new ShapeError(`accuracy: labels has length ${labels.length}, expected ${n}`);
  let hit = 0, count = 0;
  for (let i = 0; i < n; i++) {
    if (mask && !mask[i]) continue;
    let best = 0;
    for (let c = 1; c < C; c++) if (z[i * C + c] > z[i * C + best]) best = c;
    count++;
    if (best === labels[i]) hit++;
  }
  if (count === 0) throw new InputError('accuracy: mask selects no node');
  return hit / count;
}

/** The binary score of each node: logit₁ − logit₀ (monotone in the softmax probability of class 1). */
export function binaryScores(logits: DenseMatrix): Float64Array {
  if (logits.cols !== 2) throw new ShapeError(`binaryScores: logits has ${logits.cols} columns, expected 2`);
  const z = logits.data, out = new Float64Array(logits.rows);
  for (let i = 0; i < logits.rows; i++) out[i] = z[2 * i + 1] - z[2 * i];
  return out;
}

/** The metric a graph is evaluated with, on the nodes of `mask`. */
export function evaluateMetric(metric: 'roc_auc' | 'accuracy', logits: DenseMatrix, labels: Int32Array, mask: Uint8Array): number {
  return metric === 'roc_auc' ? rocAuc(binaryScores(logits), labels, mask) : accuracy(logits, labels, mask);
}
