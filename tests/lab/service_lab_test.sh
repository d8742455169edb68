#!/bin/bash
# Root-only lab test of packaging/systemd/stackprint-emulate@.service (ctest label "lab"),
# docs/service.md section 3.
# The emulator lab of scripts/emulator_lab.sh: namespaces service<pid>-s / -e, 10.99.N.0/24 with N in
# 165-169, emulated block 10.211.M.0/29 (6 seeded random personalities). The instance is the emulator
# namespace's name; its configuration is packaging/systemd/emulate-example.conf with the lab's block
# and TUN name.
#   PID 1 is systemd: the unit is installed under /run/systemd/system (binary and configuration
#     paths pointed at this build and the test's folder) and started with systemctl.
#   otherwise (containers, CI runners): the unit's privilege options are applied by hand:
#     `ip netns exec` (NetworkNamespacePath=), a private mount namespace with / read-only and an
#     empty /tmp, /root and /home (ProtectSystem=strict, PrivateTmp=, ProtectHome=), then setpriv
#     with the unit's CapabilityBoundingSet= as the bounding set, no inheritable capabilities and
#     no_new_privs (NoNewPrivileges=). The other options (SystemCallFilter=, DeviceAllow=, Protect*=,
#     RestrictAddressFamilies=, MemoryMax=) need systemd and are not applied; the emulator's own
#     seccomp filter is.
# Checks, while the service serves: non-root uid, no effective capabilities, a bounding set of at
# most the unit's capabilities, no_new_privs, Seccomp 2; then a scan from the scanner namespace
# identifies the emulated references (emulate_judge.py, at least MIN_SHARE of the hosts).
#
# usage: service_lab_test.sh STACKPRINT SOURCE_DIR [MIN_SHARE=0.8]
# Exit 77 (ctest SKIP) when not root or when ip/python3/setpriv/unshare are missing.
set -u
prog=${1:?path of the stackprint binary}
src=${2:?source directory}
min_share=${3:-0.8}
here=$(cd "$(dirname "$0")" && pwd)
unit="$src/packaging/systemd/stackprint-emulate@.service"
example="$src/packaging/systemd/emulate-example.conf"
db=${STACKPRINT_DB:-/usr/share/nmap/nmap-os-db}
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: the service lab test needs root (it creates network namespaces); run ctest as root or -LE lab"
  exit 77
fi
for tool in ip python3 timeout setpriv unshare; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
[ -r "$db" ] || { echo "SKIP: no $db"; exit 77; }

# shellcheck source=scripts/emulator_lab.sh
. "$here/../../scripts/emulator_lab.sh"
emulator_lab_up service $((165 + $$ % 5)) 211
work=$lab_work
# The service sees an empty /tmp, /root and /home, so it runs a copy of the binary from /run (a
# checkout under one of those would otherwise vanish from its view), as an installed one runs
# from /usr/bin.
service_bin_dir=$(mktemp -d /run/stackprint-service-lab.XXXXXX)
cp "$prog" "$service_bin_dir/stackprint"
prog="$service_bin_dir/stackprint"
trap 'emulator_lab_down; rm -rf "$service_bin_dir"' EXIT
instance=$lab_emulator
cidr="$lab_block.0/29"
mkdir -p "$work/etc"
sed -e "s|^STACKPRINT_NET=.*|STACKPRINT_NET=$cidr|" -e "s|^STACKPRINT_TUN=.*|STACKPRINT_TUN=$lab_tun|" \
  "$example" >"$work/etc/$instance.conf"
# The namespace's owner enables forwarding (ProtectKernelTunables= keeps the service from doing it).
ip netns exec "$lab_emulator" sysctl -qw net.ipv4.ip_forward=1

failures=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi; }
# unit_value KEY: the value of KEY= in the unit's [Service] section.
unit_value() { sed -n "s/^$1=//p" "$unit" | tail -1; }

bounding=$(unit_value CapabilityBoundingSet)
setpriv_caps=$(echo "$bounding" | tr ' ' '\n' | sed -n 's/^CAP_\(.*\)$/+\1/p' | tr 'A-Z' 'a-z' | paste -sd,)
# The bounding set the unit allows, as the hexadecimal mask /proc shows (capability numbers from capsh
# would add a dependency; these three are fixed by the kernel ABI).
allowed_mask=0
for cap in $bounding; do
  case $cap in
    CAP_SETGID) allowed_mask=$((allowed_mask | (1 << 6))) ;;
    CAP_SETUID) allowed_mask=$((allowed_mask | (1 << 7))) ;;
    CAP_NET_ADMIN) allowed_mask=$((allowed_mask | (1 << 12))) ;;
    *) echo "FAIL: the test does not know $cap; extend its mask table"; exit 1 ;;
  esac
done

service_pid=""
unit_copy=""
mode=approximation
if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && command -v systemctl >/dev/null; then
  mode=systemd
  unit_copy="/run/systemd/system/stackprint-emulate-lab$$@.service"
  sed -e "s|/usr/bin/stackprint|$prog|" -e "s|/etc/stackprint/emulate/|$work/etc/|g" "$unit" >"$unit_copy"
  systemctl daemon-reload
  trap 'systemctl stop "stackprint-emulate-lab$$@$instance.service" 2>/dev/null; rm -f "$unit_copy";
        systemctl daemon-reload; emulator_lab_down; rm -rf "$service_bin_dir"' EXIT
  systemctl start "stackprint-emulate-lab$$@$instance.service"
  service_pid=$(systemctl show -p MainPID --value "stackprint-emulate-lab$$@$instance.service")
else
  echo "PID 1 is $(cat /proc/1/comm 2>/dev/null), not systemd: applying the unit's privilege options with unshare and setpriv"
  # shellcheck disable=SC1090
  . "$work/etc/$instance.conf"
  # The service's stop is SIGTERM from the test's EXIT trap (emulator_lab_stop); timeout bounds it.
  timeout 60 ip netns exec "$lab_emulator" unshare --mount --propagation private sh -c '
    mount -o remount,bind,ro / && mount -t tmpfs -o mode=1777 tmpfs /tmp &&
    mount -t tmpfs -o ro tmpfs /root && { [ ! -d /home ] || mount -t tmpfs -o ro tmpfs /home; } || exit 3
    exec "$@"' sh \
    setpriv --bounding-set="-all,$setpriv_caps" --inh-caps=-all --no-new-privs \
    "$prog" emulate --net "$STACKPRINT_NET" --personality "$STACKPRINT_PERSONALITY" --seed "$STACKPRINT_SEED" \
    --open-ports "$STACKPRINT_OPEN_PORTS" --tun "$STACKPRINT_TUN" --user "$STACKPRINT_USER" \
    >"$work/hosts.jsonl" 2>"$work/emulator.err" &
  lab_emulator_pid=$!
fi

# Wait (bounded 10 s) for the emulator's process and its TUN device.
for _ in $(seq 1 100); do
  if [ "$mode" = approximation ]; then
    service_pid=$(pgrep -P "$(pgrep -P "$lab_emulator_pid" | head -1)" 2>/dev/null | head -1)
    [ -n "$service_pid" ] || service_pid=$(pgrep -P "$lab_emulator_pid" | head -1)
  fi
  [ -n "$service_pid" ] && [ "$service_pid" != 0 ] && [ "$(readlink "/proc/$service_pid/exe")" = "$(readlink -f "$prog")" ] &&
    ip -n "$lab_emulator" link show "$lab_tun" >/dev/null 2>&1 && break
  sleep 0.1
done
check "the service runs ($mode)" '[ -n "$service_pid" ] && [ "$(readlink "/proc/$service_pid/exe")" = "$(readlink -f "$prog")" ]'
# Privileges are dropped before the first packet; read them once the first JSON lines are out.
sleep 0.5
status_of() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$service_pid/status" 2>/dev/null; }
echo "service: Uid $(status_of Uid) CapEff $(status_of CapEff) CapBnd $(status_of CapBnd) NoNewPrivs $(status_of NoNewPrivs) Seccomp $(status_of Seccomp)"
check "non-root uid" '[ "$(status_of Uid)" -gt 0 ] 2>/dev/null'
check "no effective capabilities" '[ "$(status_of CapEff)" = 0000000000000000 ]'
check "bounding set within the unit's CapabilityBoundingSet" \
  '[ -n "$(status_of CapBnd)" ] && [ $(( 0x$(status_of CapBnd) & ~allowed_mask )) = 0 ]'
check "no_new_privs" '[ "$(status_of NoNewPrivs)" = 1 ]'
# The sanitizer build installs no seccomp filter (io/sandbox.hpp); tests/lab/CMakeLists.txt then sets
# STACKPRINT_EXPECT_SECCOMP=0.
check "seccomp filter" '[ "$(status_of Seccomp)" = "${STACKPRINT_EXPECT_SECCOMP:-2}" ]'
if [ "$mode" = approximation ]; then
  check "root file system read-only for the service" \
    'awk '\''$5 == "/" {print $6}'\'' "/proc/$service_pid/mountinfo" | grep -q "^ro"'
fi

ip netns exec "$lab_scanner" timeout 60 "$prog" scan -p T:22,80,U:40125 --seed 77 --host-timeout 30 \
  -oX "$work/scan.xml" "$cidr" >"$work/scan.out" 2>"$work/scan.err"
echo $? >"$work/scan.status"
if [ "$mode" = systemd ]; then
  journalctl -o cat -u "stackprint-emulate-lab$$@$instance.service" | grep '^{' >"$work/hosts.jsonl"
fi
check "scan exits 0" '[ "$(cat "$work/scan.status")" = 0 ]'
check "the scan identifies the emulated references" \
  'python3 "$here/emulate_judge.py" "$work/hosts.jsonl" "$work/scan.xml" "$db" --min-share "$min_share" --label stackprint'
check "the service is still running after the scan" '[ -d "/proc/$service_pid" ]'
[ "$failures" = 0 ] || { cat "$work/emulator.err" 2>/dev/null; cat "$work/scan.err"; }
echo "$failures failed"
[ "$failures" = 0 ]
