// Generators for the trained-network tests (test/compress/trained*.test.ts, test/io/model-safetensors.test.ts):
// practical-variant networks whose every stage lies in a known coordinate subspace, and small graphs with masks.
import { createModel, DenseMatrix, type GraphTransformer, type LayerWeights, type Rng, type CsrGraph } from '../../src/index.js';
import type { NodeClassificationData } from '../../src/train/train.js';
import { erPattern, gaussianMatrix } from './models.js';

/** A D×c matrix whose rows ≥ keep are zero (keep = D: dense), scaled by `scale`. */
function rowsKept(g: Rng, rows: number, cols: number, keep: number, scale: number): DenseMatrix<'f64'> {
  const m = gaussianMatrix(g, rows, cols);
  const d = m.data;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) d[i * cols + j] = i < keep ? d[i * cols + j] * scale / Math.sqrt(cols) : 0;
  return m;
}

function vectorKept(g: Rng, length: number, keep: number, scale: number): Float64Array {
  return Float64Array.from({ length }, (_, i) => (i < keep ? scale * g.normal() : 0));
}

function diagonal(g: Rng, width: number, keep: number): { weight: DenseMatrix<'f64'>; bias: Float64Array } {
  const weight = DenseMatrix.zeros(width, width, 'f64');
  for (let j = 0; j < width; j++) weight.data[j * width + j] = 0.5 + g.float();
  return { weight, bias: vectorKept(g, width, keep, 0.1) };
}

export interface SubspaceModelOptions {
  dIn: number;
  width: number;
  /** Every H^(ℓ), H^(ℓ+1/2), H^(ℓ+3/4) is zero outside its first `rank` coordinates (so rank ≤ rank). */
  rank: number;
  depth: number;
  classes: number;
}

/**
 * A practical-variant network (encoder, 1/√D logits, identity skips, diagonal folded norms, b_1, b_2, head) in
 * which W_enc, W_V, W_1, W_2 and every bias vanish outside the first `rank` output coordinates. Diagonal norms
 * and identity skips keep that coordinate subspace, so every stage of the forward has rank ≤ rank: the premise
 * of Prop. 4.1 restated for the practical variant, under which compressPractical at d = rank is exact.
 */
export function subspaceModel(g: Rng, o: SubspaceModelOptions): GraphTransformer {
  const D = o.width, r = o.rank;
  const layers: LayerWeights[] = [];
  for (let l = 0; l < o.depth; l++) {
    layers.push({
      wQ: rowsKept(g, D, D, D, 1), wK: rowsKept(g, D, D, D, 1), wV: rowsKept(g, D, D, r, 1),
      w1: rowsKept(g, D, D, r, 1), b1: vectorKept(g, D, r, 0.2), w2: rowsKept(g, D, D, r, 1), b2: vectorKept(g, D, r, 0.1),
      logitScale: 1 / Math.sqrt(D), attentionSkip: 'identity', attentionNorm: diagonal(g, D, r), ffnSkip: 'identity', ffnNorm: diagonal(g, D, r),
    });
  }
  return createModel({
    variant: 'practical', layers,
    encoder: { weight: rowsKept(g, D, o.dIn, r, 1), bias: vectorKept(g, D, r, 0.1) },
    head: { weight: rowsKept(g, o.classes, D, o.classes, 1), bias: vectorKept(g, o.classes, o.classes, 0.1) },
  });
}

/**
 * A node-classification task on an Erdős–Rényi graph (with self loops): Gaussian features, labels from the sign
 * of a fixed linear score of the neighbourhood-averaged features (learnable by attention), masks 50/25/25.
 */
export function smallTask(g: Rng, n: number, dIn: number, p = 0.15): NodeClassificationData & { graph: CsrGraph } {
  const graph = erPattern(g, n, p);
  const x = gaussianMatrix(g, n, dIn);
  const w = Float64Array.from({ length: dIn }, () => g.normal());
  const rp = graph.rowPtr.array, ci = graph.colIdx.array, xd = x.data;
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let e = rp[i]; e < rp[i + 1]; e++) for (let t = 0; t < dIn; t++) s += w[t] * xd[ci[e] * dIn + t];
    score[i] = s / (rp[i + 1] - rp[i]);
  }
  const sorted = Float64Array.from(score).sort();
  const median = sorted[n >> 1];
  const labels = Int32Array.from(score, (s) => (s > median ? 1 : 0));
  const part = (i: number): number => (i % 4 === 0 ? 2 : i % 4 === 1 ? 1 : 0);
  const masks = {
    train: Uint8Array.from({ length: n }, (_, i) => (part(i) === 0 ? 1 : 0)),
    val: Uint8Array.from({ length: n }, (_, i) => (part(i) === 1 ? 1 : 0)),
    test: Uint8Array.from({ length: n }, (_, i) => (part(i) === 2 ? 1 : 0)),
  };
  const features = DenseMatrix.zeros(n, dIn, 'f32');
  features.data.set(x.data);
  x.free();
  return { features, labels, masks, graph, metric: 'roc_auc', numClasses: 2 };
}
