#!/bin/bash
# Root-only lab test of `stackprint emulate` judged by the real Nmap (ctest label "lab").
# Two namespaces joined by one veth pair and nothing else (no default route), so nothing can leave:
#   scanner   spemu<pid>-s  10.99.N.1/24, route 10.200.M.0/24 via 10.99.N.2
#   emulator  spemu<pid>-e  10.99.N.2/24, runs `stackprint emulate --net 10.200.M.0/24` (TUN + route)
# with N in 100-149. The emulator serves a /24 of seeded random personalities; `nmap -O` scans the
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

name="spemu$$"
n=$((100 + $$ % 50))
m=$((1 + $$ % 250))
scanner="$name-s"; emulator="$name-e"
work=$(mktemp -d)
emu_pid=""
cleanup() {
  [ -n "$emu_pid" ] && kill -TERM "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
  ip netns del "$scanner" 2>/dev/null
  ip netns del "$emulator" 2>/dev/null
  rm -rf "$work"
  true
}
trap cleanup EXIT INT TERM

set -e
ip netns add "$scanner"
ip netns add "$emulator"
ip link add "${name}a" type veth peer name "${name}b"
ip link set "${name}a" netns "$scanner"
ip link set "${name}b" netns "$emulator"
ip -n "$scanner" addr add "10.99.$n.1/24" dev "${name}a"
ip -n "$emulator" addr add "10.99.$n.2/24" dev "${name}b"
for ns in "$scanner" "$emulator"; do ip -n "$ns" link set lo up; done
ip -n "$scanner" link set "${name}a" up
ip -n "$emulator" link set "${name}b" up
ip -n "$scanner" route add "10.200.$m.0/24" via "10.99.$n.2"
set +e

# Bounded: the emulator stops by itself after 300 s even if this script is killed hard.
timeout 310 ip netns exec "$emulator" "$prog" emulate --net "10.200.$m.0/24" --personality random \
  --seed "$seed" --tun "spemu$((n))" --duration 300 "${extra[@]}" >"$work/hosts.jsonl" 2>"$work/emulator.err" &
emu_pid=$!
for _ in $(seq 1 100); do
  [ -f "$work/hosts.jsonl" ] && [ "$(wc -l <"$work/hosts.jsonl")" -ge 254 ] && ip -n "$emulator" link show "spemu$n" >/dev/null 2>&1 && break
  sleep 0.1
done
if ! ip -n "$emulator" link show "spemu$n" >/dev/null 2>&1; then
  echo "FAIL: the emulator did not bring up its TUN device"; cat "$work/emulator.err"; exit 1
fi
# Bursts of probes for a whole /24 must not overflow the device queue.
ip -n "$emulator" link set "spemu$n" txqueuelen 10000
head -n "$count" "$work/hosts.jsonl" >"$work/sample.jsonl"
echo "== emulating $(wc -l <"$work/hosts.jsonl") hosts in 10.200.$m.0/24; nmap -O against the first $count"
start=$(date +%s)
timeout 280 ip netns exec "$scanner" nmap -n -Pn -O --max-os-tries 1 --max-hostgroup 20 -p 22,80,443 ${STACKPRINT_NMAP_EXTRA:-} \
  -oX "$work/nmap.xml" "10.200.$m.1-$count" >"$work/nmap.txt" 2>&1
echo "nmap exit $? after $(( $(date +%s) - start )) s"
ip -n "$emulator" -s link show "spemu$n" | sed -n '3,6p' | tr -s ' ' | paste -sd' ' | sed 's/^/tun stats: /'
ip -n "$emulator" -s link show "${name}b" | sed -n '3,6p' | tr -s ' ' | paste -sd' ' | sed 's/^/veth stats: /'

kill -TERM "$emu_pid" 2>/dev/null; wait "$emu_pid" 2>/dev/null; emu_pid=""
cat "$work/emulator.err"
python3 "$here/emulate_judge.py" "$work/sample.jsonl" "$work/nmap.xml" "$db" --min-share "$min_share" --label nmap
status=$?
[ -n "${STACKPRINT_LAB_KEEP:-}" ] && cp -r "$work" "$STACKPRINT_LAB_KEEP"
exit $status
