#!/usr/bin/env bash
# Installs the Debian 12 packages stackprint needs to build, test and run, then configures and builds.
#   scripts/setup.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}; shift || true
packages=(cmake g++ make pkg-config git
  libpcap-dev libexpected-dev libfmt-dev libcli11-dev nlohmann-json3-dev libpugixml-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  clang-format clang-tidy
  nmap tcpdump iproute2 nftables ethtool libxml2-utils xsltproc ndiff python3-libnmap python3-jsonschema
  liblwip-dev liblwipv6-dev)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "setup: need root to install: ${missing[*]}" >&2; exit 2; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
