#!/bin/bash
# Root-only lab test (ctest label "lab"): `stackprint scan` and `nmap -O` fingerprint third-party
# TCP/IP stacks (the lab target programs of labtargets/, on a TAP device in the target namespace, see
# docs/lab.md) in the same run. Both stacks' ISN steps grow with the time their process has run, so
# every scan gets a target process of its own, started the same way. Per stack:
#   - `stackprint scan` against `nmap -O`: the same response tests and values (SP and ISR within 4 of
#     Nmap's, GCD both 1-9; Nmap's own values did not vary over 10 runs per stack, docs/lab.md), the
#     same distance and host-level lines, and the same first guess;
#   - `stackprint scan --nmap-retries` against the same Nmap run: all that and the same guess list
#     (Nmap matches the best of its five rounds, and these stacks' later rounds read other SP values).
# Each stack is scanned with both tools' defaults and with --scan-delay 400ms (every probe to the
# host 400 ms after the previous one, so the stacks' tick-driven ISNs read other SP/ISR values).
# --osscan-guess on every scan; tests/lab/compare_scan_output.py compares. The Linux kernel's
# personalities are scan_vs_nmap_test.sh's. Exit 77 (ctest SKIP) when not root or when nmap is missing.
set -u
bin=${1:?path of the stackprint binary}
repo=${2:?repository root}
targets=${3:?directory of the lab target programs}
if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root (network namespaces)"; exit 77; fi
command -v nmap >/dev/null || { echo "SKIP: nmap is not installed"; exit 77; }
lab="$repo/scripts/lab.sh"
work=$(mktemp -d)
name="rsreal$(( $$ % 1000 ))"
cleanup() { "$lab" down "$name" >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT INT TERM

# label|program|options for both tools|comparison options.
# LWIPv6's echo reply carries the request's TTL back, so its IE.T is the probe's: both tools send
# every probe with TTL 50 there (Nmap's and stackprint's --ttl). lwIP's echo reply carries the
# request's IP ID back, so Nmap's II and SS read its own random draws (--reflected-ip-id).
stacks=(
  "lwip|lwip_target||--reflected-ip-id"
  "lwipv6|lwipv6_target|--ttl 50|"
  "lwip-delay400|lwip_target|--scan-delay 400ms|--reflected-ip-id"
  "lwipv6-delay400|lwipv6_target|--ttl 50 --scan-delay 400ms|"
)
# TCP ports only: Nmap starts a UDP port scan 20-55 ms after its TCP scan, depending on the machine,
# and with it its SEQ1 can fall on either side of the 150 ms line that decides these stacks' SP
# (docs/lab.md "Real stacks"); without it Nmap's SEQ1 leaves 100-132 ms after the port scan.
ports="22,23"

# scan_fresh PROGRAM OUTPUT COMMAND...: brings up a lab whose target is a new PROGRAM process, runs
# COMMAND (in the scanner namespace, TARGET replaced by the target's address) into OUTPUT, tears the
# lab down. Prints the seconds COMMAND took; returns COMMAND's status (99 when no lab came up).
scan_fresh() {
  local program=$1 output=$2
  shift 2
  local n="" candidate
  for candidate in $(seq 222 229); do
    if "$lab" up "$name" "$candidate" "stack=$targets/$program:22" >/dev/null 2>&1; then n=$candidate; break; fi
    "$lab" down "$name" >/dev/null 2>&1
  done
  [ -n "$n" ] || { echo "could not set up a lab" > "$output"; echo 0; return 99; }
  local args=() word
  for word in "$@"; do args+=("${word//TARGET/10.99.$n.2}"); done
  local start end status
  start=$(date +%s.%N)
  timeout 120 ip netns exec "$name-s" "${args[@]}" > "$output" 2>&1
  status=$?
  end=$(date +%s.%N)
  "$lab" down "$name" >/dev/null 2>&1
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }'
  return "$status"
}

show_failure() {
  local label=$1 what=$2 ours=$3
  echo "FAIL $label ($what):"; sed 's/^/     /' "$work/$label.diff"
  echo "     stackprint:"; sed 's/^/       /' "$ours"
  echo "     nmap:"; grep -E '^(OS:|OS details|Aggressive|Initiating OS|Retrying OS)' "$work/$label.nmap" | sed 's/^/       /'
}

failures=0
for entry in "${stacks[@]}"; do
  IFS='|' read -r label program options compare_options <<< "$entry"
  read -r -a tool_options <<< "$options"
  read -r -a compare <<< "$compare_options"
  compare+=(SP=4 ISR=4 --random-cu)
  nmap_time=$(scan_fresh "$program" "$work/$label.nmap" nmap -O -p "$ports" -n -Pn --osscan-guess -vv \
    "${tool_options[@]}" TARGET) || { echo "FAIL $label: nmap: $(tail -1 "$work/$label.nmap")"; failures=$((failures + 1)); continue; }
  ours_time=$(scan_fresh "$program" "$work/$label.ours" "$bin" scan -p "$ports" --osscan-guess -vv "${tool_options[@]}" TARGET)
  ours_status=$?
  retries_time=$(scan_fresh "$program" "$work/$label.retries" "$bin" scan -p "$ports" --osscan-guess -vv --nmap-retries \
    "${tool_options[@]}" TARGET)
  retries_status=$?
  if [ "$ours_status" != 0 ] || [ "$retries_status" != 0 ]; then
    echo "FAIL $label: stackprint scan exited $ours_status, with --nmap-retries $retries_status"
    cat "$work/$label.ours" "$work/$label.retries"; failures=$((failures + 1)); continue
  fi
  times="nmap $nmap_time s, stackprint $ours_time s, with --nmap-retries $retries_time s"
  if ! python3 "$repo/tests/lab/compare_scan_output.py" "$work/$label.ours" "$work/$label.nmap" "${compare[@]}" \
       --same-first-guess > "$work/$label.diff"; then
    show_failure "$label" "$times" "$work/$label.ours"; failures=$((failures + 1)); continue
  fi
  if ! python3 "$repo/tests/lab/compare_scan_output.py" "$work/$label.retries" "$work/$label.nmap" "${compare[@]}" \
       --same-guesses > "$work/$label.diff"; then
    show_failure "$label" "--nmap-retries, $times" "$work/$label.retries"; failures=$((failures + 1)); continue
  fi
  echo "ok   $label ($times): $(grep -m1 -E '^(OS details|Aggressive OS guesses)' "$work/$label.ours" | cut -c1-90)"
done
[ "$failures" -eq 0 ] || { echo "$failures of ${#stacks[@]} stacks differ"; exit 1; }
echo "all ${#stacks[@]} third-party stacks agree with nmap -O"
