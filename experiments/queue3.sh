#!/bin/sh
# Third stage: lr 0.1 for the wide nets (the narrow grid on Minesweeper preferred 0.1), the narrow grid
# on Tolokers and Cora, then the other wide points. Appends to experiments/results/table4-runs.jsonl (finished runs skipped).
set -e
R="nice -n 10 node dist/experiments/table4-runs.js --out experiments/results/table4-runs.jsonl"
$R --dataset minesweeper --width 64 --lrs 0.1 --epochs 100 --runs 0
$R --dataset tolokers --width 4 --lrs 0.1,0.01,0.001 --epochs 50,100 --runs 0
$R --dataset tolokers --width 64 --lrs 0.1 --epochs 50 --runs 0
$R --dataset cora --width 4 --lrs 0.1,0.01,0.001 --epochs 50,100,150,200 --runs 0
$R --dataset cora --width 64 --lrs 0.1,0.001 --epochs 100 --runs 0
$R --dataset tolokers --width 64 --lrs 0.001 --epochs 100 --runs 0
