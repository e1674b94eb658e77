// A node-classification graph from .npz bytes: features, labels, splits and the CSR attention pattern.
// Two published layouts are read (see data/README.md):
//   'heterophilous' — Platonov et al. 2023 (minesweeper, tolokers, roman-empire …): node_features,
//                     node_labels, edges [m, 2], train/val/test_masks [splits, n];
//   'shchur'        — Shchur et al. 2018 (cora, amazon photo …): adj_* and attr_* scipy CSR parts
//                     (or a dense attr_matrix), labels; no splits, so a seeded random split is drawn.
import { InputError, IndexError, FormatError } from '../runtime/errors.js';
import { DenseMatrix } from '../linalg/dense.js';
import { CsrGraph, csrFromEdges } from '../graph/csr.js';
import { decodeNpz, npzMemberNames, defaultMaxBytes } from './npz.js';
import { checkOptionsObject, requireInt, MAX_BLOCK_BYTES } from '../runtime/validate.js';
import { randomSplit, type GraphSplit, type RandomSplitOptions } from './random-split.js';
import { member, expectShape, indicesAsInt32, finiteFloat32, maskRows, listNames, type Archive } from './npz-members.js';

export type GraphLayout = 'heterophilous' | 'shchur';
export type GraphMetric = 'roc_auc' | 'accuracy';

export interface LoadGraphOptions {
  /** A name to carry in the result (loadGraphFile passes the file name). Default none. */
  name?: string;
  /** Add (j, i) for every edge (i, j) (default true: these graphs are undirected). */
  symmetrize?: boolean;
  /** Add the missing self loops (default true: the paper's attention needs N(i) ≠ ∅, Section 2). */
  selfLoops?: boolean;
  /** Which of the shipped splits becomes `masks` (default 0). */
  split?: number;
  /** The random split drawn for files without splits (default { train: 0.6, val: 0.2, seed: 0 }). */
  randomSplit?: RandomSplitOptions;
  /** The evaluation metric (default 'roc_auc' for two classes, else 'accuracy', as Platonov et al. do). */
  metric?: GraphMetric;
  /**
   * The most bytes the archive's members may inflate to, and the most the dense features built from a
   * sparse (Shchur) attribute matrix may take (default: 256 MiB or 64 × the file's size, whichever is larger).
   */
  maxBytes?: number;
}

/** A loaded graph. `features` and `graph` may live in WASM memory: call free() when done. */
export interface LoadedGraph {
  name?: string;
  layout: GraphLayout;
  numNodes: number;
  numFeatures: number;
  /** 1 + the largest label. */
  numClasses: number;
  /** n×f node features, f32. */
  features: DenseMatrix<'f32'>;
  /** Class of each node, in [0, numClasses). */
  labels: Int32Array;
  /** The split chosen by options.split. */
  masks: GraphSplit;
  /** Every split in the file (a single random one for the Shchur layout). */
  splits: GraphSplit[];
  /** The attention pattern: row i lists the nodes node i attends to, columns sorted, no duplicates. */
  graph: CsrGraph;
  metric: GraphMetric;
  /** Releases the features and the graph (idempotent). */
  free(): void;
}

/**
 * Reads a node-classification graph from the bytes of a NumPy .npz archive in either published layout.
 *
 * Layout 'heterophilous' (Platonov et al., ICLR 2023): `node_features` [n, f] float, `node_labels` [n]
 * int, `edges` [m, 2] int (each undirected edge once; edge (u, v) lets u attend to v when
 * symmetrize is off), `train_masks`/`val_masks`/`test_masks` bool [splits, n] or [n]. Layout 'shchur'
 * (Shchur et al. 2018): `adj_data/adj_indices/adj_indptr/adj_shape` (entries with data 0 are dropped),
 * `attr_data/attr_indices/attr_indptr/attr_shape` summed into dense features (or `attr_matrix`),
 * `labels` [n]; no splits ship, so `randomSplit(n, options.randomSplit)` is used.
 * The pattern is built with csrFromEdges (deduplicated, symmetrized and with self loops by default:
 * Shirzad et al. 2024, Section 2, assume every N(i) is non-empty).
 * Cost: O(archive size) to decode plus O(m log d) to build the CSR. Exact: int64 indices are narrowed
 * to i32 with a range check, float64 features are rounded to f32.
 * Throws InputError on bad options or non-finite features; FormatError when the bytes are not an .npz,
 * the layout is not recognised, a member is missing, has the wrong shape or dtype, the masks overlap;
 * IndexError on an edge endpoint or CSR index outside [0, n), a negative label, or options.split out of range.
 */
export function loadGraph(bytes: Uint8Array, options: LoadGraphOptions = {}): LoadedGraph {
  return decodeGraph('loadGraph', bytes, options);
}

/** loadGraph with `fn` starting every error message (loadGraphFile passes its own name). */
export function decodeGraph(fn: string, bytes: Uint8Array, options: LoadGraphOptions): LoadedGraph {
  if (!(bytes instanceof Uint8Array)) throw new InputError(`${fn}: bytes must be a Uint8Array`);
  checkOptionsObject(fn, options);
  if (options.maxBytes !== undefined) requireInt(fn, 'options.maxBytes', options.maxBytes, 0);
  const maxBytes = options.maxBytes ?? defaultMaxBytes(bytes.length);
  const symmetrize = options.symmetrize ?? true, selfLoops = options.selfLoops ?? true, split = options.split ?? 0;
  if (typeof symmetrize !== 'boolean') throw new InputError(`${fn}: options.symmetrize must be a boolean, got ${String(symmetrize)}`);
  if (typeof selfLoops !== 'boolean') throw new InputError(`${fn}: options.selfLoops must be a boolean, got ${String(selfLoops)}`);
  if (!Number.isInteger(split) || split < 0) throw new InputError(`${fn}: options.split must be a non-negative integer, got ${split}`);
  if (options.metric !== undefined && options.metric !== 'roc_auc' && options.metric !== 'accuracy') {
    throw new InputError(`${fn}: options.metric must be 'roc_auc' or 'accuracy', got ${String(options.metric)}`);
  }
  if (options.name !== undefined && typeof options.name !== 'string') throw new InputError(`${fn}: options.name must be a string`);
  if (options.randomSplit !== undefined) {
    try {
      randomSplit(0, options.randomSplit); // checks the fractions and the seed now, before any decoding
    } catch (e) {
      throw new InputError(`${fn}: options.randomSplit: ${(e as Error).message.replace(/^randomSplit: options\./, '')}`);
    }
  }
  const npz: Archive = { arrays: decodeNpz(fn, bytes, WANTED, maxBytes), names: npzMemberNames(fn, bytes) };
  const has = (name: string) => npz.arrays.has(name);
  const parts = has('edges') ? readHeterophilous(fn, npz) : has('adj_indptr') ? readShchur(fn, npz, options.randomSplit, maxBytes) : null;
  if (!parts) {
    throw new FormatError(`${fn}: neither layout recognised: expected 'edges' and 'node_features' (Platonov et al.) or 'adj_*' and 'attr_*' (Shchur et al.), the archive holds ${listNames(npz.names)}`);
  }
  const { layout, n, f, featureValues, labels, splits, rows, cols } = parts;
  if (split >= splits.length) throw new IndexError(`${fn}: options.split = ${split} but the file has ${splits.length} split${splits.length === 1 ? '' : 's'}`);
  checkDisjoint(fn, splits);
  let numClasses = 0;
  for (let i = 0; i < n; i++) numClasses = Math.max(numClasses, labels[i] + 1);
  const graph = csrFromEdges(rows, cols, { numNodes: n, symmetrize, selfLoops, dedupe: true });
  let features: DenseMatrix<'f32'>;
  try {
    features = DenseMatrix.from(featureValues, n, f, 'f32');
  } catch (e) {
    graph.free();
    throw e;
  }
  return {
    ...(options.name === undefined ? {} : { name: options.name }),
    layout, numNodes: n, numFeatures: f, numClasses, features, labels, masks: splits[split], splits, graph,
    metric: options.metric ?? (numClasses === 2 ? 'roc_auc' : 'accuracy'),
    free(): void { features.free(); graph.free(); },
  };
}

// Members either layout uses; anything else (node_names, class_names …) is not even inflated.
const WANTED = ['node_features', 'node_labels', 'edges', 'train_masks', 'val_masks', 'test_masks',
  'adj_data', 'adj_indices', 'adj_indptr', 'adj_shape', 'attr_data', 'attr_indices', 'attr_indptr', 'attr_shape',
  'attr_matrix', 'labels'];

interface GraphParts {
  layout: GraphLayout;
  n: number;
  f: number;
  featureValues: Float32Array;
  labels: Int32Array;
  splits: GraphSplit[];
  rows: Int32Array;
  cols: Int32Array;
}

function readHeterophilous(fn: string, npz: Archive): GraphParts {
  const x = member(fn, npz, 'node_features');
  expectShape(fn, 'node_features', x, [null, null], '(nodes, features)');
  const [n, f] = x.shape;
  const y = member(fn, npz, 'node_labels');
  expectShape(fn, 'node_labels', y, [n], `(${n},) like node_features`);
  const e = member(fn, npz, 'edges');
  expectShape(fn, 'edges', e, [null, 2], '(edges, 2)');
  const ends = indicesAsInt32(fn, 'edges', e, n, 2);
  const m = e.shape[0];
  const rows = new Int32Array(m), cols = new Int32Array(m);
  for (let t = 0; t < m; t++) { rows[t] = ends[2 * t]; cols[t] = ends[2 * t + 1]; }
  const [train, val, test] = (['train_masks', 'val_masks', 'test_masks'] as const).map((k) => maskRows(fn, k, member(fn, npz, k), n));
  if (val.length !== train.length || test.length !== train.length) {
    throw new FormatError(`${fn}: train_masks, val_masks and test_masks hold ${train.length}, ${val.length} and ${test.length} splits; they must agree`);
  }
  const splits = train.map((tr, s) => ({ train: tr, val: val[s], test: test[s] }));
  return {
    layout: 'heterophilous', n, f, featureValues: finiteFloat32(fn, 'node_features', x),
    labels: indicesAsInt32(fn, 'node_labels', y, 2 ** 31), splits, rows, cols,
  };
}

function readShchur(fn: string, npz: Archive, splitOptions: RandomSplitOptions | undefined, maxBytes: number): GraphParts {
  const adj = scipyCsr(fn, npz, 'adj');
  if (adj.numRows !== adj.numCols) throw new FormatError(`${fn}: member 'adj_shape' is (${adj.numRows}, ${adj.numCols}); an adjacency matrix must be square`);
  const n = adj.numRows;
  const y = member(fn, npz, 'labels');
  expectShape(fn, 'labels', y, [n], `(${n},) like adj_shape (one class per node; multi-label files are not read)`);
  let featureValues: Float32Array, f: number;
  if (npz.arrays.has('attr_matrix')) {
    const x = member(fn, npz, 'attr_matrix');
    expectShape(fn, 'attr_matrix', x, [n, null], `(${n}, features)`);
    f = x.shape[1];
    featureValues = finiteFloat32(fn, 'attr_matrix', x);
  } else {
    const attr = scipyCsr(fn, npz, 'attr');
    if (attr.numRows !== n) throw new FormatError(`${fn}: member 'attr_shape' has ${attr.numRows} rows but the adjacency has ${n} nodes`);
    f = attr.numCols;
    // attr_shape is only a header: the dense n×f features it asks for are checked before allocating them
    const bytes = 4 * n * f;
    if (bytes > Math.min(maxBytes, MAX_BLOCK_BYTES)) {
      throw new FormatError(`${fn}: member 'attr_shape' is (${n}, ${f}): dense f32 features would take ${bytes} bytes, more than ${Math.min(maxBytes, MAX_BLOCK_BYTES)} (options.maxBytes, at most one WASM block)`);
    }
    featureValues = new Float32Array(n * f);
    // scipy sums repeated (i, j) entries of a CSR matrix; so do we
    for (let i = 0; i < n; i++) for (let t = attr.indptr[i]; t < attr.indptr[i + 1]; t++) featureValues[i * f + attr.indices[t]] += attr.values[t];
    for (let t = 0; t < featureValues.length; t++) {
      if (!Number.isFinite(featureValues[t])) throw new InputError(`${fn}: the features from attr_data have a non-finite value at node ${Math.floor(t / f)}, feature ${t % f}`);
    }
  }
  let kept = 0;
  for (let t = 0; t < adj.values.length; t++) if (adj.values[t] !== 0) kept++;
  const rows = new Int32Array(kept), cols = new Int32Array(kept);
  for (let i = 0, w = 0; i < n; i++) {
    for (let t = adj.indptr[i]; t < adj.indptr[i + 1]; t++) if (adj.values[t] !== 0) { rows[w] = i; cols[w] = adj.indices[t]; w++; }
  }
  return {
    layout: 'shchur', n, f, featureValues, labels: indicesAsInt32(fn, 'labels', y, 2 ** 31),
    splits: [randomSplit(n, splitOptions)], rows, cols,
  };
}

/** The parts of a scipy.sparse CSR matrix saved as `${prefix}_data/_indices/_indptr/_shape`, validated. */
function scipyCsr(fn: string, npz: Archive, prefix: string): { numRows: number; numCols: number; indptr: Int32Array; indices: Int32Array; values: Float32Array } {
  const shape = member(fn, npz, `${prefix}_shape`);
  expectShape(fn, `${prefix}_shape`, shape, [2], '(2,)');
  const [numRows, numCols] = indicesAsInt32(fn, `${prefix}_shape`, shape, 2 ** 31);
  const dataM = member(fn, npz, `${prefix}_data`), indM = member(fn, npz, `${prefix}_indices`), ptrM = member(fn, npz, `${prefix}_indptr`);
  expectShape(fn, `${prefix}_indptr`, ptrM, [numRows + 1], `(${numRows + 1},) for ${numRows} rows`);
  const indptr = indicesAsInt32(fn, `${prefix}_indptr`, ptrM, 2 ** 31);
  const nnz = indptr[numRows];
  if (indptr[0] !== 0) throw new IndexError(`${fn}: ${prefix}_indptr[0] = ${indptr[0]}, must be 0`);
  for (let i = 0; i < numRows; i++) {
    if (indptr[i + 1] < indptr[i]) throw new IndexError(`${fn}: ${prefix}_indptr decreases at ${i + 1} (${indptr[i]} then ${indptr[i + 1]})`);
  }
  expectShape(fn, `${prefix}_indices`, indM, [nnz], `(${nnz},) = ${prefix}_indptr[-1]`);
  expectShape(fn, `${prefix}_data`, dataM, [nnz], `(${nnz},) = ${prefix}_indptr[-1]`);
  const values = dataM.dtype === 'bool' || dataM.dtype.startsWith('int') || dataM.dtype.startsWith('uint')
    ? Float32Array.from(dataM.data as ArrayLike<number | bigint>, Number)
    : finiteFloat32(fn, `${prefix}_data`, dataM);
  return { numRows, numCols, indptr, indices: indicesAsInt32(fn, `${prefix}_indices`, indM, numCols), values };
}

/** FormatError when a node sits in two parts of the same split (a train/test leak). */
function checkDisjoint(fn: string, splits: GraphSplit[]): void {
  splits.forEach(({ train, val, test }, s) => {
    for (let i = 0; i < train.length; i++) {
      if (train[i] + val[i] + test[i] > 1) {
        const parts = [train[i] ? 'train' : '', val[i] ? 'val' : '', test[i] ? 'test' : ''].filter(Boolean).join(' and ');
        throw new FormatError(`${fn}: split ${s} puts node ${i} in both ${parts} (the masks must be disjoint)`);
      }
    }
  });
}
