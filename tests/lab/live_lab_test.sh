#!/bin/bash
# Root-only lab test of the live I/O shell (ctest label "lab"). Creates two network namespaces joined
# by one veth pair and nothing else (no default route, no other interface), so no packet can leave:
#   scanner  splive<pid>-s  10.99.N.1/24
#   target   splive<pid>-t  10.99.N.2/24 (TCP listener on 8080) and 10.99.N.3/24 (drops all input)
# with N in 50-99. Runs live_lab inside them and tears everything down on exit, also on failure.
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
up="10.99.$n.2"; down="10.99.$n.3"; us="10.99.$n.1"
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
for ns in "$scanner" "$target"; do ip -n "$ns" link set lo up; done
ip -n "$scanner" link set "${name}a" up
ip -n "$target" link set "${name}b" up
# The "down" host exists (we created it) but answers nothing, not even ARP-level TCP/ICMP.
ip netns exec "$target" nft add table inet splive
ip netns exec "$target" nft add chain inet splive drop_down_host '{ type filter hook input priority 0; }'
ip netns exec "$target" nft add rule inet splive drop_down_host ip daddr "$down" drop
set +e

timeout 15 ip netns exec "$target" "$prog" listen "$up" 8080 12 &
listener_pid=$!
sleep 0.3

status=0
echo "== without privilege (uid nobody, no capabilities)"
timeout 10 ip netns exec "$scanner" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
  "$prog" no-privilege || status=1
echo "== scan as root, dropping privileges before parsing"
timeout 15 ip netns exec "$scanner" "$prog" scan "$up" "$down" 8080 8081 33434 || status=1
exit $status
