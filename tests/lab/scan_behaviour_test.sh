#!/bin/bash
# Root-only lab test (ctest label "lab") of `stackprint scan` behaviour that needs a network: a host
# that is down, Ctrl-C in the middle of a scan, and a scan without privilege. Each case has a
# defined exit status and message. The lab (scripts/lab.sh) is torn down on exit.
set -u
bin=${1:?path of the stackprint binary}
repo=${2:?repository root}
if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root (network namespaces)"; exit 77; fi
command -v setpriv >/dev/null || { echo "SKIP: setpriv is not installed"; exit 77; }
lab="$repo/scripts/lab.sh"
name="splabbeh$(( $$ % 1000 ))"
work=$(mktemp -d)
cleanup() { "$lab" down "$name" >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT INT TERM
n=""
for candidate in $(seq 30 49); do
  if "$lab" up "$name" "$candidate" listen=80 drop-udp drop-icmp-echo >/dev/null 2>&1; then n=$candidate; break; fi
  "$lab" down "$name" >/dev/null 2>&1
done
[ -n "$n" ] || { echo "FAIL: could not set up a lab"; exit 1; }
failures=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi; }

# A host that is down: nothing answers at 10.99.N.9 (no such address in the lab).
timeout 30 ip netns exec "$name-s" "$bin" scan -p 22,80 "10.99.$n.9" > "$work/down" 2>&1
status=$?
check "down host: exit 1" '[ $status = 1 ]'
check "down host: reported" 'grep -q "(0 hosts up)" "$work/down"'

# Ctrl-C: a scan that would run for a long time (every round misses U1 and IE, Nmap-style retries).
ip netns exec "$name-s" "$bin" scan -p 22,80 --nmap-retries --max-os-tries 50 "10.99.$n.2" > "$work/int" 2>&1 &
pid=$!
sleep 4
kill -INT "$pid"
start=$(date +%s)
wait "$pid"
status=$?
check "Ctrl-C: exit 130" '[ $status = 130 ]'
check "Ctrl-C: stops within 2 s" '[ $(( $(date +%s) - start )) -le 2 ]'
check "Ctrl-C: says so" 'grep -q "interrupted" "$work/int"'

# Without privilege: one line that says what is needed, exit 3 (an environment problem).
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
  ip netns exec "$name-s" "$bin" scan -p 22,80 "10.99.$n.2" > "$work/nopriv" 2>&1
status=$?
if grep -q "Permission denied\|Operation not permitted" "$work/nopriv" && ! grep -q stackprint "$work/nopriv"; then
  # ip netns exec itself needs privilege: run the scanner directly (same effect: no raw socket).
  setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$bin" scan -p 22,80 "10.99.$n.2" \
    > "$work/nopriv" 2>&1
  status=$?
fi
check "no privilege: exit 3" '[ $status = 3 ]'
check "no privilege: says what is needed" 'grep -q "CAP_NET_RAW" "$work/nopriv" && [ $(wc -l < "$work/nopriv") = 1 ]'

echo "$(( 7 - failures )) passed, $failures failed"
[ "$failures" = 0 ]
