#!/bin/bash
# Root-only lab test of `stackprint emulate` judged by the real Nmap (ctest label "lab").
# The emulator lab of scripts/emulator_lab.sh: namespaces spemu<pid>-s / -e, 10.99.N.0/24 with N in
# 100-149, emulated block 10.200.M.0/24. The emulator serves a /24 of seeded random personalities; `nmap -O` scans the
# first COUNT of them (groups of 20: on a loaded 2-core machine Nmap itself falls behind its own
# probe timeouts with 200 hosts in one group); emulate_judge.py checks that Nmap's top match is the emulated
# reference (or one with identical test values) for at least MIN_SHARE of them.
#
# usage: emulate_lab_test.sh STACKPRINT [COUNT=20] [SEED=7] [MIN_SHARE=0.95] [EXTRA emulate args...]
# Exit 77 (ctest SKIP) when not root or when ip/nmap/python3 are missing.
set -u
prog=${1:?path of the stackprint binary}
count=${2:-20}
seed=${3:-7}
min_share=${4:-0.95}
shift $(( $# < 4 ? $# : 4 ))
extra=("$@")
here=$(cd "$(dirname "$0")" && pwd)
db=${STACKPRINT_DB:-/usr/share/nmap/nmap-os-db}
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: the emulation lab test needs root (it creates network namespaces); run ctest as root or -LE lab"
  exit 77
fi
for tool in ip nmap python3 timeout; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
[ -r "$db" ] || { echo "SKIP: no $db"; exit 77; }

# shellcheck source=scripts/emulator_lab.sh
. "$here/../../scripts/emulator_lab.sh"
emulator_lab_up spemu $((100 + $$ % 50)) 200
work=$lab_work

# Bounded: the emulator stops by itself after 300 s even if this script is killed hard.
emulator_lab_start "$prog" "$work/hosts.jsonl" "$work/emulator.err" 300 --personality random --seed "$seed" \
  "${extra[@]}" || exit 1
head -n "$count" "$work/hosts.jsonl" >"$work/sample.jsonl"
echo "== emulating $(wc -l <"$work/hosts.jsonl") hosts in $lab_block.0/24; nmap -O against the first $count"
start=$(date +%s)
timeout 280 ip netns exec "$lab_scanner" nmap -n -Pn -O --max-os-tries 1 --max-hostgroup 20 -p 22,80,443 ${STACKPRINT_NMAP_EXTRA:-} \
  -oX "$work/nmap.xml" "$lab_block.1-$count" >"$work/nmap.txt" 2>&1
echo "nmap exit $? after $(( $(date +%s) - start )) s"
ip -n "$lab_emulator" -s link show "$lab_tun" | sed -n '3,6p' | tr -s ' ' | paste -sd' ' | sed 's/^/tun stats: /'
ip -n "$lab_emulator" -s link show "${lab_name}b" | sed -n '3,6p' | tr -s ' ' | paste -sd' ' | sed 's/^/veth stats: /'

emulator_lab_stop
cat "$work/emulator.err"
python3 "$here/emulate_judge.py" "$work/sample.jsonl" "$work/nmap.xml" "$db" --min-share "$min_share" --label nmap

