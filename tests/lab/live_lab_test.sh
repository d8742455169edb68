#!/bin/bash
# Root-only lab test of the live I/O shell (ctest label "lab"). Creates two network namespaces joined
# by one veth pair and nothing else (no default route, no other interface), so no packet can leave:
#   scanner  splive<pid>-s  10.99.N.1/24
#   target   splive<pid>-t  10.99.N.2/24 (TCP listener on 8080), 10.99.N.3/24 (drops all input, ARP
#            too) and 10.99.N.4/24 (drops all IP input, answers ARP)
# with N in 50-99. Runs live_lab inside them, then (when installed) Nmap 7.93 with the same ports to
# cross-check the chosen OT/CT/CU, and tears everything down on exit, also on failure.
# Exit 77 (ctest SKIP) when not root or when `ip`/`nft` are missing.
set -u
prog=${1:?path of live_lab}
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: the live lab test needs root (it creates network namespaces); run ctest as root or -LE lab"
  exit 77
fi
for tool in ip nft timeout setpriv; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done

name="splive$$"
n=$((50 + $$ % 50))
scanner="$name-s"; target="$name-t"
up="10.99.$n.2"; down="10.99.$n.3"; arp_only="10.99.$n.4"; us="10.99.$n.1"
listener_pid=""
cleanup() {
  [ -n "$listener_pid" ] && kill "$listener_pid" 2>/dev/null
  ip netns del "$scanner" 2>/dev/null
  ip netns del "$target" 2>/dev/null
  true
}
trap cleanup EXIT INT TERM

set -e
ip netns add "$scanner"
ip netns add "$target"
ip link add "${name}a" type veth peer name "${name}b"
ip link set "${name}a" netns "$scanner"
ip link set "${name}b" netns "$target"
ip -n "$scanner" addr add "$us/24" dev "${name}a"
ip -n "$target" addr add "$up/24" dev "${name}b"
ip -n "$target" addr add "$down/24" dev "${name}b"
ip -n "$target" addr add "$arp_only/24" dev "${name}b"
for ns in "$scanner" "$target"; do ip -n "$ns" link set lo up; done
ip -n "$scanner" link set "${name}a" up
ip -n "$target" link set "${name}b" up
# The "down" host exists (we created it) but answers nothing, not even ARP. The "ARP only" host
# drops every IP packet but its kernel answers ARP for it.
ip netns exec "$target" nft add table inet splive
ip netns exec "$target" nft add chain inet splive drop_down_host '{ type filter hook input priority 0; }'
ip netns exec "$target" nft add rule inet splive drop_down_host ip daddr "$down" drop
ip netns exec "$target" nft add rule inet splive drop_down_host ip daddr "$arp_only" drop
ip netns exec "$target" nft add table arp splive
ip netns exec "$target" nft add chain arp splive no_arp '{ type filter hook input priority 0; }'
ip netns exec "$target" nft add rule arp splive no_arp arp daddr ip "$down" drop
# A local firewall rule in the scanner: outgoing TCP to port 7 is dropped (sendto() gets EPERM).
ip netns exec "$scanner" nft add table inet splive
ip netns exec "$scanner" nft add chain inet splive out '{ type filter hook output priority 0; }'
ip netns exec "$scanner" nft add rule inet splive out tcp dport 7 drop
set +e

timeout 40 ip netns exec "$target" "$prog" listen "$up" 8080 35 &
listener_pid=$!
sleep 0.3

status=0
echo "== without privilege (uid nobody, no capabilities)"
timeout 10 ip netns exec "$scanner" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
  "$prog" no-privilege || status=1
echo "== scan as root, dropping privileges before parsing"
out=$(timeout 15 ip netns exec "$scanner" "$prog" scan "$up" "$down" 8080 8081 33434 "$arp_only") || status=1
echo "$out"
ours=$(echo "$out" | sed -n 's/^selected: //p')

# Cross-check of the port choice (docs/nmap-behaviour.md 4.2) against Nmap 7.93 itself, when installed: the same
# ports, and the OT/CT/CU of the SCAN line Nmap prints with -d. Bounded: one OS try, 60 s.
if command -v nmap >/dev/null; then
  echo "== Nmap's choice of ports for the same port list"
  scan_line=$(timeout 60 ip netns exec "$scanner" nmap -n -Pn -O -sS -sU -p T:9,8080,8081,U:33434 --max-os-tries 1 \
    -d "$up" 2>&1 | sed -n 's/^OS://p' | tr -d '\n')
  theirs=$(echo "$scan_line" | grep -o 'OT=[0-9]*%CT=[0-9]*%CU=[0-9]*' | tr '%' ' ')
  echo "nmap: $theirs"
  echo "ours: $ours"
  if [ -z "$theirs" ] || [ "$theirs" != "$ours" ]; then
    echo "FAIL: port choice differs from Nmap's"
    status=1
  else
    echo "ok: same open/closed TCP and closed UDP ports as Nmap"
  fi
else
  echo "note: nmap not installed, cross-check skipped"
fi
exit $status
