// Median wall time of a call, for the forward-time columns of the compression sweep and `narrowgt eval`
// (performance.now exists in every runtime narrowgt supports). Reported, never asserted in a test.

/** Median wall time of fn in milliseconds over `reps` runs after one warm-up. */
export function medianMs(fn: () => void, reps = 5): number {
  fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  return ts[reps >> 1];
}
