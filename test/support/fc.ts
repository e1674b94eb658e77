// fast-check settings shared by every property test: a fixed, printed seed (FC_SEED, default 42) and each test's
// own run count (NARROWGT_FC_RUNS overrides it, e.g. 1000 for a long run).
export function fcParams(numRuns: number): { seed: number; numRuns: number; verbose: number; endOnFailure: boolean } {
  const seed = Number(process.env.FC_SEED ?? 42);
  const override = process.env.NARROWGT_FC_RUNS ? Number(process.env.NARROWGT_FC_RUNS) : undefined;
  return { seed, numRuns: override ?? numRuns, verbose: 1, endOnFailure: true };
}

let printed = false;
/** Prints the seed once per test file so a failure can be replayed with FC_SEED=…. */
export function announceSeed(file: string): void {
  if (printed) return;
  printed = true;
  console.log(`# fast-check seed ${process.env.FC_SEED ?? 42} (${file}); replay with FC_SEED=<seed>`);
}
