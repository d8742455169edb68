#!/bin/bash
# Root-only lab test (ctest label "lab"): `stackprint scan` and `nmap -O` fingerprint third-party
# TCP/IP stacks (the lab target programs of labtargets/, on a TAP device in the target namespace, see
# docs/lab.md) in the same run. Per stack: the same response tests and values, SP and ISR within Nmap's
# own run-to-run spread on that stack (measured by repeated Nmap runs, recorded below and in
# docs/lab.md), the same distance and host-level lines, and the same first guess (--osscan-guess on
# both; tests/lab/compare_scan_output.py). The Linux kernel's personalities are scan_vs_nmap_test.sh's.
# Exit 77 (ctest SKIP) when not root or when nmap is missing.
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

# label|program|SP, GCD and ISR spreads: the widest differences between repeated `nmap -O` runs
# against the stack in this lab (docs/lab.md, "Third-party stacks"). Both stacks' ISN steps grow with
# the time the program has run, so ISR and GCD rise from one run to the next against the same process.
# Then: tests whose reply carries the probe's own TTL back (LWIPv6's echo reply), so that their T is
# each tool's random probe TTL; and "ip-id" when the echo reply carries the request's IP ID back
# (lwIP's), so that Nmap's II and SS read its own random draws (compare_scan_output.py).
stacks=(
  "lwip|lwip_target|24|16|48||ip-id"
  "lwipv6|lwipv6_target|20|40|48|IE|"
)
failures=0
for entry in "${stacks[@]}"; do
  IFS='|' read -r label program sp_spread gcd_spread isr_spread reflected reflected_ip_id <<< "$entry"
  n=""
  for candidate in $(seq 222 229); do
    if "$lab" up "$name" "$candidate" "stack=$targets/$program:22" >/dev/null 2>&1; then n=$candidate; break; fi
    "$lab" down "$name" >/dev/null 2>&1
  done
  [ -n "$n" ] || { echo "FAIL $label: could not set up a lab"; failures=$((failures + 1)); continue; }
  target="10.99.$n.2"
  ports="T:22,23,U:40125"
  start=$(date +%s.%N)
  timeout 120 ip netns exec "$name-s" nmap -O -sS -sU -p "$ports" -n -Pn --osscan-guess -vv "$target" \
    > "$work/$label.nmap" 2>&1
  middle=$(date +%s.%N)
  timeout 60 ip netns exec "$name-s" "$bin" scan -p "$ports" --osscan-guess -vv "$target" > "$work/$label.ours" 2>&1
  ours_status=$?
  end=$(date +%s.%N)
  "$lab" down "$name" >/dev/null 2>&1
  times=$(awk -v a="$start" -v b="$middle" -v c="$end" 'BEGIN { printf "nmap %.1f s, stackprint %.1f s", b - a, c - b }')
  if [ "$ours_status" != 0 ]; then
    echo "FAIL $label: stackprint scan exited $ours_status"; cat "$work/$label.ours"; failures=$((failures + 1)); continue
  fi
  if python3 "$repo/tests/lab/compare_scan_output.py" "$work/$label.ours" "$work/$label.nmap" "SP=$sp_spread" \
       "GCD=$gcd_spread" "ISR=$isr_spread" --same-first-guess ${reflected:+"--reflected-ttl=$reflected"} \
       ${reflected_ip_id:+--reflected-ip-id} > "$work/$label.diff"; then
    echo "ok   $label ($times): $(grep -m1 -E '^(OS details|Aggressive OS guesses)' "$work/$label.ours" | cut -c1-90)"
  else
    echo "FAIL $label ($times):"; sed 's/^/     /' "$work/$label.diff"; failures=$((failures + 1))
    echo "     stackprint:"; sed 's/^/       /' "$work/$label.ours"
    echo "     nmap:"; grep -E '^(OS:|OS details|Aggressive|Initiating OS)' "$work/$label.nmap" | sed 's/^/       /'
  fi
done
[ "$failures" -eq 0 ] || { echo "$failures of ${#stacks[@]} stacks differ"; exit 1; }
echo "all ${#stacks[@]} third-party stacks agree with nmap -O"
