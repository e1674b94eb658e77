// certify(): re-check a compressed model — for instance one loaded from JSON — with the verifier of the
// construction it names. The table of verifiers knows every construction, so it sits above them all (here,
// in workflows/); the constructions import only the framework's modules, never this file, so there is no
// import circle. Adding a construction: import its verifier and add one entry (see framework/types.ts).
import { InputError } from '../../runtime/errors.js';
import type { DenseMatrix } from '../../linalg/dense.js';
import type { CsrGraph } from '../../graph/csr.js';
import type { GraphTransformer } from '../../model/graph-transformer.js';
import { checkCertifyArguments } from '../framework/arguments.js';
import { certifyWith } from '../framework/certificate.js';
import { compareDigests } from '../framework/digest.js';
import type { CertifyOptions } from '../framework/check.js';
import type { Certificate, CompressedModel, ConstructionVerifier } from '../framework/types.js';
import { jlVerifier } from '../thm-3.3-jl/jl-verifier.js';
import { exactLowRankVerifier } from '../prop-4.1-exact/exact-low-rank-verifier.js';
import { lowRankVerifier } from '../thm-4.2-almost-low-rank/low-rank-verifier.js';
import { leverageVerifier } from '../prop-4.3-leverage/leverage-verifier.js';
import { clustersVerifier } from '../thm-4.4-clusters/clusters-verifier.js';
import { practicalVerifier } from '../practical/practical-verifier.js';

const VERIFIERS = new Map<string, ConstructionVerifier>(
  [jlVerifier, exactLowRankVerifier, lowRankVerifier, leverageVerifier, clustersVerifier, practicalVerifier].map((v) => [v.construction, v]),
);

/** The verifier registered for `construction`, or undefined. */
export function verifierFor(construction: string): ConstructionVerifier | undefined {
  return VERIFIERS.get(construction);
}

/**
 * Re-measures and re-checks a compressed model on (x, pattern) with its construction's verifier: the
 * certificate of Shirzad et al.'s theorem (3.3, 4.1, 4.2, 4.3 or 4.4) for this graph. Use it after
 * loading a model from JSON, or to certify on another input (a hypothesis may then fail: the
 * certificate says so). Cost as certifyWith.
 * Throws InputError for an unknown construction or malformed arguments, ShapeError on mismatched shapes.
 */
export function certify(reference: GraphTransformer, compressed: CompressedModel | Omit<CompressedModel, 'certificate'>, x: DenseMatrix,
  pattern: CsrGraph, options: CertifyOptions = {}): Certificate {
  checkCertifyArguments('certify', reference, compressed, x, pattern);
  const verifier = verifierFor(compressed.construction);
  if (!verifier) throw new InputError(`certify: compressed.construction '${String(compressed.construction)}' has no verifier (see src/compress/workflows/certify.ts)`);
  const cert = certifyWith(verifier, reference, compressed, x, pattern, options);
  return withRecordedComparison(cert, 'certificate' in compressed ? compressed.certificate : undefined);
}

/**
 * The new certificate with `inputsMatchRecorded`: which of its inputs (reference, twin, pattern, features) have the
 * digests the compressed model's earlier certificate recorded; null when it recorded none. Not an error: certifying
 * on another graph is a legitimate use, and the certificate says so.
 */
function withRecordedComparison(cert: Certificate, earlier: Certificate | undefined): Certificate {
  const recorded = earlier?.inputs;
  return { ...cert, inputsMatchRecorded: recorded && cert.inputs ? compareDigests(recorded, cert.inputs) : null };
}
