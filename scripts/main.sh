#!/usr/bin/env bash
# The main job from a plain clone: install what is missing, build, then replay the default
# scenario suite (scenarios/) against the built-in herds. Results, with plots, land in
# results/<scenario>/<run-id>/ and a table is printed. Extra arguments go to `herdsim run`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh run
./scripts/build.sh release herdsim  # the tests and benchmarks are not needed to run it
exec ./build/release/sim/herdsim run scenarios/ "$@"
