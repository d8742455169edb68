#!/bin/bash
# Root-only lab test of SYN/ACK retransmission (ctest label "lab"): a block of emulated references
# with about 10% loss both ways (nftables drops 10% of what reaches the emulated block, --loss 10%
# drops 10% of the emulator's packets, copies included). Checks that
#   - the emulator sent SYN/ACKs again and the scanner kernel's resets stopped some (its statistics),
#   - the scanner saw them: the same SYN/ACK (address, ports, ISN) again at least 0.9 s later, with a
#     later TSval when it carries one (a capture in the scanner namespace, docs/emulator-timing.md),
#   - stackprint scan still names at least MIN_SHARE of the hosts (tests/lab/emulate_judge.py), and
#     no more than 2 hosts fewer than `nmap -O` scanning the same hosts under the same loss in the
#     same run (Nmap's figure is printed beside ours).
# The emulator lab of scripts/emulator_lab.sh: namespaces retrans<pid>-s / -e, 10.99.N.0/24 with N in
# 150-159, emulated block 10.210.M.0/24; nothing else is reachable, all is torn down on exit.
#
# usage: retransmit_lab_test.sh STACKPRINT [COUNT=16] [SEED=13] [MIN_SHARE=0.8]
# Exit 77 (ctest SKIP) when not root or when a tool is missing.
set -u
prog=${1:?path of the stackprint binary}
count=${2:-16}
seed=${3:-13}
min_share=${4:-0.8}
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: the retransmission lab test needs root (network namespaces)"; exit 77
fi
for tool in ip nft tcpdump python3 timeout nmap; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
here=$(cd "$(dirname "$0")" && pwd)
db=${STACKPRINT_DB:-/usr/share/nmap/nmap-os-db}
[ -r "$db" ] || { echo "SKIP: no nmap-os-db at $db"; exit 77; }

# shellcheck source=scripts/emulator_lab.sh
. "$here/../../scripts/emulator_lab.sh"
emulator_lab_up retrans $((150 + $$ % 10)) 210
work=$lab_work
chmod 755 "$work" # the scanner writes its report as nobody

failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# Inbound loss: 10% of the packets forwarded to the emulated block (the scanner's probes and resets).
ip netns exec "$lab_emulator" nft -f - <<NFT || { echo "FAIL: nftables rule"; exit 1; }
table ip retrans {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ip daddr $lab_cidr numgen random mod 100 < 10 drop
  }
}
NFT

emulator_lab_start "$prog" "$work/hosts.jsonl" "$work/emulator.err" 200 --personality random --seed "$seed" \
  --loss 10% || exit 1
head -n "$count" "$work/hosts.jsonl" >"$work/sample.jsonl"

# SYNs the scanner sends and SYN/ACKs it receives (a SYN sent again on the same connection is
# answered at once with the same ISN, for a Linux reference at most every 500 ms, as a real stack
# does: such a copy is no timer retransmission; docs/emulator-timing.md "The same SYN again").
timeout 50 ip netns exec "$lab_scanner" tcpdump -i "${lab_name}a" -U -n -w "$work/synack.pcap" \
  'tcp[tcpflags] & tcp-syn != 0' 2>"$work/tcpdump.err" &
tcpdump_pid=$!
for _ in $(seq 1 50); do [ -s "$work/synack.pcap" ] && break; sleep 0.1; done

start=$(date +%s.%N)
timeout 40 ip netns exec "$lab_scanner" "$prog" scan -p 22,80,443 -oX "$work/scan.xml" "$lab_block.1-$count" \
  >"$work/scan.out" 2>"$work/scan.err"
status=$?
echo "scan: exit $status, $(python3 -c "import sys; print(round($(date +%s.%N) - $start, 1))") s"
[ "$status" = 0 ] || { fail "stackprint scan exited $status"; cat "$work/scan.err"; }
# The last SYN/ACKs of the scan may still be sent again (first copies after 1 or 3 s).
sleep 3.5
kill -TERM "$tcpdump_pid" 2>/dev/null
wait "$tcpdump_pid" 2>/dev/null
# Nmap, side by side: the same hosts, the same loss (both nftables and --loss still apply).
start=$(date +%s.%N)
timeout 150 ip netns exec "$lab_scanner" nmap -O -n -Pn -p 22,80,443 -oX "$work/nmap.xml" "$lab_block.1-$count" \
  >"$work/nmap.out" 2>&1
status=$?
echo "nmap: exit $status, $(python3 -c "import sys; print(round($(date +%s.%N) - $start, 1))") s"
[ "$status" = 0 ] || { fail "nmap exited $status"; tail -5 "$work/nmap.out"; }
emulator_lab_stop

# 1. The emulator's own account.
python3 - "$work/emulator.err" <<'PY' || fail "emulator statistics"
import json, sys
stats = None
for line in open(sys.argv[1]):
    if line.startswith('{"emulator_stats"'):
        stats = json.loads(line)["emulator_stats"]
if stats is None:
    print("no emulator_stats line"); sys.exit(1)
r = stats["synack_retransmission"]
print(f"emulator: {r['scheduled']} SYN/ACKs, {r['retransmitted']} copies, {r['stopped']} stopped by the peer, "
      f"{r['exhausted']} exhausted, {stats['lost']} replies lost")
problems = []
if r["retransmitted"] < 1: problems.append("no SYN/ACK was sent again")
if r["stopped"] < 1: problems.append("no retransmission was stopped by a reset")
if stats["lost"] < 1: problems.append("--loss lost nothing")
if r["evicted"] != 0: problems.append(f"{r['evicted']} evicted with a handful of hosts")
print("; ".join(problems) if problems else "ok   emulator statistics")
sys.exit(1 if problems else 0)
PY

# 2. What the scanner saw: a SYN/ACK again, same ISN, >= 0.9 s later, later TSval.
python3 - "$work/synack.pcap" <<'PY' || fail "capture"
import struct, sys
data = open(sys.argv[1], "rb").read()
if len(data) < 24:
    print("empty capture"); sys.exit(1)
magic = struct.unpack("<I", data[:4])[0]
endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
linktype = struct.unpack(endian + "I", data[20:24])[0]
offset = 14 if linktype == 1 else 0
first = {}
repeats = []
syn_sends = {}  # (target address, target port, our port) -> times the scanner sent a SYN there
answers_to_resends = 0
pos = 24
while pos + 16 <= len(data):
    sec, frac, caplen, _ = struct.unpack(endian + "IIII", data[pos:pos + 16])
    pkt = data[pos + 16:pos + 16 + caplen]
    pos += 16 + caplen
    t = sec + frac / (1e9 if nano else 1e6)
    ip = pkt[offset:]
    if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
        continue
    ihl = (ip[0] & 15) * 4
    tcp = ip[ihl:]
    if len(tcp) < 20:
        continue
    sport, dport, seq = struct.unpack(">HHI", tcp[:8])
    if not tcp[13] & 0x10:  # a SYN without ACK: the scanner's probe
        syn_sends.setdefault((ip[16:20], dport, sport), []).append(t)
        continue
    doff = (tcp[12] >> 4) * 4
    tsval = None
    opts, i = tcp[20:doff], 0
    while i < len(opts):
        kind = opts[i]
        if kind == 0: break
        if kind == 1: i += 1; continue
        if i + 1 >= len(opts) or opts[i + 1] < 2: break
        if kind == 8 and opts[i + 1] == 10 and i + 10 <= len(opts):
            tsval = struct.unpack(">I", opts[i + 2:i + 6])[0]
        i += opts[i + 1]
    key = (ip[12:16], sport, dport, seq)
    if key in first:
        # The same SYN sent again after the first answer: this copy answers it.
        if any(first[key][0] < s < t for s in syn_sends.get((ip[12:16], sport, dport), [])):
            answers_to_resends += 1
            continue
        repeats.append((t - first[key][0], first[key][1], tsval))
    else:
        first[key] = (t, tsval)
problems = []
early = [r for r in repeats if r[0] < 0.9]
stale = [r for r in repeats if r[1] and r[2] is not None and not 0 < (r[2] - r[1]) % 2**32 < 2**31]
timed = [r for r in repeats if r[1] and r[2] is not None]
print(f"capture: {len(first)} SYN/ACKs, {len(repeats)} sent again ({len(timed)} with TSval), "
      f"{answers_to_resends} answers to a SYN sent again, "
      f"gaps {sorted(round(r[0], 2) for r in repeats)[:12]}")
if not repeats: problems.append("no SYN/ACK seen twice")
if early: problems.append(f"{len(early)} copies less than 0.9 s after the first: {early[:3]}")
if stale: problems.append(f"{len(stale)} copies without a later TSval: {stale[:3]}")
print("; ".join(problems) if problems else "ok   capture")
sys.exit(1 if problems else 0)
PY

# 3. The scan still names the hosts.
python3 "$here/emulate_judge.py" "$work/sample.jsonl" "$work/scan.xml" "$db" --min-share "$min_share" \
  --label stackprint >"$work/ours.judge" || fail "stackprint named fewer than $min_share of the hosts"
python3 "$here/emulate_judge.py" "$work/sample.jsonl" "$work/nmap.xml" "$db" --min-share 0 --label nmap \
  >"$work/nmap.judge" || fail "judging nmap"
cat "$work/ours.judge" "$work/nmap.judge"
# 4. Side by side with Nmap: random loss may cost either tool a host or two, not more.
python3 - "$work/ours.judge" "$work/nmap.judge" <<'PY' || fail "stackprint against nmap"
import json, sys
ours, nmap = (json.loads(open(f).readline())["identified"] for f in sys.argv[1:3])
print(f"named right under loss: stackprint {ours}, nmap {nmap}")
sys.exit(0 if ours >= nmap - 2 else 1)
PY

echo "$failures failures"
[ "$failures" = 0 ]
