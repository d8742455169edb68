#!/usr/bin/env bash
# An isolated two-namespace lab: a scanner namespace and a target namespace joined by one veth pair.
# Neither namespace has any other interface (apart from its own loopback) or any route beyond the
# connected /24, so nothing sent inside can leave the lab. Several labs can run at once: each has its
# own name and subnet, and `up` refuses a name or subnet already in use.
#
#   scripts/lab.sh up NAME N [OPTION ...]
#   scripts/lab.sh down NAME
#   scripts/lab.sh status NAME          (prints addresses, sysctls, nft rules and listeners)
#
# NAME: a letter then up to 15 letters, digits or _; start it with a prefix of your own (the recording script
# uses "splab..."). N: 1..254, from your subnet range (lab 1-49, live 50-99, others 100-149).
#   scanner namespace NAME-s, interface "scan0", 10.99.N.1/24, MAC 02:00:0a:63:NN:01
#   target  namespace NAME-t, interface "targ0", 10.99.N.2/24, MAC 02:00:0a:63:NN:02   (NN = N in hex)
# Fixed MACs keep the SCAN line's M= field reproducible (M=02000A).
#
# OPTIONs (all apply to the target namespace unless stated):
#   KEY=VALUE        a sysctl, e.g. net.ipv4.ip_default_ttl=128. Short names are accepted for the
#                    net.ipv4 ones: ip_default_ttl, tcp_timestamps (0/1/2), tcp_sack, tcp_window_scaling,
#                    tcp_ecn, tcp_syncookies, icmp_echo_ignore_all, icmp_ratelimit, ...
#                    Commas in VALUE become spaces: tcp_rmem=4096,8192,16384
#   mtu=N            MTU of the veth pair, both ends (all four in a routed lab)
#   routed           put a router namespace NAME-r between them (one forwarding hop, so Nmap sees no
#                    target MAC): scanner 10.99.N.1 <-> .254 [NAME-r] .253 <-> 10.99.N.2 target,
#                    point-to-point links with host routes only
#   path-ttl=V       (routed) the router sets the TTL of packets it forwards to the target to V
#   drop-udp         nftables: drop every incoming UDP packet (no port unreachable -> U1 gets no reply)
#   drop-icmp-echo   nftables: drop incoming ICMP echo requests (IE gets no reply)
#   drop-tcp-port=P  nftables: drop incoming TCP to port P (makes the port "filtered")
#   loss=P           nftables: drop P percent of all incoming packets, at random (0 < P < 100)
#   drop-synack=K[,K...]  nftables (output hook): drop the K-th SYN/ACK the target sends (1-based,
#                    counting every SYN/ACK, its own retransmissions included), so the kernel
#                    retransmits it about 1 s later with the same ISN and a fresh timestamp
#   no-csum-offload  turn off TX checksum offload on both veth ends (ethtool), so the captured
#                    replies carry their final TCP/UDP checksums. By default veth leaves the target's
#                    SYN/ACKs with a partial (pseudo-header only) checksum in a capture.
#   ipid=MODE        nftables (output hook): rewrite the IP ID of every IPv4 packet the target sends
#   ipid-icmp=MODE   the same for ICMP only, with its own counter (then ipid= applies to the rest)
#                    MODE: inc:START:STEP  START, START+STEP, ... (mod 65536), one counter per rule
#                          rand:SEED       a fixed pseudo-random sequence (awk srand(SEED))
#                          const:VALUE     always VALUE
#                    (the sequence repeats after 1024 packets)
#   df=0|1           nftables (output hook): clear or set DF on every IPv4 packet the target sends
#   Quirks of other stacks, made by rewriting what the target sends (nftables output hook). Raw
#   rewrites are paired with a compensating change of a known word, so every checksum stays right:
#   u1-unused=V      ICMP port unreachable: the "unused" word's low 16 bits = V (UN=V)
#   u1-ripid=V       in the port unreachable for Nmap's U1 probe (quoted IP ID 0x1042): quoted IP ID = V
#                    (RID=V, RIPCK=I); the first quoted data word compensates (RUD=I)
#   u1-ripl=V        in the port unreachable quoting 328 bytes: quoted IP total length = V (RIPL=V, RIPCK=I); the second data word
#                    compensates (RUD=I)
#   rst-quirks       RSTs get reserved bits 0001 and urgent pointer 0xFEFF without URG (Q=RU)
#   rst-window=V     RSTs get window V
#   rst-seq=V        bare RSTs (no ACK) get sequence number V
#   rstack-ack=V     RST+ACKs get acknowledgment number V
#   rstack-flags=F   RST+ACKs get the nft flag list F, e.g. rst,ack,psh
#   ecn-cc=S|O       the SYN/ACK with ECE (reply to the ECN probe): flags become ECE+CWR (CC=S) or
#                    CWR only (CC=O)
#   stack=PROG:P     a third-party TCP/IP stack answers for 10.99.N.2 in place of the kernel: the
#                    target namespace gets a bridge "br0" joining targ0 and a TAP device "tap0", the
#                    kernel keeps no address there, and PROG (a lab target program, see docs/lab.md;
#                    called as PROG tap0 10.99.N.2 255.255.255.0 P) runs on tap0 and listens on port P
#   listen=P[,P...]  start a TCP listener on each port (a small python3 accept loop; it accepts and
#                    closes, and exits by itself after LAB_LISTEN_SECONDS, default 3600)
#
# Run tools inside with:  ip netns exec NAME-s <scanner command> 10.99.N.2
# `down` kills every process still inside either namespace (those can only be ones the lab started
# or the caller ran there), then deletes the namespaces. It is idempotent.
set -euo pipefail

die() { echo "lab.sh: $*" >&2; exit 2; }
usage() { sed -n '2,30p' "$0" >&2; exit 2; }

python=/usr/bin/python3
half_built=
state_root=/run/splab
lock_file=/run/splab.lock

check_name() {
  [[ $1 =~ ^[A-Za-z][A-Za-z0-9_]{1,15}$ ]] || die "NAME must match [A-Za-z][A-Za-z0-9_]{1,15} (got '$1')"
}

ns_exists() { ip netns list | awk '{print $1}' | grep -qx -- "$1"; }

# Kills every process inside namespace $1 (TERM, then KILL after a short grace), bounded in time.
kill_ns_processes() {
  local ns=$1 pids i
  ns_exists "$ns" || return 0
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  [ -z "$pids" ] && return 0
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  for i in 1 2 3 4 5 6 7 8 9 10; do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -z "$pids" ] && return 0
    sleep 0.1
  done
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
  sleep 0.1
}

lab_down() {
  local name=$1
  check_name "$name"
  kill_ns_processes "$name-t"
  kill_ns_processes "$name-s"
  kill_ns_processes "$name-r"
  # Deleting one end of the veth pair deletes the other; deleting the namespaces does it too.
  ip netns del "$name-s" 2>/dev/null || true
  ip netns del "$name-t" 2>/dev/null || true
  ip netns del "$name-r" 2>/dev/null || true
  rm -rf "${state_root:?}/$name"
}

# Is 10.99.N.0/24 already used by any namespace (ours or another user's)?
subnet_in_use() {
  local n=$1 ns
  for ns in $(ip netns list | awk '{print $1}'); do
    if ip -n "$ns" -4 -o addr show 2>/dev/null | grep -q " 10\.99\.$n\.[0-9]*/"; then
      echo "$ns"; return 0
    fi
  done
  return 1
}

# A 16-bit value (decimal or 0x hex), checked; printed in decimal.
u16() {
  [[ $1 =~ ^(0x[0-9a-fA-F]{1,4}|[0-9]{1,5})$ ]] && [ $(($1)) -le 65535 ] || die "bad 16-bit value '$1'"
  echo $(($1))
}

# The value a word W must take so that changing another word from OLD to NEW leaves the Internet
# checksum unchanged: W + OLD - NEW in one's-complement arithmetic.
compensate() {
  local w=$(($1)) old=$(($2)) new=$(($3)) sum
  sum=$((w + old + (0xffff - new)))
  while [ $sum -gt 65535 ]; do sum=$(((sum & 0xffff) + (sum >> 16))); done
  echo $sum
}

# Prints the nft expression for an IP ID MODE (see the header).
ipid_expression() {
  local mode=$1 a b
  case "$mode" in
    inc:*:*)
      a=${mode#inc:}; b=${a#*:}; a=${a%%:*}
      [[ $a =~ ^[0-9]+$ && $b =~ ^[0-9]+$ ]] || die "bad ipid mode '$mode'"
      echo "numgen inc mod 1024 map { $(awk -v s="$a" -v st="$b" \
        'BEGIN { for (i = 0; i < 1024; i++) printf "%s%d : %d", (i ? ", " : ""), i, (s + i * st) % 65536 }') }"
      ;;
    rand:*)
      a=${mode#rand:}
      [[ $a =~ ^[0-9]+$ ]] || die "bad ipid mode '$mode'"
      echo "numgen inc mod 1024 map { $(awk -v seed="$a" \
        'BEGIN { srand(seed); for (i = 0; i < 1024; i++) printf "%s%d : %d", (i ? ", " : ""), i, int(rand() * 65536) }') }"
      ;;
    const:*)
      a=${mode#const:}
      [[ $a =~ ^(0x[0-9a-fA-F]+|[0-9]+)$ ]] || die "bad ipid mode '$mode'"
      echo "$a"
      ;;
    *) die "bad ipid mode '$mode' (inc:START:STEP, rand:SEED, const:VALUE)" ;;
  esac
}

start_listener() {
  local name=$1 port=$2 seconds=${LAB_LISTEN_SECONDS:-3600}
  [[ $port =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die "bad listen port '$port'"
  [ -x "$python" ] || die "$python not found (Debian package python3)"
  # An accept-and-close loop; it never sends data, so the OS-detection probes only meet the kernel.
  ip netns exec "$name-t" timeout "$seconds" "$python" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(128)
while True:
    c, _ = s.accept()
    c.close()
' "$port" </dev/null >/dev/null 2>"$state_root/$name/listen-$port.err" &
  echo $! >>"$state_root/$name/listener.pids"
}

# Moves the target's address from the kernel to a user-space stack on a TAP device bridged to targ0.
start_stack() {
  local name=$1 n=$2 prog=$3 port=$4 t="$1-t" i
  ip -n "$t" addr flush dev targ0
  ip -n "$t" link add br0 type bridge
  ip -n "$t" tuntap add dev tap0 mode tap
  ip -n "$t" link set targ0 master br0
  ip -n "$t" link set tap0 master br0
  ip -n "$t" link set br0 up
  ip -n "$t" link set tap0 up
  ip netns exec "$t" "$prog" tap0 "10.99.$n.2" 255.255.255.0 "$port" </dev/null \
    >"$state_root/$name/stack.out" 2>&1 &
  echo $! >>"$state_root/$name/listener.pids"
  for i in $(seq 1 50); do
    grep -q listening "$state_root/$name/stack.out" 2>/dev/null && return 0
    sleep 0.1
  done
  die "stack $prog did not start: $(cat "$state_root/$name/stack.out" 2>/dev/null)"
}

wait_listening() {
  local name=$1 port=$2 i
  for i in $(seq 1 50); do
    if ip netns exec "$name-t" ss -Hltn "sport = :$port" | grep -q LISTEN; then return 0; fi
    sleep 0.1
  done
  die "listener on port $port did not start: $(cat "$state_root/$name/listen-$port.err" 2>/dev/null)"
}

lab_up() {
  local name=$1 n=$2; shift 2
  check_name "$name"
  [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 254 ] || die "N must be 1..254 (got '$n')"
  local s="$name-s" t="$name-t" hex user
  hex=$(printf '%02x' "$n")

  # Serialise the check-and-create step against other labs started at the same moment.
  exec 9>"$lock_file"
  flock -w 30 9 || die "could not lock $lock_file"
  local r="$name-r" routed=0 opt
  for opt in "$@"; do [ "$opt" = routed ] && routed=1; done
  if ns_exists "$s" || ns_exists "$t" || ns_exists "$r"; then die "lab $name already exists (run: lab.sh down $name)"; fi
  if user=$(subnet_in_use "$n"); then die "subnet 10.99.$n.0/24 already used by namespace $user"; fi

  # From here on, undo everything on any failure (die, or a failing command under set -e).
  half_built=$name
  trap '[ -n "$half_built" ] && lab_down "$half_built"' EXIT
  mkdir -p "$state_root/$name"
  : >"$state_root/$name/listener.pids"
  ip netns add "$s"
  ip netns add "$t"
  # Create both ends directly inside their namespaces: no name is ever taken in the root namespace.
  if [ $routed -eq 0 ]; then
    ip link add scan0 netns "$s" address "02:00:0a:63:$hex:01" type veth \
      peer name targ0 netns "$t" address "02:00:0a:63:$hex:02"
  else
    ip netns add "$r"
    ip link add scan0 netns "$s" address "02:00:0a:63:$hex:01" type veth \
      peer name rs0 netns "$r" address "02:00:0a:63:$hex:fe"
    ip link add rt0 netns "$r" address "02:00:0a:63:$hex:fd" type veth \
      peer name targ0 netns "$t" address "02:00:0a:63:$hex:02"
  fi
  flock -u 9; exec 9>&-

  local ns all_ns=("$s" "$t")
  [ $routed -eq 1 ] && all_ns+=("$r")
  for ns in "${all_ns[@]}"; do
    # No IPv6 chatter (router solicitations, DAD) in the captures.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
  done
  ip netns exec "$s" sysctl -qw net.ipv6.conf.scan0.disable_ipv6=1
  ip netns exec "$t" sysctl -qw net.ipv6.conf.targ0.disable_ipv6=1
  if [ $routed -eq 0 ]; then
    ip -n "$s" addr add "10.99.$n.1/24" dev scan0
    ip -n "$t" addr add "10.99.$n.2/24" dev targ0
  else
    # Point-to-point links: scanner .1 <-> .254 router .253 <-> .2 target; host routes only.
    ip netns exec "$r" sysctl -qw net.ipv6.conf.rs0.disable_ipv6=1 net.ipv6.conf.rt0.disable_ipv6=1 \
      net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0
    ip -n "$s" addr add "10.99.$n.1" peer "10.99.$n.254" dev scan0
    ip -n "$r" addr add "10.99.$n.254" peer "10.99.$n.1" dev rs0
    ip -n "$r" addr add "10.99.$n.253" peer "10.99.$n.2" dev rt0
    ip -n "$t" addr add "10.99.$n.2" peer "10.99.$n.253" dev targ0
  fi

  local opt nft_rules=() out_rules=() listen_ports=() key value ipid_all="" ipid_icmp="" stack=""
  for opt in "$@"; do
    case "$opt" in
      mtu=*)
        value=${opt#mtu=}
        [[ $value =~ ^[0-9]+$ ]] && [ "$value" -ge 68 ] && [ "$value" -le 65535 ] || die "bad mtu '$value'"
        ip -n "$s" link set scan0 mtu "$value"
        ip -n "$t" link set targ0 mtu "$value"
        if [ $routed -eq 1 ]; then
          ip -n "$r" link set rs0 mtu "$value"; ip -n "$r" link set rt0 mtu "$value"
        fi
        ;;
      no-csum-offload)
        command -v ethtool >/dev/null || die "ethtool not installed (Debian package ethtool)"
        ip netns exec "$s" ethtool -K scan0 tx off >/dev/null
        ip netns exec "$t" ethtool -K targ0 tx off >/dev/null
        ;;
      routed) ;;
      path-ttl=*)
        [ $routed -eq 1 ] || die "path-ttl needs routed"
        value=${opt#*=}; [[ $value =~ ^[0-9]+$ ]] && [ "$value" -ge 1 ] && [ "$value" -le 255 ] || die "bad path-ttl"
        # Forwarded packets reach the target with this TTL, as if they had crossed many hops.
        printf 'table ip splabpath {\n  chain to_target { type filter hook forward priority 0; policy accept;\n    oifname "rt0" ip ttl set %s\n  }\n}\n' "$value" |
          ip netns exec "$r" nft -f -
        ;;
      drop-udp) nft_rules+=("meta l4proto udp drop") ;;
      drop-icmp-echo) nft_rules+=("icmp type echo-request drop") ;;
      drop-tcp-port=*)
        value=${opt#drop-tcp-port=}
        [[ $value =~ ^[0-9]+$ ]] || die "bad port '$value'"
        nft_rules+=("tcp dport $value drop")
        ;;
      ipid=*) ipid_all=$(ipid_expression "${opt#ipid=}") ;;
      ipid-icmp=*) ipid_icmp=$(ipid_expression "${opt#ipid-icmp=}") ;;
      u1-unused=*) out_rules+=("icmp type destination-unreachable icmp mtu set $(u16 "${opt#*=}")") ;;
      u1-ripid=*)
        value=$(u16 "${opt#*=}")
        out_rules+=("icmp type destination-unreachable @th,96,16 0x1042 @th,288,16 0x4343 @th,288,16 set $(compensate 0x4343 0x1042 "$value") @th,96,16 set $value")
        ;;
      u1-ripl=*)
        value=$(u16 "${opt#*=}")
        out_rules+=("icmp type destination-unreachable @th,80,16 328 @th,304,16 0x4343 @th,304,16 set $(compensate 0x4343 328 "$value") @th,80,16 set $value")
        ;;
      rst-quirks)
        # Data offset 5 + reserved 0001: the word at byte 12 grows by 0x0100; the urgent pointer
        # (0 in Linux RSTs) takes 0xFEFF, which is -0x0100 in one's complement.
        out_rules+=("tcp flags & rst == rst @th,96,4 5 @th,100,4 0 tcp urgptr 0 @th,100,4 set 1 @th,144,16 set 0xfeff")
        ;;
      rst-seq=*)
        value=${opt#*=}; [[ $value =~ ^[0-9]+$ ]] || die "bad rst-seq '$value'"
        out_rules+=("tcp flags & (rst|ack) == rst tcp sequence set $value")
        ;;
      rstack-ack=*)
        value=${opt#*=}; [[ $value =~ ^[0-9]+$ ]] || die "bad rstack-ack '$value'"
        out_rules+=("tcp flags & (rst|ack) == rst|ack tcp ackseq set $value")
        ;;
      rstack-flags=*)
        value=${opt#*=}; [[ $value =~ ^[a-z]+(,[a-z]+)*$ ]] || die "bad rstack-flags '$value'"
        out_rules+=("tcp flags & (rst|ack) == rst|ack tcp flags set ${value//,/|}")
        ;;
      rst-window=*) out_rules+=("tcp flags & rst == rst tcp window set $(u16 "${opt#*=}")") ;;
      ecn-cc=S) out_rules+=("tcp flags & (syn|ack|ecn|cwr) == syn|ack|ecn tcp flags set syn|ack|ecn|cwr") ;;
      ecn-cc=O) out_rules+=("tcp flags & (syn|ack|ecn|cwr) == syn|ack|ecn tcp flags set syn|ack|cwr") ;;
      drop-synack=*)
        value=${opt#drop-synack=}
        [[ $value =~ ^[1-9][0-9]{0,3}(,[1-9][0-9]{0,3})*$ ]] || die "bad drop-synack '$value' (K[,K...], 1..9999)"
        # numgen counts only the packets that reach it, i.e. the SYN/ACKs; it starts at 0.
        out_rules+=("tcp flags & (syn|ack) == syn|ack numgen inc mod 10000 { $(tr ',' '\n' <<<"$value" | awk '{ printf "%s%d", (NR > 1 ? ", " : ""), $1 - 1 }') } drop")
        ;;
      df=0) out_rules+=("ip frag-off set 0") ;;
      df=1) out_rules+=("ip frag-off set 0x4000") ;;
      loss=*)
        value=${opt#loss=}
        [[ $value =~ ^[0-9]+$ ]] && [ "$value" -ge 1 ] && [ "$value" -le 99 ] || die "loss must be 1..99"
        # Only IPv4: ARP is not affected (ARP never reaches the inet family hooks anyway).
        nft_rules+=("numgen random mod 100 < $value drop")
        ;;
      stack=*)
        stack=${opt#stack=}
        [[ $stack =~ ^/[^:]+:[0-9]+$ ]] && [ -x "${stack%:*}" ] || die "stack= needs an absolute executable path and a port (got '$stack')"
        ;;
      listen=*)
        IFS=, read -r -a ports <<<"${opt#listen=}"
        listen_ports+=("${ports[@]}")
        ;;
      *=*)
        key=${opt%%=*}; value=${opt#*=}
        case "$key" in net.*|kernel.*) ;; *) key="net.ipv4.$key" ;; esac
        [ -e "/proc/sys/${key//.//}" ] || die "unknown sysctl '$key'"
        # Commas stand for the spaces of multi-value sysctls (tcp_rmem=4096,8192,16384).
        ip netns exec "$t" sysctl -qw "$key=${value//,/ }"
        ;;
      *) die "unknown option '$opt'" ;;
    esac
  done

  if [ ${#nft_rules[@]} -gt 0 ]; then
    {
      echo "table inet splab {"
      echo "  chain in { type filter hook input priority 0; policy accept;"
      local r
      for r in "${nft_rules[@]}"; do echo "    $r"; done
      echo "  }"
      echo "}"
    } | ip netns exec "$t" nft -f -
  fi

  # Rewrites of what the target sends (after routing, so the kernel's own choices are replaced).
  # The IP ID must be set through a map: a computed value (numgen) is written in the wrong byte order.
  if [ -n "$ipid_icmp" ]; then out_rules=("meta l4proto icmp ip id set $ipid_icmp" "${out_rules[@]}"); fi
  if [ -n "$ipid_all" ]; then
    if [ -n "$ipid_icmp" ]; then out_rules+=("meta l4proto != icmp ip id set $ipid_all")
    else out_rules+=("ip id set $ipid_all"); fi
  fi
  if [ ${#out_rules[@]} -gt 0 ]; then
    {
      echo "table ip splabout {"
      echo "  chain out { type filter hook output priority 0; policy accept;"
      local r
      for r in "${out_rules[@]}"; do echo "    $r"; done
      echo "  }"
      echo "}"
    } | ip netns exec "$t" nft -f -
  fi

  ip -n "$s" link set scan0 up
  ip -n "$t" link set targ0 up
  if [ $routed -eq 1 ]; then
    ip -n "$r" link set rs0 up
    ip -n "$r" link set rt0 up
    ip -n "$s" route add "10.99.$n.2" via "10.99.$n.254"
    ip -n "$t" route add "10.99.$n.1" via "10.99.$n.253"
  fi

  if [ -n "$stack" ]; then start_stack "$name" "$n" "${stack%:*}" "${stack##*:}"; fi
  local p
  for p in "${listen_ports[@]}"; do start_listener "$name" "$p"; done
  for p in "${listen_ports[@]}"; do wait_listening "$name" "$p"; done
  half_built=
  trap - EXIT
  echo "lab $name up: scanner $s 10.99.$n.1 (scan0) <-> target $t 10.99.$n.2 (targ0)"
}

lab_status() {
  local name=$1
  check_name "$name"
  ns_exists "$name-t" || die "lab $name is not up"
  ip -n "$name-s" -br addr; ip -n "$name-t" -br addr
  ip netns exec "$name-t" sysctl net.ipv4.ip_default_ttl net.ipv4.tcp_timestamps net.ipv4.tcp_sack \
    net.ipv4.tcp_window_scaling net.ipv4.tcp_ecn net.ipv4.tcp_syncookies net.ipv4.icmp_echo_ignore_all
  ip netns exec "$name-t" nft list ruleset
  ip netns exec "$name-t" ss -Hltn
}

[ "$(id -u)" -eq 0 ] || die "needs root (ip netns)"
cmd=${1:-}; [ -n "$cmd" ] || usage
case "$cmd" in
  up)     [ $# -ge 3 ] || usage; shift; lab_up "$@" ;;
  down)   [ $# -eq 2 ] || usage; lab_down "$2" ;;
  status) [ $# -eq 2 ] || usage; lab_status "$2" ;;
  *) usage ;;
esac
