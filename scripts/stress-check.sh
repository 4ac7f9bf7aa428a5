#!/usr/bin/env bash
# Verdicts that hold on a busy machine: builds once, then, while one busy-loop process per core
# spins beside them, runs the README's test command (./scripts/test.sh) and `herdsim run scenarios`
# RUNS times each (default 3) and prints how many of each passed. The busy loops end however the
# script ends (normally, on an error, or on Ctrl-C). Exit 0 only when every run passed.
# Usage: scripts/stress-check.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
case "$runs" in '' | *[!0-9]* | 0) echo "usage: scripts/stress-check.sh [RUNS], RUNS a whole number from 1 up" >&2; exit 2 ;; esac

./scripts/install-deps.sh test
./scripts/build.sh release

logs="$(mktemp -d -t herdsim-stress-XXXXXX)"
busy=()
stop_busy() {
  if [ ${#busy[@]} -gt 0 ]; then
    kill "${busy[@]}" 2>/dev/null || true
    wait "${busy[@]}" 2>/dev/null || true
  fi
  busy=()
}
trap stop_busy EXIT
trap 'stop_busy; exit 130' INT TERM
cores="$(nproc)"
for _ in $(seq "$cores"); do
  bash -c 'while :; do :; done' &
  busy+=("$!")
done
echo "stress-check: $cores busy loops (pids ${busy[*]}), $runs runs of each; logs in $logs"

tests_passed=0
scenarios_passed=0
for k in $(seq "$runs"); do
  start=$SECONDS
  if ./scripts/test.sh >"$logs/test-$k.log" 2>&1; then
    tests_passed=$((tests_passed + 1)); verdict=passed
  else
    verdict=FAILED
  fi
  summary="$(grep -E '^[0-9]+% tests passed' "$logs/test-$k.log" || echo 'no ctest summary')"
  echo "test suite run $k: $verdict in $((SECONDS - start)) s ($summary)"
  sed -n '/The following tests FAILED/,$p' "$logs/test-$k.log" | grep -E '^\s+[0-9]+ - ' || true

  start=$SECONDS
  if ./build/release/sim/herdsim run scenarios --out "$logs/results-$k" >"$logs/scenarios-$k.log" 2>&1; then
    scenarios_passed=$((scenarios_passed + 1)); verdict=passed
  else
    verdict="FAILED (exit $?)"
  fi
  unchecked="$(grep -cE '^[^ ]+ +UNCHECKED ' "$logs/scenarios-$k.log" || true)"
  echo "herdsim run scenarios run $k: $verdict in $((SECONDS - start)) s ($unchecked scenarios UNCHECKED)"
  grep -E '^  (FAILED|COULD NOT RUN|BEHIND) ' "$logs/scenarios-$k.log" || true
done
stop_busy
echo "stress-check: test suite $tests_passed of $runs, herdsim run scenarios $scenarios_passed of $runs"
[ "$tests_passed" -eq "$runs" ] && [ "$scenarios_passed" -eq "$runs" ]
