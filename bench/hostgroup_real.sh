#!/bin/bash
# One big host group against a real kernel (root, lab only): does Nmap name a /24 of real Linux
# addresses right when it puts all of them in one host group, as it does not for a /24 of emulated
# references (docs/benchmarks.md, "Accuracy, one Nmap host group for a /24")? If a real stack fares
# no better, the misses are Nmap's own (its wide, uneven spacing of SEQ probes in a big group), not
# the emulator's.
# One target namespace with 253 addresses (10.99.N.2-254, tcp_timestamps=2, icmp_ratelimit=0, a
# listener on port 22; every address is the same kernel), scanned in the same run by
#   nmap -O --max-os-tries 1 --min-hostgroup 253   one host group (-d for its warnings)
#   the same with a 64 MB capture buffer           (bench/pcap_ring_shim.cpp: its captures then drop
#                                                  nothing; docs/nmap-behaviour.md 4.11)
#   nmap -O --max-os-tries 1                       Nmap's own host groups
#   nmap -O --max-os-tries 1 --max-hostgroup 1     one host at a time (SEQ probes 100 ms apart):
#                                                  the kernel's own spread of SP and ISR
#   stackprint scan --max-os-tries 1               its defaults
# all with -p 22,23 (one open, one closed port) and no UDP port. Per scan: hosts whose top match
# is the one an Nmap scan of a single address gives (the same run's first scan), hosts with a
# perfect match ("OS details"), hosts Nmap reports "Insufficient responses ... for TCP sequencing"
# for, and wall time; then the gaps between a host's first six SYN/ACKs as they arrived (the port
# scan's from port 22, then SEQ1-SEQ5; percentiles; the target answers within microseconds, so these
# are the gaps between the probes). For Nmap's scans, the packets its captures dropped of those they
# received (the preload library bench/pcap_ring_shim.cpp, built as bench/libpcap_ring_shim.so next to
# STACKPRINT). HOSTGROUP_SKIP_ONE_AT_A_TIME=1 leaves out the slow one-host-at-a-time scan. The target's listen-queue and SYN-cookie counters (nstat) and the SYN/ACKs the
# scanner's interface received per scan (tcpdump) show whether the kernel answered every SEQ probe.
#
# usage: sudo bench/hostgroup_real.sh STACKPRINT [N=227]
# scripts/lab.sh namespaces hgbench-s / -t on 10.99.N.0/24; torn down on exit; every scan bounded by timeout.
set -u
prog=$(readlink -f "${1:?path of the stackprint binary}")
n=${2:-227}
# shellcheck source=bench/real_kernel_lab.sh
. "$(dirname "$0")/real_kernel_lab.sh"
lab_require nmap tcpdump nstat python3
shim="$(dirname "$prog")/bench/libpcap_ring_shim.so"
[ -f "$shim" ] || { echo "FAIL: $shim is missing (build with -DSTACKPRINT_BUILD_BENCH=ON)"; exit 1; }
lab_begin hgbench "$n"

lab_up_addresses 254 tcp_timestamps=2 icmp_ratelimit=0 listen=22
targets="10.99.$n.2-254"
ip netns exec "$lab_name-t" nstat -n >/dev/null # resets nstat's history: later calls print deltas

# scan LABEL COMMAND...: runs COMMAND in the scanner namespace with a capture of the SYN/ACKs it
# receives; output in $lab_work/LABEL.out, wall time in $lab_work/LABEL.time, SYN/ACK count in $lab_work/LABEL.synacks.
scan() {
  local label=$1 a b
  shift
  lab_capture_start "$lab_work/$label.pcap" 1200 -Q in 'tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)'
  a=$(date +%s.%N)
  local preload=(env) # Nmap's scans only: stackprint's own sandbox would refuse the report file
  [ "$1" = "$prog" ] || preload=(env LD_PRELOAD="$shim" STACKPRINT_SHIM_REPORT="$lab_work/$label.captures")
  timeout 900 ip netns exec "$lab_name-s" "${preload[@]}" "$@" >"$lab_work/$label.out" 2>&1
  b=$(date +%s.%N)
  lab_capture_stop
  { wall_seconds "$a" "$b"; echo; } >"$lab_work/$label.time"
  tcpdump -nn -r "$lab_work/$label.pcap" 2>/dev/null | wc -l >"$lab_work/$label.synacks"
  ip netns exec "$lab_name-t" nstat -z TcpExtListenOverflows TcpExtListenDrops TcpExtSyncookiesSent TcpExtTCPReqQFullDrop \
    2>/dev/null | awk 'NR > 1 { printf "%s=%s ", $1, $2 }' >"$lab_work/$label.nstat"
}

scan single nmap -O --max-os-tries 1 -p 22,23 -n -Pn "10.99.$n.2"
reference=$(top_matches "$lab_work/single.out" | cut -f2)
[ -n "$reference" ] || { echo "FAIL: no top match for the single address"; cat "$lab_work/single.out"; exit 1; }
scan nmap_one_group nmap -d -O --max-os-tries 1 --min-hostgroup 253 --max-hostgroup 253 -p 22,23 -n -Pn "$targets"
scan nmap_one_group_64mb env STACKPRINT_SHIM_BUFFER_MB=64 \
  nmap -d -O --max-os-tries 1 --min-hostgroup 253 --max-hostgroup 253 -p 22,23 -n -Pn "$targets"
scan nmap_default nmap -d -O --max-os-tries 1 -p 22,23 -n -Pn "$targets"
scans=(nmap_one_group nmap_one_group_64mb nmap_default)
if [ "${HOSTGROUP_SKIP_ONE_AT_A_TIME:-0}" != 1 ]; then
  scan nmap_one_at_a_time nmap -d -O --max-os-tries 1 --max-hostgroup 1 -p 22,23 -n -Pn "$targets"
  scans+=(nmap_one_at_a_time)
fi
scan stackprint "$prog" scan -v --max-os-tries 1 -p 22,23 "$targets"
scans+=(stackprint)

echo "Reference (nmap -O of 10.99.$n.2 alone): $reference"
echo
echo "| scan | hosts with the reference top match | perfect matches | Insufficient responses for TCP sequencing | SYN/ACKs received | wall time | target's nstat | Nmap's captures: dropped of received |"
echo "|---|---|---|---|---|---|---|---|"
for label in "${scans[@]}"; do
  same=$(top_matches "$lab_work/$label.out" | awk -F'\t' -v r="$reference" '$2 == r' | wc -l)
  perfect=$(grep -c '^OS details: ' "$lab_work/$label.out")
  insufficient=$(grep -c 'Insufficient responses from .* for TCP sequencing' "$lab_work/$label.out")
  dropped=$("$(dirname "$0")/capture_drops.sh" "$lab_work/$label.captures")
  echo "| $label | $same/253 | $perfect | $insufficient | $(cat "$lab_work/$label.synacks") | $(cat "$lab_work/$label.time") s | $(cat "$lab_work/$label.nstat") | ${dropped:-n/a} |"
done
echo
echo "| scan | SEQ gaps | 10th percentile | median | 90th percentile | max |"
echo "|---|---|---|---|---|---|"
for label in "${scans[@]}"; do
  # The first six SYN/ACKs from each address answer the port scan's SYN to port 22 and SEQ1-SEQ5.
  tcpdump -nn -tt -r "$lab_work/$label.pcap" 2>/dev/null |
    awk '{ split($3, a, "."); h = a[4]; if (seen[h] < 6) { if (seen[h] > 0) print $1 - last[h]; last[h] = $1; seen[h]++ } }' |
    sort -g | awk -v label="$label" '{ g[NR] = $1 }
      END {
        if (NR == 0) { print "| " label " | 0 | | | | |"; exit }
        printf "| %s | %d | %.1f ms | %.1f ms | %.1f ms | %.1f ms |\n", label, NR, 1000 * g[int(NR * 0.1) + 1],
          1000 * g[int(NR / 2) + 1], 1000 * g[int(NR * 0.9) + 1], 1000 * g[NR] }'
done
