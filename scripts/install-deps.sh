#!/usr/bin/env bash
# Installs the Debian 12 packages herdsim needs for one job, and nothing when they are all there:
#   install-deps.sh run    build herdsim and run scenarios (scripts/main.sh)
#   install-deps.sh test   that, and what the test suite drives (scripts/test.sh; the default)
#   install-deps.sh fuzz   that, and clang with its libFuzzer runtime (scripts/fuzz.sh)
set -euo pipefail

job="${1:-test}"
packages=(
  g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev libssl-dev ca-certificates
  nlohmann-json3-dev libcli11-dev libspdlog-dev
  catch2 libbenchmark-dev
  gnuplot-nox python3
)
case "$job" in
  run) ;;
  test) packages+=(netcat-openbsd lsof chromium) ;;  # the README's nc examples; the course graders' lsof stop; tests/pages/look.py
  fuzz) packages+=(netcat-openbsd lsof clang libclang-rt-14-dev) ;;
  *) echo "install-deps: unknown job \"$job\" (run, test or fuzz)" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
"${as_root[@]}" apt-get update -qq
# One line per package unpacked and set up, so a first run shows it is moving.
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" |
  { grep --line-buffered -E '^(Unpacking|Setting up) ' || true; }  # apt's own status still counts (pipefail)
echo "install-deps: done"
