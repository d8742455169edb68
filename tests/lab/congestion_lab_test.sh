#!/bin/bash
# Root-only lab test of congestion control (ctest label "lab", docs/congestion.md): a /23 of emulated
# references behind a path that forwards at most RATE packets/s towards them (nftables in the
# emulator namespace drops the rest, as a congested link would). `stackprint scan --group-size 4096`
# puts every host in flight at once, far more than the path carries. Checks that
#   - congestion control saw the loss and cut back ("congestion: shrink" lines with -v), and
#     grew again once the loss stopped ("congestion: grow"),
#   - the scan still names at least MIN_SHARE of the hosts (tests/lab/emulate_judge.py), and at least
#     10 points more than the same scan with --no-congestion-control, which this path overwhelms,
#   - both scans exit 0 within their time bound.
# The emulator lab of scripts/emulator_lab.sh: namespaces spcong<pid>-s / -e, 10.99.N.0/24 with N
# in 160-169, emulated block 10.217.X.0/23; nothing else is reachable, all is torn down on exit.
#
# usage: congestion_lab_test.sh STACKPRINT [RATE=1500] [SEED=5] [MIN_SHARE=0.85]
# Exit 77 (ctest SKIP) when not root.
set -u
prog=${1:?path of the stackprint binary}
rate=${2:-1500}
seed=${3:-5}
min_share=${4:-0.85}
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: the congestion lab test needs root (network namespaces)"; exit 77
fi
for tool in ip nft python3 timeout; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (scripts/setup.sh installs it)"; exit 1; }
done
here=$(cd "$(dirname "$0")" && pwd)
db=${STACKPRINT_DB:-/usr/share/nmap/nmap-os-db}
[ -r "$db" ] || { echo "FAIL: no nmap-os-db at $db"; exit 1; }

# shellcheck source=scripts/emulator_lab.sh
. "$here/../../scripts/emulator_lab.sh"
emulator_lab_up spcong $((160 + $$ % 10)) 217 23
work=$lab_work
chmod 755 "$work" # the scanner writes its report as nobody

failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# The congested path: at most $rate packets/s forwarded to the emulated block (bursts of 100).
ip netns exec "$lab_emulator" nft -f - <<NFT || { echo "FAIL: nftables rule"; exit 1; }
table ip spcong {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ip daddr $lab_cidr limit rate over $rate/second burst 100 packets drop
  }
}
NFT

emulator_lab_start "$prog" "$work/hosts.jsonl" "$work/emulator.err" 170 --personality random --seed "$seed" || exit 1

# scan LABEL ARGS...: one scan of the block, its report in $work/LABEL.xml, -v lines in $work/LABEL.err.
scan() {
  local label=$1
  shift
  local start status
  start=$(date +%s.%N)
  timeout 120 ip netns exec "$lab_scanner" "$prog" scan -v -p 22,80,443 --group-size 4096 --seed "$seed" "$@" \
    -oX "$work/$label.xml" "$lab_cidr" >"$work/$label.out" 2>"$work/$label.err"
  status=$?
  echo "$label: exit $status, $(python3 -c "print(round($(date +%s.%N) - $start, 1))") s"
  [ "$status" = 0 ] || { fail "stackprint scan ($label) exited $status"; tail -5 "$work/$label.err"; }
}
scan with_control
scan without_control --no-congestion-control
emulator_lab_stop

shrinks=$(grep -c '^congestion: shrink' "$work/with_control.err")
grows=$(grep -c '^congestion: grow' "$work/with_control.err")
echo "congestion: $shrinks shrink, $grows grow lines"
grep -m 2 '^congestion: shrink' "$work/with_control.err"
[ "$shrinks" -ge 1 ] || fail "no 'congestion: shrink' line although the path dropped packets"
[ "$grows" -ge 1 ] || fail "no 'congestion: grow' line: the limits never grew back"
[ "$(grep -c '^congestion:' "$work/without_control.err")" = 0 ] || fail "congestion lines with --no-congestion-control"

for label in with_control without_control; do
  python3 "$here/emulate_judge.py" "$work/hosts.jsonl" "$work/$label.xml" "$db" --min-share 0 --label "$label" \
    --quiet >"$work/$label.judge" || fail "judging $label"
  cat "$work/$label.judge"
done
# Named right: at least MIN_SHARE with congestion control, and clearly more than without it (on
# this path 97-98% against 56-61%, docs/congestion.md).
python3 - "$work/with_control.judge" "$work/without_control.judge" "$min_share" <<'PY' || fail "named right"
import json, sys
with_cc = json.loads(open(sys.argv[1]).read().splitlines()[-1])["share"]
without_cc = json.loads(open(sys.argv[2]).read().splitlines()[-1])["share"]
minimum = float(sys.argv[3])
print(f"named right: {with_cc:.1%} with congestion control, {without_cc:.1%} without")
problems = []
if with_cc < minimum: problems.append(f"{with_cc:.1%} < {minimum:.0%}")
if with_cc < without_cc + 0.10: problems.append("not 10 points above the scan without congestion control")
print("; ".join(problems) if problems else "ok   named right")
sys.exit(1 if problems else 0)
PY

echo "$failures failures"
[ "$failures" = 0 ]
