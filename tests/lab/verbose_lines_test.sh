#!/bin/bash
# Root-only lab test (ctest label "lab"): the lines Nmap adds with -v, -vv and -d
# (docs/nmap-behaviour.md 5.4) appear in `stackprint scan`'s output in the same wording and format
# as in `nmap -O`'s output of the same lab target, and not without -v. The lab (scripts/lab.sh) is torn
# down on exit.
set -u
bin=${1:?path of the stackprint binary}
repo=${2:?repository root}
if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root (network namespaces)"; exit 77; fi
command -v nmap >/dev/null || { echo "FAIL: nmap is not installed (scripts/setup.sh installs it)"; exit 1; }
lab="$repo/scripts/lab.sh"
name="splabvl$(( $$ % 1000 ))"
work=$(mktemp -d)
cleanup() { "$lab" down "$name" >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT INT TERM
n=""
for candidate in $(seq 190 199); do
  if "$lab" up "$name" "$candidate" listen=22 >/dev/null 2>&1; then n=$candidate; break; fi
  "$lab" down "$name" >/dev/null 2>&1
done
[ -n "$n" ] || { echo "FAIL: could not set up a lab"; exit 1; }
target="10.99.$n.2"
scan() { timeout 40 ip netns exec "$name-s" "$@"; }

# Two tries each (the lab kernel is no perfect match, so Nmap retries; stackprint retries as Nmap
# with --nmap-retries), one closed and one open TCP port and one closed UDP port.
ports=T:22,1,U:40125
scan nmap -O -vv -n -sS -sU -p "$ports" --max-os-tries 2 "$target" > "$work/nmap" 2>&1
scan "$bin" scan -vv -p "$ports" --nmap-retries --max-os-tries 2 "$target" > "$work/vv" 2> "$work/vv.err"
scan "$bin" scan -d -p "$ports" --max-os-tries 1 "$target" > "$work/d" 2> "$work/d.err"
scan "$bin" scan -p "$ports" --max-os-tries 1 "$target" > "$work/plain" 2> "$work/plain.err"

failures=0
checks=0
check() {
  checks=$((checks + 1))
  if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi
}
has() { grep -Eq "$2" "$1"; }
t=${target//./\\.}
declare -A lines=(
  [initiating]="^Initiating OS detection \\(try #1\\) against $t\$"
  [retrying]="^Retrying OS detection \\(try #2\\) against $t\$"
  [data files]='^Read data files from: /.+$'
  [raw packets]='^           Raw packets sent: [0-9]+ \(([0-9]+B|[0-9]+\.[0-9]{3}[KM]B)\) \| Rcvd: [0-9]+ \(([0-9]+B|[0-9]+\.[0-9]{3}[KM]B)\)$'
  [reason header]='^PORT +STATE +SERVICE +REASON$'
  [reason open]='^22/tcp +open +[a-z-]+ +syn-ack ttl 64$'
  [reason closed]='^1/tcp +closed +[a-z-]+ +reset ttl 64$'
  [reason udp closed]='^40125/udp +closed +[a-z-]+ +port-unreach ttl 64$'
  [host received]='^Host is up, received [a-z-]+'
)
for key in "${!lines[@]}"; do
  check "nmap -vv prints $key" 'has "$work/nmap" "${lines[$key]}"'
  check "stackprint -vv prints $key" 'has "$work/vv" "${lines[$key]}"'
  [ "$key" = retrying ] && continue
  check "stackprint -d prints $key" 'has "$work/d" "${lines[$key]}"'
  check "stackprint without -v does not print $key" '! has "$work/plain" "${lines[$key]}"'
done
for out in nmap vv d; do
  check "$out: data files right before 'OS detection performed'" \
    'grep -A1 "^Read data files from: " "$work/$out" | tail -1 | grep -q "^OS detection performed"'
  check "$out: raw packets is the last line" 'tail -1 "$work/$out" | grep -q "Raw packets sent: "'
done
check "stackprint -vv: try #1 before try #2 before the report" \
  '[ "$(grep -nE "OS detection \(try|Nmap scan report" "$work/vv" | cut -d: -f2 | cut -c1-12 | tr "\n" ,)" = "Initiating O,Retrying OS ,Nmap scan re," ]'

if [ "$failures" != 0 ]; then
  for f in nmap vv vv.err d plain; do echo "--- $f"; grep -v '^OS:' "$work/$f"; done
fi
echo "$(( checks - failures )) passed, $failures failed"
[ "$failures" = 0 ]
