#!/bin/bash
# Politeness benchmark (root, lab only): does a polite scan stay as good as a fast one, only slower?
# One `stackprint emulate` of a /20 of random nmap-os-db references (4,094 hosts, time-faithful:
# it reads its ISN and timestamp clocks when it gets to a probe) is scanned, in the same run:
#   1. its first /24 (254 hosts) unlimited and with --max-rate 300;
#   2. the whole /20 with --group-size 1024, with the default --group-size (4,096; congestion
#      control on, the default), with --group-size 16384 (4x the default) and with
#      --group-size 4096 --no-congestion-control.
# For each scan: the scanner's own packets ("N packets sent", -v), hosts named right (top match is
# the emulated reference, one with identical test values or the same name: tests/lab/emulate_judge.py),
# wall time, and the most packets the scanner put on the wire in any 1 s window (tcpdump on the
# scanner's veth, outgoing only, the kernel's own RSTs left out). Then the ratios: packets of the
# polite scan over the unlimited one, named right, wall time over packets / 300, peak 1 s rate over
# 300; named right with --group-size 4096 against 1024, with and without congestion control.
#
# usage: sudo bench/politeness.sh STACKPRINT [SEED=11]
# STACKPRINT_POLITENESS_ONLY_24=1 runs the two /24 scans alone and prints the polite scan's
# packets per 100 ms (bench/pcap_timeline.py); STACKPRINT_LAB_KEEP=DIR keeps the captures.
# Lab: scripts/emulator_lab.sh with prefix sppol, 10.99.N.0/24 (N in 180-189), emulated block
# 10.213.X.0/20; STACKPRINT_LAB_NET / STACKPRINT_LAB_BLOCK override them. Torn down on exit.
set -u
prog=${1:?path of the stackprint binary}
seed=${2:-11}
here=$(cd "$(dirname "$0")" && pwd)
judge="$here/../tests/lab/emulate_judge.py"
db=${STACKPRINT_DB:-/usr/share/nmap/nmap-os-db}
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
for tool in python3 tcpdump /usr/bin/time; do command -v "$tool" >/dev/null || { echo "missing $tool"; exit 77; }; done

# shellcheck source=scripts/emulator_lab.sh
. "$here/../scripts/emulator_lab.sh"
emulator_lab_up sppol "$((180 + $$ % 10))" 213 20
work=$lab_work
scanner_ip="10.99.$lab_net.1"
STACKPRINT_LAB_EMULATOR_RT=${STACKPRINT_LAB_EMULATOR_RT:-1} \
  emulator_lab_start "$prog" "$work/hosts.jsonl" "$work/emulator.err" 1200 --personality random --seed "$seed" >&2 ||
  exit 1
python3 - "$work/hosts.jsonl" "$lab_block." >"$work/hosts24.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    # The /24's network and broadcast addresses are not scanned (they are hosts of the /20).
    if line.strip().startswith("{") and json.loads(line)["address"].startswith(sys.argv[2]) and \
            json.loads(line)["address"].split(".")[3] not in ("0", "255"):
        print(line.rstrip("\n"))
PY

# scan LABEL HOSTS.jsonl TARGET ARGS...: runs one scan, prints its table row, and leaves
# "packets named wall peak" in $work/LABEL.figures.
scan() {
  local label=$1 hosts=$2 target=$3
  shift 3
  local pcap="$work/$label.pcap"
  ip netns exec "$lab_scanner" tcpdump -i "${lab_name}a" -Q out -s 64 -w "$pcap" -U \
    "ip and src host $scanner_ip and not (tcp and tcp[tcpflags] == tcp-rst)" 2>/dev/null &
  local dump=$!
  sleep 1
  /usr/bin/time -f "%e" -o "$work/$label.time" timeout 900 ip netns exec "$lab_scanner" \
    sh -c "'$prog' scan -v -p 22,80,443 --seed '$seed' $* --output-xml - '$target' >'$work/$label.xml' 2>'$work/$label.err'"
  sleep 1
  kill -INT "$dump" 2>/dev/null
  wait "$dump" 2>/dev/null
  local packets named wall peak
  packets=$(sed -n 's/.* \([0-9][0-9]*\) packets sent$/\1/p' "$work/$label.err" | tail -n 1)
  named=$(python3 "$judge" "$hosts" "$work/$label.xml" "$db" --min-share 0 --quiet |
    python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["identified"])')
  wall=$(cat "$work/$label.time")
  peak=$(python3 "$here/peak_rate.py" "$pcap")
  echo "${packets:-0} ${named:-0} $wall $peak" >"$work/$label.figures"
  echo "| $label | $(wc -l <"$hosts") | ${packets:-?} | ${named:-?} | $wall s | $peak |"
  grep -c '^congestion: shrink' "$work/$label.err" >"$work/$label.shrinks"
}

echo "Emulated block $lab_cidr ($lab_hosts random references, seed $seed); the /24 is $lab_block.0/24"
echo
echo "| scan | hosts | packets | named right | wall time | peak packets in 1 s |"
echo "|---|---|---|---|---|---|"
scan unlimited-24 "$work/hosts24.jsonl" "$lab_block.0/24"
scan max-rate-300-24 "$work/hosts24.jsonl" "$lab_block.0/24" --max-rate 300
if [ -n "${STACKPRINT_POLITENESS_ONLY_24:-}" ]; then
  echo
  python3 "$here/pcap_timeline.py" "$work/max-rate-300-24.pcap" --rate 300
  python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
f = lambda label: [float(x) for x in open(f"{w}/{label}.figures").read().split()]
pu, nu, wu, _ = f("unlimited-24")
pp, npol, wp, peak = f("max-rate-300-24")
print(f"--max-rate 300 vs unlimited (/24): packets {pp / pu:.2f}x; named right {npol:.0f} vs {nu:.0f}; "
      f"wall {wp:.1f} s = {wp / (pp / 300):.2f}x packets/300; peak 1 s {peak:.0f} = {peak / 300:.3f}x 300")
PY
  exit 0
fi
scan group-1024-20 "$work/hosts.jsonl" "$lab_cidr" --group-size 1024
scan group-4096-20 "$work/hosts.jsonl" "$lab_cidr"
scan group-16384-20 "$work/hosts.jsonl" "$lab_cidr" --group-size 16384
scan group-4096-no-cc-20 "$work/hosts.jsonl" "$lab_cidr" --group-size 4096 --no-congestion-control
echo
python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
f = lambda label: [float(x) for x in open(f"{w}/{label}.figures").read().split()]
s = lambda label: int(open(f"{w}/{label}.shrinks").read().split()[0] or 0)
pu, nu, wu, _ = f("unlimited-24")
pp, npol, wp, peak = f("max-rate-300-24")
print(f"--max-rate 300 vs unlimited (/24): packets {pp / pu:.2f}x; named right {npol:.0f} vs {nu:.0f}; "
      f"wall {wp:.1f} s = {wp / (pp / 300):.2f}x packets/300; peak 1 s {peak:.0f} = {peak / 300:.3f}x 300")
_, nd, wd, _ = f("group-1024-20")
_, ng, wg, _ = f("group-4096-20")
_, nn, wn, _ = f("group-4096-no-cc-20")
_, nx, wx, _ = f("group-16384-20")
print(f"--group-size 4096 vs 1024 (/20): named right {ng:.0f} vs {nd:.0f} ({100 * (ng - nd) / nd:+.1f}%), "
      f"wall {wg:.1f} s vs {wd:.1f} s, {s('group-4096-20')} congestion cuts; "
      f"without congestion control {nn:.0f} ({100 * (nn - nd) / nd:+.1f}%), wall {wn:.1f} s")
print(f"--group-size 16384 (4x the default, every host of the /20 at once) vs the default 4096: named right "
      f"{nx:.0f} vs {ng:.0f} ({100 * (nx - ng) / ng:+.1f}%), wall {wx:.1f} s vs {wg:.1f} s, "
      f"{s('group-16384-20')} congestion cuts")
PY
