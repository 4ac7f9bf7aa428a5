#!/usr/bin/env bash
# Configures and builds one CMake preset (default: release), every target or only those named
# after it. Warnings are fatal under CI.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
cmake --preset "$preset" -DHERDSIM_WERROR="$werror" >/dev/null
if [ $# -gt 0 ]; then
  cmake --build --preset "$preset" --target "$@"
else
  cmake --build --preset "$preset"
fi
