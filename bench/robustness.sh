#!/bin/bash
# Robustness benchmark (root, lab only): a seeded sample of nmap-os-db references is
# emulated by `stackprint emulate` in a private namespace pair and scanned by `nmap -O` and by
# `stackprint scan` in the same run, loss-free and under impairments: 10% and 30% reply loss, the
# firewall filters T2-T7, U1, IE and T2-T7,U1,IE, and an ICMP rate limit of 1 reply/s per host.
# For each tool it prints a Markdown table: the share of hosts whose top match (and whose top
# match's OS class) equals that tool's own loss-free result, the packets the tool sent (stackprint's
# own count from `-v`, Nmap's "Raw packets sent" from `-v`; both include port discovery) and the
# wall time.
#
# usage: sudo bench/robustness.sh STACKPRINT [COUNT=100] [SEED=21] [MAX_OS_TRIES=5]
# ROBUSTNESS_ONLY=key,key (e.g. icmp1) runs only those conditions besides the loss-free baseline
# (keys: loss0 loss10 loss30 fT2T7 fU1 fIE fall icmp1).
# Real stacks (a Linux kernel with 32 addresses, lwIP, LWIPv6) have their own rows:
# bench/robustness_real.sh; ROBUSTNESS_REAL_TARGETS=DIR (the build's labtargets/) appends them here.
# The emulator lab of scripts/emulator_lab.sh: namespaces loss<pid>-s / -e, 10.99.N.0/24 with N in
# 150-169, emulated block 10.202.M.0/24. Everything is torn down on exit (trap); every scan and the
# emulator are bounded by `timeout`.
set -u
prog=${1:?path of the stackprint binary}
count=${2:-100}
seed=${3:-21}
tries=${4:-5}
db=${STACKPRINT_DB:-/usr/share/nmap/nmap-os-db}
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
for tool in ip nmap python3 timeout; do
  command -v "$tool" >/dev/null || { echo "needs $tool"; exit 77; }
done
[ "$count" -ge 1 ] && [ "$count" -le 254 ] || { echo "COUNT must be 1..254"; exit 2; }
prog=$(readlink -f "$prog")

# shellcheck source=scripts/emulator_lab.sh
. "$(cd "$(dirname "$0")" && pwd)/../scripts/emulator_lab.sh"
emulator_lab_up loss $((150 + $$ % 20)) 202
work=$lab_work

targets="$lab_block.1-$count"
# One emulator per condition (impairments are emulator options); the same seed gives every
# address the same reference in every condition.
run_condition() {
  local key=$1; shift
  emulator_lab_start "$prog" "$work/hosts-$key.jsonl" "$work/emulator-$key.err" 1800 --personality random \
    --seed "$seed" "$@" >&2
  local t0 t1 t2
  t0=$(date +%s.%N)
  timeout 1200 ip netns exec "$lab_scanner" nmap -v -n -Pn -O --max-os-tries "$tries" --max-hostgroup 20 \
    -p 22,80,443 -oX "$work/nmap-$key.xml" "$targets" >"$work/nmap-$key.txt" 2>&1
  t1=$(date +%s.%N)
  # stackprint drops to nobody before writing reports: the XML goes to standard output.
  timeout 1200 ip netns exec "$lab_scanner" "$prog" scan -v -p 22,80,443 --max-os-tries "$tries" --group-size 20 \
    --output-xml - "$targets" >"$work/stackprint-$key.xml" 2>"$work/stackprint-$key.err"
  t2=$(date +%s.%N)
  emulator_lab_stop

  local nmap_packets sp_packets
  nmap_packets=$(grep -o 'Raw packets sent: [0-9]*' "$work/nmap-$key.txt" | tail -1 | grep -o '[0-9]*$')
  sp_packets=$(grep -o '[0-9]* packets sent' "$work/stackprint-$key.err" | tail -1 | grep -o '^[0-9]*')
  printf '%s nmap %s %s\n' "$key" "${nmap_packets:-0}" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" >>"$work/runs.txt"
  printf '%s stackprint %s %s\n' "$key" "${sp_packets:-0}" "$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')" >>"$work/runs.txt"
  echo "done: $key" >&2
}

conditions=(
  "loss0|0% loss|"
  "loss10|10% loss|--loss 0.1"
  "loss30|30% loss|--loss 0.3"
  "fT2T7|filter T2-T7|--filter T2-T7"
  "fU1|filter U1|--filter U1"
  "fIE|filter IE|--filter IE"
  "fall|filter T2-T7,U1,IE|--filter T2-T7,U1,IE"
  "icmp1|ICMP rate limit 1/s|--rate-limit-icmp 1"
)
started=$(date +%s)
only=${ROBUSTNESS_ONLY:-}
if [ -n "$only" ]; then
  kept=()
  for c in "${conditions[@]}"; do
    case ",loss0,$only," in *",${c%%|*},"*) kept+=("$c") ;; esac
  done
  conditions=("${kept[@]}")
fi
for c in "${conditions[@]}"; do
  IFS='|' read -r key label args <<<"$c"
  # shellcheck disable=SC2086  # args is a list of emulator options
  run_condition "$key" $args
done
finished=$(date +%s)

echo "Emulated references: $count (seed $seed, addresses $targets), nmap-os-db $(grep -m1 -o 'Id: [^$]*' "$db" || true)"
echo "Both tools: -p 22,80,443, --max-os-tries $tries, host groups of 20; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) at the end; $((finished - started)) s in all."
echo
printf '%s\n' "${conditions[@]}" >"$work/conditions.txt"
python3 - "$work" <<'PY'
import sys, xml.etree.ElementTree as ET
work = sys.argv[1]
conds = [line.rstrip("\n").split("|") for line in open(f"{work}/conditions.txt") if line.strip()]
runs = {}
for line in open(f"{work}/runs.txt"):
    key, tool, packets, secs = line.split()
    runs[(key, tool)] = (int(packets), float(secs))

def tops(path):
    """address -> (top osmatch name, its first class) or ('(none)', '') / ('(down)', '')."""
    out = {}
    try:
        root = ET.parse(path).getroot()
    except Exception:
        return out
    for host in root.iter("host"):
        addr = host.find("address").get("addr")
        status = host.find("status")
        if status is not None and status.get("state") != "up":
            out[addr] = ("(down)", "")
            continue
        match = host.find("os/osmatch")
        if match is None:
            out[addr] = ("(none)", "")
            continue
        cls = match.find("osclass")
        klass = "" if cls is None else "|".join(cls.get(k, "") for k in ("vendor", "osfamily", "osgen", "type"))
        out[addr] = (match.get("name"), klass)
    return out

for tool, title in (("stackprint", "stackprint scan"), ("nmap", "nmap -O")):
    base = tops(f"{work}/{tool}-loss0.xml")
    base_packets = runs.get(("loss0", tool), (0, 0.0))[0]
    print(f"**{title}** (agreement with its own loss-free result on {len(base)} hosts)")
    print()
    print("| condition | top-1 agreement | OS class agreement | packets sent | vs loss-free | wall time |")
    print("|---|---|---|---|---|---|")
    for key, label, _ in conds:
        cur = tops(f"{work}/{tool}-{key}.xml")
        same = sum(1 for a, v in base.items() if cur.get(a, ("(missing)", ""))[0] == v[0])
        same_class = sum(1 for a, v in base.items() if cur.get(a, ("(missing)", ""))[1] == v[1])
        packets, secs = runs.get((key, tool), (0, 0.0))
        total = max(len(base), 1)
        ratio = f"{packets / base_packets:.2f}x" if base_packets else "n/a"
        print(f"| {label} | {100 * same / total:.1f}% ({same}/{len(base)}) | {100 * same_class / total:.1f}% | "
              f"{packets:,} | {ratio} | {secs:.1f} s |")
    print()
PY
if [ -n "${ROBUSTNESS_REAL_TARGETS:-}" ]; then
  echo "### Real stacks"
  "$(cd "$(dirname "$0")" && pwd)/robustness_real.sh" "$prog" "$ROBUSTNESS_REAL_TARGETS"
fi
