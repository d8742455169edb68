#!/usr/bin/env python3
"""Compares two `stackprint scan -oJ` runs of the same emulated hosts with the same seeds: for every
target of BASELINE except those listed after the two paths, OTHER must report the same state and
the same top OS match (name). Prints one line per difference and a summary; exit 1 when any target
differs, is missing, or when no target was compared.

usage: compare_top_matches.py BASELINE.jsonl OTHER.jsonl [SKIPPED_ADDRESS ...]"""
import json
import sys


def load(path):
    hosts = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                obj = json.loads(line)
                hosts[obj["target"]] = obj
    return hosts


def top(host):
    os_detection = host.get("os_detection") or {}
    matches = os_detection.get("matches") or []
    return matches[0]["name"] if matches else None


def main():
    baseline, other = load(sys.argv[1]), load(sys.argv[2])
    skipped = set(sys.argv[3:])
    problems = []
    compared = 0
    for target, a in sorted(baseline.items()):
        if target in skipped:
            continue
        compared += 1
        b = other.get(target)
        if b is None:
            problems.append(f"{target}: missing")
        elif a["state"] != b["state"]:
            problems.append(f"{target}: state {a['state']} vs {b['state']}")
        elif top(a) != top(b):
            problems.append(f"{target}: top match {top(a)} vs {top(b)}")
        elif top(a) is None:
            problems.append(f"{target}: no OS match in either run")
    for p in problems:
        print("DIFF", p)
    print(f"compared {compared} hosts: {len(problems)} differences")
    return 0 if compared > 0 and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
