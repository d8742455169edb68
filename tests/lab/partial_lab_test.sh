#!/bin/bash
# Root-only lab test of partial fingerprints (ctest label "lab"): emulated hosts behind
# the emulator's firewall filter (T2-T7, U1 and IE dropped) are scanned by `stackprint scan`; every
# host must get the "Missing tests (filtered)" report in all three outputs (normal line, XML
# hostscript valid against nmap.dtd, JSON member valid against the schema), and with
# --no-partial-match the line must say the tests were matched as R=N. The same hosts without the
# filter must get none of it.
# The emulator lab of scripts/emulator_lab.sh: namespaces partial<pid>-s / -e, 10.99.N.0/24 with N
# in 170-189, emulated block 10.203.M.0/24; nothing else is reachable, all is torn down on exit.
#
# usage: partial_lab_test.sh STACKPRINT REPO [COUNT=4] [SEED=5]
# Exit 77 (ctest SKIP) when not root or when a tool is missing.
set -u
prog=${1:?path of the stackprint binary}
repo=${2:?source tree}
count=${3:-4}
seed=${4:-5}
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: the partial-fingerprint lab test needs root (network namespaces)"; exit 77
fi
for tool in ip python3 timeout xmllint; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done

# shellcheck source=scripts/emulator_lab.sh
. "$(dirname "$0")/../../scripts/emulator_lab.sh"
emulator_lab_up partial $((170 + $$ % 20)) 203
work=$lab_work
chmod 755 "$work" # the scanner writes its reports as nobody

start_emulator() { # extra emulate args...
  emulator_lab_start "$prog" "$work/hosts.jsonl" "$work/emulator.err" 120 --personality random --seed "$seed" "$@"
}

failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# scan LABEL [scan args...]: normal, XML and JSON reports of the first COUNT hosts.
scan() {
  local label=$1; shift
  timeout 100 ip netns exec "$lab_scanner" "$prog" scan -p 22,80,443 -oN "$work/$label.nmap" -oX "$work/$label.xml" \
    -oJ "$work/$label.json" "$@" "$lab_block.1-$count" >/dev/null 2>"$work/$label.err"
  local status=$?
  [ "$status" = 0 ] || { fail "$label: stackprint scan exited $status"; cat "$work/$label.err"; return 1; }
  xmllint --noout --dtdvalid /usr/share/nmap/nmap.dtd "$work/$label.xml" >"$work/$label.xmllint" 2>&1 ||
    { fail "$label: XML does not validate against nmap.dtd"; cat "$work/$label.xmllint"; }
  /usr/bin/python3 "$repo/tests/golden/consumers.py" schema "$repo/docs/stackprint-host.schema.json" \
    "$work/$label.json" >"$work/$label.schema" 2>&1 ||
    { fail "$label: JSON does not validate against the schema"; cat "$work/$label.schema"; }
  return 0
}

# check LABEL WANT_LINE_TEXT|none: every host's three reports say the same about missing tests.
check() {
  python3 - "$work/$1" "$2" "$count" <<'PY'
import json, sys, xml.etree.ElementTree as ET
base, want, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
problems = []
lines = [l for l in open(base + ".nmap") if l.startswith("Missing tests")]
hosts = ET.parse(base + ".xml").getroot().findall("host")
scripts = [s for h in hosts for s in h.iter("script") if s.get("id") == "stackprint-missing-tests"]
records = [json.loads(l) for l in open(base + ".json") if l.strip()]
filtered = [r["os_detection"].get("missing_tests", {}).get("filtered", []) for r in records if r.get("os_detection")]
if len(records) != count:
    problems.append(f"{len(records)} JSON hosts, want {count}")
if want == "none":
    if lines or scripts or any(filtered):
        problems.append(f"unfiltered hosts report missing tests: {lines[:1]} {len(scripts)} scripts {filtered}")
else:
    if len(lines) != count or any(want not in l for l in lines):
        problems.append(f"normal output: {len(lines)} lines, want {count} containing {want!r}: {lines[:2]}")
    if len(scripts) != count or any(want not in s.get("output", "") for s in scripts):
        problems.append(f"XML: {len(scripts)} hostscripts, want {count}")
    # The filter's probes, plus any the emulated stack itself ignores (e.g. ECN): once a filter is
    # shown, every silence is blamed on it.
    names = {"T2", "T3", "T4", "T5", "T6", "T7", "U1", "IE"}
    if len(filtered) != count or any(not names <= set(f) for f in filtered):
        problems.append(f"JSON filtered lists: {filtered}")
print("; ".join(problems) if problems else "ok")
sys.exit(1 if problems else 0)
PY
}

if start_emulator --filter T2-T7,U1,IE; then
  scan filtered && { r=$(check filtered "T2 T3 T4 T5 T6 T7 U1 IE; matched without them");
                     [ "$r" = ok ] && echo "ok   filtered: $(grep -m1 '^Missing tests' "$work/filtered.nmap" | cut -c1-100)" || fail "filtered: $r"; }
  scan nmap_matching --no-partial-match && { r=$(check nmap_matching "matched as R=N, as Nmap does");
                     [ "$r" = ok ] && echo "ok   --no-partial-match" || fail "--no-partial-match: $r"; }
  emulator_lab_stop
else
  failures=$((failures + 1))
fi
if start_emulator; then
  scan unfiltered && { r=$(check unfiltered none); [ "$r" = ok ] && echo "ok   unfiltered: no missing tests" || fail "unfiltered: $r"; }
  emulator_lab_stop
else
  failures=$((failures + 1))
fi
echo "$failures failures"
[ "$failures" = 0 ]
