// Node orderings applied to node data: the rows of a feature matrix, and a whole graph with its features,
// labels and masks. The orders themselves (reorderNodes, permuteGraph, permuteArray) are in
// src/graph/reorder.ts; these helpers need DenseMatrix (linalg/), which graph/ may not import
// (docs/architecture.md). Outputs computed on the reordered graph map back with unpermuteRows: attention and
// the forward work row by row, so the rows come back bit for bit (docs/performance.md, "Scale").
import { InputError, ShapeError } from '../runtime/errors.js';
import { DenseMatrix, type FloatDType } from '../linalg/dense.js';
import type { CsrGraph } from '../graph/csr.js';
import { checkGraph, checkOrdering, permuteArray, permuteGraph, type NodeOrdering, type PermuteGraphOptions } from '../graph/reorder.js';

function moveRows<T extends FloatDType>(fn: string, matrix: DenseMatrix<T>, ordering: NodeOrdering, toNew: boolean): DenseMatrix<T> {
  if (!(matrix instanceof DenseMatrix)) throw new InputError(`${fn}: matrix must be a DenseMatrix`);
  checkOrdering(fn, ordering, matrix.rows, 'matrix');
  const { rows, cols } = matrix;
  const out = DenseMatrix.zeros(rows, cols, matrix.dtype);
  // the views after the allocation (it can replace WASM memory's buffer)
  const src = matrix.data, dst = out.data, from = toNew ? ordering.newToOld : ordering.oldToNew;
  for (let p = 0; p < rows; p++) {
    const s = from[p] * cols, d = p * cols;
    for (let c = 0; c < cols; c++) dst[d + c] = src[s + c];
  }
  return out;
}

/** The rows of a node-feature matrix in the new order: row p of the result is row newToOld[p]. */
export function permuteRows<T extends FloatDType>(matrix: DenseMatrix<T>, ordering: NodeOrdering): DenseMatrix<T> {
  return moveRows('permuteRows', matrix, ordering, true);
}

/** Back to the original order (for outputs computed on the reordered graph): row i of the result is row oldToNew[i]. */
export function unpermuteRows<T extends FloatDType>(matrix: DenseMatrix<T>, ordering: NodeOrdering): DenseMatrix<T> {
  return moveRows('unpermuteRows', matrix, ordering, false);
}

/** A graph with its node data (the shape of NodeClassificationData and LoadedGraph). */
export interface NodeData {
  graph: CsrGraph;
  features: DenseMatrix;
  labels?: Int32Array;
  masks?: Record<string, Uint8Array>;
}

/**
 * The whole graph in the new order: the pattern (permuteGraph), the feature rows, the labels and every mask;
 * other fields are copied as they are. Train or run on the result, then map per-node outputs back with
 * unpermuteRows / unpermuteArray (metrics over a permuted mask are the same numbers).
 */
export function permuteNodeData<D extends NodeData>(data: D, ordering: NodeOrdering, options: PermuteGraphOptions = {}): D {
  const fn = 'permuteNodeData';
  if (data === null || typeof data !== 'object') throw new InputError(`${fn}: data must be an object with graph and features`);
  checkGraph(fn, data.graph);
  checkOrdering(fn, ordering, data.graph.numRows, 'data.graph');
  if (!(data.features instanceof DenseMatrix)) throw new InputError(`${fn}: data.features must be a DenseMatrix`);
  if (data.features.rows !== data.graph.numRows) throw new ShapeError(`${fn}: data.features has ${data.features.rows} rows but data.graph has ${data.graph.numRows} nodes`);
  if (data.labels !== undefined && data.labels.length !== data.graph.numRows) throw new ShapeError(`${fn}: data.labels has ${data.labels.length} entries but data.graph has ${data.graph.numRows} nodes`);
  for (const [k, m] of Object.entries(data.masks ?? {})) {
    if (m.length !== data.graph.numRows) throw new ShapeError(`${fn}: data.masks.${k} has ${m.length} entries but data.graph has ${data.graph.numRows} nodes`);
  }
  const out: D = { ...data, graph: permuteGraph(data.graph, ordering, options), features: permuteRows(data.features, ordering) };
  if (data.labels !== undefined) out.labels = permuteArray(data.labels, ordering);
  if (data.masks !== undefined) out.masks = Object.fromEntries(Object.entries(data.masks).map(([k, m]) => [k, permuteArray(m, ordering)]));
  return out;
}
