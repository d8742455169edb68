#!/bin/bash
# Accuracy benchmark (root, lab only): a seeded sample of nmap-os-db references is emulated by
# `stackprint emulate` in a private namespace pair, then scanned by `nmap -O` and by `stackprint scan`
# in the same run, under these conditions: 0%, 10% and 30% reply loss, and the emulator's firewall
# filters dropping T2-T7, U1, IE, all three at once, and a default-deny host firewall (`emulate
# --default-deny`: only TCP to the open ports and ICMP pass, the port scan's probes included). Prints a Markdown table: the share of hosts whose top match is the
# emulated reference (or one with identical test values or the same name), and whose top match has
# the reference's OS class, per tool and condition.
#
# usage: sudo bench/accuracy.sh STACKPRINT [COUNT=200] [SEED=11]
# The emulator lab of scripts/emulator_lab.sh: namespaces spacc<pid>-s / -e, 10.99.N.0/24 with N in
# 100-149, emulated block 10.201.M.0/24; all torn down on exit. Environment (optional):
# ACCURACY_CONDITIONS=filters runs only the loss-free row, the four filter rows (T2-T7; U1; IE;
# T2-T7,U1,IE) and the default-deny row instead of all rows, ACCURACY_CONDITIONS=deny only the
# loss-free and default-deny rows, ACCURACY_CONDITIONS=loss-free only the loss-free row; ACCURACY_NET=N and ACCURACY_BLOCK=B use 10.99.N.0/24 and
# 10.B.M.0/24 (to run beside other labs; STACKPRINT_LAB_NET, STACKPRINT_LAB_BLOCK and
# STACKPRINT_LAB_PREFIX, see scripts/emulator_lab.sh, do the same). `stackprint scan` is skipped
# when the binary has no scan command.
set -u
prog=${1:?path of the stackprint binary}
count=${2:-200}
seed=${3:-11}
# ACCURACY_HOSTGROUP=N scans Nmap's hosts in groups of exactly N (--min-hostgroup N --max-hostgroup N;
# default: at most 20). With N=254 and COUNT=254 one group holds every host, and a host's SEQ probes
# lie 300-500 ms or more apart instead of 100 ms: a stack whose ISN and timestamps run on a clock still
# reads its reference's SP/ISR/TS there.
# ACCURACY_SCAN_DELAY=TIME gives both tools --scan-delay TIME (400ms: every probe to a host, the SEQ
# probes included, at least 400 ms after the one before), the same far-apart SEQ probes in small groups.
# ACCURACY_CAPTURE=1 captures each tool's scan on the scanner's interface and adds a column per tool:
# TCP probes sent again although their first copy was answered within 10 ms
# (bench/resent_after_answer.py), i.e. answers the scanner had but did not take in time; and a column
# with the packets Nmap's own captures dropped of those they received (the preload library
# bench/pcap_ring_shim.cpp, built next to the binary as bench/libpcap_ring_shim.so).
# ACCURACY_NMAP_BUFFER_MB=N gives Nmap's captures an N MB kernel buffer through that library
# (docs/nmap-behaviour.md 4.11: its OS-detection capture holds about 240 packets).
if [ -n "${ACCURACY_HOSTGROUP:-}" ]; then
  hostgroup_args=(--min-hostgroup "$ACCURACY_HOSTGROUP" --max-hostgroup "$ACCURACY_HOSTGROUP")
else
  hostgroup_args=(--max-hostgroup 20)
fi
delay_args=()
[ -n "${ACCURACY_SCAN_DELAY:-}" ] && delay_args=(--scan-delay "$ACCURACY_SCAN_DELAY")
capture=${ACCURACY_CAPTURE:-0}
shim="$(cd "$(dirname "$prog")" && pwd)/bench/libpcap_ring_shim.so"
nmap_env=(env)
if [ "$capture" = 1 ] || [ -n "${ACCURACY_NMAP_BUFFER_MB:-}" ]; then
  [ -f "$shim" ] || { echo "FAIL: $shim is missing (build with -DSTACKPRINT_BUILD_BENCH=ON)"; exit 1; }
  nmap_env+=(LD_PRELOAD="$shim")
  [ -n "${ACCURACY_NMAP_BUFFER_MB:-}" ] && nmap_env+=(STACKPRINT_SHIM_BUFFER_MB="$ACCURACY_NMAP_BUFFER_MB")
fi
here=$(cd "$(dirname "$0")" && pwd)
judge="$here/../tests/lab/emulate_judge.py"
db=${STACKPRINT_DB:-/usr/share/nmap/nmap-os-db}
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
have_scan=1
"$prog" scan --help >/dev/null 2>&1 || have_scan=0

# shellcheck source=scripts/emulator_lab.sh
. "$here/../scripts/emulator_lab.sh"
emulator_lab_up spacc "${ACCURACY_NET:-$((100 + $$ % 50))}" "${ACCURACY_BLOCK:-201}"
work=$lab_work

# The emulator runs at real-time priority when chrt exists (ACCURACY_EMULATOR_RT=0: normal): it reads
# its ISN and timestamp clocks when it gets to a probe, and on a loaded machine a scheduling delay of
# ~2 ms for one burst of SEQ probes moved SP out of tight ranges (HP iLO 3: 80-8A) for a whole host
# group, for either tool. A real target has its own CPU.
export STACKPRINT_LAB_EMULATOR_RT=${ACCURACY_EMULATOR_RT:-1}

# `capture_start FILE` / `capture_stop`: the scanner interface's TCP and ICMP, when ACCURACY_CAPTURE=1.
capture_pid=""
capture_start() {
  [ "$capture" = 1 ] || return 0
  ip netns exec "$lab_scanner" timeout 1000 tcpdump -i "${lab_name}a" -B 65536 -U -n -w "$1" 'tcp or icmp' 2>/dev/null &
  capture_pid=$!
  sleep 1
}
capture_stop() {
  [ -n "$capture_pid" ] || return 0
  sleep 1
  kill -INT "$capture_pid" 2>/dev/null
  wait "$capture_pid" 2>/dev/null
  capture_pid=""
}
resent() { # the column: re-sends after an answer / re-sends
  [ "$capture" = 1 ] || return 0
  printf ' %s |' "$(python3 "$here/resent_after_answer.py" "$1" "10.99.$lab_net.1" --column)"
}

# One emulator per condition (impairments are emulator options).
run_condition() {
  local label=$1; shift
  emulator_lab_start "$prog" "$work/hosts.jsonl" "$work/emulator.err" 880 --personality random --seed "$seed" "$@" >&2
  head -n "$count" "$work/hosts.jsonl" >"$work/sample.jsonl"
  capture_start "$work/nmap.pcap"
  local t0 t1
  t0=$(date +%s)
  rm -f "$work/nmap.captures"
  timeout 900 ip netns exec "$lab_scanner" "${nmap_env[@]}" STACKPRINT_SHIM_REPORT="$work/nmap.captures" \
    nmap -n -Pn -O --max-os-tries 1 "${hostgroup_args[@]}" "${delay_args[@]}" \
    -p 22,80,443 -oX "$work/nmap.xml" "$lab_block.1-$count" >/dev/null 2>&1
  t1=$(date +%s)
  capture_stop
  local nm; nm=$(python3 "$judge" "$work/sample.jsonl" "$work/nmap.xml" "$db" --min-share 0 --label nmap --quiet)
  local sp='{"share": null, "class_share": null}'; local t2=$t1 t_sp=$t1
  if [ "$have_scan" = 1 ]; then
    capture_start "$work/sp.pcap"
    t_sp=$(date +%s)
    timeout 900 ip netns exec "$lab_scanner" "$prog" scan -p 22,80,443 --max-os-tries 1 --group-size 20 "${delay_args[@]}" \
      --output-xml - "$lab_block.1-$count" >"$work/sp.xml" 2>/dev/null  # it writes as nobody: stdout
    t2=$(date +%s)
    capture_stop
    [ -s "$work/sp.xml" ] && sp=$(python3 "$judge" "$work/sample.jsonl" "$work/sp.xml" "$db" --min-share 0 --label stackprint --quiet)
  fi
  emulator_lab_stop
  python3 - "$label" "$nm" "$sp" "$((t1 - t0))" "$((t2 - t_sp))" <<'PY'
import json, sys
label, nm, sp, tn, ts = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4], sys.argv[5]
f = lambda v: "n/a" if v is None else f"{100 * v:.1f}%"
print(f"| {label} | {f(nm['share'])} | {f(nm['class_share'])} | {tn} s | {f(sp['share'])} | {f(sp['class_share'])} | {ts} s |", end="")
PY
  resent "$work/nmap.pcap"
  [ "$have_scan" = 1 ] && resent "$work/sp.pcap"
  [ "$capture" = 1 ] && printf ' %s |' "$("$here/capture_drops.sh" "$work/nmap.captures")"
  echo
}

echo "Emulated references: $count (seed $seed), nmap-os-db $(grep -m1 -o 'Id: [^$]*' "$db" || true)"
echo
if [ "$capture" = 1 ]; then
  echo "| condition | nmap -O: reference | nmap -O: OS class | nmap time | stackprint: reference | stackprint: OS class | stackprint time | nmap: re-sent after an answer | stackprint: re-sent after an answer | nmap capture: dropped of received |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
else
  echo "| condition | nmap -O: reference | nmap -O: OS class | nmap time | stackprint: reference | stackprint: OS class | stackprint time |"
  echo "|---|---|---|---|---|---|---|"
fi
conditions=${ACCURACY_CONDITIONS:-all}
run_condition "0% loss"
[ "$conditions" = loss-free ] && exit 0
if [ "$conditions" = all ]; then
  run_condition "10% loss" --loss 0.1
  run_condition "30% loss" --loss 0.3
fi
if [ "$conditions" != deny ]; then
  run_condition "filter T2-T7" --filter T2-T7
  run_condition "filter U1" --filter U1
  run_condition "filter IE" --filter IE
  run_condition "firewall (T2-T7, U1, IE dropped)" --filter T2-T7,U1,IE
fi
run_condition "default-deny firewall (open ports and ICMP pass)" --default-deny
