#!/usr/bin/env bash
# Installs every Debian 12 package herdsim needs, and nothing when they are all there already.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config
  clang libclang-rt-14-dev
  libboost1.81-dev libssl-dev ca-certificates
  nlohmann-json3-dev libcli11-dev libspdlog-dev
  catch2 libbenchmark-dev
  gnuplot-nox python3
  netcat-openbsd lsof   # trying a herd by hand: the README's nc examples, and who holds a port
  chromium              # the pages and pictures as a person sees them (tests/pages/look.py)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
