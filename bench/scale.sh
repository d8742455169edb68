#!/bin/bash
# Scale benchmark of the live engine (root, lab only): a whole block of random nmap-os-db references
# (a /22 by default: 1,022 hosts) is emulated by one `stackprint emulate`, then scanned in the same
# run by `nmap -O` (Nmap's own host groups) and by `stackprint scan` (its default of up to 1,024
# hosts in flight, then 256). Both with --max-os-tries 1 and ports 22,80,443, as bench/accuracy.sh.
# Prints a Markdown table: wall time, peak RSS, share of hosts whose top match is the emulated
# reference (or one with identical test values or the same name) and whose OS class is right, and
# stackprint's wall time as a ratio of Nmap's.
#
# usage: sudo bench/scale.sh STACKPRINT [BITS=22] [SEED=11]
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

# run LABEL XML COMMAND...: prints "| LABEL | wall | RSS | identified | class |" and sets last_wall.
last_wall=0
run() {
  local label=$1 xml=$2
  shift 2
  /usr/bin/time -f "%e %M" -o "$work/time" timeout 2900 ip netns exec "$lab_scanner" "$@" >"$work/out" 2>&1
  read -r last_wall rss <"$work/time"
  local judged='{"share": null, "class_share": null}'
  [ -s "$xml" ] && judged=$(python3 "$judge" "$work/hosts.jsonl" "$xml" "$db" --min-share 0 --label "$label" --quiet)
  python3 - "$label" "$last_wall" "$rss" "$judged" "$lab_hosts" <<'PY'
import json, sys
label, wall, rss, judged, hosts = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4]), sys.argv[5]
f = lambda v: "n/a" if v is None else f"{100 * v:.1f}%"
print(f"| {label} | {hosts} | {wall:.1f} s | {rss:,} kB | {f(judged['share'])} | {f(judged['class_share'])} |")
PY
}

echo "Emulated block $lab_cidr ($lab_hosts random references, seed $seed)"
echo
echo "| scanner | hosts | wall time | peak RSS | reference | OS class |"
echo "|---|---|---|---|---|---|"
run "nmap -O" "$work/nmap.xml" nmap -n -Pn -O --max-os-tries 1 -p 22,80,443 -oX "$work/nmap.xml" "$lab_cidr"
nmap_wall=$last_wall
# stackprint writes its reports as nobody after the privilege drop: XML to standard output.
run "stackprint scan" "$work/sp.xml" sh -c "'$prog' scan -p 22,80,443 --max-os-tries 1 --output-xml - '$lab_cidr' >'$work/sp.xml'"
sp_wall=$last_wall
run "stackprint scan --group-size 256" "$work/sp256.xml" \
  sh -c "'$prog' scan -p 22,80,443 --max-os-tries 1 --group-size 256 --output-xml - '$lab_cidr' >'$work/sp256.xml'"
echo
python3 -c "import sys; print(f'stackprint / nmap wall time: {float(sys.argv[1]) / float(sys.argv[2]):.3f}')" "$sp_wall" "$nmap_wall"
