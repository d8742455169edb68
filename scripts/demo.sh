#!/bin/bash
# The main job on a fresh Debian 12 machine, as root: installs what is needed, builds stackprint,
# sets up an isolated lab target (two network namespaces joined by a veth pair, nothing else) and
# fingerprints it with `stackprint scan`. The lab is torn down on exit.
#
#   scripts/demo.sh [extra stackprint scan options...]
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo: run as root (it creates network namespaces and sends raw packets)" >&2; exit 2; }
scripts/setup.sh build
name=splabdemo
trap 'scripts/lab.sh down "$name" >/dev/null 2>&1' EXIT INT TERM
scripts/lab.sh down "$name" >/dev/null 2>&1 || true
scripts/lab.sh up "$name" 47 listen=22,80 >/dev/null
echo "Lab target 10.99.47.2 (Linux in its own network namespace); scanning it from the scanner namespace:"
echo
ip netns exec "$name-s" build/stackprint scan -p T:22,80,443,U:40125 --osscan-guess -v "$@" 10.99.47.2
