#!/bin/bash
# Shared by the SYN-again lab tests (syn_again_lab_test.sh, lwip_syn_again_lab_test.sh); source it.
#   syn_again_target_up NAME FIRST [lab.sh OPTION...]
#       brings up a scripts/lab.sh lab NAME on the first subnet 10.99.N.0/24, N in FIRST..FIRST+9,
#       that no other lab uses (lab.sh refuses one in use); sets syn_again_net to N. On failure it
#       prints one FAIL line with lab.sh's error and returns 1.
#   syn_again_drop_resets NAMESPACE
#       drops every reset the namespace sends (nftables, output hook): syn_again.py's raw socket asks
#       for no SYN/ACK, and the kernel's resets would end the half-open connections under test.

syn_again_lab_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

syn_again_target_up() {
  local name=$1 first=$2 i n err
  shift 2
  err=$(mktemp)
  syn_again_net=""
  for i in 0 1 2 3 4 5 6 7 8 9; do
    n=$((first + ($$ + i) % 10))
    if "$syn_again_lab_repo/scripts/lab.sh" up "$name" "$n" "$@" >/dev/null 2>"$err"; then
      syn_again_net=$n
      break
    fi
    "$syn_again_lab_repo/scripts/lab.sh" down "$name" >/dev/null 2>&1
  done
  [ -n "$syn_again_net" ] || echo "FAIL: lab $name: $(cat "$err")"
  rm -f "$err"
  [ -n "$syn_again_net" ]
}

syn_again_drop_resets() {
  ip netns exec "$1" nft -f - <<'NFT'
table inet synagain {
  chain out {
    type filter hook output priority 0; policy accept;
    tcp flags & rst == rst drop
  }
}
NFT
}
