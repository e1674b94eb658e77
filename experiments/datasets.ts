// The three graphs of the experiments and how a run picks its split (Sec. 5 and App. D.1; docs/experiments.md; the shared data's README).
import type { LoadedGraph } from '../src/index.js';
import { loadGraphFile } from '../src/node/index.js';

export const DATASETS = ['minesweeper', 'tolokers', 'cora'] as const;
export type DatasetName = (typeof DATASETS)[number];

/** Paper, Table 4 (test metric; Cora stands in for Amazon Photo, whose numbers are given for context). */
export const PAPER_TABLE4: Record<DatasetName, { large: number; largeStd: number; smallMean: number; smallStd: number; smallMax: number; gcn: number; note?: string }> = {
  minesweeper: { large: 0.943, largeStd: 0.001, smallMean: 0.886, smallStd: 0.054, smallMax: 0.938, gcn: 0.898 },
  tolokers: { large: 0.844, largeStd: 0.002, smallMean: 0.821, smallStd: 0.011, smallMax: 0.844, gcn: 0.836 },
  cora: { large: 0.953, largeStd: 0.004, smallMean: 0.910, smallStd: 0.016, smallMax: 0.944, gcn: 0.927,
    note: 'the paper\'s numbers are for Amazon Photo, not Cora' },
};

/** Paper, Table 1 (mean ± std over the large runs). */
export const PAPER_TABLE1: Record<DatasetName, { operator: number; operatorStd: number; vector: number; vectorStd: number; note?: string }> = {
  tolokers: { operator: 2.83, operatorStd: 0.13, vector: 3.71, vectorStd: 0.10 },
  minesweeper: { operator: 2.62, operatorStd: 0.07, vector: 3.44, vectorStd: 0.21 },
  cora: { operator: 2.15, operatorStd: 0.06, vector: 3.64, vectorStd: 0.23, note: 'Amazon Photo in the paper' },
};

/**
 * Loads dataset `name` from `dir` for run number `run`: Minesweeper and Tolokers use their shipped split
 * run mod 10 (Platonov et al. 2023), Cora a random 0.6/0.2/0.2 split drawn with seed `run` (App. D.1).
 * `selfLoops: false` keeps the attention pattern to the graph's own edges (default true: self loops added).
 */
export function loadDataset(dir: string, name: DatasetName, run: number, options: { selfLoops?: boolean } = {}): LoadedGraph {
  const path = `${dir}/${name}.npz`, selfLoops = options.selfLoops ?? true;
  if (name === 'cora') return loadGraphFile(path, { randomSplit: { train: 0.6, val: 0.2, seed: run }, selfLoops });
  return loadGraphFile(path, { split: run % 10, selfLoops });
}
