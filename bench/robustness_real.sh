#!/bin/bash
# Robustness benchmark on real stacks (root, lab only): `stackprint scan` and `nmap -O` in the same
# run against
#   kernel  one Linux target namespace with 32 addresses (10.99.N.2-33, tcp_timestamps=2, the kernel's
#           default icmp_ratelimit, a listener on port 22), loss-free, with 10% and 30% loss both ways
#           (nftables `numgen random mod 100 < P drop` on the target's input and output hooks) and
#           behind a firewall filter (incoming UDP and ICMP echo dropped);
#   lwip, lwipv6  the third-party lab targets of labtargets/ (docs/lab.md), loss-free, then with 10%
#           and 30% loss both ways and behind the same filter (nftables on the bridge that joins the
#           target's veth to the stack's TAP device), STACK_RUNS runs each (default 3).
# Per row and tool: hosts (or runs) whose top match equals that tool's loss-free top match, packets
# sent (stackprint's count from -v, Nmap's "Raw packets sent") and wall time. For the loss-free
# third-party stacks also whether the fingerprints and guess lists are equal. Every scan of a
# third-party stack runs against a new target process.
#
# usage: sudo [STACK_RUNS=3] [ROBUST_KERNEL=0] [ROBUST_STACKS="lwip lwipv6"] [ROBUST_CONDITIONS="loss10 loss30 filter"]
#        bench/robustness_real.sh STACKPRINT LABTARGET_DIR [N=226]
# ROBUST_KERNEL=0 leaves out the kernel rows; ROBUST_STACKS and ROBUST_CONDITIONS choose the
# third-party stacks and their impaired conditions (the loss-free row of each stack always runs: it
# is the baseline of the others).
# scripts/lab.sh namespaces rsbench-s / -t on 10.99.N.0/24; torn down on exit; every scan bounded by timeout.
set -u
prog=$(readlink -f "${1:?path of the stackprint binary}")
targets_dir=$(readlink -f "${2:?directory of lwip_target and lwipv6_target}")
n=${3:-226}
# shellcheck source=bench/real_kernel_lab.sh
. "$(dirname "$0")/real_kernel_lab.sh"
lab_require nmap
lab_begin rsbench "$n"
ports="T:22,23,U:40125"

# scan LABEL TARGETS: runs both tools, prints nothing; results in $lab_work/LABEL.{ours,nmap,time}.
scan() {
  local label=$1 targets=$2 a b c
  a=$(date +%s.%N)
  timeout 600 ip netns exec "$lab_name-s" "$prog" scan -p "$ports" --osscan-guess -v "$targets" > "$lab_work/$label.ours" 2>&1
  b=$(date +%s.%N)
  timeout 900 ip netns exec "$lab_name-s" nmap -O -sS -sU -p "$ports" -n -Pn --osscan-guess -v "$targets" > "$lab_work/$label.nmap" 2>&1
  c=$(date +%s.%N)
  echo "$(wall_seconds "$a" "$b") $(wall_seconds "$b" "$c")" > "$lab_work/$label.time"
}
# same_as_baseline FILE BASELINE: hosts of FILE whose top match equals BASELINE's for that host.
same_as_baseline() { join -t $'\t' <(top_matches "$1") <(top_matches "$2") | awk -F'\t' '$2 == $3' | wc -l; }
# drop_rules FAMILY CONDITION: the nftables ruleset for CONDITION (loss10, loss30: that share of the
# packets dropped both ways; filter: incoming UDP and ICMP echo requests dropped; loss0: none). FAMILY
# inet puts it on the kernel target's own input and output hooks; FAMILY bridge on the forward hook
# of the bridge in front of a third-party stack, which sees both ways (ARP passes; the filter takes
# only frames that come from the scanner's side, targ0).
drop_rules() {
  local family=$1 condition=$2 chain=' chain %s { type filter hook %s priority 0; policy accept; %s; }\n'
  local loss="numgen random mod 100 < ${2#loss} drop" filter=("meta l4proto udp drop" "icmp type echo-request drop")
  [ "$condition" = loss0 ] && return
  printf 'table %s rsloss {\n' "$family"
  # shellcheck disable=SC2059 # $chain is the format
  case $family/$condition in
    inet/filter) printf "$chain" in input "${filter[0]}; ${filter[1]}" ;;
    inet/loss*) printf "$chain" in input "$loss"; printf "$chain" out output "$loss" ;;
    bridge/filter) printf "$chain" lossy forward "iifname \"targ0\" ${filter[0]}; iifname \"targ0\" ${filter[1]}" ;;
    bridge/loss*) printf "$chain" lossy forward "meta protocol ip $loss" ;;
  esac
  printf '}\n'
}
# sum A B: A + B, or "?" when either is unknown (own_packet_count found no count), so a mean over
# runs never reads a missing count as 0.
sum() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "?" || b == "?") print "?"; else print a + b }'; }
# mean TOTAL RUNS FORMAT: TOTAL / RUNS, or "?".
mean() { awk -v a="$1" -v r="$2" -v f="$3" 'BEGIN { if (a == "?") print "?"; else printf f, a / r }'; }

stacks=${ROBUST_STACKS:-lwip lwipv6}
stack_conditions=${ROBUST_CONDITIONS:-loss10 loss30 filter}
for word in $stacks; do
  [[ $word =~ ^(lwip|lwipv6)$ ]] || { echo "robustness_real.sh: ROBUST_STACKS: unknown stack '$word'" >&2; exit 2; }
done
for word in $stack_conditions; do
  [[ $word =~ ^(loss10|loss30|filter)$ ]] || { echo "robustness_real.sh: ROBUST_CONDITIONS: unknown condition '$word'" >&2; exit 2; }
done

if [ "${ROBUST_KERNEL:-1}" != 0 ]; then
echo "| target | condition | stackprint same top | nmap same top | stackprint packets | nmap packets | stackprint s | nmap s |"
echo "|---|---|---|---|---|---|---|---|"
lab_up_addresses 33 tcp_timestamps=2 listen=22
kernel_targets="10.99.$n.2-33"
for condition in loss0 loss10 loss30 filter; do
  ip netns exec "$lab_name-t" nft delete table inet rsloss 2>/dev/null
  if [ "$condition" != loss0 ] && ! drop_rules inet "$condition" | ip netns exec "$lab_name-t" nft -f -; then
    echo "nft failed for the kernel under $condition"; continue
  fi
  scan "kernel-$condition" "$kernel_targets"
  read -r ts tn < "$lab_work/kernel-$condition.time"
  echo "| kernel x32 | $condition | $(same_as_baseline "$lab_work/kernel-$condition.ours" "$lab_work/kernel-loss0.ours")/32 |" \
       "$(same_as_baseline "$lab_work/kernel-$condition.nmap" "$lab_work/kernel-loss0.nmap")/32 |" \
       "$(own_packet_count "$lab_work/kernel-$condition.ours") | $(own_packet_count "$lab_work/kernel-$condition.nmap") | $ts | $tn |"
done
lab_down
fi

echo
# Third-party stacks: their ISN steps grow with the time their process has run, so every scan gets a
# new target process. LWIPv6 echoes the probe's TTL in its echo reply: both tools send TTL 50 there.
# The stacks answer on a TAP device bridged to the target's veth, so loss and filters are nftables
# rules on that bridge (family bridge, forward hook: frames between the two, both ways; ARP passes).
# fresh_scan STACK OUTPUT COMMAND...: COMMAND (TARGET replaced) against a new STACK process, under
# $condition (default loss0); prints seconds.
fresh_scan() {
  local stack=$1 output=$2 word a b rules
  shift 2
  local args=()
  for word in "$@"; do args+=("${word//TARGET/10.99.$n.2}"); done
  lab_up "stack=$targets_dir/${stack}_target:22" || { echo "lab up failed for $stack" > "$output"; echo 0; return; }
  rules=$(drop_rules bridge "${condition:-loss0}")
  if [ -n "$rules" ] && ! ip netns exec "$lab_name-t" nft -f - <<<"$rules"; then
    echo "nft failed for $stack" > "$output"; lab_down; echo 0; return
  fi
  a=$(date +%s.%N)
  timeout 600 ip netns exec "$lab_name-s" "${args[@]}" > "$output" 2>&1
  b=$(date +%s.%N)
  lab_down
  wall_seconds "$a" "$b"
}
compare="$(dirname "$0")/../tests/lab/compare_scan_output.py"
# TCP ports only, as in ctest lab.real_stacks: with a UDP port scan, when Nmap's first SEQ probe
# leaves depends on the machine, and these stacks' SP with it (docs/lab.md "Real stacks"). Each tool
# then picks its own random closed UDP port, so CU is compared by range (--random-cu).
stack_ports="22,23"
echo
echo "| stack | stackprint top match | nmap top match | same fingerprint | same guess list | same guess list, --nmap-retries | stackprint s | --nmap-retries s | nmap s | ratio |"
echo "|---|---|---|---|---|---|---|---|---|---|"
condition=loss0
for stack in $stacks; do
  options=(); checks=(SP=4 ISR=4 --random-cu)
  [ "$stack" = lwipv6 ] && options=(--ttl 50)
  [ "$stack" = lwip ] && checks+=(--reflected-ip-id)
  tn=$(fresh_scan "$stack" "$lab_work/$stack.nmap" nmap -O -p "$stack_ports" -n -Pn --osscan-guess -v "${options[@]}" TARGET)
  ts=$(fresh_scan "$stack" "$lab_work/$stack.ours" "$prog" scan -p "$stack_ports" --osscan-guess -v "${options[@]}" TARGET)
  tr=$(fresh_scan "$stack" "$lab_work/$stack.retries" "$prog" scan -p "$stack_ports" --osscan-guess -v --nmap-retries \
    "${options[@]}" TARGET)
  ours=$(top_matches "$lab_work/$stack.ours" | cut -f2); theirs=$(top_matches "$lab_work/$stack.nmap" | cut -f2)
  verdict() { python3 "$compare" "$1" "$lab_work/$stack.nmap" "${checks[@]}" "${@:2}" > /dev/null && echo yes || echo no; }
  echo "| $stack | $ours | $theirs | $(verdict "$lab_work/$stack.ours") | $(verdict "$lab_work/$stack.ours" --same-guesses) |" \
       "$(verdict "$lab_work/$stack.retries" --same-guesses) | $ts | $tr | $tn | $(awk -v a="$ts" -v b="$tn" 'BEGIN { printf "%.2f", a / b }') |"
done

# The same stacks under loss and behind a filter: each tool $stack_runs times per condition, every run
# against a new target process; runs whose top match equals that tool's loss-free one above, mean
# packets and mean wall time.
stack_runs=${STACK_RUNS:-3}
echo
echo "| stack | condition | stackprint same top | nmap same top | stackprint packets | nmap packets | stackprint s | nmap s |"
echo "|---|---|---|---|---|---|---|---|"
for stack in $stacks; do
  options=()
  [ "$stack" = lwipv6 ] && options=(--ttl 50)
  base_ours=$(top_matches "$lab_work/$stack.ours" | cut -f2); base_nmap=$(top_matches "$lab_work/$stack.nmap" | cut -f2)
  for condition in $stack_conditions; do
    same_s=0 same_n=0 pk_s=0 pk_n=0 t_s=0 t_n=0
    for run in $(seq 1 "$stack_runs"); do
      out="$lab_work/$stack-$condition-$run"
      tn=$(fresh_scan "$stack" "$out.nmap" nmap -O -p "$stack_ports" -n -Pn --osscan-guess -v "${options[@]}" TARGET)
      ts=$(fresh_scan "$stack" "$out.ours" "$prog" scan -p "$stack_ports" --osscan-guess -v "${options[@]}" TARGET)
      [ "$(top_matches "$out.ours" | cut -f2)" = "$base_ours" ] && same_s=$((same_s + 1))
      [ "$(top_matches "$out.nmap" | cut -f2)" = "$base_nmap" ] && same_n=$((same_n + 1))
      pk_s=$(sum "$pk_s" "$(own_packet_count "$out.ours")"); pk_n=$(sum "$pk_n" "$(own_packet_count "$out.nmap")")
      t_s=$(sum "$t_s" "$ts"); t_n=$(sum "$t_n" "$tn")
    done
    echo "| $stack | $condition | $same_s/$stack_runs | $same_n/$stack_runs | $(mean "$pk_s" "$stack_runs" %.0f) |" \
         "$(mean "$pk_n" "$stack_runs" %.0f) | $(mean "$t_s" "$stack_runs" %.1f) | $(mean "$t_n" "$stack_runs" %.1f) |"
  done
done
