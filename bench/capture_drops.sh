#!/usr/bin/env bash
# Sums the report lines bench/pcap_ring_shim.cpp appends for each closed capture
# ("capture snaplen S received R dropped D") and prints "D of R" over all of them; prints nothing
# when FILE is missing or holds no report line.
#   bench/capture_drops.sh FILE
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 FILE" >&2; exit 2; }
[ -r "$1" ] || exit 0
awk '$1 == "capture" && $4 == "received" && $6 == "dropped" {r += $5; d += $7; n++}
     END {if (n) printf "%d of %d\n", d, r}' "$1"
