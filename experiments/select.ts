// App. D.3's model selection over the runs in experiments/results/table4-runs.jsonl, shared by report.js (Table 4) and
// table4-runs --best (which configuration gets more seeds), so both always pick the same configuration.

/** One line of experiments/results/table4-runs.jsonl. */
export interface Run {
  dropout?: number; selfLoops?: boolean;
  dataset: string; width: number; lr: number; epochs: number; run: number; metric: string; seconds: number; secondsPerEpoch: number;
  final: { train: number; val: number; test: number }; bestValidation: { epoch: number; val: number; test: number };
  norms: { operatorNormAverage: number; operatorNormMax: number; vectorNormAverage: number; vectorNormMax: number };
}

/** A configuration: lr, epochs, dropout and whether the pattern has self loops. */
export const configKey = (r: Pick<Run, 'lr' | 'epochs' | 'dropout' | 'selfLoops'>): string =>
  `${r.lr}/${r.epochs}/${r.dropout ?? 0}/${r.selfLoops ?? true}`;

/** The paper's grid: lr × epochs, no dropout, self loops in the pattern. */
export const paperGrid = (r: Run): boolean => (r.dropout ?? 0) === 0 && (r.selfLoops ?? true);

const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;

export interface ConfigSummary { lr: number; epochs: number; dropout: number; selfLoops: boolean; runs: number; selectionVal: number; meanVal: number; meanTest: number }

/**
 * The configuration of `dataset`/`width` among those passing `grid` with the highest mean final validation
 * metric, compared on the runs every configuration has (the grid stage runs run 0 only; seeds added later at
 * the selected point must not change the selection). Returns every run of the winner and a summary per
 * configuration; chosen is empty when no run matches.
 */
export function selectConfig(runs: Run[], dataset: string, width: number, grid: (r: Run) => boolean = paperGrid):
  { chosen: Run[]; configs: ConfigSummary[] } {
  const byConfig = new Map<string, Run[]>();
  for (const r of runs) {
    if (r.dataset !== dataset || r.width !== width || !grid(r)) continue;
    byConfig.set(configKey(r), [...(byConfig.get(configKey(r)) ?? []), r]);
  }
  const groups = [...byConfig.values()];
  const common = groups.length ? groups.map((g) => new Set(g.map((r) => r.run))).reduce((a, b) => new Set([...a].filter((x) => b.has(x)))) : new Set<number>();
  let best: Run[] = [], bestVal = -Infinity;
  const configs: ConfigSummary[] = [];
  for (const group of groups) {
    const val = mean(group.filter((r) => common.has(r.run)).map((r) => r.final.val));
    configs.push({ lr: group[0].lr, epochs: group[0].epochs, dropout: group[0].dropout ?? 0, selfLoops: group[0].selfLoops ?? true, runs: group.length,
      selectionVal: val, meanVal: mean(group.map((r) => r.final.val)), meanTest: mean(group.map((r) => r.final.test)) });
    if (val > bestVal) { best = group; bestVal = val; }
  }
  return { chosen: best, configs };
}
