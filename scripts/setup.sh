#!/usr/bin/env bash
# Installs the Debian 12 packages stackprint needs to build, test and run, then configures and builds.
#   scripts/setup.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."
# STACKPRINT_SETUP=binary installs only what the binary and the lab need (scripts/demo.sh); the
# default installs everything the tests, benchmarks and linters need too.
build=${1:-build}; shift || true
build_run_packages=(cmake g++ make pkg-config
  libpcap-dev libseccomp-dev libexpected-dev libfmt-dev libcli11-dev nlohmann-json3-dev libpugixml-dev
  nmap iproute2 python3)
test_lint_packages=(git googletest libgtest-dev libgmock-dev libbenchmark-dev
  clang-format clang-tidy
  tcpdump nftables ethtool libxml2-utils xsltproc ndiff python3-libnmap python3-jsonschema
  slurmctld slurmd slurm-client munge
  liblwip-dev liblwipv6-dev)
packages=("${build_run_packages[@]}")
[ "${STACKPRINT_SETUP:-all}" = binary ] || packages+=("${test_lint_packages[@]}")
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "setup: need root to install: ${missing[*]}" >&2; exit 2; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "${STACKPRINT_SETUP:-all}" = binary ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSTACKPRINT_BUILD_TESTS=OFF -DSTACKPRINT_BUILD_BENCH=OFF "$@" >/dev/null
  cmake --build "$build" -j"$(nproc)" --target stackprint
else
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$build" -j"$(nproc)"
fi
