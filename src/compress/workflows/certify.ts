// The verifier of each construction, looked up by name when certify() re-checks a compressed model
// (for instance one loaded from JSON). The table is built on first use, so the import cycle
// certificate.ts → registry.ts → <construction>.ts → certificate.ts is harmless.
// Adding a construction: import its verifier and add one entry (see the header of types.ts).
import type { ConstructionVerifier } from './types.js';
import { jlVerifier } from './jl.js';
import { exactLowRankVerifier } from './exact-low-rank.js';
import { lowRankVerifier } from './low-rank-verifier.js';
import { leverageVerifier } from './leverage.js';
import { clustersVerifier } from './clusters-verifier.js';
import { practicalVerifier } from './pipeline/practical-verifier.js';

let table: Map<string, ConstructionVerifier> | null = null;

/** The verifier registered for `construction`, or undefined. */
export function verifierFor(construction: string): ConstructionVerifier | undefined {
  table ??= new Map<string, ConstructionVerifier>([
    [jlVerifier.construction, jlVerifier],
    [exactLowRankVerifier.construction, exactLowRankVerifier],
    [lowRankVerifier.construction, lowRankVerifier],
    [leverageVerifier.construction, leverageVerifier],
    [clustersVerifier.construction, clustersVerifier],
    [practicalVerifier.construction, practicalVerifier],
  ]);
  return table.get(construction);
}
