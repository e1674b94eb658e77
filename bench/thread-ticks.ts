// Per-thread CPU time of this process (Linux /proc/self/task/*/stat), for the thread benchmarks (bench/threads/run.ts,
// bench/scale/case.ts): summed over all runs of a thread count, the busiest thread's ticks estimate the wall time an
// idle machine would show, which a loaded one cannot (docs/performance.md "Threads"). Elsewhere: empty maps.
import { readdirSync, readFileSync } from 'node:fs';

/** CPU ticks (user + system, 1/100 s) of each thread of this process, by thread id (Linux /proc). */
export function threadTicks(): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try { tids = readdirSync('/proc/self/task'); } catch { return out; }
  for (const tid of tids) {
    try {
      const f = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
      out.set(tid, Number(rest[11]) + Number(rest[12]));
    } catch { /* the thread ended */ }
  }
  return out;
}

/** Adds each thread's ticks spent between two threadTicks() readings into `into`. */
export function addSpent(into: Map<string, number>, a: Map<string, number>, b: Map<string, number>): void {
  for (const [tid, t] of b) into.set(tid, (into.get(tid) ?? 0) + t - (a.get(tid) ?? 0));
}
