#!/bin/sh
# Second stage of the reduced grid (after experiments/queue.sh's first lines): the App. D.3 grid where it is
# cheap (narrow nets), two more (lr, epochs) points for the wide nets. Appends to experiments/results/table4-runs.jsonl.
set -e
R="nice -n 10 node dist/experiments/table4-runs.js --out experiments/results/table4-runs.jsonl"
$R --dataset minesweeper --width 4 --lrs 0.1,0.01,0.001 --epochs 50,100,150,200 --runs 0
$R --dataset minesweeper --width 64 --lrs 0.001 --epochs 200 --runs 0
$R --dataset minesweeper --width 64 --lrs 0.01 --epochs 100 --runs 0
$R --dataset cora --width 4 --lrs 0.1,0.01,0.001 --epochs 50,100,150,200 --runs 0
$R --dataset cora --width 64 --lrs 0.001 --epochs 200 --runs 0
$R --dataset cora --width 64 --lrs 0.01 --epochs 100 --runs 0
$R --dataset tolokers --width 4 --lrs 0.1,0.01,0.001 --epochs 50,100 --runs 0
$R --dataset tolokers --width 64 --lrs 0.001 --epochs 100 --runs 0
