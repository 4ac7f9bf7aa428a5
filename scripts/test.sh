#!/usr/bin/env bash
# The whole test suite from a plain clone: install what is missing, build, run every test with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh test
./scripts/build.sh "${1:-release}"
ctest --preset "${1:-release}"
