// narrowgt — the library entry. No Node built-ins are reachable from here (a test checks the bundle).

// weights in and out
export { readSafetensors, writeSafetensors } from './io/safetensors.js';
export type { SafeTensor, SafetensorsDType } from './io/safetensors.js';
// runtime: loading, backends, memory
export { init, initSync, backend, setBackend, embeddedWasmBytes } from './runtime/init.js';
export type { Backend, InitSource, InitOptions } from './runtime/init.js';
export { Storage, scope, wasmMemoryPages } from './runtime/storage.js';
export type { DType } from './runtime/storage.js';
export {
  NarrowgtError, ShapeError, InputError, IndexError, FormatError, ConvergenceError, BackendError,
} from './runtime/errors.js';

// dense linear algebra
export { DenseMatrix } from './linalg/dense.js';
export type { FloatDType } from './linalg/dense.js';
export { matmul } from './linalg/matmul.js';
export type { MatmulOptions } from './linalg/matmul.js';
export { qr, HouseholderQr } from './linalg/qr.js';

// norms, random sketches, leverage scores, clustering
export { rowNorms, columnNorms, operatorNorm } from './linalg/norms.js';
export type { NormOptions, OperatorNormOptions } from './linalg/norms.js';
export { jlMatrix, jlTransform, jlMinDim } from './linalg/jl.js';
export type { JlKind, JlOptions, JlTransformOptions, JlCount, JlMinDimOptions } from './linalg/jl.js';
export { kmeans } from './linalg/kmeans.js';
export type { KmeansOptions, KmeansResult } from './linalg/kmeans.js';

// graphs and attention patterns
export { CsrGraph, csrFromEdges } from './graph/csr.js';
export type { CsrFromEdgesOptions } from './graph/csr.js';
export { fullPattern, expanderPattern, unionPattern, graphWithExpander } from './graph/patterns.js';
export { sparseAttention } from './attention/sparse-attention.js';
export type { SparseAttentionOptions, SparseAttentionResult } from './attention/sparse-attention.js';

// randomness
export { rng } from './random/rng.js';
export type { Rng } from './random/rng.js';

// real graphs: .npy / .npz decoding and the two published graph layouts
export { readNpy } from './data/npy.js';
export type { NpyArray, NpyData, NpyDType, ReadNpyOptions } from './data/npy.js';
export { readNpz } from './data/npz.js';
export type { ReadNpzOptions } from './data/npz.js';
export { loadGraph } from './data/load-graph.js';
export type { LoadGraphOptions, LoadedGraph, GraphLayout, GraphMetric } from './data/load-graph.js';
export { randomSplit } from './data/random-split.js';
export type { GraphSplit, RandomSplitOptions } from './data/random-split.js';
