#!/bin/bash
# Scale benchmark of the live engine (root, lab only): a whole block of random nmap-os-db references
# (a /22 by default: 1,022 hosts; BITS 16 gives a /16 of 65,534) is emulated by one time-faithful
# `stackprint emulate`, then scanned in the same run by `nmap -O` (Nmap's own host groups) and by
# `stackprint scan` (its default --group-size of 4,096, then 256 up to a /20 and 1,024 above), all with --max-os-tries 1 and
# ports 22,80,443, as bench/accuracy.sh. Above 1,022 hosts Nmap scans only the block's first /24
# (a /16 would take it about a day): the ratio is then one of hosts per second.
# Prints a Markdown table per scan: hosts, wall time, hosts/s, packets/s (the scanner's own count,
# -v), the scanner's CPU time (user+sys), the emulator's CPU time during that scan (from
# /proc/PID/stat), peak RSS of the scanner, and the share of hosts whose top match is the emulated
# reference (or one with identical test values or the same name) and whose OS class is right. The
# emulator is one thread: when its CPU time nears the wall time, it is the bottleneck; its own
# statistics (inbox drops) follow the table.
#
# usage: sudo bench/scale.sh STACKPRINT [BITS=22] [SEED=11]
# SCALE_ONLY_DEFAULT=1: only the default stackprint row (no Nmap, no other --group-size), e.g. to
# time one change of the scanner on a /16 in a few minutes.
# Lab: scripts/emulator_lab.sh with prefix spscale, 10.99.N.0/24 (N in 230-239), emulated block
# 10.206.X.0/BITS; STACKPRINT_LAB_NET / STACKPRINT_LAB_BLOCK override them. Torn down on exit.
set -u
prog=${1:?path of the stackprint binary}
bits=${2:-22}
seed=${3:-11}
here=$(cd "$(dirname "$0")" && pwd)
judge="$here/../tests/lab/emulate_judge.py"
db=${STACKPRINT_DB:-/usr/share/nmap/nmap-os-db}
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
for tool in nmap python3 /usr/bin/time; do command -v "$tool" >/dev/null || { echo "missing $tool"; exit 77; }; done

. "$here/../scripts/emulator_lab.sh"
emulator_lab_up spscale "$((230 + $$ % 10))" 206 "$bits"
work=$lab_work
# One emulator thread answers every host: at real-time priority, so that its answers, not its
# scheduling, are what both scanners measure.
STACKPRINT_LAB_EMULATOR_RT=${STACKPRINT_LAB_EMULATOR_RT:-1} \
  emulator_lab_start "$prog" "$work/hosts.jsonl" "$work/emulator.err" 3000 --personality random --seed "$seed" >&2 ||
  exit 1

emulator=$(pgrep -f -n -- "emulate --net $lab_cidr") || { echo "FAIL: no emulator process"; exit 1; }
# CPU seconds (user + system) the emulator used so far.
emulator_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$emulator/stat"; }

# run LABEL XML HOSTS_JSONL COMMAND...: prints one table row and sets last_rate (hosts/s); the hosts
# judged are those of HOSTS_JSONL (the emulator's lines for the addresses scanned).
last_rate=0
run() {
  local label=$1 xml=$2 expected=$3 hosts
  shift 3
  hosts=$(wc -l <"$expected")
  local cpu_before cpu_after
  cpu_before=$(emulator_cpu)
  /usr/bin/time -f "%e %M %U %S" -o "$work/time" timeout 2900 ip netns exec "$lab_scanner" "$@" >"$work/out" 2>&1
  cpu_after=$(emulator_cpu)
  local wall rss user sys packets
  read -r wall rss user sys <"$work/time"
  # stackprint -v: "stackprint scan: N packets sent"; nmap -v: "Raw packets sent: N (...)".
  packets=$(sed -n -e 's/^stackprint scan: \([0-9]*\) packets sent$/\1/p' -e 's/^ *Raw packets sent: \([0-9]*\).*/\1/p' \
    "$work/out" | tail -1)
  local judged='{"share": null, "class_share": null}'
  [ -s "$xml" ] && judged=$(python3 "$judge" "$expected" "$xml" "$db" --min-share 0 --label "$label" --quiet)
  last_rate=$(python3 - "$label" "$wall" "$rss" "$user" "$sys" "${packets:-0}" "$cpu_before" "$cpu_after" "$judged" \
    "$hosts" <<'PY'
import json, sys
label, wall, rss, user, sys_cpu, packets, emu0, emu1 = sys.argv[1], *map(float, sys.argv[2:9])
judged, hosts = json.loads(sys.argv[9]), int(sys.argv[10])
f = lambda v: "n/a" if v is None else f"{100 * v:.1f}%"
print(f"| {label} | {hosts:,} | {wall:.1f} s | {hosts / wall:,.0f} | {packets / wall:,.0f} | {user + sys_cpu:.1f} s "
      f"| {emu1 - emu0:.1f} s | {int(rss):,} kB | {f(judged['share'])} | {f(judged['class_share'])} |", file=sys.stderr)
print(hosts / wall)
PY
  )
}

echo "Emulated block $lab_cidr ($lab_hosts random references, seed $seed)"
echo
echo "| scanner | hosts | wall time | hosts/s | packets/s | scanner CPU | emulator CPU | peak RSS | reference | OS class |"
echo "|---|---|---|---|---|---|---|---|---|---|"
nmap_target=$lab_cidr nmap_hosts="$work/hosts.jsonl" nmap_label="nmap -O"
if [ "$lab_hosts" -gt 1022 ]; then
  nmap_target="$lab_block.1-254" nmap_hosts="$work/first24.jsonl" nmap_label="nmap -O ($lab_block.1-254)"
  grep -F "\"address\":\"$lab_block." "$work/hosts.jsonl" | grep -v "\"address\":\"$lab_block.255\"" >"$nmap_hosts"
fi
only_default=${SCALE_ONLY_DEFAULT:-0}
nmap_rate=0
if [ "$only_default" != 1 ]; then
  run "$nmap_label" "$work/nmap.xml" "$nmap_hosts" \
    nmap -v -n -Pn -O --max-os-tries 1 -p 22,80,443 -oX "$work/nmap.xml" "$nmap_target" 2>&1
  nmap_rate=$last_rate
fi
# stackprint writes its reports as nobody after the privilege drop: XML to standard output.
run "stackprint scan" "$work/sp.xml" "$work/hosts.jsonl" \
  sh -c "'$prog' scan -v -p 22,80,443 --max-os-tries 1 --output-xml - '$lab_cidr' >'$work/sp.xml'" 2>&1
sp_rate=$last_rate
if [ "$only_default" = 1 ]; then
  :
elif [ "$lab_hosts" -le 4094 ]; then
  run "stackprint scan --group-size 256" "$work/sp256.xml" "$work/hosts.jsonl" \
    sh -c "'$prog' scan -v -p 22,80,443 --max-os-tries 1 --group-size 256 --output-xml - '$lab_cidr' >'$work/sp256.xml'" 2>&1
else
  # Above a /20 the time is set by hosts in flight over a host's own time (about 1.8 s): fewer in flight.
  run "stackprint scan --group-size 1024" "$work/sp1024.xml" "$work/hosts.jsonl" \
    sh -c "'$prog' scan -v -p 22,80,443 --max-os-tries 1 --group-size 1024 --output-xml - '$lab_cidr' >'$work/sp1024.xml'" 2>&1
fi
echo
[ "$only_default" = 1 ] ||
  python3 -c "import sys; print(f'stackprint / nmap hosts per second: {float(sys.argv[1]) / float(sys.argv[2]):.1f}x')" \
    "$sp_rate" "$nmap_rate"
emulator_lab_stop
echo "emulator: $(grep -o '"emulator_stats".*' "$work/emulator.err" | head -c 400)"
