// The bound oracle: an independent transcription of every certificate check's bound, one file per construction
// (docs/theory.md §4–§11, §16, §17 and the paper's App. C, with the β factors the paper drops restored), so that a
// property test compares the `bound` of EVERY check a certificate reports — not only `holds` — with a value it
// computed itself (issue 16). Nothing here imports src/compress except types.
//
// API (how to add a construction, e.g. Theorem 4.4 case (1)):
//  * A construction file exports `xxxBounds(recorded, inputs): BoundOracle`. `recorded` is `recordedQuantities(cert)`
//    (common.ts): the MEASURED quantities the certificate records (α, β, e^(ℓ), e½, e¾, e^(ℓ+1), ε_a, the layer extras);
//    `inputs` are the hyperparameters (d, ε, δ …) and any measured quantity the certificate does not record, computed
//    by the test itself (e.g. ‖W_V‖, B_v, max‖f_a‖; see measure.ts).
//  * It calls `oracle.add({ kind, layer, name, bound, measured?, applicable? })` once per check the theorem has,
//    with the check's name exactly as the verifier spells it. `measured` is given where the measured side of a
//    check is itself a formula of measured quantities (ρ_x, Δ, ε = max(ε_X, ε_34)); `applicable` where the theorem
//    states conditions (closed forms, the one-hot step).
//  * The test calls `assertBoundsMatch(cert, oracle, where)`: every check of the certificate must have an entry
//    (a check kind or name the oracle has no transcription for FAILS, so a new check cannot slip by), every entry
//    must be in the certificate, and bound (and measured / applicable where given) must agree to relative 1e-12.
export * from './oracle.js';
export * from './common.js';
export * from './jl.js';
export * from './exact.js';
export * from './low-rank.js';
export * from './leverage.js';
export * from './clusters.js';
export * from './practical.js';
export * from './measure.js';
