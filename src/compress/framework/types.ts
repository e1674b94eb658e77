// The shapes shared by every compression: the compressed model, its certificate and the verifier that
// checks one theorem's hypotheses and bounds on the actual graph.
//
// How to add a construction (e.g. Theorem 4.2 in src/compress/thm-4.2-almost-low-rank/): a folder named after the
// result, holding the construction and its verifier side by side, importing only framework/ and shared/:
//  1. Build the narrow network as a GraphTransformer (any per-layer widths; layer 0 may read d_in), the
//     input adapter A^(0) (or fold it into layer 0 and pass null), U_out (D×d, or null for the identity),
//     and per-layer decoders (LayerDecoders: U^(ℓ), U_V, U_σ — 'identity' where the widths agree, 'none'
//     where the construction has no decoder for that stage, as for H^(ℓ+1/2) in Theorem 4.4).
//  2. Write a ConstructionVerifier: `verify(ctx)` receives the reference and narrow f64 traces and the
//     generic measurements (α, β, e^(ℓ), e_{1/2}, e_{3/4}, ε_a, max |log â/a|, output error), and returns
//     the theorem's own checks (hypotheses, per-layer inequalities in realised quantities, the closed form
//     with `applicable` set from its stated conditions) and the predicted end-to-end bound. Use
//     makeCheck() from framework/check.ts so tolerances are uniform. Put construction-specific per-layer
//     numbers (η, ε_34, τ, Δ, ρ_x …) in `layerExtras`; the generic ones are already in ctx.layers.
//  3. Add the verifier to the table in src/compress/workflows/certify.ts (one import, one entry), so that the
//     public certify() can re-check a compressed model — including one loaded from JSON.
//  4. Return `{ construction, narrow, inputAdapter, uOut, decoders, details, certificate }` with
//     certificate = certifyWith(verifier, reference, compressed-without-certificate, x, pattern).
//     `details` must be JSON data (numbers, strings, arrays, plain objects): seeds, selected rows,
//     parameters the verifier needs (ε, δ, d …). Serialization (src/compress/framework/serialize.ts) handles the rest.
import type { DenseMatrix } from '../../linalg/dense.js';
import type { CsrGraph } from '../../graph/csr.js';
import type { GraphTransformer } from '../../model/graph-transformer.js';
import type { ForwardTrace } from '../../model/forward.js';
import type { AttentionPattern } from '../../graph/attention-pattern.js';

/** JSON-representable data (what `details` and certificate parameters may hold). */
export type { JsonValue } from '../../model/serialize.js';
import type { JsonValue } from '../../model/serialize.js';

/** A map back to the reference width: a D×d matrix, the identity (same width), or none available. */
export type Decoder = DenseMatrix<'f64'> | 'identity' | 'none';

/** Decoders of one layer, each mapping a narrow stage to the reference's (rows: H ≈ Ĥ·Uᵀ). */
export interface LayerDecoders {
  /** U^(ℓ): H^(ℓ) ≈ Ĥ^(ℓ) U^(ℓ)ᵀ. */
  input: Decoder;
  /** U_V: H^(ℓ+1/2) ≈ Ĥ^(ℓ+1/2) U_Vᵀ. */
  half: Decoder;
  /** U_σ: H^(ℓ+3/4) ≈ Ĥ^(ℓ+3/4) U_σᵀ. */
  threeQuarter: Decoder;
}

/** Names of the constructions narrowgt implements (one file each in src/compress/). */
export type ConstructionName = 'jl' | 'exact-low-rank' | 'low-rank' | 'leverage' | 'clusters' | (string & {});

/** A narrow twin of a reference network, with the maps back to width D and its certificate. */
export interface CompressedModel {
  construction: ConstructionName;
  /** T̂: the width-d network. */
  narrow: GraphTransformer;
  /** A^(0) (d₀×d_in): T̂ reads X·A^(0)ᵀ; null when folded into layer 0 (T̂ reads X) or not needed. */
  inputAdapter: DenseMatrix<'f64'> | null;
  /** U_out (outputDim_ref × outputDim_narrow): T(X) ≈ T̂(X)·U_outᵀ; null for the identity. */
  uOut: DenseMatrix<'f64'> | null;
  /** One entry per layer, for the per-layer errors of the certificate. */
  decoders: LayerDecoders[];
  /** Construction-specific record (seeds, selected rows, ε, δ …), JSON data only. */
  details: { [key: string]: JsonValue };
  certificate: Certificate;
  /**
   * The attention pattern the twin and its reference compute on (src/graph/attention-pattern.ts), when known: the
   * CLI records it so `certify` rebuilds the same pattern; the library's compress* functions take a built CsrGraph
   * and leave it null.
   */
  pattern?: AttentionPattern | null;
}

/** What kind of statement a check is. */
export type CheckKind = 'hypothesis' | 'inequality' | 'closed-form' | 'identity' | 'shape';

/**
 * One measured statement `measured ≤ bound`. It holds when measured ≤ bound·(1 + rtol) + atol (the
 * certificate's tolerances, default rtol 1e-9 and atol a rounding floor; see docs/theory.md).
 * A check with applicable = false (a closed form whose conditions fail) is reported but does not count.
 */
export interface Check {
  /** Short id, e.g. '(3.1) logit error' or 'rank(H^(ℓ+3/4)) ≤ d'. */
  name: string;
  kind: CheckKind;
  /** The layer, or null for a network-wide check. */
  layer: number | null;
  measured: number;
  bound: number;
  /** bound − measured (negative when it fails). */
  margin: number;
  holds: boolean;
  applicable: boolean;
  /** The formula with its constants, or why it does not apply. */
  detail: string;
}

/** Measured quantities of one layer (null where the construction has no decoder for the stage). */
export interface LayerCertificate {
  layer: number;
  /** e^(ℓ) = max_i ‖U^(ℓ)ĥ_i^(ℓ) − h_i^(ℓ)‖. */
  inputError: number | null;
  /** e_{1/2} = max_i ‖U_V ĥ_i^(ℓ+1/2) − h_i^(ℓ+1/2)‖. */
  halfError: number | null;
  /** e_{3/4} = max_i ‖U_σ ĥ_i^(ℓ+3/4) − h_i^(ℓ+3/4)‖. */
  threeQuarterError: number | null;
  /** e^(ℓ+1), through the next layer's decoder (U_out after the last layer). */
  outputError: number | null;
  /** ε_a^(ℓ) = max over pattern edges |ŝ_ij − s_ij| (logits, scale included). */
  logitError: number;
  /** max over pattern edges |log â_ij − log a_ij|. */
  maxLogRatio: number;
  /** Construction-specific numbers (η, ε_34, τ, Δ, ρ_x …). */
  extra: { [key: string]: number };
}

/** The theorem's end-to-end prediction, side by side with what was measured. */
export interface PredictedBound {
  /** Bound on max_i ‖T(X)_i − U_out T̂(X)_i‖, or null when the closed form's conditions fail. */
  outputError: number | null;
  /** The formula, e.g. 'c2·ε·(c1^L − 1)/(c1 − 1)'. */
  formula: string;
  /** Its constants (c1, c2, ε …) as used. */
  constants: { [key: string]: number };
  /** Whether the closed form's stated conditions hold. */
  conditionsHold: boolean;
  /** Why not, or notes. */
  note: string;
}

/** SHA-256 hex digests of a certificate's inputs (the canonical encoding is in src/compress/framework/digest.ts). */
export interface InputDigests {
  /** The reference network T. */
  reference: string;
  /** The twin: T̂, A^(0), U_out and the per-layer decoders (not `details`). */
  narrow: string;
  /** The attention pattern's CSR (numRows, numCols, rowPtr, colIdx). */
  pattern: string;
  /** The node features X, as the f64 values the certificate read. */
  features: string;
}

/** Which of the inputs a certificate was recomputed on equal those recorded in the earlier one (true: same digest). */
export interface InputsMatch {
  reference: boolean;
  narrow: boolean;
  pattern: boolean;
  features: boolean;
}

/** A certificate: measured on the actual graph, never assumed. JSON data only. */
export interface Certificate {
  format: 'narrowgt-certificate';
  version: 1;
  construction: ConstructionName;
  /** E.g. 'Theorem 3.3 (Shirzad et al. 2024), docs/theory.md#4-theorem-33--jl-on-w_q-and-w_k'. */
  theorem: string;
  /** Every applicable check holds. */
  holds: boolean;
  /** One line per failed check (empty when holds). */
  reasons: string[];
  /** α = max over layers ℓ < L and nodes of ‖h_i^(ℓ)‖² in the reference. */
  alpha: number;
  /** β = max operator norm over the reference's maps (√logitScale folded into W_Q and W_K). */
  beta: number;
  numNodes: number;
  numEdges: number;
  depth: number;
  /** Input width of every reference layer, then its output width. */
  referenceWidths: number[];
  /** Input width of every narrow layer, then its output width. */
  narrowWidths: number[];
  /** max_i ‖T(X)_i − U_out T̂(X)_i‖₂. */
  outputError: number;
  /** max_i ‖T(X)_i‖₂, the scale for relative statements. */
  outputScale: number;
  /** max over layers and edges |log(â_ij / a_ij)|. */
  maxLogRatio: number;
  layers: LayerCertificate[];
  checks: Check[];
  predicted: PredictedBound;
  /** Seeds tried per layer, in order (randomized constructions; details.keptSeeds says which was kept), else null. */
  seeds: number[][] | null;
  /** Inputs of the construction that the checks used (d, ε, δ, tolerances …). */
  parameters: { [key: string]: JsonValue };
  /** What this certificate was computed on (absent in certificates written before narrowgt recorded it). */
  inputs?: InputDigests;
  /**
   * certify() only: whether the inputs it was given are those recorded in the compressed model's earlier certificate,
   * field by field; null when that certificate recorded no digests (or there was none). Absent from certificates a
   * construction makes.
   */
  inputsMatchRecorded?: InputsMatch | null;
}

/** Tolerances of a certificate's checks. */
export interface CertifyTolerances {
  /** Relative slack on every inequality (default 1e-9, not in the paper (our protocol); docs/theory.md#19-tolerances-and-the-testing-protocol). */
  rtol: number;
  /** Absolute rounding floor, in units of the compared quantities' scale (default 64·2⁻⁵²). */
  atolFactor: number;
}

/** What certify() hands a verifier: the instance, both f64 traces and the generic measurements. */
export interface CertifyContext {
  reference: GraphTransformer;
  compressed: Omit<CompressedModel, 'certificate'>;
  x: DenseMatrix<'f64'>;
  pattern: CsrGraph;
  referenceTrace: ForwardTrace<'f64'>;
  narrowTrace: ForwardTrace<'f64'>;
  alpha: number;
  beta: number;
  /** max_i ‖T(X)_i − U_out T̂(X)_i‖. */
  outputError: number;
  outputScale: number;
  layers: LayerCertificate[];
  tolerances: CertifyTolerances;
}

/** What a verifier returns. */
export interface VerifierResult {
  checks: Check[];
  predicted: PredictedBound;
  /** Per-layer construction-specific numbers, merged into LayerCertificate.extra. */
  layerExtras?: { [key: string]: number }[];
  /** Parameters to record in the certificate. */
  parameters?: { [key: string]: JsonValue };
  seeds?: number[][] | null;
}

/** Checks one theorem's hypotheses and bounds (see the header of this file). */
export interface ConstructionVerifier {
  readonly construction: ConstructionName;
  readonly theorem: string;
  verify(ctx: CertifyContext): VerifierResult;
}
