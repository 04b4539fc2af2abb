#!/usr/bin/env bash
# Whole `backprop` commands from two builds, alternating: wall seconds (median, range) and peak resident memory.
# usage: bench/compare_builds.sh BEFORE/backprop.dll AFTER/backprop.dll [REPS]
# Needs Fashion-MNIST (apt-get install dataset-fashion-mnist) and python3-numpy, for the CSV made from it.
set -euo pipefail
before=$1 after=$2 reps=${3:-5}
data=/usr/share/datasets/fashion-mnist
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
csv=$work/fashion.csv
/usr/bin/python3 "$(dirname "$0")/pandas_csv.py" make "$csv" "$data" >/dev/null
# The models both builds evaluate, written by the newer build (older builds read them as long as the format is unchanged).
dotnet "$after" train --data "$data" --epochs 1 --layers 256,128 --out "$work/idx.bp" >/dev/null
dotnet "$after" train --data "$csv" --epochs 1 --layers 256,128 --out "$work/csv.bp" >/dev/null

run() {  # name, arguments...
  local name=$1; shift
  for _ in $(seq "$reps"); do
    for side in before after; do
      local dll=$before; [ "$side" = after ] && dll=$after
      /usr/bin/time -f "%e %M" -o "$work/time" dotnet "$dll" "$@" >/dev/null 2>&1
      echo "$name $side $(cat "$work/time")"
    done
  done
}
{
  run digits train
  run fashion-e2e train --data "$data" --layers 256,128 --batch-size 128 --optimizer momentum --lr 0.05 --epochs 3 --schedule constant
  run csv-train train --data "$csv" --epochs 1 --layers 32
  run csv-eval eval --model "$work/csv.bp" --data "$csv"
  run csv-predict predict --model "$work/csv.bp" --data "$csv" --out "$work/predictions.csv"
  run idx-eval eval --model "$work/idx.bp" --data "$data"
} | /usr/bin/python3 -c '
import sys, statistics, collections
runs = collections.defaultdict(lambda: collections.defaultdict(list))
for line in sys.stdin:
    name, side, seconds, kib = line.split()
    runs[name][side].append((float(seconds), int(kib)))
for name, sides in runs.items():
    b = [s for s, _ in sides["before"]]; a = [s for s, _ in sides["after"]]
    mb = max(k for _, k in sides["before"]) / 1024; ma = max(k for _, k in sides["after"]) / 1024
    print(f"{name:12} before {statistics.median(b):6.2f} s ({min(b):.2f}-{max(b):.2f})  after {statistics.median(a):6.2f} s "
          f"({min(a):.2f}-{max(a):.2f})  ratio {statistics.median(a) / statistics.median(b):.2f}  peak RSS {mb:.0f} -> {ma:.0f} MiB")
'
