#!/bin/sh
# Sixth stage (second session), after queue5.sh: more seeds of the wide configuration that the extended grid
# selected (report.js → experiments/results/table4.json, wideExtended: highest mean final validation metric of run 0), then
# more initializations of the narrow networks at their selected point. Appends to experiments/results/table4-runs.jsonl.
#   sh experiments/queue6.sh DATASET WIDE_RUNS [NARROW_RUNS]    as run: minesweeper 1,2,3,4 30-99; cora 1,2,3,4 30-99;
#                                                           tolokers 1,2,3,4 15-49
set -e
ds=$1; wide_runs=$2; narrow_runs=${3:-}
node dist/experiments/report.js > /dev/null
sel=$(node -e "const w = require('./experiments/results/table4.json')['$ds'].wideExtended; console.log('--lrs ' + w.lr + ' --epochs ' + w.epochs + ' --dropout ' + w.dropout + ' --self-loops ' + w.selfLoops)")
echo "# $ds wide, extended-grid selection: $sel"
nice -n 10 node dist/experiments/table4-runs.js --out experiments/results/table4-runs.jsonl --dataset "$ds" --width 64 $sel --runs "$wide_runs"
if [ -n "$narrow_runs" ]; then
  nice -n 10 node dist/experiments/table4-runs.js --out experiments/results/table4-runs.jsonl --dataset "$ds" --width 4 --best \
    --runs "$(seq -s, $(echo "$narrow_runs" | tr '-' ' '))"
fi
