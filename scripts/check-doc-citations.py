#!/usr/bin/env python3
"""Fails when a citation in the sources points nowhere.

Checks every "docs/<name>.md <section>" citation in src/, tests/, apps/, bench/ and scripts/ against the
headings of that document, every 'ARCHITECTURE.md, "<name>"' citation against ARCHITECTURE.md's
headings and folder entries, and that nothing cites documents outside the repository.
Usage: scripts/check-doc-citations.py [repository root]
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
SCANNED = ["src", "tests", "apps", "bench", "scripts"]
SUFFIXES = {".cpp", ".hpp", ".h", ".cc", ".sh", ".py", ".txt", ".cmake"}
DOC_CITATION = re.compile(r"docs/([A-Za-z0-9_-]+\.md)(?:,)? (?:section )?((?:[0-9]+(?:\.[0-9]+)?)|[A-Z])\b")
ARCH_CITATION = re.compile(r'ARCHITECTURE\.md, "([^"]+)"')
OUTSIDE = [
    re.compile(r"nmap-facts", re.I),
    re.compile(r"/work/shared|shared/spec|shared/design"),
    re.compile(r"\barchitecture(\.md)? B[0-9]+", re.I),
    re.compile(r"\bfacts (section )?[0-9]+\.[0-9]+", re.I),
    re.compile(r"nmap-os-detection-methods"),
]


def section_keys(doc: pathlib.Path) -> set[str]:
    keys = set()
    for line in doc.read_text(encoding="utf-8").splitlines():
        m = re.match(r"#{2,4} (?:Appendix ([A-Z])\b|([0-9]+(?:\.[0-9]+)?)\.? )", line)
        if m:
            keys.add(m.group(1) or m.group(2))
    return keys


def architecture_keys(doc: pathlib.Path) -> set[str]:
    keys = set()
    for line in doc.read_text(encoding="utf-8").splitlines():
        m = re.match(r"#{2,4} (.+)$", line)
        if m:
            keys.add(m.group(1).strip())
        m = re.match(r"\*\*`([^`]+)`\*\*", line)
        if m:
            keys.add(m.group(1))
    return keys


def main() -> int:
    errors = []
    doc_keys: dict[str, set[str]] = {}
    arch = ROOT / "ARCHITECTURE.md"
    arch_keys = architecture_keys(arch) if arch.exists() else set()
    this_file = pathlib.Path(__file__).resolve()
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if not path.is_file() or path.suffix not in SUFFIXES or path.resolve() == this_file:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            rel = path.relative_to(ROOT)
            for number, line in enumerate(text.splitlines(), 1):
                for m in DOC_CITATION.finditer(line):
                    name, section = m.group(1), m.group(2)
                    if name not in doc_keys:
                        doc = ROOT / "docs" / name
                        doc_keys[name] = section_keys(doc) if doc.exists() else set()
                        if not doc.exists():
                            errors.append(f"{rel}:{number}: cites docs/{name}, which does not exist")
                            continue
                    if section not in doc_keys[name]:
                        errors.append(f"{rel}:{number}: cites docs/{name} {section}, no such heading")
                for m in ARCH_CITATION.finditer(line):
                    if m.group(1) not in arch_keys:
                        errors.append(f'{rel}:{number}: cites ARCHITECTURE.md "{m.group(1)}", no such section')
                for pattern in OUTSIDE:
                    if pattern.search(line):
                        errors.append(f"{rel}:{number}: cites a document outside the repository: {line.strip()}")
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        print(f"check-doc-citations: {len(errors)} broken citation(s)", file=sys.stderr)
        return 1
    print("check-doc-citations: all citations resolve")
    return 0


if __name__ == "__main__":
    sys.exit(main())
