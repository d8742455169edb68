# shellcheck shell=bash
# Shared set-up of the real-kernel lab benchmarks (bench/*_real.sh): one scripts/lab.sh lab whose
# target namespace carries many addresses of one kernel, scanned from the lab's scanner namespace.
# Packets only go between the two namespaces of that lab; nothing is sent from the root namespace.
#
# Source it (do not run it) from a bench script that uses `set -u`:
#
#   . "$(dirname "$0")/real_kernel_lab.sh"
#   lab_require TOOL...          exit 77 unless root and every TOOL is installed
#   lab_begin NAME N             lab NAME on 10.99.N.0/24: sets lab_name, lab_n, lab_work (a fresh
#                                temporary directory) and traps EXIT/INT/TERM to lab_cleanup
#   lab_up OPTION...             scripts/lab.sh up NAME N OPTION... (quiet; returns its status)
#   lab_up_addresses LAST OPTION...
#                                lab_up, then 10.99.N.3-LAST on the target's targ0 as well (so the
#                                kernel answers for 10.99.N.2-LAST); exits 1 on any failure
#   lab_down                     scripts/lab.sh down NAME (quiet)
#   lab_capture_start PCAP LIMIT TCPDUMP_ARGS...
#                                tcpdump -i scan0 -nn -w PCAP TCPDUMP_ARGS... in the scanner namespace,
#                                ended after LIMIT seconds at the latest; returns 1 s later
#   lab_capture_stop             1 s later, stops that capture (SIGINT) and waits for it
#   lab_cleanup                  (the trap) stops a running capture, takes the lab down, copies
#                                lab_work to $STACKPRINT_LAB_KEEP when that is set, removes lab_work
#   wall_seconds A B             B - A (two `date +%s.%N` values) with one decimal
#   top_matches FILE             "ADDRESS<TAB>TOP MATCH" per host of a normal Nmap-style output, sorted
#   own_packet_count FILE        packets the tool says it sent ("stackprint scan: N packets" or
#                                "Raw packets sent: N"), "?" when absent
#
# Every lab's namespaces are NAME-s (scanner, 10.99.N.1 on scan0) and NAME-t (target, 10.99.N.2 on
# targ0); see scripts/lab.sh for the lab itself.

lab_script="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/lab.sh"
lab_name=""
lab_n=""
lab_work=""
lab_capture_pid=""

lab_require() {
  local tool
  [ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
  for tool in "$@"; do command -v "$tool" >/dev/null || { echo "missing $tool"; exit 77; }; done
}

lab_begin() {
  lab_name=${1:?lab name}
  lab_n=${2:?lab subnet number}
  lab_work=$(mktemp -d)
  trap lab_cleanup EXIT INT TERM
}

lab_cleanup() {
  [ -n "$lab_capture_pid" ] && kill "$lab_capture_pid" 2>/dev/null
  [ -n "$lab_name" ] && "$lab_script" down "$lab_name" >/dev/null 2>&1
  [ -n "${STACKPRINT_LAB_KEEP:-}" ] && [ -n "$lab_work" ] && cp -r "$lab_work" "$STACKPRINT_LAB_KEEP"
  [ -n "$lab_work" ] && rm -rf "$lab_work"
}

lab_up() { "$lab_script" up "$lab_name" "$lab_n" "$@" >/dev/null; }
lab_down() { "$lab_script" down "$lab_name" >/dev/null; }

lab_up_addresses() {
  local last=$1 i
  shift
  lab_up "$@" || { echo "lab up failed"; exit 1; }
  for i in $(seq 3 "$last"); do ip -n "$lab_name-t" addr add "10.99.$lab_n.$i/24" dev targ0 || exit 1; done
}

lab_capture_start() {
  local pcap=$1 limit=$2
  shift 2
  timeout "$limit" ip netns exec "$lab_name-s" tcpdump -i scan0 -nn -w "$pcap" "$@" 2>/dev/null &
  lab_capture_pid=$!
  sleep 1
}

lab_capture_stop() {
  sleep 1
  kill -INT "$lab_capture_pid" 2>/dev/null
  wait "$lab_capture_pid" 2>/dev/null
  lab_capture_pid=""
}

wall_seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

top_matches() {
  awk '/scan report for/ { host = $NF }
       /^(OS details|Aggressive OS guesses): / && host != "" { sub(/^[^:]*: /, ""); sub(/ \([0-9]+%\).*/, ""); sub(/, .*/, ""); print host "\t" $0; host = "" }' "$1" | sort
}

own_packet_count() {
  grep -m1 -oE '(stackprint scan: [0-9]+ packets|Raw packets sent: [0-9]+)' "$1" | grep -oE '[0-9]+' || echo "?"
}
