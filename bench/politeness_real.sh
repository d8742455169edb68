#!/bin/bash
# Politeness on a real kernel (root, lab only): is a rate-limited scan of real Linux addresses as
# good as an unlimited one, only slower, and does it keep its rate? One target namespace with 253
# addresses (10.99.N.2-254, tcp_timestamps=2, icmp_ratelimit=0 so that the kernel's per-peer ICMP
# limit does not decide U1 for 253 addresses answering one scanner; a listener on port 22; every
# address is the same kernel) is scanned in the same run by
#   stackprint scan                    unlimited
#   stackprint scan --max-rate RATE
#   nmap -O                            unlimited, its own host groups
#   nmap -O --max-rate RATE
# all with -p T:22,23,U:40125 (one open, one closed TCP port, one closed UDP port) and default tries.
# Per scan: packets the scanner put on the wire (tcpdump on the scanner's interface, outgoing, the
# kernel's own RSTs left out; the tool's own count beside it), hosts whose top match is the one an
# Nmap scan of the single address .2 gives in the same run, wall time, wall time over
# packets / RATE, and the most packets in any 1 s window (bench/peak_rate.py).
#
# usage: sudo bench/politeness_real.sh STACKPRINT [RATE=300] [N=228]
# scripts/lab.sh namespaces prbench-s / -t on 10.99.N.0/24; torn down on exit; every scan bounded by timeout.
set -u
prog=${1:?path of the stackprint binary}
rate=${2:-300}
n=${3:-228}
# shellcheck source=bench/real_kernel_lab.sh
. "$(dirname "$0")/real_kernel_lab.sh"
lab_require nmap tcpdump python3
repo=$(cd "$(dirname "$0")/.." && pwd)
lab_begin prbench "$n"
ports="T:22,23,U:40125"

lab_up_addresses 254 tcp_timestamps=2 icmp_ratelimit=0 listen=22
targets="10.99.$n.2-254"
hosts=253

# scan LABEL COMMAND...: runs COMMAND in the scanner namespace with a capture of what it sends;
# prints the table row and leaves "packets named wall peak" in $lab_work/LABEL.figures.
scan() {
  local label=$1 a b
  shift
  lab_capture_start "$lab_work/$label.pcap" 1500 -s 64 -U -Q out \
    "ip and src host 10.99.$n.1 and not (tcp and tcp[tcpflags] == tcp-rst)"
  a=$(date +%s.%N)
  timeout 1200 ip netns exec "$lab_name-s" "$@" >"$lab_work/$label.out" 2>&1
  b=$(date +%s.%N)
  lab_capture_stop
  local wall packets named peak
  wall=$(wall_seconds "$a" "$b")
  packets=$(tcpdump -nn -r "$lab_work/$label.pcap" 2>/dev/null | wc -l)
  named=$(top_matches "$lab_work/$label.out" | awk -F'\t' -v ref="$reference" '$2 == ref' | wc -l)
  peak=$(python3 "$repo/bench/peak_rate.py" "$lab_work/$label.pcap")
  echo "$packets $named $wall $peak" >"$lab_work/$label.figures"
  echo "| $label | $packets ($(own_packet_count "$lab_work/$label.out")) | $named/$hosts | $wall |" \
       "$(awk -v w="$wall" -v p="$packets" -v r="$rate" 'BEGIN { printf "%.2f", w / (p / r) }') | $peak |"
}

reference=""
timeout 300 ip netns exec "$lab_name-s" nmap -O -sS -sU -p "$ports" -n -Pn "10.99.$n.2" >"$lab_work/single.out" 2>&1
reference=$(top_matches "$lab_work/single.out" | cut -f2)
[ -n "$reference" ] || { echo "FAIL: no top match for the single address"; cat "$lab_work/single.out"; exit 1; }
echo "Real kernel $(uname -r), $hosts addresses; reference (nmap -O of 10.99.$n.2 alone): $reference"
echo
echo "| scan | packets on the wire (own count) | top match = reference | wall s | wall / (packets / $rate) | peak packets in 1 s |"
echo "|---|---|---|---|---|---|"
scan stackprint "$prog" scan -v --osscan-guess -p "$ports" "$targets"
scan "stackprint --max-rate $rate" "$prog" scan -v --osscan-guess --max-rate "$rate" -p "$ports" "$targets"
scan nmap nmap -O -sS -sU -v --osscan-guess -p "$ports" -n -Pn "$targets"
scan "nmap --max-rate $rate" nmap -O -sS -sU -v --osscan-guess --max-rate "$rate" -p "$ports" -n -Pn "$targets"
echo
python3 - "$lab_work" "$rate" "stackprint" "stackprint --max-rate $rate" "nmap" "nmap --max-rate $rate" <<'PY'
import sys
w, rate = sys.argv[1], float(sys.argv[2])
f = lambda label: [float(x) for x in open(f"{w}/{label}.figures").read().split()]
for fast, polite in ((sys.argv[3], sys.argv[4]), (sys.argv[5], sys.argv[6])):
    pu, nu, wu, _ = f(fast)
    pp, npol, wp, peak = f(polite)
    print(f"{polite} vs {fast}: packets {pp / pu:.2f}x; top match = reference {npol:.0f} vs {nu:.0f}; "
          f"wall {wp:.1f} s = {wp / (pp / rate):.2f}x packets/{rate:.0f}; peak 1 s {peak:.0f} = {peak / rate:.3f}x {rate:.0f}")
PY
