#!/bin/sh
# Fourth stage: more seeds / initializations of the configuration each grid selected (--best), then one
# ablation outside the paper's grid (dropout 0.2 on the wide nets, at the selected lr 0.01, 50 epochs). Appends to experiments/results/table4-runs.jsonl.
set -e
R="nice -n 10 node dist/experiments/table4-runs.js --out experiments/results/table4-runs.jsonl --best"
$R --dataset minesweeper --width 64 --runs 1,2,3
$R --dataset minesweeper --width 4 --runs $(seq -s, 1 29)
$R --dataset tolokers --width 64 --runs 1,2
$R --dataset tolokers --width 4 --runs $(seq -s, 1 14)
$R --dataset cora --width 64 --runs 1,2,3
$R --dataset cora --width 4 --runs $(seq -s, 1 29)
A="nice -n 10 node dist/experiments/table4-runs.js --out experiments/results/ablation-dropout.jsonl --dropout 0.2"
$A --dataset minesweeper --width 64 --lrs 0.01 --epochs 50 --runs 0
$A --dataset cora --width 64 --lrs 0.01 --epochs 50 --runs 0
$A --dataset tolokers --width 64 --lrs 0.01 --epochs 50 --runs 0
