#!/bin/sh
# The reduced Table 4 / Figure 1 / Table 1 grid actually run for docs/experiments.md (sequential, niced).
# Every line appends to experiments/results/table4-runs.jsonl; finished runs are skipped on a rerun.
set -e
R="nice -n 10 node dist/experiments/table4-runs.js --out experiments/results/table4-runs.jsonl"
$R --dataset minesweeper --width 64 --lrs 0.01 --epochs 50 --runs 0
$R --dataset cora --width 64 --lrs 0.01 --epochs 50 --runs 0
$R --dataset minesweeper --width 4 --lrs 0.01 --epochs 100 --runs 0,1,2,3,4,5
$R --dataset tolokers --width 64 --lrs 0.01 --epochs 50 --runs 0
$R --dataset cora --width 4 --lrs 0.01 --epochs 100 --runs 0,1,2,3,4,5
$R --dataset tolokers --width 4 --lrs 0.01 --epochs 50 --runs 0,1,2,3
$R --dataset minesweeper --width 64 --lrs 0.01 --epochs 50 --runs 1,2
$R --dataset cora --width 64 --lrs 0.01 --epochs 50 --runs 1,2
$R --dataset minesweeper --width 4 --lrs 0.1 --epochs 100 --runs 0,1,2,3,4,5
$R --dataset tolokers --width 64 --lrs 0.01 --epochs 50 --runs 1
$R --dataset minesweeper --width 4 --lrs 0.01 --epochs 100 --runs 6,7,8,9,10,11,12,13,14,15
$R --dataset cora --width 4 --lrs 0.01 --epochs 100 --runs 6,7,8,9,10,11,12,13,14,15
$R --dataset tolokers --width 4 --lrs 0.01 --epochs 50 --runs 4,5,6,7,8,9
