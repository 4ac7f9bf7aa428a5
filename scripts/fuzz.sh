#!/usr/bin/env bash
# Builds the libFuzzer targets (protocol core, scenario loader, herd config loader, Places reply,
# --mock-places loader) with clang + ASan + UBSan into build/fuzz and runs each for SECONDS
# (default 60), seeded from the repo's own scenario, herd config and Places sample files. Exit 1 if
# any target finds a crash, a leak, undefined behaviour or an input slower than 10 s; its input is
# kept in build/fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
./scripts/install-deps.sh fuzz  # clang and its libFuzzer runtime among them
sanitizers=-fsanitize=fuzzer-no-link,address,undefined
cmake -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DHERDSIM_FUZZ=ON \
      "-DCMAKE_CXX_FLAGS=$sanitizers -fno-sanitize-recover=undefined" >/dev/null
cmake --build build/fuzz --target protocol_fuzz scenario_fuzz config_fuzz places_reply_fuzz mock_places_fuzz

# A fresh corpus per run from the files in git, so a run is repeatable from a clone.
seed() {  # target, seed files...
  local dir=build/fuzz/corpus/$1
  shift
  rm -rf "$dir" && mkdir -p "$dir"
  for file in "$@"; do cp "$file" "$dir/$(echo "$file" | tr / _)"; done
}
seed protocol_fuzz
seed scenario_fuzz scenarios/*.json tests/data/scenarios/*.json
seed config_fuzz tests/data/bad_herd.json tests/data/scenarios/files/herd3.json
# A Places input is one byte for the bound, then the body: the samples cut to their first result,
# so that an execution stays cheap.
seed places_reply_fuzz
for file in tests/data/places/*.json; do
  python3 -c 'import json, sys
body = json.load(open(sys.argv[1])); body["results"] = body["results"][:1]
sys.stdout.buffer.write(b"\x03" + json.dumps(body).encode())' "$file" >"build/fuzz/corpus/places_reply_fuzz/$(basename "$file")"
done
# A --mock-places input is a whole file: the same samples, cut the same way.
seed mock_places_fuzz
for file in tests/data/places/*.json; do
  python3 -c 'import json, sys
body = json.load(open(sys.argv[1])); body["results"] = body["results"][:1]
sys.stdout.buffer.write(json.dumps(body).encode())' "$file" >"build/fuzz/corpus/mock_places_fuzz/$(basename "$file")"
done
mkdir -p build/fuzz/artifacts

for target in protocol_fuzz scenario_fuzz config_fuzz places_reply_fuzz mock_places_fuzz; do
  log=build/fuzz/$target.log
  status=0
  build/fuzz/tests/$target -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
      -artifact_prefix="build/fuzz/artifacts/$target-" "build/fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "fuzz: $target: ${runs:-?} executions in ${seconds} s, exit $status"
  if [ "$status" -ne 0 ]; then
    tail -n 40 "$log"
    exit 1
  fi
done
