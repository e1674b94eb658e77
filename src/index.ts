// narrowgt — the library entry. No Node built-ins are reachable from here (a test checks the bundle).

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
export { pivotedQr, PivotedQr } from './linalg/pivoted-qr.js';
export type { PivotedQrOptions } from './linalg/pivoted-qr.js';
export { selectRows } from './linalg/select-rows.js';
export type { SelectRowsOptions, RowSelection } from './linalg/select-rows.js';
export { randomizedSvd, randomizedRangeFinder, defaultPowerIters } from './linalg/randomized-svd.js';
export type { RandomizedSvdOptions, RandomizedSvdResult, RangeFinderOptions, PowerIterationNormalizer } from './linalg/randomized-svd.js';

// norms, random sketches, leverage scores, clustering
export { rowNorms, columnNorms, operatorNorm } from './linalg/norms.js';
export type { NormOptions, OperatorNormOptions } from './linalg/norms.js';
export { jlMatrix, jlTransform, jlMinDim } from './linalg/jl.js';
export type { JlKind, JlOptions, JlTransformOptions, JlCount, JlMinDimOptions } from './linalg/jl.js';
export { kmeans } from './linalg/kmeans.js';
export type { KmeansOptions, KmeansResult } from './linalg/kmeans.js';
export { leverageScores, leverageSample, applyLeverageSample } from './linalg/leverage.js';
export type { LeverageScoreOptions, LeverageSampleOptions, LeverageSample } from './linalg/leverage.js';

// graphs and attention patterns
export { CsrGraph, csrFromEdges } from './graph/csr.js';
export type { CsrFromEdgesOptions } from './graph/csr.js';
export { fullPattern, expanderPattern, unionPattern, graphWithExpander } from './graph/patterns.js';
export {
  reorderNodes, orderingFromPermutation, permuteGraph, permuteRows, unpermuteRows, permuteArray, unpermuteArray,
  permuteNodeData, graphBandwidth,
} from './graph/reorder.js';
export type { ReorderMethod, ReorderOptions, NodeOrdering, PermuteGraphOptions, NodeData } from './graph/reorder.js';
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

// weights in and out
export { readSafetensors, writeSafetensors } from './io/safetensors.js';
export type { SafeTensor, SafetensorsDType } from './io/safetensors.js';
export { modelToSafetensors, modelFromSafetensors, modelToTensors, MODEL_SAFETENSORS_FORMAT, DEFAULT_BN_EPSILON } from './io/model-safetensors.js';
export type { ModelToSafetensorsOptions, BatchNormTensors } from './io/model-safetensors.js';
export { trainedToSafetensors } from './io/trained-safetensors.js';
export type { TrainedToSafetensorsOptions } from './io/trained-safetensors.js';

// the graph transformer (Sec. 2), its diagnostics and JSON
export { GraphTransformer, createModel, forward } from './model/graph-transformer.js';
export type { ModelSpec, ModelVariant, ForwardOptions, ForwardResult } from './model/graph-transformer.js';
export { foldBatchNorm } from './model/layer.js';
export type { LayerWeights, AffineMap, SkipMap, Activation, LayerShape, BatchNormParameters } from './model/layer.js';
export type { ForwardTrace, LayerTrace } from './model/forward.js';
export { modelNorms } from './model/norms.js';
export type { ModelNorms, LayerNorms } from './model/norms.js';
export {
  serialize, deserialize, modelToJson, modelFromJson, compressedToJson, compressedFromJson,
  certificateToJson, certificateFromJson, encodeMatrix, decodeMatrix,
} from './model/serialize.js';
export type { EncodedArray } from './model/serialize.js';

// compression with certificates (Theorem 3.3, Proposition 4.1; the framework the others build on)
export { certify, certifyWith, forwardCompressed, makeCheck, measureAlpha, measureBeta } from './compress/certificate.js';
export type { CertifyOptions, CheckSpec, CompressedForwardOptions } from './compress/certificate.js';
export type {
  CompressedModel, Certificate, Check, CheckKind, LayerCertificate, PredictedBound, Decoder, LayerDecoders,
  ConstructionVerifier, CertifyContext, CertifyTolerances, VerifierResult, ConstructionName, JsonValue,
} from './compress/types.js';
export { compressWithJl, jlAttentionWidth, logitDistortion } from './compress/jl.js';
export type { CompressWithJlOptions } from './compress/jl.js';
export { compressExactLowRank } from './compress/exact-low-rank.js';
export type { CompressExactLowRankOptions } from './compress/exact-low-rank.js';
export { compressLowRank } from './compress/low-rank.js';
export type { CompressLowRankOptions } from './compress/low-rank.js';
export { nearLowRankCertificate, lowRankClosedForm } from './compress/near-low-rank.js';
export type { NearLowRankCertificate, LowRankClosedForm } from './compress/near-low-rank.js';
export { compressByLeverage } from './compress/leverage.js';
export type { CompressByLeverageOptions } from './compress/leverage.js';
export { leverageRowSampling, leverageSampleSize, leverageConstant } from './compress/row-sampling.js';
export type { RowSampling, RowSamplingOptions, SamplingTry } from './compress/row-sampling.js';
export { compressByClusters } from './compress/clusters.js';
export type { CompressByClustersOptions } from './compress/clusters.js';
export { clusterStatistics, oneHotFfn, oneHotBounds } from './compress/one-hot.js';
export type { ClusterStatistics, OneHotFfn, OneHotBounds } from './compress/one-hot.js';
export { minimalWidth } from './compress/minimal-width.js';
export type { MinimalWidthOptions, MinimalWidthResult, WidthMethod, WidthTrial } from './compress/minimal-width.js';

// compressing trained (practical-variant) networks: the restated constructions, fine-tuning, evaluation
export { compressPractical } from './compress/pipeline/practical.js';
export type { CompressPracticalOptions, HiddenCompression } from './compress/pipeline/practical.js';
export { practicalVerifier, PRACTICAL_CONSTRUCTION } from './compress/pipeline/practical-verifier.js';
export { fineTune, modelParameters, modelWithParameters } from './compress/pipeline/fine-tune.js';
export type { FineTuneOptions, FineTuneResult } from './compress/pipeline/fine-tune.js';
export { compressTrained, evaluateModel, countModelParameters, rankResiduals } from './compress/trained.js';
export type { CompressTrainedOptions, CompressTrainedResult, SplitMetrics, RankResiduals } from './compress/trained.js';

// training (App. D.2–D.3): the practical variant, full batch, AdamW + cosine; metrics; Table 1 norms
export { trainNodeClassifier, predictLogits } from './train/train.js';
export type { TrainOptions, TrainResult, EpochRecord, NodeClassificationData } from './train/train.js';
export { initParameters, parameterShapes, freeParameters } from './train/parameters.js';
export type { NetworkConfig, ParameterSet } from './train/parameters.js';
export { serializeTrained, deserializeTrained } from './train/serialize.js';
export { toGraphTransformer } from './train/to-graph-transformer.js';
export { sparseAttentionBackward } from './train/attention-backward.js';
export type { AttentionGradients } from './train/attention-backward.js';
export { rocAuc, accuracy } from './train/metrics.js';
export { AdamW, cosineLearningRate } from './train/adamw.js';
export type { AdamWOptions } from './train/adamw.js';
export { measureNorms } from './train/norms.js';
export type { NetworkNorms } from './train/norms.js';
