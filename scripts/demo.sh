#!/bin/bash
# The main job on a fresh Debian 12 machine, as root: installs what the binary and the lab need,
# builds only the binary (Release, in build-demo/),
# sets up two isolated lab targets (each two network namespaces joined by a veth pair, nothing else)
# and fingerprints them with `stackprint scan`: this machine's kernel as it is, and the same kernel
# with net.ipv4.tcp_timestamps=2. The labs are torn down on exit.
#
#   scripts/demo.sh [extra stackprint scan options...]
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo: run as root (it creates network namespaces and sends raw packets)" >&2; exit 2; }
STACKPRINT_SETUP=binary scripts/setup.sh build-demo
# STACKPRINT_DEMO_NAME and STACKPRINT_DEMO_NET (N of 10.99.N.0/24) move the lab beside other labs.
name=${STACKPRINT_DEMO_NAME:-splabdemo}
net=${STACKPRINT_DEMO_NET:-47}
second=${name}2
trap 'scripts/lab.sh down "$name" >/dev/null 2>&1; scripts/lab.sh down "$second" >/dev/null 2>&1' EXIT INT TERM
scripts/lab.sh down "$name" >/dev/null 2>&1 || true
scripts/lab.sh down "$second" >/dev/null 2>&1 || true
scripts/lab.sh up "$name" "$net" listen=22,80 >/dev/null
echo "Lab target 10.99.$net.2 (Linux in its own network namespace); scanning it from the scanner namespace:"
echo
ip netns exec "$name-s" build-demo/stackprint scan -p T:22,80,443,U:40125 --osscan-guess -v "$@" "10.99.$net.2"
# A Linux kernel gives each connection a random TCP timestamp offset by default (TS=21 above, which
# no nmap-os-db reference lists); with tcp_timestamps=2 it sends timestamps without that offset.
scripts/lab.sh up "$second" "$((net + 1))" listen=22,80 tcp_timestamps=2 >/dev/null
echo
echo "Lab target 10.99.$((net + 1)).2: the same kernel with net.ipv4.tcp_timestamps=2 (no per-connection"
echo "timestamp offset); scanning it:"
echo
ip netns exec "$second-s" build-demo/stackprint scan -p T:22,80,443,U:40125 --osscan-guess -v "$@" \
  "10.99.$((net + 1)).2"
