#!/bin/bash
# Root-only lab test (ctest label "lab"): SYN/ACK retransmission and the same SYN again on a
# half-open connection, against lwIP 2.1.3 (the lab target program lwip_target, docs/lab.md "Real
# stacks") and against `stackprint emulate` of an lwIP reference, in the same run and with the same
# rules (docs/emulator-timing.md "lwIP").
#
# tests/lab/syn_again.py sends, from two source ports at once,
#   A: one SYN at 0 s and the identical SYN again at 0.2 and 0.5 s, recording 15 s more;
#   B: one SYN at 0 s and the same SYN again at 20.9 s, recording 1 s more;
# nftables drops the scanner kernel's resets, so the target keeps the connections. Each target must
#   A: answer all three SYNs within 0.15 s, with the same ISN and acknowledgment number; send one
#      copy 2.6 - 2.95 s after the first SYN (the repeats leave the timer alone) and no other SYN/ACK
#      (the repeats count as retries, so the next wait is 24 s, not 6 s): four SYN/ACKs in all;
#   B: send copies at 2.6 - 2.95 s and 8.6 - 8.95 s, nothing else until the SYN at 20.9 s, and
#      answer that one at once with a new ISN (the connection was forgotten 20 s after the peer's
#      last SYN).
# Both targets are fresh, so the first SYNs start their 500 ms timer: its first tick comes 0.25 s
# later, the copies on the 6th and 18th ticks (waits of 3 and 6 s in whole ticks): 2.75 and 8.75 s.
# Labs: the lwIP target is scripts/lab.sh (10.99.N.0/24, N in 30-39), the emulator that of
# scripts/emulator_lab.sh (10.99.N.0/24, N in 240-249, block 10.226.M.0/24). Nothing else is
# reachable; both are torn down on exit, also on failure. About 25 s, at most 16 SYN/ACKs per sender.
#
# usage: lwip_syn_again_lab_test.sh STACKPRINT LABTARGETS
# Exit 77 (ctest SKIP) when not root or when a tool or the lwIP target is missing.
set -u
prog=${1:?path of the stackprint binary}
targets=${2:?directory of the lab target programs}
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: the lwIP SYN-again lab test needs root (network namespaces)"; exit 77
fi
for tool in ip nft python3 timeout; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
[ -x "$targets/lwip_target" ] || { echo "SKIP: no lwip_target in $targets"; exit 77; }
targets=$(cd "$targets" && pwd) # lab.sh takes absolute paths only
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
db=${STACKPRINT_DB:-/usr/share/nmap/nmap-os-db}
[ -r "$db" ] || { echo "SKIP: no nmap-os-db at $db"; exit 77; }
reference="lwIP 1.3.0 lightweight TCP/IP stack"

# shellcheck source=scripts/emulator_lab.sh
. "$here/../../scripts/emulator_lab.sh"
# shellcheck source=tests/lab/syn_again_lab.sh
. "$here/syn_again_lab.sh"
emulator_lab_up lwsyn $((240 + $$ % 10)) 226
work=$lab_work
llab="lwsynk$(($$ % 100000))"
trap 'emulator_lab_down; "$repo/scripts/lab.sh" down "$llab" >/dev/null 2>&1' EXIT
syn_again_target_up "$llab" 30 "stack=$targets/lwip_target:22" || exit 1
ln=$syn_again_net

failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

syn_again_drop_resets "$llab-s" || { echo "FAIL: nftables rule (lwIP lab)"; exit 1; }
syn_again_drop_resets "$lab_scanner" || { echo "FAIL: nftables rule (emulator lab)"; exit 1; }

# run NAMESPACE SOURCE TARGET OUT: both senders at once, each bounded (15.5 s or 21.9 s, 16 SYN/ACKs).
run() {
  timeout 40 ip netns exec "$1" python3 "$here/syn_again.py" "$2" "$3" 22 --sport 41001 --at 0,0.2,0.5 \
    --listen 15 --max-packets 16 >"$4.a" 2>"$4.a.err" &
  local a=$!
  timeout 40 ip netns exec "$1" python3 "$here/syn_again.py" "$2" "$3" 22 --sport 41002 --at 0,20.9 \
    --listen 1 --max-packets 16 >"$4.b" 2>"$4.b.err" &
  local b=$!
  local status=0
  wait "$a" || { cat "$4.a.err"; status=1; }
  wait "$b" || { cat "$4.b.err"; status=1; }
  return $status
}

check() {
  python3 - "$1" "$2" <<'PY'
import json, sys
label, path = sys.argv[1], sys.argv[2]
problems = []

def load(name):
    rows = [json.loads(line) for line in open(f"{path}.{name}")]
    return [r["t"] for r in rows if r["dir"] == "syn"], [r for r in rows if r["dir"] == "synack"]

def within(acks, lo, hi):
    return [a for a in acks if lo <= a["t"] < hi]

syns, acks = load("a")
print(f"{label} A: " + ", ".join(f"{a['t']:.3f} s isn {a['seq']}" for a in acks))
if len(syns) != 3:
    problems.append(f"A: {len(syns)} SYNs sent, not 3")
else:
    for t in syns:
        if not within(acks, t, t + 0.15):
            problems.append(f"A: no SYN/ACK within 0.15 s of the SYN at {t:.3f} s")
    if len(within(acks, 2.6, 2.95)) != 1:
        problems.append("A: not one timer copy at 2.6 - 2.95 s")
if len(acks) != 4:
    problems.append(f"A: {len(acks)} SYN/ACKs, not 4 (three answers and one copy)")
if len({(a["seq"], a["ack"]) for a in acks}) > 1:
    problems.append(f"A: ISNs or acknowledgment numbers differ: {sorted({(a['seq'], a['ack']) for a in acks})}")

syns, acks = load("b")
print(f"{label} B: " + ", ".join(f"{a['t']:.3f} s isn {a['seq']}" for a in acks))
if len(syns) != 2:
    problems.append(f"B: {len(syns)} SYNs sent, not 2")
else:
    first = [a for a in acks if a["t"] < syns[1]]
    if not within(first, syns[0], syns[0] + 0.15):
        problems.append("B: no answer to the first SYN")
    if len(within(first, 2.6, 2.95)) != 1 or len(within(first, 8.6, 8.95)) != 1 or len(first) != 3:
        problems.append("B: before 20.9 s, not exactly the answer and copies at 2.6 - 2.95 and 8.6 - 8.95 s")
    late = within(acks, syns[1], syns[1] + 0.15)
    if not late:
        problems.append("B: no answer to the SYN at 20.9 s")
    elif first and late[0]["seq"] == first[0]["seq"]:
        problems.append("B: the SYN at 20.9 s got the old ISN (the connection was not forgotten)")
for p in problems:
    print(f"  {label}: {p}")
print(f"ok   {label}" if not problems else f"{label}: {len(problems)} problems")
sys.exit(1 if problems else 0)
PY
}

emulator_lab_start "$prog" "$work/hosts.jsonl" "$work/emulator.err" 60 --personality "$reference" \
  --open-ports 22 --db "$db" || exit 1
target="$lab_block.1"

# Both targets at the same time: lwIP and the emulator.
run "$llab-s" "10.99.$ln.1" "10.99.$ln.2" "$work/lwip" &
lwip_run=$!
run "$lab_scanner" "10.99.$lab_net.1" "$target" "$work/emulator" &
emulator_run=$!
wait "$lwip_run" || fail "the senders in the lwIP lab"
wait "$emulator_run" || fail "the senders in the emulator lab"
check "lwIP 2.1.3 (lwip_target)" "$work/lwip" || fail "lwIP"
check "emulate '$reference'" "$work/emulator" || fail "emulator"
emulator_lab_stop
python3 - "$work/emulator.err" <<'PY' || fail "emulator statistics"
import json, sys
stats = None
for line in open(sys.argv[1]):
    if line.startswith('{"emulator_stats"'):
        stats = json.loads(line)["emulator_stats"]["synack_retransmission"]
print(f"emulator: {stats}")
# A's two repeats answered; A and B forgotten 20 s after their last SYN (B's late SYN opened a third).
ok = stats and stats["scheduled"] == 3 and stats["repeated"] == 2 and stats["repeat_held"] == 0 \
    and stats["expired"] == 2
sys.exit(0 if ok else 1)
PY

echo "$failures failures"
[ "$failures" = 0 ]
