#!/usr/bin/env bash
# The benchmark suite from a plain clone: install what is missing, build the release preset, run
# herdsim_bench, keep its Google Benchmark JSON under results/bench/<timestamp>.json, and print
# (and keep beside it as .md) a markdown table with every figure and its ratio to the floor.
# Extra arguments go to herdsim_bench (e.g. --benchmark_filter=Herd/).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh release herdsim_bench
mkdir -p results/bench
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
json="results/bench/${stamp}.json"
./build/release/bench/herdsim_bench --benchmark_out="$json" --benchmark_out_format=json "$@"
python3 bench/report.py "$json" "results/bench/${stamp}.md"
cp "$json" results/bench/latest.json
cp "results/bench/${stamp}.md" results/bench/latest.md
echo "bench: results/bench/${stamp}.json and .md (also latest.json, latest.md)"
