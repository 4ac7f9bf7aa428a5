#!/usr/bin/env bash
# Configures and builds one CMake preset (default: release). Warnings are fatal under CI.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
cmake --preset "$preset" -DHERDSIM_WERROR="$werror" >/dev/null
cmake --build --preset "$preset"
