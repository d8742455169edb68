#!/bin/bash
# Benchmark (not a test): wall time and packets sent by `stackprint scan` and `nmap -O` against the
# same lab targets in one run: one host, then 64 target addresses (one target namespace answering
# on 64 addresses). Prints the ratios. Root only; the lab is torn down on exit.
#
#   bench/scan_vs_nmap.sh [STACKPRINT_BINARY]
set -u
cd "$(dirname "$0")/.."
bin=${1:-build/stackprint}
[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces)" >&2; exit 2; }
command -v nmap >/dev/null || { echo "bench: nmap is not installed" >&2; exit 2; }
name="splabbench"
n=48
cleanup() { scripts/lab.sh down "$name" >/dev/null 2>&1; }
trap cleanup EXIT INT TERM
scripts/lab.sh down "$name" >/dev/null 2>&1
scripts/lab.sh up "$name" "$n" listen=80 >/dev/null || exit 1
for i in $(seq 10 73); do ip -n "$name-t" addr add "10.99.$n.$i/24" dev targ0; done
ports="T:22,80,U:40125"

tx_packets() { ip netns exec "$name-s" cat /sys/class/net/scan0/statistics/tx_packets; }
# run LABEL COMMAND...: prints "seconds packets" and keeps the output in /tmp/bench.LABEL
run() {
  local label=$1; shift
  local before after start end
  before=$(tx_packets)
  start=$(date +%s.%N)
  ip netns exec "$name-s" "$@" > "/tmp/bench.$label" 2>&1
  end=$(date +%s.%N)
  after=$(tx_packets)
  echo "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }') $((after - before))"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

echo "stackprint $("$bin" --version | awk '{print $2}') vs $(nmap --version | head -1)"
printf '%-22s %10s %10s %10s %10s %8s\n' case "stackprint" "nmap" "ratio" "sp pkts" "nm pkts"
one="10.99.$n.2"
read -r s_time s_pkts < <(run sp1 "$bin" scan -p "$ports" "$one")
read -r n_time n_pkts < <(run nm1 nmap -O -sS -sU -p "$ports" -n -Pn "$one")
printf '%-22s %9.2fs %9.2fs %10s %10s %8s\n' "1 host" "$s_time" "$n_time" "$(ratio "$s_time" "$n_time")" "$s_pkts" "$n_pkts"
same_top() {
  local a b
  a=$(grep -m1 -E '^(OS details|Aggressive OS guesses|No exact|No OS)' "/tmp/bench.$1" | cut -d, -f1)
  b=$(grep -m1 -E '^(OS details|Aggressive OS guesses|No exact|No OS)' "/tmp/bench.$2" | cut -d, -f1)
  [ "$a" = "$b" ] && echo "same first line of the OS result: $a" || echo "OS results differ: '$a' vs '$b'"
}
echo "  1 host: $(same_top sp1 nm1)"
range="10.99.$n.10-73"
read -r s_time s_pkts < <(run sp64 "$bin" scan -p "$ports" "$range")
read -r n_time n_pkts < <(run nm64 nmap -O -sS -sU -p "$ports" -n -Pn "$range")
printf '%-22s %9.2fs %9.2fs %10s %10s %8s\n' "64 addresses" "$s_time" "$n_time" "$(ratio "$s_time" "$n_time")" "$s_pkts" "$n_pkts"
echo "  64 hosts fingerprinted by stackprint: $(grep -c '^OS details\|^No exact OS\|^No OS\|^Too many' /tmp/bench.sp64), by nmap: $(grep -c '^OS details\|^No exact OS\|^No OS\|^Too many' /tmp/bench.nm64)"
