// The bound oracle's table and its comparison with a certificate (the API is described in index.ts).
import assert from 'node:assert/strict';
import type { Certificate, CheckKind } from '../../../src/compress/framework/types.js';

/** Relative agreement required between the certificate's numbers and the oracle's. */
export const ORACLE_RTOL = 1e-12;

/** One check as the theorem states it. */
export interface OracleEntry {
  kind: CheckKind;
  layer: number | null;
  name: string;
  bound: number;
  measured?: number;
  applicable?: boolean;
  /**
   * The relative agreement for this bound when it amplifies the rounding of its inputs (default ORACLE_RTOL): e.g. the
   * practical a-priori chain passes e^{2ε̃_a} through the layers, multiplying relative input errors by ≈ 4ε̃_a per layer.
   */
  rtol?: number;
}

/** The key of a check: its kind, layer and name. */
export function oracleKey(kind: CheckKind, layer: number | null, name: string): string {
  return `${kind} | layer ${layer === null ? '-' : layer} | ${name}`;
}

/** The set of checks one certificate should hold, with their bounds. */
export class BoundOracle {
  readonly entries = new Map<string, OracleEntry>();

  add(e: OracleEntry): void {
    const key = oracleKey(e.kind, e.layer, e.name);
    if (this.entries.has(key)) throw new Error(`bound oracle: duplicate entry ${key}`);
    this.entries.set(key, e);
  }

  /** Every entry of another oracle (the framework's checks, shared attention checks …). */
  merge(other: BoundOracle): this {
    for (const e of other.entries.values()) this.add(e);
    return this;
  }
}

/** Equal to relative ORACLE_RTOL; ±∞ equal only to themselves; NaN only to NaN. */
export function sameNumber(a: number, b: number, rtol = ORACLE_RTOL): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Every check of `cert` against the oracle: same set of (kind, layer, name), bounds equal to relative 1e-12, and
 * measured / applicable where the oracle states them. Fails naming the check and both values.
 */
export function assertBoundsMatch(cert: Certificate, oracle: BoundOracle, where: string): void {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const c of cert.checks) {
    const key = oracleKey(c.kind, c.layer, c.name);
    if (seen.has(key)) { problems.push(`duplicate check ${key}`); continue; }
    seen.add(key);
    const e = oracle.entries.get(key);
    if (!e) { problems.push(`check "${key}" has no transcription in the bound oracle (bound ${c.bound})`); continue; }
    if (!sameNumber(c.bound, e.bound, e.rtol ?? ORACLE_RTOL)) problems.push(`check "${key}": certificate bound ${c.bound} ≠ oracle bound ${e.bound}`);
    if (e.measured !== undefined && !sameNumber(c.measured, e.measured)) {
      problems.push(`check "${key}": certificate measured ${c.measured} ≠ oracle measured ${e.measured}`);
    }
    if (e.applicable !== undefined && c.applicable !== e.applicable) {
      problems.push(`check "${key}": certificate applicable ${c.applicable} ≠ oracle applicable ${e.applicable}`);
    }
  }
  for (const key of oracle.entries.keys()) if (!seen.has(key)) problems.push(`the oracle expects check "${key}", which the certificate lacks`);
  assert.deepEqual(problems, [], `${where}: certificate vs bound oracle:\n  ${problems.join('\n  ')}`);
}

