// A fuzz campaign: `count` inputs spread over the targets, each classified by runner.ts and timed. Used by the
// npm test (a small run) and by scripts/fuzz.mjs (≥ 100,000 inputs, in workers with a watchdog for hangs).
import { wasmHeapBytes } from '../../src/runtime/storage.js';
import { TARGETS, type Target } from './corpus.js';
import { runCase, type Kind } from './runner.js';

export interface Counts {
  inputs: number;
  byKind: Record<Kind, number>;
  /** inputs over the time limit (they finished, but too slowly) */
  slow: number;
  /** by target (or public function for 'options'): counts per kind */
  byWhere: Record<string, Partial<Record<Kind, number>>>;
  /** the first few of each non-typed failure, for replay: target, index, detail */
  samples: { kind: Kind; target: Target; index: number; where: string; detail?: string; ms?: number }[];
  maxMs: number;
  wasmLiveGrowth: number;
}

/** How many inputs of each target, of `count` in all (the shipped .npz is the costliest: fewer of it). */
export function plan(count: number): [Target, number][] {
  const weight: Record<Target, number> = { 'npy': 0.3, 'npz-small': 0.25, 'npz-shipped': 0.02, 'safetensors': 0.13, 'options': 0.3 };
  return TARGETS.map((t) => [t, Math.max(1, Math.round(count * weight[t]))]);
}

/** Runs inputs [from, to) of `target`; `onEach(index)` after each (the watchdog's heartbeat). */
export function runRange(target: Target, from: number, to: number, seed: number, limitMs: number, counts: Counts, onEach?: (i: number) => void): void {
  for (let i = from; i < to; i++) {
    const t0 = performance.now();
    const r = runCase(target, i, seed);
    const ms = performance.now() - t0;
    counts.inputs++;
    counts.byKind[r.kind]++;
    const w = (counts.byWhere[r.where] ??= {});
    w[r.kind] = (w[r.kind] ?? 0) + 1;
    counts.maxMs = Math.max(counts.maxMs, ms);
    if (ms > limitMs) { counts.slow++; counts.samples.push({ kind: r.kind, target, index: i, where: r.where, detail: 'slow', ms }); }
    if (r.kind !== 'ok' && r.kind !== 'typed' && counts.samples.filter((s) => s.where === r.where && s.kind === r.kind).length < 3) {
      counts.samples.push({ kind: r.kind, target, index: i, where: r.where, detail: r.detail });
    }
    onEach?.(i);
  }
}

export function emptyCounts(): Counts {
  return { inputs: 0, byKind: { ok: 0, typed: 0, other: 0, nonfinite: 0 }, slow: 0, byWhere: {}, samples: [], maxMs: 0, wasmLiveGrowth: 0 };
}

/** The whole campaign in this thread (the npm test's size). */
export function campaign(count: number, seed: number, limitMs = 2000): Counts {
  const counts = emptyCounts();
  // warm up (tables, the probe graph, scratch buffers that grow once) so that the memory measurement sees
  // only growth per input
  for (const [target] of plan(count)) runRange(target, 0, target === 'npz-shipped' ? 2 : 50, seed + 1, limitMs, emptyCounts());
  const live0 = wasmHeapBytes().live;
  for (const [target, n] of plan(count)) runRange(target, 0, n, seed, limitMs, counts);
  counts.wasmLiveGrowth = wasmHeapBytes().live - live0;
  return counts;
}
