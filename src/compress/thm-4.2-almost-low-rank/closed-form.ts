// The closed form of Theorem 4.2's error recursion (Shirzad et al. 2024, App. C.3;
// docs/theory.md#9-theorem-42--almost-low-rank): pure arithmetic on the measured α, β, ε.

/** c1, c2 and the bound on e^(L) of Thm 4.2, App. C.3; docs/theory.md#9-theorem-42--almost-low-rank (bounds checked). */
export interface LowRankClosedForm {
  /** c1 = 2β³(1 + 4β²√α(2√α + 1)). */
  c1: number;
  /** c2 = β. */
  c2: number;
  /** c1^L·ε + c2·ε·(c1^L − 1)/(c1 − 1) (with e^(0) ≤ ε). */
  bound: number;
}

/**
 * The closed form of Theorem 4.2 (docs/theory.md#9-theorem-42--almost-low-rank (bounds checked), derived): e^(ℓ+1) ≤ c1·e^(ℓ) + c2·ε, so
 * e^(L) ≤ c1^L·ε + c2·ε·(c1^L − 1)/(c1 − 1). Valid only while every e^(ℓ) ≤ 1 and 2ε_a^(ℓ) ≤ 1; the caller
 * checks those on the realised quantities. Pure arithmetic.
 */
export function lowRankClosedForm(alpha: number, beta: number, epsilon: number, layers: number): LowRankClosedForm {
  const ra = Math.sqrt(alpha);
  const c1 = 2 * beta ** 3 * (1 + 4 * beta * beta * ra * (2 * ra + 1));
  const c2 = beta;
  const pow = c1 ** layers;
  const geometric = c1 === 1 ? layers : (pow - 1) / (c1 - 1);
  return { c1, c2, bound: pow * epsilon + c2 * epsilon * geometric };
}
