#!/bin/bash
# Peak memory of `stackprint scan -iL LIST` against Nmap on the same lists, in one run.
# Root only: it builds a lab of two network namespaces joined by a veth pair and nothing else:
#   scanner  hostile<pid>-bs  10.99.N.1/24, route 10.204.0.0/16 via 10.99.N.2
#   sink     hostile<pid>-bp  10.99.N.2/24, blackhole route for 10.204.0.0/16
# so every listed address is down: its probes are routed to the sink and silently dropped there.
# That isolates what the list costs: reading it, discovery state per host in flight, reports per host.
#
# What runs (both with /usr/bin/time -v, peak RSS = "Maximum resident set size"):
#   stackprint scan -iL LIST -p T:80 --host-timeout 0.3 -oJ FILE   (up to 1,024 hosts in flight, the default)
#   nmap -sn -n -PS80 -iL LIST --max-retries 0 --initial-rtt-timeout 50ms --max-rtt-timeout 100ms
#        --min-rate 5000 --max-hostgroup 256 -oX FILE
# Nmap's host discovery with one SYN to port 80 is the closest Nmap mode that finishes 65,536 down
# hosts in minutes: `nmap -O -Pn` would port scan and then try OS detection on each of them. The
# stackprint run does port discovery (one SYN to 80) and reports each host down, which is the same
# work. stackprint's figure includes the parsed nmap-os-db (~25 MB), which Nmap -sn never loads, so
# the growth from the smallest to the largest list is the figure that shows streaming; the absolute
# ratio is printed too.
#
# usage: sudo bench/targets_memory.sh [STACKPRINT=build/stackprint] [SIZES="256 4096 65536"]
set -u
prog=${1:-build/stackprint}
sizes=${2:-256 4096 65536}
[ "$(id -u)" = 0 ] || { echo "run as root (network namespaces)"; exit 2; }
for tool in ip nmap /usr/bin/time; do command -v "$tool" >/dev/null || { echo "missing $tool"; exit 2; }; done
prog=$(readlink -f "$prog")

name="hostile$(( $$ % 100000 ))"
n=$((190 + $$ % 20))
scanner="$name-bs"; sink="$name-bp"
work=$(mktemp -d)
cleanup() {
  ip netns del "$scanner" 2>/dev/null
  ip netns del "$sink" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
set -e
ip netns add "$scanner"
ip netns add "$sink"
ip link add "${name}a" type veth peer name "${name}b"
ip link set "${name}a" netns "$scanner"
ip link set "${name}b" netns "$sink"
ip -n "$scanner" addr add "10.99.$n.1/24" dev "${name}a"
ip -n "$sink" addr add "10.99.$n.2/24" dev "${name}b"
for ns in "$scanner" "$sink"; do ip -n "$ns" link set lo up; done
ip -n "$scanner" link set "${name}a" up
ip -n "$sink" link set "${name}b" up
ip -n "$scanner" route add 10.204.0.0/16 via "10.99.$n.2"
ip -n "$sink" route add blackhole 10.204.0.0/16
ip netns exec "$sink" sysctl -qw net.ipv4.ip_forward=1
set +e

# write_list N FILE: the first N addresses of 10.204.0.0/16, one per line (all of it for 65,536).
write_list() {
  python3 -c "
import sys
n = int(sys.argv[1])
with open(sys.argv[2], 'w') as f:
    for i in range(n):
        f.write(f'10.204.{i >> 8}.{i & 255}\n')
" "$1" "$2"
}

# measure LABEL CMD...: prints "peak_kB wall_s exit".
measure() {
  local label=$1; shift
  ip netns exec "$scanner" /usr/bin/time -v "$@" >"$work/$label.out" 2>"$work/$label.time"
  local status=$?
  local kb wall
  kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/$label.time")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/$label.time")
  echo "$kb $wall $status"
}

printf '%-8s | %-28s | %-28s | %s\n' "targets" "stackprint peak RSS (wall)" "nmap -sn peak RSS (wall)" "ratio"
for size in $sizes; do
  write_list "$size" "$work/list$size"
  read -r s_kb s_wall s_status < <(measure "sp$size" "$prog" scan -iL "$work/list$size" -p T:80 \
    --host-timeout 0.3 -oJ "$work/sp$size.jsonl")
  s_hosts=$(wc -l <"$work/sp$size.jsonl")
  read -r n_kb n_wall n_status < <(measure "nmap$size" nmap -sn -n -PS80 -iL "$work/list$size" --max-retries 0 \
    --initial-rtt-timeout 50ms --max-rtt-timeout 100ms --min-rate 5000 --max-hostgroup 256 -oX "$work/nmap$size.xml")
  n_hosts=$(grep -c '<host' "$work/nmap$size.xml" 2>/dev/null || echo 0)
  n_down=$(grep -o 'down="[0-9]*"' "$work/nmap$size.xml" | grep -o '[0-9]*')
  ratio=$(python3 -c "print(f'{$s_kb / $n_kb:.2f}')")
  printf '%-8s | %8s kB (%s, %s hosts) | %8s kB (%s, %s down) | %s\n' "$size" "$s_kb" "$s_wall" "$s_hosts" \
    "$n_kb" "$n_wall" "${n_down:-?}" "$ratio"
  [ "$s_status" = 1 ] || echo "  note: stackprint exit $s_status (1 expected: no host up)"
  echo "$size $s_kb $n_kb" >>"$work/figures"
done
python3 - "$work/figures" <<'EOF'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1])]
if len(rows) >= 2:
    (a, sa, na), (b, sb, nb) = rows[0], rows[-1]
    print(f"growth from {a} to {b} targets: stackprint {sb - sa:+d} kB ({(sb - sa) * 1024 / (b - a):.1f} bytes/target), "
          f"nmap {nb - na:+d} kB ({(nb - na) * 1024 / (b - a):.1f} bytes/target)")
EOF
