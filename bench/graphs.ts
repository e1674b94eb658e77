// The benchmark graphs, read with the library's own loader: Tolokers (Platonov et al. 2023), the largest
// graph of the paper's experiments, symmetrized with a self loop on every node.
import { existsSync } from 'node:fs';
import { loadGraphFile } from '../src/node/index.js';
import type { CsrGraph } from '../src/index.js';

const CANDIDATES = [
  process.env.NARROWGT_TOLOKERS,
  new URL('../../data/tolokers.npz', import.meta.url).pathname,
  // the shared data folder beside the checkout (dist/bench/ → ../../../shared)
  new URL('../../../shared/data/tolokers.npz', import.meta.url).pathname,
].filter((p): p is string => typeof p === 'string');

export interface BenchGraph {
  name: string;
  pattern: CsrGraph;
  /** Node features (f32, n×f), for the model benchmark. */
  features: { data: Float32Array; rows: number; cols: number };
}

/** Tolokers with self loops: 11,758 rows and 1,049,758 CSR entries. Throws when the file is not found. */
export function tolokers(): BenchGraph {
  const path = CANDIDATES.find((p) => existsSync(p));
  if (!path) throw new Error(`bench: tolokers.npz not found (looked in ${CANDIDATES.join(', ')}; set NARROWGT_TOLOKERS)`);
  const g = loadGraphFile(path, { selfLoops: true });
  if (g.graph.numEdges !== 1_049_758) throw new Error(`bench: Tolokers gave ${g.graph.numEdges} CSR entries, expected 1,049,758`);
  const f = g.features;
  return { name: 'tolokers', pattern: g.graph, features: { data: Float32Array.from(f.data), rows: f.rows, cols: f.cols } };
}

/**
 * A graph of the data folder beside the checkout (tolokers, minesweeper, cora), loaded
 * as the library loads it (symmetrized, deduplicated, a self loop on every node), in WASM memory: call free().
 */
export function dataGraph(name: 'tolokers' | 'minesweeper' | 'cora'): ReturnType<typeof loadGraphFile> {
  const paths = [
    new URL(`../../data/${name}.npz`, import.meta.url).pathname,
    new URL(`../../../shared/data/${name}.npz`, import.meta.url).pathname,
  ];
  const path = paths.find((p) => existsSync(p));
  if (!path) throw new Error(`bench: ${name}.npz not found (looked in ${paths.join(', ')})`);
  return loadGraphFile(path, { selfLoops: true });
}
