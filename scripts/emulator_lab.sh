# shellcheck shell=bash
# The emulator lab, sourced (not run) by tests/lab/{emulate,hostile,partial}_lab_test.sh and
# bench/{accuracy,robustness}.sh. Two namespaces joined by one veth pair and nothing else (no
# default route, no other interface), so nothing sent inside can leave:
#   scanner   NAME-s  10.99.N.1/24, route 10.B.M.0/24 via 10.99.N.2
#   emulator  NAME-e  10.99.N.2/24, runs `stackprint emulate --net 10.B.M.0/24` (its own TUN device
#                     NAME-t and route), so the emulated block is reachable from the scanner only
# NAME = PREFIX plus the caller's pid, M = 1 + pid % 250. Each caller picks its own PREFIX, N and B
# (its lab range); the environment may override them, so that several people can run the same
# script at once in their own ranges: STACKPRINT_LAB_PREFIX (at most 8 characters: interface names
# are limited to 15), STACKPRINT_LAB_NET (N), STACKPRINT_LAB_BLOCK (B).
#
#   emulator_lab_up PREFIX N B [BITS=24]   builds the lab (exits 1 when a step fails) and sets
#       lab_name                    NAME (the veth ends are NAMEa in the scanner, NAMEb in the emulator)
#       lab_scanner, lab_emulator   the namespace names
#       lab_tun                     the emulator's TUN device
#       lab_block                   "10.B.M": the emulated /24 is $lab_block.0/24, hosts $lab_block.1-254
#       lab_cidr, lab_hosts         the emulated block and its host count: $lab_block.0/24 and 254, or
#                                   with BITS 16-23 a larger block 10.B.X.0/BITS (X aligned to it,
#                                   lab_block is then its first /24) and 2^(32-BITS)-2 hosts
#       lab_work                    a fresh temporary folder
#     and traps EXIT (INT and TERM exit) to tear everything down: the emulator is stopped, both
#     namespaces are deleted, $lab_work is copied to $STACKPRINT_LAB_KEEP when that is set, then removed.
#   emulator_lab_start PROG HOSTS ERR SECONDS [emulate args...]
#     starts `PROG emulate --net $lab_cidr --tun NAME-t --duration SECONDS args...` in the
#     emulator namespace (also bounded by `timeout`, so it stops even if the caller is killed hard),
#     its JSON lines to HOSTS and its standard error to ERR; waits up to 60 s (a sanitizer build is slow
#     to build its personalities) for all $lab_hosts JSON lines
#     and the TUN device, then raises the device's queue to 10,000 packets (the probe bursts of a
#     whole /24 must not overflow it). Returns 1, after printing "FAIL: ..." and ERR, when the
#     emulator did not come up.
#   emulator_lab_stop   SIGTERM to the emulator, and wait for it (nothing when none runs).
#   STACKPRINT_LAB_EMULATOR_RT=1 runs the emulator at real-time priority (chrt -f 10) when chrt exists.

emulator_lab_up() {
  local prefix=${STACKPRINT_LAB_PREFIX:-$1} net=${STACKPRINT_LAB_NET:-$2} block=${STACKPRINT_LAB_BLOCK:-$3}
  local name="$prefix$(($$ % 100000))"
  lab_name=$name
  lab_scanner="$name-s"
  lab_emulator="$name-e"
  lab_net=$net
  local bits=${4:-24}
  case $bits in 1[6-9] | 2[0-4]) ;; *) echo "FAIL: emulator_lab_up: BITS must be 16-24, not $bits"; exit 1 ;; esac
  if [ "$bits" -lt 24 ]; then
    local span=$((1 << (24 - bits)))
    lab_block="10.$block.$(((($$ % 256) / span) * span))"
    lab_cidr="$lab_block.0/$bits"
  else
    lab_block="10.$block.$((1 + $$ % 250))"
    lab_cidr="$lab_block.0/24"
  fi
  lab_hosts=$(((1 << (32 - bits)) - 2))
  lab_tun="$name-t"
  lab_emulator_pid=""
  lab_work=$(mktemp -d)
  trap emulator_lab_down EXIT
  trap 'exit 130' INT TERM
  if ! { ip netns add "$lab_scanner" && ip netns add "$lab_emulator" &&
    ip link add "${name}a" netns "$lab_scanner" type veth peer name "${name}b" netns "$lab_emulator" &&
    ip -n "$lab_scanner" addr add "10.99.$net.1/24" dev "${name}a" &&
    ip -n "$lab_emulator" addr add "10.99.$net.2/24" dev "${name}b" &&
    ip -n "$lab_scanner" link set lo up && ip -n "$lab_emulator" link set lo up &&
    ip -n "$lab_scanner" link set "${name}a" up && ip -n "$lab_emulator" link set "${name}b" up &&
    ip -n "$lab_scanner" route add "$lab_cidr" via "10.99.$net.2"; }; then
    echo "FAIL: could not build the emulator lab $name (10.99.$net.0/24, $lab_cidr)"
    exit 1
  fi
}

emulator_lab_start() {
  local prog=$1 hosts=$2 err=$3 seconds=$4
  shift 4
  # STACKPRINT_LAB_EMULATOR_RT=1 (and chrt installed): the emulator at real-time priority, so that its
  # clock reads (ISN, TCP timestamps) are not delayed by other load on the machine.
  local rt=()
  [ "${STACKPRINT_LAB_EMULATOR_RT:-0}" = 1 ] && command -v chrt >/dev/null && rt=(chrt -f 10)
  timeout $((seconds + 10)) ip netns exec "$lab_emulator" "${rt[@]}" "$prog" emulate --net "$lab_cidr" \
    --tun "$lab_tun" --duration "$seconds" "$@" >"$hosts" 2>"$err" &
  lab_emulator_pid=$!
  # The emulator draws every host's personality before it serves (a /16 in ~5 s on a 2-core
  # machine, docs/benchmarks.md), so the wait grows with the block: 60 s plus 1 s per 1,000 hosts.
  local _
  for _ in $(seq 1 $((600 + lab_hosts / 100))); do
    if [ -f "$hosts" ] && [ "$(wc -l <"$hosts")" -ge "$lab_hosts" ] && ip -n "$lab_emulator" link show "$lab_tun" >/dev/null 2>&1; then
      ip -n "$lab_emulator" link set "$lab_tun" txqueuelen 10000
      return 0
    fi
    sleep 0.1
  done
  echo "FAIL: the emulator did not come up"
  cat "$err"
  return 1
}

emulator_lab_stop() {
  if [ -n "${lab_emulator_pid:-}" ]; then
    kill -TERM "$lab_emulator_pid" 2>/dev/null
    wait "$lab_emulator_pid" 2>/dev/null
  fi
  lab_emulator_pid=""
}

emulator_lab_down() {
  emulator_lab_stop
  ip netns del "$lab_scanner" 2>/dev/null
  ip netns del "$lab_emulator" 2>/dev/null
  [ -n "${STACKPRINT_LAB_KEEP:-}" ] && cp -r "$lab_work" "$STACKPRINT_LAB_KEEP"
  rm -rf "$lab_work"
  true
}
