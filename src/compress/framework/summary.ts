// What a certificate says, in the order a reader needs it: how far the twin is from the reference (measured), then
// whether the theorem's hypotheses were met on this graph, then whether its per-layer inequalities hold. A
// certificate's `holds` only means "every applicable check holds": the inequalities can all hold while the twin is
// far from the reference (the bounds are then large), so no summary line says "holds" on its own.
import type { Certificate, Check, CheckKind } from './types.js';

/** The applicable checks of some kinds: how many, how many fail, and the names of the failing ones. */
export interface CheckTally {
  count: number;
  failed: number;
  /** count > 0 and failed = 0. */
  allHold: boolean;
  /** `name (layer ℓ)` of each failing check, in certificate order. */
  failures: string[];
}

export interface CertificateSummary {
  /** max_i ‖T(X)_i − T̂(X)_i‖ / max_i ‖T(X)_i‖ (0 when both are 0, +∞ when only the scale is 0; NaN stays NaN). */
  relativeOutputError: number;
  outputError: number;
  outputScale: number;
  /** max over layers and edges |log(â_ij / a_ij)|: how far the twin's attention is from the reference's. */
  maxLogRatio: number;
  /** The theorem's hypotheses on this graph and network (kinds 'hypothesis' and 'shape'). */
  hypotheses: CheckTally;
  /** Its per-layer inequalities in realised quantities (kind 'inequality'). */
  inequalities: CheckTally;
  /** Closed forms and exact identities (kinds 'closed-form' and 'identity'). */
  closedForms: CheckTally;
  /** The a-priori bound on the output error when its conditions hold, else null. */
  predictedOutputError: number | null;
  /** Every measured quantity is finite and the output error does not exceed the output scale. */
  measuredFinite: boolean;
  /** The headline: four lines for a terminal. */
  lines: string[];
}

function tally(checks: Check[], kinds: CheckKind[]): CheckTally {
  const counted = checks.filter((c) => c.applicable && kinds.includes(c.kind));
  const failing = counted.filter((c) => !c.holds);
  return {
    count: counted.length, failed: failing.length, allHold: counted.length > 0 && failing.length === 0,
    failures: failing.map((c) => (c.layer === null ? c.name : `${c.name} (layer ${c.layer})`)),
  };
}

function relative(error: number, scale: number): number {
  if (Number.isNaN(error) || Number.isNaN(scale)) return NaN;
  if (scale === 0) return error === 0 ? 0 : Infinity;
  return error / scale;
}

function percent(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return v >= 0.001 ? `${(100 * v).toPrecision(3)} %` : `${v.toExponential(2)} (relative)`;
}

function tallyLine(what: string, t: CheckTally, consequence: string): string {
  if (t.count === 0) return `${what}: none checked`;
  if (t.failed === 0) return `${what}: all ${t.count} hold`;
  const shown = t.failures.slice(0, 3).join('; ') + (t.failures.length > 3 ? `; … ${t.failures.length - 3} more` : '');
  return `${what}: ${t.failed} of ${t.count} FAIL${consequence} (${shown})`;
}

/**
 * The reader's view of a certificate (see the comment at the top of this file). Pure: reads `cert`, computes nothing
 * new. Cost O(#checks).
 */
export function summarizeCertificate(cert: Certificate): CertificateSummary {
  const rel = relative(cert.outputError, cert.outputScale);
  const hypotheses = tally(cert.checks, ['hypothesis', 'shape']);
  const inequalities = tally(cert.checks, ['inequality']);
  const closedForms = tally(cert.checks, ['closed-form', 'identity']);
  const predictedOutputError = cert.predicted.conditionsHold ? cert.predicted.outputError : null;
  const measuredFinite = [cert.outputError, cert.outputScale, cert.maxLogRatio].every(Number.isFinite) && cert.outputError <= cert.outputScale;
  const lines = [
    `measured on the graph: relative output error ${percent(rel)} (max_i ‖T(X)_i − T̂(X)_i‖ = ${cert.outputError.toExponential(3)} of max_i ‖T(X)_i‖ = ` +
      `${cert.outputScale.toPrecision(4)}), attention deviation max |log â/a| = ${cert.maxLogRatio.toExponential(3)}`,
    tallyLine("the theorem's hypotheses", hypotheses, ': its bound does not apply to this network on this graph'),
    tallyLine('per-layer inequalities (realised quantities)', inequalities, ''),
    predictedOutputError !== null
      ? `a-priori bound on the output error: ${predictedOutputError.toExponential(3)} (${cert.predicted.formula})`
      : cert.predicted.conditionsHold
        ? 'a-priori bound on the output error: none (the closed form is not finite on this network)'
        : `a-priori bound on the output error: none (its conditions fail: ${cert.predicted.note || 'see the closed-form checks'})`,
  ];
  if (!measuredFinite) lines.push('the measured quantities are not finite or exceed the output scale: the twin does not approximate the reference');
  return {
    relativeOutputError: rel, outputError: cert.outputError, outputScale: cert.outputScale, maxLogRatio: cert.maxLogRatio,
    hypotheses, inequalities, closedForms, predictedOutputError, measuredFinite, lines,
  };
}
