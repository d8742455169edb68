#!/bin/bash
# The main job on a fresh Debian 12 machine, as root: installs what the binary and the lab need,
# builds only the binary (Release, in build-demo/),
# sets up an isolated lab target (two network namespaces joined by a veth pair, nothing else) and
# fingerprints it with `stackprint scan`. The lab is torn down on exit.
#
#   scripts/demo.sh [extra stackprint scan options...]
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo: run as root (it creates network namespaces and sends raw packets)" >&2; exit 2; }
STACKPRINT_SETUP=binary scripts/setup.sh build-demo
# STACKPRINT_DEMO_NAME and STACKPRINT_DEMO_NET (N of 10.99.N.0/24) move the lab beside other labs.
name=${STACKPRINT_DEMO_NAME:-splabdemo}
net=${STACKPRINT_DEMO_NET:-47}
trap 'scripts/lab.sh down "$name" >/dev/null 2>&1' EXIT INT TERM
scripts/lab.sh down "$name" >/dev/null 2>&1 || true
scripts/lab.sh up "$name" "$net" listen=22,80 >/dev/null
echo "Lab target 10.99.$net.2 (Linux in its own network namespace); scanning it from the scanner namespace:"
echo
ip netns exec "$name-s" build-demo/stackprint scan -p T:22,80,443,U:40125 --osscan-guess -v "$@" 10.99.$net.2
