// Acceptance limits for counting rare failures over many seeds: a property promised with probability
// ≥ 1 − δ should fail in at most `binomialUpperLimit(trials, δ, α)` of `trials` independent tries.

/** Smallest c with P(Bin(trials, p) > c) ≤ alpha (exact tail, summed in log space). */
export function binomialUpperLimit(trials: number, p: number, alpha = 1e-3): number {
  if (!(p > 0 && p < 1)) throw new Error(`binomialUpperLimit: p must lie in (0, 1), got ${p}`);
  const logPmf = (k: number): number => logChoose(trials, k) + k * Math.log(p) + (trials - k) * Math.log1p(-p);
  let tail = 1; // P(X > c) for c = −1
  for (let c = 0; c <= trials; c++) {
    tail -= Math.exp(logPmf(c));
    if (tail <= alpha) return c;
  }
  return trials;
}

function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}
