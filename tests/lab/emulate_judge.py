#!/usr/bin/env python3
"""Judges an emulation lab run: which emulated reference each address ran (the JSON lines printed by
`stackprint emulate`) against what Nmap's XML (-oX) or stackprint's JSON says about the address.

A host counts as identified when the top match is the emulated reference, a reference with
identical test values or with the same name (Nmap lists each name once), or when the emulated
reference is among the perfect (100%) matches.
The OS-class check compares the top match's first Class line with the reference's.

usage: emulate_judge.py HOSTS.jsonl NMAP.xml DB [--min-share 0.95] [--label nmap]
prints one summary line (JSON) and the misses; exit 1 when the share is below --min-share."""
import json
import sys
import xml.etree.ElementTree as ET


def load_db(path):
    """line number -> (name, tuple of test lines, first class)"""
    refs = {}
    current = None
    with open(path, errors="replace") as f:
        for number, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if line.startswith("Fingerprint "):
                current = {"line": number, "name": line[len("Fingerprint "):].strip(), "tests": [], "cls": None}
                refs[number] = current
            elif current is not None and line.startswith("Class ") and current["cls"] is None:
                current["cls"] = "|".join(p.strip() for p in line[len("Class "):].split("|")[:3])
            elif current is not None and "(" in line and not line.startswith("#") and not line.startswith("CPE"):
                current["tests"].append(line.strip())
            elif not line:
                current = None
    return {k: (v["name"], tuple(sorted(v["tests"])), v["cls"]) for k, v in refs.items()}


def nmap_results(path):
    """address -> list of (line, accuracy) in Nmap's order"""
    out = {}
    root = ET.parse(path).getroot()
    for host in root.iter("host"):
        addr = host.find("address").get("addr")
        matches = [(int(m.get("line")), int(m.get("accuracy"))) for m in host.iter("osmatch")]
        out[addr] = matches
    return out


def stackprint_results(path):
    """JSON lines with "address" and "matches": [{"line", "accuracy"}]."""
    out = {}
    with open(path) as f:
        for raw in f:
            raw = raw.strip()
            if not raw.startswith("{"):
                continue
            obj = json.loads(raw)
            addr = obj.get("address") or obj.get("target")
            os = obj.get("os", obj)
            matches = [(int(m["line"]), int(m.get("accuracy", 0))) for m in os.get("matches", [])]
            if addr:
                out[addr] = matches
    return out


def main():
    args = sys.argv[1:]
    min_share = 0.95
    label = "nmap"
    quiet = "--quiet" in args
    if quiet:
        args.remove("--quiet")
    if "--min-share" in args:
        i = args.index("--min-share"); min_share = float(args[i + 1]); del args[i:i + 2]
    if "--label" in args:
        i = args.index("--label"); label = args[i + 1]; del args[i:i + 2]
    hosts_path, result_path, db_path = args
    db = load_db(db_path)
    hosts = [json.loads(l) for l in open(hosts_path) if l.strip().startswith("{")]
    results = nmap_results(result_path) if result_path.endswith(".xml") else stackprint_results(result_path)
    identified = same_class = 0
    misses = []
    for h in hosts:
        want = h["line"]
        got = results.get(h["address"], [])
        ok = False
        if got:
            top = got[0][0]
            ok = top == want or (top in db and want in db and db[top][1] == db[want][1])
            ok = ok or any(line == want and acc == 100 for line, acc in got)
            # Nmap keeps one entry per OS name, so an equally named reference stands for it.
            ok = ok or (top in db and want in db and db[top][0] == db[want][0])
            if top in db and want in db and db[top][2] == db[want][2]:
                same_class += 1
        if ok:
            identified += 1
        else:
            misses.append({"address": h["address"], "line": want, "name": h["name"],
                           "top": got[:3], "top_name": db.get(got[0][0], ("?",))[0] if got else None})
    n = len(hosts)
    share = identified / n if n else 0.0
    print(json.dumps({"tool": label, "hosts": n, "identified": identified, "share": round(share, 4),
                      "same_class": same_class, "class_share": round(same_class / n, 4) if n else 0.0}))
    for m in [] if quiet else misses:
        print("  miss:", json.dumps(m))
    return 0 if share >= min_share else 1


if __name__ == "__main__":
    sys.exit(main())
