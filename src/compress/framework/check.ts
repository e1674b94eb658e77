// One measured statement `measured ≤ bound` with the certificate's uniform tolerance (docs/theory.md#3-certificates):
// every construction's verifier builds its checks here, so a bound is never loosened by one construction alone.
import type { CertifyTolerances, Check, CheckKind } from './types.js';

/** rtol 1e-9 on every inequality and an absolute rounding floor of 64·2⁻⁵² times the compared scale. */
export const DEFAULT_TOLERANCES: CertifyTolerances = { rtol: 1e-9, atolFactor: 64 * 2 ** -52 };

export interface CertifyOptions {
  /** Override the checks' tolerances (rtol default 1e-9; atolFactor default 64·2⁻⁵²). */
  tolerances?: Partial<CertifyTolerances>;
}

export interface CheckSpec {
  name: string;
  kind: CheckKind;
  layer: number | null;
  measured: number;
  bound: number;
  /** Default true. False for a closed form whose stated conditions fail. */
  applicable?: boolean;
  detail: string;
  /** Magnitude of the quantities compared, for the rounding floor atolFactor·scale (default 0). */
  scale?: number;
}

/**
 * A Check with the certificate's uniform tolerance: holds iff measured ≤ bound·(1 + rtol) + atolFactor·scale.
 * A NaN on either side fails.
 */
export function makeCheck(tolerances: CertifyTolerances, spec: CheckSpec): Check {
  const slack = Math.abs(spec.bound) * tolerances.rtol + tolerances.atolFactor * Math.abs(spec.scale ?? 0);
  const holds = spec.measured <= spec.bound + slack;
  return {
    name: spec.name, kind: spec.kind, layer: spec.layer, measured: spec.measured, bound: spec.bound,
    margin: spec.bound - spec.measured, holds, applicable: spec.applicable ?? true, detail: spec.detail,
  };
}
