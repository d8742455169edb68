#!/usr/bin/env bash
# Records golden data from a real Nmap 7.93 OS-detection run against a kernel "personality" in a lab
# (scripts/lab.sh): the full exchange as a pcap, Nmap's normal and XML output, the fingerprint block it
# printed, and a meta.json describing the run.
#
#   scripts/record-nmap.sh [-o OUTDIR] [-f] PERSONALITY...   record the named personalities
#   scripts/record-nmap.sh -l                                list the personalities
#   scripts/record-nmap.sh [-o OUTDIR] [-f] all              record all of them
#
# Output per personality: OUTDIR/<name>/ (default OUTDIR: tests/data/captures) with
#   capture.pcap     every frame to or from the target, seen on the scanner's veth end (Ethernet
#                    headers, full snaplen, pcap, microsecond timestamps)
#   nmap.nmap        Nmap's normal output (-oN)
#   nmap.xml         Nmap's XML output (-oX)
#   nmap.stdout      what Nmap printed on stdout (with the -vv progress lines, e.g. one
#                    "Initiating/Retrying OS detection (try #N)" line per round)
#   fingerprint.txt  exactly the fingerprint block Nmap printed after "TCP/IP fingerprint:" (wrapped
#                    "OS:" lines or unwrapped lines, each ending in \n; checked equal to the XML copy)
#   meta.json        addresses, ports, lab options, the exact nmap command line, versions, date
# An existing directory is kept unless -f is given. Nothing is written when a step fails.
# Everything is bounded in time; the lab is always torn down (trap), and only our namespaces are used.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
lab="$here/lab.sh"
python=/usr/bin/python3
outdir="$repo/tests/data/captures"
force=0
open_port=80
closed_port=22
closed_udp_port=40125
nmap_timeout=180

# name | lab options | nmap variant[ extra nmap args] | what it varies
# nmap variants:
#   std       -sS -sU -p T:22,80,U:40125 --max-os-tries 1   (ideal conditions: OT, CT and CU known)
#   tries5    as std, but the default --max-os-tries (5)
#   noguess   as std, but without --osscan-guess
#   nosu      -sS -p 22,80 only (no UDP scan: CU unknown -> "not ideal", G=N)
#   noclosed  -sS -sU -p T:80,U:40125 (no closed TCP port from the scan -> CT empty, G=N)
#   noclosedtries  as noclosed, default --max-os-tries (a "not ideal" reason caps the tries at 2)
#   noopen    -sS -sU -p T:22,U:40125 with no listener (no open port: no SEQ/OPS/WIN/ECN/T1-T4)
personalities() {
  cat <<'EOF'
default|listen=80|std|Linux defaults (TTL 64, timestamps 1, SACK, window scaling, ECN 2, syncookies 1)
csumfull|listen=80 no-csum-offload|std|Linux defaults with TX checksum offload off: every captured checksum is final
ts2csumfull|listen=80 tcp_timestamps=2 no-csum-offload|std|as ts2 (perfect match expected) with final checksums
ttl128|listen=80 ip_default_ttl=128|std|initial TTL 128
ttl255|listen=80 ip_default_ttl=255|std|initial TTL 255
ttl32|listen=80 ip_default_ttl=32|std|initial TTL 32
ts0|listen=80 tcp_timestamps=0|std|no TCP timestamps (TS=U, no T option)
ts2|listen=80 tcp_timestamps=2|std|timestamps without random per-connection offset (TS by clock rate)
nosack|listen=80 tcp_sack=0|std|no SACK-permitted option
nowscale|listen=80 tcp_window_scaling=0|std|no window scale option
ecn1|listen=80 tcp_ecn=1|std|ECN requested and accepted (ECN CC=Y both ways)
ecn0|listen=80 tcp_ecn=0|std|ECN disabled (ECN CC=N)
syncookies2|listen=80 tcp_syncookies=2|std|SYN cookies always sent (ISN from cookies)
mtu1280|listen=80 mtu=1280|std|veth MTU 1280 (MSS 1240 = 0x4D8)
mtu576|listen=80 mtu=576|std|veth MTU 576 (MSS 536 = 0x218)
dropudp|listen=80 drop-udp|std|all UDP dropped by nftables (U1 R=N, TG instead of T, CU unknown)
dropecho|listen=80 drop-icmp-echo|std|ICMP echo dropped by nftables (IE R=N)
echoignore|listen=80 icmp_echo_ignore_all=1|std|ICMP echo ignored by the kernel sysctl (IE R=N)
windowsish|listen=80 ip_default_ttl=128 tcp_timestamps=0 tcp_window_scaling=0|std|TTL 128, no timestamps, no window scaling
tries5|listen=80|tries5|Linux defaults, default --max-os-tries (5): merged fingerprint of all tries
nosu|listen=80|nosu|Linux defaults, TCP scan only (no -sU): U1 goes to a random port; CU is set from its reply
noclosed|listen=80|noclosed|Linux defaults, only the open TCP port scanned: CT empty, G=N
noclosedtries|listen=80|noclosedtries|as noclosed with the default --max-os-tries: G=N caps the retries at 2
noopen|listen=81|noopen|no open TCP port among the scanned ones: only IE, U1, T5-T7
noguess|listen=80|noguess|Linux defaults without --osscan-guess (no "Aggressive OS guesses" line)
oddball|listen=80 ip_default_ttl=255 tcp_timestamps=0 tcp_sack=0 tcp_window_scaling=0 tcp_ecn=0 mtu=576|std|everything off at once, TTL 255, MSS 536: far from any reference
t5|listen=80|std -T5|timing template 5: "not ideal" reason, G=N
scandelay|listen=80|std --scan-delay 600ms|600 ms between probes: "not ideal" (scan delay > 500 ms), SEQ spaced 600 ms
ipidinc|listen=80 ipid=inc:1000:1|std|IP ID rewritten (nft): one counter +1 for all replies (TI/CI/II=I, SS=S)
ipidsplit|listen=80 ipid=inc:1000:1 ipid-icmp=inc:40000:1|std|IP ID +1 counters, separate for ICMP starting at 40000 (SS=O)
ipidinc2|listen=80 ipid=inc:1000:2|std|IP ID +2 per packet (incr-by-2 class, printed I; no SS)
ipidbi|listen=80 ipid=inc:256:256|std|IP ID +256 per packet (BI, "broken little-endian incremental")
ipidri|listen=80 ipid=inc:1000:1500|std|IP ID +1500 per packet (RI, random positive increments)
ipidodd|listen=80 ipid=inc:1000:11|std|IP ID +11 per packet (odd, >9, <1000: unknown class, TI/CI/II left out)
ipidrand|listen=80 ipid=rand:42|std|IP ID from a fixed pseudo-random sequence (RD)
ipidconst|listen=80 ipid=const:0x1234|std|IP ID always 0x1234 (Nmap drops repeated SEQ replies with the same non-zero ID)
ipidwrap|listen=80 ipid=inc:65530:1|std|IP ID +1 starting at 65530: wraps during SEQ (32-bit diff quirk -> RD)
df1|listen=80 df=1|std|DF set on every reply (DF=Y in U1, DFI=Y)
df0|listen=80 df=0|std|DF cleared on every reply (DF=N everywhere)
u1quirks|listen=80 no-csum-offload u1-unused=0x1234 u1-ripid=0x2042 u1-ripl=0x150|std|port unreachable rewritten: UN=1234, RID=2042, RIPL=150, RIPCK=I, RUD=I (checksums kept valid)
rstquirks|listen=80 no-csum-offload rst-quirks rst-window=0x100|std|RSTs with reserved bits, urgent pointer without URG and window 0x100 (T4-T7 Q=RU, W=100)
rstfields|listen=80 no-csum-offload rst-seq=0 rstack-ack=0 rstack-flags=rst,ack,psh|std|bare RSTs with seq 0 (T4/T6 S=Z), RST+ACKs with ack 0 and PSH (T5/T7 A=Z, F=APR)
routed|listen=80 routed|std|one router namespace in between: DS=2, DC=I (distance from U1), no M= field
routeddropudp|listen=80 routed drop-udp|std|routed and no U1 reply: no DS/DC at all, TG instead of T
farpath|listen=80 routed path-ttl=40|std|routed, the router sets the TTL to 40 towards the target: U1 distance > 5 hops -> G=N
ecnccs|listen=80 no-csum-offload ecn-cc=S|std|ECN SYN/ACK with ECE and CWR (CC=S)
ecncco|listen=80 no-csum-offload ecn-cc=O|std|ECN SYN/ACK with CWR only (CC=O)
loss10|listen=80 loss=10|std|10% random loss of incoming packets (non-deterministic)
loss30tries5|listen=80 loss=30|tries5|30% random loss, up to 5 tries: merged fingerprint with repeated tests
smallwin|listen=80 tcp_rmem=4096,8192,16384|std|small receive buffer: different W1-W6 and ECN/T windows
srcport|listen=80|std -g 45000|fixed source port (-g): TCP and UDP probe port bases both 45000
fixedttl|listen=80|std --ttl 50|fixed probe TTL (--ttl 50) instead of random 37-59 (U1 still uses its own)
lateseq1|listen=80 drop-synack=2|std|SEQ1's SYN/ACK dropped once: the kernel's retransmission (same ISN, fresh TSval) arrives about 1 s later
lateseq1ts2|listen=80 tcp_timestamps=2 drop-synack=2|std|as lateseq1 with timestamps from one clock (TS by clock rate)
lateseq2ts2|listen=80 tcp_timestamps=2 drop-synack=3|std|SEQ2's SYN/ACK dropped once, timestamps from one clock: the retransmission about 1 s later, read by Nmap, moves TS
lateseq6ts2|listen=80 tcp_timestamps=2 drop-synack=7|std|SEQ6's SYN/ACK dropped once, timestamps from one clock: its retransmission comes after the try ended and is never read
lateseq25|listen=80 drop-synack=3,6|std|SEQ2's and SEQ5's SYN/ACKs dropped once: two retransmissions about 1 s later
EOF
}

die() { echo "record-nmap: $*" >&2; exit 2; }

lookup() { personalities | awk -F'|' -v n="$1" '$1 == n { print; found=1 } END { exit !found }'; }

# Brings a lab up on the first free subnet 10.99.N (N from RECORD_LAB_RANGE=FIRST-LAST, default
# 10-49); prints N.
lab_up_anywhere() {
  local opts=$1 n err range=${RECORD_LAB_RANGE:-10-49}
  [[ $range =~ ^[0-9]+-[0-9]+$ ]] || die "RECORD_LAB_RANGE must be FIRST-LAST (got '$range')"
  for n in $(seq "${range%-*}" "${range#*-}"); do
    # shellcheck disable=SC2086
    if err=$("$lab" up "splabr$n" "$n" $opts 2>&1 >/dev/null); then echo "$n"; return 0; fi
    case "$err" in *"already"*) continue ;; *) echo "$err" >&2; return 1 ;; esac
  done
  die "no free lab subnet in 10.99.$range"
}

record_one() {
  local pname=$1 row opts variant what
  row=$(lookup "$pname") || die "unknown personality '$pname' (see -l)"
  IFS='|' read -r _ opts variant what <<<"$row"
  local extra_args=()
  if [ "${variant#* }" != "$variant" ]; then read -r -a extra_args <<<"${variant#* }"; fi
  variant=${variant%% *}
  local dest="$outdir/$pname"
  if [ -e "$dest" ] && [ "$force" -eq 0 ]; then echo "skip $pname: $dest exists (use -f)"; return 0; fi

  local work n labname target scanner tcpdump_pid=""
  n=$(lab_up_anywhere "$opts")
  work=$(mktemp -d /tmp/splab-rec.XXXXXX)
  labname="splabr$n"; target="10.99.$n.2"; scanner="10.99.$n.1"
  # shellcheck disable=SC2064
  trap "[ -n \"\${tcpdump_pid:-}\" ] && kill -INT \$tcpdump_pid 2>/dev/null; '$lab' down '$labname'; rm -rf '$work'" EXIT

  local ports scan_types tries_args=(--max-os-tries 1) guess_args=(--osscan-guess)
  case "$variant" in
    std)      scan_types=(-sS -sU); ports="T:$closed_port,$open_port,U:$closed_udp_port" ;;
    noguess)  scan_types=(-sS -sU); ports="T:$closed_port,$open_port,U:$closed_udp_port"; guess_args=() ;;
    tries5)   scan_types=(-sS -sU); ports="T:$closed_port,$open_port,U:$closed_udp_port"; tries_args=() ;;
    nosu)     scan_types=(-sS);     ports="$closed_port,$open_port" ;;
    noclosed) scan_types=(-sS -sU); ports="T:$open_port,U:$closed_udp_port" ;;
    noclosedtries) scan_types=(-sS -sU); ports="T:$open_port,U:$closed_udp_port"; tries_args=() ;;
    noopen)   scan_types=(-sS -sU); ports="T:$closed_port,U:$closed_udp_port" ;;
    *) die "bad variant $variant" ;;
  esac
  local nmap_cmd=(nmap -O "${tries_args[@]}" "${guess_args[@]}" -vv -n -Pn "${scan_types[@]}" -p "$ports"
                  "${extra_args[@]}" -oN nmap.nmap -oX nmap.xml "$target")

  : >"$work/tcpdump.err"
  ip netns exec "$labname-s" tcpdump -i scan0 -n -s 262144 -U --immediate-mode -Z root --time-stamp-precision=micro \
    -w "$work/capture.pcap" "host $target" 2>"$work/tcpdump.err" &
  tcpdump_pid=$!
  local i
  for i in $(seq 1 50); do grep -q "listening on" "$work/tcpdump.err" && break; sleep 0.1; done
  grep -q "listening on" "$work/tcpdump.err" || die "tcpdump did not start: $(cat "$work/tcpdump.err")"

  local started
  started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  (cd "$work" && timeout "$nmap_timeout" ip netns exec "$labname-s" "${nmap_cmd[@]}" >nmap.stdout 2>nmap.stderr) ||
    die "nmap failed for $pname: $(tail -5 "$work/nmap.stderr")"
  sleep 1   # let late replies (and retransmissions) reach the capture
  kill -INT "$tcpdump_pid"
  timeout 10 tail --pid="$tcpdump_pid" -f /dev/null || true
  tcpdump_pid=""
  grep -q "^0 packets dropped by kernel" "$work/tcpdump.err" ||
    die "tcpdump lost packets or did not report: $(cat "$work/tcpdump.err")"

  # The fingerprint block of the normal output, checked against the XML copy.
  "$python" - "$work" <<'PY' || die "fingerprint extraction failed for $pname"
import sys, xml.etree.ElementTree as ET
work = sys.argv[1]
lines = open(f"{work}/nmap.nmap", encoding="utf-8").read().split("\n")
try:
    start = lines.index("TCP/IP fingerprint:") + 1
except ValueError:
    sys.exit("no 'TCP/IP fingerprint:' block in nmap.nmap")
end = lines.index("", start)
fp = "".join(l + "\n" for l in lines[start:end])
nodes = ET.parse(f"{work}/nmap.xml").getroot().findall(".//os/osfingerprint")
if len(nodes) != 1:
    sys.exit(f"expected one osfingerprint in XML, got {len(nodes)}")
if nodes[0].get("fingerprint") != fp:
    sys.exit("normal-output fingerprint differs from the XML one")
open(f"{work}/fingerprint.txt", "w", encoding="utf-8").write(fp)
PY

  local version
  version=$(nmap --version | sed -n 's/^Nmap version \([^ ]*\).*/\1/p')
  # The command line is stored as a list of words, exactly as run (inside the scanner namespace, with
  # the working directory being the output directory).
  M_NAME=$pname M_WHAT=$what M_OPTS=$opts M_TARGET=$target M_SCANNER=$scanner M_N=$n \
  M_PORTS=$ports M_VERSION=$version M_KERNEL=$(uname -r) M_DATE=$started \
    "$python" - "$work/meta.json" "${nmap_cmd[@]}" <<'PY'
import json, os, shlex, sys
e = os.environ
n = int(e["M_N"])
routed = "routed" in e["M_OPTS"].split()
import xml.etree.ElementTree as ET
ports_el = ET.parse(os.path.join(os.path.dirname(sys.argv[1]), "nmap.xml")).getroot().findall(".//host/ports/port")
def first_port(proto, state):
    found = sorted(int(p.get("portid")) for p in ports_el
                   if p.get("protocol") == proto and p.find("state").get("state") == state)
    return found[0] if found else None
cmd = sys.argv[2:]
meta = {
    "recorded_by": "scripts/record-nmap.sh",
    "personality": e["M_NAME"],
    "description": e["M_WHAT"],
    "lab_options": e["M_OPTS"].split(),
    "target_ip": e["M_TARGET"],
    "scanner_ip": e["M_SCANNER"],
    # In a routed lab the scanner's next hop is the router, so Nmap never learns the target's MAC.
    "target_mac": None if routed else f"02:00:0a:63:{n:02x}:02",
    "next_hop_mac": f"02:00:0a:63:{n:02x}:fe" if routed else f"02:00:0a:63:{n:02x}:02",
    "scanner_mac": f"02:00:0a:63:{n:02x}:01",
    # Ports as Nmap's port scan found them (from the XML port table), which is what OS detection
    # uses; null when the scan found none in that state.
    "open_tcp_port": first_port("tcp", "open"),
    "closed_tcp_port": first_port("tcp", "closed"),
    "closed_udp_port": first_port("udp", "closed"),
    "scanned_ports": e["M_PORTS"],
    "nmap_command": cmd,
    "nmap_command_line": shlex.join(cmd),
    "nmap_version": e["M_VERSION"],
    "kernel": e["M_KERNEL"],
    "date_utc": e["M_DATE"],
}
with open(sys.argv[1], "w") as f:
    json.dump(meta, f, indent=2)
    f.write("\n")
PY

  mkdir -p "$dest"
  rm -f "$dest"/*
  cp "$work/capture.pcap" "$work/nmap.nmap" "$work/nmap.stdout" "$work/nmap.xml" "$work/fingerprint.txt" "$work/meta.json" "$dest/"
  chmod 644 "$dest"/*
  "$lab" down "$labname"
  rm -rf "$work"
  trap - EXIT
  echo "recorded $pname -> $dest ($(du -sh "$dest" | cut -f1))"
}

[ "$(id -u)" -eq 0 ] || die "needs root"
while getopts "o:fl" o; do
  case "$o" in
    o) outdir=$(realpath -m "$OPTARG") ;;
    f) force=1 ;;
    l) personalities | awk -F'|' '{ printf "%-12s %-62s %s\n", $1, $2 " [" $3 "]", $4 }'; exit 0 ;;
    *) die "usage: record-nmap.sh [-o OUTDIR] [-f] PERSONALITY...|all  |  record-nmap.sh -l" ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || die "usage: record-nmap.sh [-o OUTDIR] [-f] PERSONALITY...|all  |  record-nmap.sh -l"
if [ "$1" = all ]; then set -- $(personalities | cut -d'|' -f1); fi
mkdir -p "$outdir"
for p in "$@"; do (record_one "$p"); done
