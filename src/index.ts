// narrowgt — the library entry. No Node built-ins are reachable from here (a test checks the bundle).

// runtime: loading, backends, memory
export { init, initSync, backend, setBackend, embeddedWasmBytes, kernelBuild } from './runtime/init.js';
export type { Backend, InitSource, InitOptions } from './runtime/init.js';
export { relaxedSimdSupported } from './runtime/features.js';
export type { KernelBuild, SimdChoice } from './runtime/features.js';
export { threadInfo, disposeThreads, useThreads } from './runtime/threads/state.js';
export type { ThreadInfo } from './runtime/threads/state.js';
export { Storage, scope, scopeAsync, keep, wasmMemoryPages } from './runtime/storage.js';
export type { DType, Track } from './runtime/storage.js';
export {
  NarrowgtError, ShapeError, InputError, IndexError, FormatError, ConvergenceError, NumericalError, BackendError, WorkerError, ArgumentRangeError, ArgumentTypeError,
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
export { svd } from './linalg/svd.js';
export type { SvdOptions, SvdResult } from './linalg/svd.js';
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
  buildAttentionPattern, checkAttentionPattern, formatAttentionPattern, parseAttentionPattern, sameAttentionPattern, DEFAULT_ATTENTION_PATTERN,
} from './graph/attention-pattern.js';
export type { AttentionPattern } from './graph/attention-pattern.js';
export { reorderNodes, orderingFromPermutation, permuteGraph, permuteArray, unpermuteArray, graphBandwidth } from './graph/reorder.js';
export type { ReorderMethod, ReorderOptions, NodeOrdering, PermuteGraphOptions } from './graph/reorder.js';
export { permuteRows, unpermuteRows, permuteNodeData } from './data/reorder-data.js';
export type { NodeData } from './data/reorder-data.js';
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
export { GraphTransformer, createModel, forward, forwardPlanBytes } from './model/graph-transformer.js';
export type { ForwardPlan } from './model/forward-plan.js';
export type { ModelSpec, ModelVariant, ForwardOptions, ForwardResult } from './model/graph-transformer.js';
export { foldBatchNorm } from './model/layer.js';
export type { LayerWeights, AffineMap, SkipMap, Activation, LayerShape, BatchNormParameters } from './model/layer.js';
export type { ForwardTrace, LayerTrace, NetworkCache, LayerCache } from './model/forward.js';
// the network as named parameters: the one naming (the .safetensors names), its wiring, the training forward
export {
  modelParameters, modelWithParameters, parametersToModel, structureOf, practicalStructure, parameterShapes,
  networkForward, batchNormStatistics,
} from './model/parameters.js';
export type {
  ParameterSet, NetworkStructure, LayerStructure, NetworkConfig, NetworkForwardOptions, LayerStatistics,
} from './model/parameters.js';
export { BATCH_NORM_EPSILON } from './model/batch-norm.js';
export type { BatchNormStatistics } from './model/batch-norm.js';
export { modelNorms } from './model/norms.js';
export type { ModelNorms, LayerNorms } from './model/norms.js';
export { modelToJson, modelFromJson, encodeMatrix, decodeMatrix } from './model/serialize.js';
export {
  serialize, deserialize, compressedToJson, compressedFromJson, certificateToJson, certificateFromJson,
} from './compress/framework/serialize.js';
export type { EncodedArray } from './model/serialize.js';

// compression with certificates: the framework (types, checks, certifyWith), one folder per result of
// Shirzad et al. (2024), the construction for trained networks, and the workflows (certify, width search, sweep)
export { certifyWith, forwardCompressed, measureAlpha, measureBeta } from './compress/framework/certificate.js';
export type { CompressedForwardOptions } from './compress/framework/certificate.js';
export { makeCheck } from './compress/framework/check.js';
export { summarizeCertificate } from './compress/framework/summary.js';
export type { CertificateSummary, CheckTally } from './compress/framework/summary.js';
export type { CertifyOptions, CheckSpec } from './compress/framework/check.js';
export type {
  CompressedModel, Certificate, Check, CheckKind, LayerCertificate, PredictedBound, Decoder, LayerDecoders,
  ConstructionVerifier, CertifyContext, CertifyTolerances, VerifierResult, ConstructionName, JsonValue, InputDigests, InputsMatch,
} from './compress/framework/types.js';
export { digestInputs, digestModel, digestTwin, digestPattern, digestFeatures, compareDigests } from './compress/framework/digest.js';
export { compressWithJl, jlAttentionWidth } from './compress/thm-3.3-jl/jl.js';
export type { CompressWithJlOptions } from './compress/thm-3.3-jl/jl.js';
export { logitDistortion } from './compress/thm-3.3-jl/jl-verifier.js';
export { compressExactLowRank } from './compress/prop-4.1-exact/exact-low-rank.js';
export type { CompressExactLowRankOptions } from './compress/prop-4.1-exact/exact-low-rank.js';
export { compressLowRank } from './compress/thm-4.2-almost-low-rank/low-rank.js';
export type { CompressLowRankOptions } from './compress/thm-4.2-almost-low-rank/low-rank.js';
export { lowRankClosedForm } from './compress/thm-4.2-almost-low-rank/closed-form.js';
export type { LowRankClosedForm } from './compress/thm-4.2-almost-low-rank/closed-form.js';
export { nearLowRankCertificate } from './compress/shared/near-low-rank.js';
export type { NearLowRankCertificate } from './compress/shared/near-low-rank.js';
export { compressByLeverage } from './compress/prop-4.3-leverage/leverage.js';
export type { CompressByLeverageOptions } from './compress/prop-4.3-leverage/leverage.js';
export { leverageRowSampling, leverageSampleSize, leverageConstant } from './compress/prop-4.3-leverage/row-sampling.js';
export type { RowSampling, RowSamplingOptions, SamplingTry } from './compress/prop-4.3-leverage/row-sampling.js';
export { compressByClusters } from './compress/thm-4.4-clusters/clusters.js';
export type { CompressByClustersOptions } from './compress/thm-4.4-clusters/clusters.js';
export { clustersJlWidth } from './compress/thm-4.4-clusters/jl-first-layer.js';
export { clusterStatistics, oneHotFfn, oneHotBounds } from './compress/thm-4.4-clusters/one-hot.js';
export type { ClusterStatistics, OneHotFfn, OneHotBounds } from './compress/thm-4.4-clusters/one-hot.js';

// compressing trained (practical-variant) networks: the restated constructions, fine-tuning, evaluation
export { compressPractical } from './compress/practical/practical.js';
export type { CompressPracticalOptions, HiddenCompression } from './compress/practical/practical.js';
export { practicalVerifier, PRACTICAL_CONSTRUCTION } from './compress/practical/practical-verifier.js';
export { compressTrained, evaluateModel, countModelParameters, rankResiduals } from './compress/practical/trained.js';
export type { CompressTrainedOptions, CompressTrainedResult, SplitMetrics, RankResiduals } from './compress/practical/trained.js';

// workflows: re-certify by construction name, the smallest certified width, the compress-and-sweep table
export { certify } from './compress/workflows/certify.js';
export { minimalWidth } from './compress/workflows/minimal-width.js';
export type { MinimalWidthOptions, MinimalWidthResult, WidthMethod, WidthTrial } from './compress/workflows/minimal-width.js';
export { compressionSweep } from './compress/workflows/compression-sweep.js';
export type { SweepOptions, SweepRow, SweepResult } from './compress/workflows/compression-sweep.js';
export { medianMs } from './compress/workflows/median-time.js';

// training (App. D.2–D.3): the practical variant, full batch, AdamW + cosine; metrics; Table 1 norms
export { fit, fittedModel, TRAINING_DEFAULTS } from './train/fit.js';
export type { FitOptions, FitResult, SplitScores, EpochRecord, NodeClassificationData } from './train/fit.js';
export { trainNodeClassifier, predictLogits } from './train/train.js';
export type { TrainOptions, TrainResult } from './train/train.js';
export { fineTune } from './train/fine-tune.js';
export type { FineTuneOptions, FineTuneResult } from './train/fine-tune.js';
export { networkBackward } from './train/backward.js';
export { initParameters, freeParameters } from './train/parameters.js';
export { serializeTrained, deserializeTrained } from './train/serialize.js';
export { toGraphTransformer } from './train/to-graph-transformer.js';
export { sparseAttentionBackward } from './train/attention-backward.js';
export type { AttentionGradients } from './train/attention-backward.js';
export { rocAuc, accuracy } from './train/metrics.js';
export { AdamW, cosineLearningRate } from './train/adamw.js';
export type { AdamWOptions } from './train/adamw.js';
export { measureNorms } from './train/norms.js';
export type { NetworkNorms } from './train/norms.js';
