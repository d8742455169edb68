#!/bin/bash
# Root-only lab test (ctest label "lab"): the same SYN sent again on a half-open connection, against
# the Linux kernel and against `stackprint emulate` of a Linux reference, in the same run and with
# the same rules (docs/emulator-timing.md "The same SYN again").
#
# tests/lab/syn_again.py sends one SYN (with a timestamp option) at 0 s and the identical SYN again at
# 0.2, 0.5 and 1.5 s, and records the SYN/ACKs for 2.5 s more; nftables drops the scanner kernel's
# resets, so the target keeps the connection. Each target must
#   - answer the SYNs at 0, 0.2 and 1.5 s within 0.15 s, every SYN/ACK with the same ISN;
#   - send nothing for the one at 0.5 s (less than 500 ms after the answered one at 0.2 s);
#   - restart its timer with each answer: its copies come at about 1.2 s (1 s after the 0.2 s
#     answer; none at 1 s) and 3.5 s (2 s after the 1.5 s answer; none at 3 s): five SYN/ACKs in all;
#   - read every TSval from its clock when it sends: TSvals grow, and the answer to the 0.2 s SYN is
#     0.2 s of that clock after the first (not the first one's TSval again).
# Labs: the kernel target is scripts/lab.sh (10.99.N.0/24, N in 40-49, tcp_timestamps 1, then 2), the
# emulator that of scripts/emulator_lab.sh (10.99.N.0/24, N in 210-219, block 10.228.M.0/24). Nothing
# else is reachable; both are torn down on exit, also on failure.
#
# usage: syn_again_lab_test.sh STACKPRINT
# Exit 77 (ctest SKIP) when not root or when a tool is missing.
set -u
prog=${1:?path of the stackprint binary}
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: the SYN-again lab test needs root (network namespaces)"; exit 77
fi
for tool in ip nft python3 timeout; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
db=${STACKPRINT_DB:-/usr/share/nmap/nmap-os-db}
[ -r "$db" ] || { echo "SKIP: no nmap-os-db at $db"; exit 77; }
reference="Linux 5.0 - 5.4"

# shellcheck source=scripts/emulator_lab.sh
. "$here/../../scripts/emulator_lab.sh"
# shellcheck source=tests/lab/syn_again_lab.sh
. "$here/syn_again_lab.sh"
emulator_lab_up synag $((210 + $$ % 10)) 228
work=$lab_work
klab="synagk$(($$ % 100000))"
trap 'emulator_lab_down; "$repo/scripts/lab.sh" down "$klab" >/dev/null 2>&1' EXIT
syn_again_target_up "$klab" 40 listen=22 tcp_timestamps=1 || exit 1
kn=$syn_again_net

failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

syn_again_drop_resets "$klab-s" || { echo "FAIL: nftables rule (kernel lab)"; exit 1; }
syn_again_drop_resets "$lab_scanner" || { echo "FAIL: nftables rule (emulator lab)"; exit 1; }

# run NAMESPACE SOURCE TARGET OUT: the SYNs and what came back (bounded: 4 s, 32 SYN/ACKs).
run() {
  timeout 15 ip netns exec "$1" python3 "$here/syn_again.py" "$2" "$3" 22 --at 0,0.2,0.5,1.5 --listen 2.5 \
    --max-packets 32 >"$4" 2>"$4.err" || { cat "$4.err"; return 1; }
}

check() {
  python3 - "$1" "$2" <<'PY'
import json, sys
label, path = sys.argv[1], sys.argv[2]
rows = [json.loads(line) for line in open(path)]
syns = [r["t"] for r in rows if r["dir"] == "syn"]
acks = [r for r in rows if r["dir"] == "synack"]
print(f"{label}: " + ", ".join(f"{a['t']:.3f} s isn {a['seq']} tsval {a['tsval']}" for a in acks))
problems = []
if len(syns) != 4:
    problems.append(f"{len(syns)} SYNs sent, not 4")
def within(lo, hi):
    return [a for a in acks if lo <= a["t"] < hi]
if len(syns) == 4:
    for i in (0, 1, 3):
        if not within(syns[i], syns[i] + 0.15):
            problems.append(f"no SYN/ACK within 0.15 s of the SYN at {syns[i]:.3f} s")
    if within(syns[2], syns[2] + 0.6):
        problems.append(f"the SYN at {syns[2]:.3f} s (0.3 s after an answered one) was answered or a copy came at 1 s")
    if not within(1.15, 1.45):
        problems.append("no timer copy at about 1.2 s (1 s after the answer at 0.2 s)")
    if within(syns[3] + 0.15, 3.35):
        problems.append("a SYN/ACK between the 1.5 s answer and 3.35 s (the timer did not restart at 1.5 s)")
    if not within(3.35, 3.9):
        problems.append("no timer copy at about 3.5 s (2 s after the answer at 1.5 s)")
if len(acks) != 5:
    problems.append(f"{len(acks)} SYN/ACKs, not 5")
if len({a["seq"] for a in acks}) > 1:
    problems.append(f"ISNs differ: {sorted({a['seq'] for a in acks})}")
if any(a["ack"] != acks[0]["ack"] for a in acks):
    problems.append("acknowledgment numbers differ")
ts = [(a["t"], a["tsval"]) for a in acks]
if any(v is None for _, v in ts):
    problems.append("a SYN/ACK without TSval")
elif len(ts) >= 3:
    steps = [(b[1] - a[1]) % 2**32 for a, b in zip(ts, ts[1:])]
    if any(s == 0 or s >= 2**31 for s in steps):
        problems.append(f"TSvals do not grow: {[v for _, v in ts]}")
    else:
        span = (ts[-1][1] - ts[0][1]) % 2**32
        rate = span / (ts[-1][0] - ts[0][0])
        elapsed = steps[0] / rate
        if not 0.15 <= elapsed <= 0.25:
            problems.append(f"the 0.2 s answer's TSval is {elapsed:.3f} s of the clock ({rate:.0f} Hz) after the first")
        print(f"{label}: TS clock {rate:.0f} Hz, answer to the 0.2 s SYN {elapsed:.3f} s after the first")
for p in problems:
    print(f"  {label}: {p}")
print(f"ok   {label}" if not problems else f"{label}: {len(problems)} problems")
sys.exit(1 if problems else 0)
PY
}

# 1. The kernel, tcp_timestamps 1 (per-connection TSval offset) and 2 (no offset).
for ts in 1 2; do
  ip netns exec "$klab-t" sysctl -qw net.ipv4.tcp_timestamps=$ts
  if run "$klab-s" "10.99.$kn.1" "10.99.$kn.2" "$work/kernel$ts.jsonl"; then
    check "kernel $(uname -r) tcp_timestamps=$ts" "$work/kernel$ts.jsonl" || fail "kernel tcp_timestamps=$ts"
  else
    fail "the sender in the kernel lab"
  fi
done

# 2. The emulator, the same rules.
emulator_lab_start "$prog" "$work/hosts.jsonl" "$work/emulator.err" 60 --personality "$reference" \
  --open-ports 22 --db "$db" || exit 1
target="$lab_block.1"
if run "$lab_scanner" "10.99.$lab_net.1" "$target" "$work/emulator.jsonl"; then
  check "emulate '$reference'" "$work/emulator.jsonl" || fail "emulator"
else
  fail "the sender in the emulator lab"
fi
emulator_lab_stop
python3 - "$work/emulator.err" <<'PY' || fail "emulator statistics"
import json, sys
stats = None
for line in open(sys.argv[1]):
    if line.startswith('{"emulator_stats"'):
        stats = json.loads(line)["emulator_stats"]["synack_retransmission"]
print(f"emulator: {stats}")
sys.exit(0 if stats and stats["repeated"] == 2 and stats["repeat_held"] == 1 else 1)
PY

echo "$failures failures"
[ "$failures" = 0 ]
