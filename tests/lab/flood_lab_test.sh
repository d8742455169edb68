#!/bin/bash
# Root-only lab test of floods (ctest label "lab"), docs/service.md section 1.
# The emulator lab of scripts/emulator_lab.sh: namespaces flood<pid>-s / -e, 10.99.N.0/24 with N in
# 160-164, emulated block 10.211.M.0/27 (30 seeded random personalities; the scanner's route covers
# the /24). Three runs of the same emulator (same seed), each scanning the same HOSTS addresses
# .2-.(HOSTS+1) with the same scan seed:
#   calm      no flood: the reference top matches and the scanner's peak RSS
#   flooded   flooder (tests/lab/flooder.cpp) sends RATE packets/s from the scanner namespace to .1
#             (TCP SYNs to open and closed ports, UDP, echo requests); the scan starts 1 s into the
#             flood, and the flood lasts until the scan has ended and at least SECONDS
#   forged    the same with RATE forged answers/s from the emulated addresses to the scanner (from
#             the emulator namespace: RSTs, echo replies, port unreachables, random numbers)
# Checks: the flooder reached RATE (within 10%); the emulator's RSS (VmHWM, read from /proc while it
# runs) stays under EMU_LIMIT_KB; its stats show the inbox dropping the excess; the scanned hosts
# keep their state and top match in both floods (compare_top_matches.py); the scanner exits 0 and
# its peak RSS under forged replies stays within the calm run's plus SLACK_KB (what it keeps per
# host is fixed-size; see hostile_lab_test.sh).
#
# usage: flood_lab_test.sh STACKPRINT FLOODER [RATE=50000] [SECONDS=10] [HOSTS=6] [EMU_LIMIT_KB=65536] [SLACK_KB=4096]
# Exit 77 (ctest SKIP) when not root or when ip/python3/timeout are missing.
set -u
prog=${1:?path of the stackprint binary}
flooder=${2:?path of the flooder}
rate=${3:-50000}
seconds=${4:-10}
hosts=${5:-6}
emu_limit_kb=${6:-65536}
slack_kb=${7:-4096}
# Two sending threads: on a machine busy with other work the flood then gets two scheduler shares.
threads=${STACKPRINT_FLOOD_THREADS:-2}
here=$(cd "$(dirname "$0")" && pwd)
db=${STACKPRINT_DB:-/usr/share/nmap/nmap-os-db}
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: the flood lab test needs root (it creates network namespaces); run ctest as root or -LE lab"
  exit 77
fi
for tool in ip python3 timeout; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
[ -r "$db" ] || { echo "SKIP: no $db"; exit 77; }
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0"

# shellcheck source=scripts/emulator_lab.sh
. "$here/../../scripts/emulator_lab.sh"
emulator_lab_up flood $((160 + $$ % 5)) 211
work=$lab_work
# Serve a /27 only: 30 personalities keep the emulator's own footprint small and its start quick.
lab_cidr="$lab_block.0/27"
lab_hosts=30
flooded="$lab_block.1"
last=$((hosts + 1))

failures=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi; }

# watch_hwm PID FILE: the highest VmHWM of PID, written to FILE, until PID ends (bounded 60 s).
watch_hwm() {
  local pid=$1 file=$2 v hwm=0
  for _ in $(seq 1 1200); do
    v=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || true
    [ -n "$v" ] && hwm=$v && echo "$hwm" >"$file"
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
}

# run LABEL: one emulator run with a scan of .2-.(HOSTS+1) and, by LABEL, a flood.
run() {
  local label=$1
  emulator_lab_start "$prog" "$work/$label.hosts.jsonl" "$work/$label.emulator.err" 40 \
    --personality random --seed 21 || exit 1
  local emu
  emu=$(pgrep -P "$lab_emulator_pid" | head -1)
  [ -n "$emu" ] || emu=$lab_emulator_pid
  watch_hwm "$emu" "$work/$label.emulator.hwm" &
  local emu_watch=$! flood_pid=""
  case $label in
    flooded)
      ip netns exec "$lab_scanner" timeout 30 "$flooder" probes "10.99.$lab_net.1" "$flooded" \
        "$rate" 25 $((rate * 25)) "$threads" >"$work/$label.flooder" 2>&1 &
      flood_pid=$!
      sleep 1
      ;;
    forged)
      ip netns exec "$lab_emulator" timeout 30 "$flooder" replies "$lab_block.0/27" "10.99.$lab_net.1" \
        "$rate" 25 $((rate * 25)) "$threads" >"$work/$label.flooder" 2>&1 &
      flood_pid=$!
      sleep 1
      ;;
  esac
  local scan_start
  scan_start=$(date +%s%N)
  ip netns exec "$lab_scanner" "$prog" scan -p T:22,80,U:40125 --seed 4242 -v --host-timeout 30 \
    -oJ "$work/$label.jsonl" "$lab_block.2-$last" >"$work/$label.out" 2>"$work/$label.err" &
  local scan_pid=$!
  watch_hwm "$scan_pid" "$work/$label.scanner.hwm" &
  local scan_watch=$!
  wait "$scan_pid"
  echo $? >"$work/$label.status"
  echo $((($(date +%s%N) - scan_start) / 1000000)) >"$work/$label.scan_ms"
  wait "$scan_watch"
  # The flood runs for the scan's whole length and at least SECONDS (bounded: the flooder stops
  # by itself after 25 s): the scan must end while it still runs.
  if [ -n "$flood_pid" ]; then
    if kill -0 "$flood_pid" 2>/dev/null; then echo yes; else echo no; fi >"$work/$label.overlap"
    local left=$((seconds * 1000 - 1000 - $(cat "$work/$label.scan_ms")))
    [ "$left" -gt 0 ] && sleep "$((left / 1000)).$(printf %03d $((left % 1000)))"
    kill -TERM "$flood_pid" 2>/dev/null
    wait "$flood_pid"
  fi
  emulator_lab_stop
  wait "$emu_watch"
  echo "$label: scan exit $(cat "$work/$label.status") after $(cat "$work/$label.scan_ms") ms, scanner peak RSS $(cat "$work/$label.scanner.hwm" 2>/dev/null) kB," \
    "emulator peak RSS $(cat "$work/$label.emulator.hwm" 2>/dev/null) kB"
  [ -f "$work/$label.flooder" ] && echo "$label: flooder $(cat "$work/$label.flooder")"
  grep emulator_stats "$work/$label.emulator.err" | sed "s/^/$label: /"
}

run calm
run flooded
run forged

flood_rate() { python3 -c 'import json,sys; print(int(json.loads(open(sys.argv[1]).read().splitlines()[-1])["rate"]))' "$1" 2>/dev/null || echo 0; }
emu_stat() { grep -o "\"$2\":[0-9]*" "$work/$1.emulator.err" | head -1 | cut -d: -f2; }
min_rate=$((rate * 9 / 10))
check "calm scan exits 0" '[ "$(cat "$work/calm.status")" = 0 ]'
check "scan during the flood exits 0" '[ "$(cat "$work/flooded.status")" = 0 ]'
check "scan under forged replies exits 0" '[ "$(cat "$work/forged.status")" = 0 ]'
check "flooder sent at least $min_rate packets/s at $flooded" '[ "$(flood_rate "$work/flooded.flooder")" -ge $min_rate ]'
check "forged replies sent at least $min_rate packets/s" '[ "$(flood_rate "$work/forged.flooder")" -ge $min_rate ]'
check "the scan ended inside the flood" '[ "$(cat "$work/flooded.overlap")" = yes ]'
check "the scan ended inside the forged-reply flood" '[ "$(cat "$work/forged.overlap")" = yes ]'
check "emulator peak RSS under the flood < $emu_limit_kb kB" \
  '[ "$(cat "$work/flooded.emulator.hwm" 2>/dev/null || echo 999999999)" -lt "$emu_limit_kb" ]'
check "emulator received the flood" '[ "$(emu_stat flooded received)" -ge $((rate * (seconds - 2))) ] || [ "$(emu_stat flooded inbox_dropped)" -gt 0 ]'
check "emulator inbox stayed bounded (peak <= 4096)" '[ "$(emu_stat flooded inbox_peak)" -le 4096 ]'
check "scanned hosts keep their top match during the flood" \
  'python3 "$here/compare_top_matches.py" "$work/calm.jsonl" "$work/flooded.jsonl"'
check "scanned hosts keep their top match under forged replies" \
  'python3 "$here/compare_top_matches.py" "$work/calm.jsonl" "$work/forged.jsonl"'
check "scanner peak RSS under forged replies within calm + $slack_kb kB" \
  '[ "$(cat "$work/forged.scanner.hwm")" -le $(( $(cat "$work/calm.scanner.hwm") + slack_kb )) ]'
echo "$((13 - failures)) passed, $failures failed"
[ "$failures" = 0 ]
