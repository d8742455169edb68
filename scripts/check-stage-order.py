#!/usr/bin/env python3
"""Fails when a source file includes a stage that the documented layering does not allow.

The layering is the ```stage-layers block of ARCHITECTURE.md ("Stage layers"): one line per layer,
lowest first, `N: stage stage ...`. A file under src/stackprint/<stage>/ may include its own stage and
the stages of lower layers only; stages of one layer never include each other. Every folder under
src/stackprint/ must appear in exactly one layer, and every include of "stackprint/<stage>/..." must
name a known stage.
Usage: scripts/check-stage-order.py [--root DIR]   check the repository (default: this script's)
       scripts/check-stage-order.py --self-test    prove the check fails on a bad include
"""
import argparse
import pathlib
import re
import sys
import tempfile

BLOCK = re.compile(r"^```stage-layers\n(.*?)^```", re.M | re.S)
LAYER_LINE = re.compile(r"^([0-9]+):((?:\s+[a-z_]+)+)\s*$")
INCLUDE = re.compile(r'^\s*#\s*include\s*["<]stackprint/([a-z_]+)/[^">]+[">]', re.M)
SUFFIXES = {".cpp", ".hpp", ".h", ".cc"}


def read_layers(architecture: pathlib.Path) -> dict[str, int]:
    """Stage -> layer number, from the stage-layers block. Raises ValueError on a malformed block."""
    if not architecture.is_file():
        raise ValueError(f"{architecture}: missing")
    match = BLOCK.search(architecture.read_text(encoding="utf-8"))
    if not match:
        raise ValueError(f"{architecture}: no ```stage-layers block")
    layers: dict[str, int] = {}
    previous = -1
    for number, line in enumerate(match.group(1).splitlines(), 1):
        line = line.split("#", 1)[0].rstrip()
        if not line:
            continue
        m = LAYER_LINE.match(line)
        if not m:
            raise ValueError(f"{architecture}: stage-layers line {number}: expected 'N: stage stage ...', got {line!r}")
        layer = int(m.group(1))
        if layer <= previous:
            raise ValueError(f"{architecture}: stage-layers line {number}: layer {layer} does not follow {previous}")
        previous = layer
        for stage in m.group(2).split():
            if stage in layers:
                raise ValueError(f"{architecture}: stage {stage} is listed twice")
            layers[stage] = layer
    if not layers:
        raise ValueError(f"{architecture}: the stage-layers block is empty")
    return layers


def check(root: pathlib.Path) -> list[str]:
    """Every violation as a one-line message (empty when the tree keeps the layering)."""
    try:
        layers = read_layers(root / "ARCHITECTURE.md")
    except ValueError as error:
        return [str(error)]
    src = root / "src" / "stackprint"
    problems = []
    for folder in sorted(p for p in src.iterdir() if p.is_dir()):
        if folder.name not in layers:
            problems.append(f"src/stackprint/{folder.name}/: stage not in ARCHITECTURE.md's stage-layers block")
    for path in sorted(src.rglob("*")):
        if path.suffix not in SUFFIXES or not path.is_file():
            continue
        relative = path.relative_to(root)
        stage = path.relative_to(src).parts[0]
        if stage not in layers:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in INCLUDE.finditer(text):
            target = m.group(1)
            line = text.count("\n", 0, m.start()) + 1
            if target not in layers:
                problems.append(f"{relative}:{line}: includes unknown stage '{target}'")
            elif target != stage and layers[target] >= layers[stage]:
                problems.append(
                    f"{relative}:{line}: {stage} (layer {layers[stage]}) includes {target} (layer {layers[target]}); "
                    'a stage includes only lower layers (ARCHITECTURE.md, "Stage layers")'
                )
    return problems


def self_test() -> int:
    """A copy of the layering with a good tree passes; each kind of bad tree fails."""
    here = pathlib.Path(__file__).resolve().parent.parent
    block = BLOCK.search((here / "ARCHITECTURE.md").read_text(encoding="utf-8"))
    assert block, "ARCHITECTURE.md has no stage-layers block"
    architecture = "# test\n\n```stage-layers\n" + block.group(1) + "```\n"
    layers = read_layers_from_text(architecture)
    low = min(layers, key=layers.get)
    high = max(layers, key=layers.get)
    peers = next([a, b] for a in layers for b in layers if a != b and layers[a] == layers[b])
    cases = {
        "good": ({f"{high}/a.cpp": f'#include "stackprint/{low}/x.hpp"\n#include "stackprint/{high}/a.hpp"\n'}, None),
        "upward include": ({f"{low}/a.hpp": f'#include "stackprint/{high}/b.hpp"\n'}, "includes " + high),
        "angle brackets": ({f"{low}/a.cpp": f"#  include <stackprint/{high}/b.hpp>\n"}, "includes " + high),
        "same layer": ({f"{peers[0]}/a.cpp": f'#include "stackprint/{peers[1]}/b.hpp"\n'}, "includes " + peers[1]),
        "unknown stage": ({f"{low}/a.cpp": '#include "stackprint/nowhere/b.hpp"\n'}, "unknown stage"),
        "unlisted folder": ({"newstage/a.cpp": "\n"}, "stage not in"),
    }
    failures = 0
    for name, (files, expected) in cases.items():
        with tempfile.TemporaryDirectory() as tmp:
            root = pathlib.Path(tmp)
            (root / "ARCHITECTURE.md").write_text(architecture, encoding="utf-8")
            for stage in layers:
                (root / "src" / "stackprint" / stage).mkdir(parents=True, exist_ok=True)
            for relative, text in files.items():
                path = root / "src" / "stackprint" / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            problems = check(root)
            ok = not problems if expected is None else any(expected in p for p in problems)
            print(f"self-test {name}: {'ok' if ok else 'FAILED'} {problems}")
            failures += 0 if ok else 1
    for name, text in {"no block": "# nothing\n", "bad line": "```stage-layers\n0 base\n```\n",
                       "layers out of order": "```stage-layers\n1: base\n0: wire\n```\n"}.items():
        with tempfile.TemporaryDirectory() as tmp:
            root = pathlib.Path(tmp)
            (root / "ARCHITECTURE.md").write_text(text, encoding="utf-8")
            (root / "src" / "stackprint" / "base").mkdir(parents=True)
            ok = bool(check(root))
            print(f"self-test {name}: {'ok' if ok else 'FAILED'}")
            failures += 0 if ok else 1
    return 1 if failures else 0


def read_layers_from_text(text: str) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "ARCHITECTURE.md"
        path.write_text(text, encoding="utf-8")
        return read_layers(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent.parent)
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    problems = check(args.root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"check-stage-order: {len(problems)} include(s) against the stage layering", file=sys.stderr)
        return 1
    print("check-stage-order: every include keeps the stage layering")
    return 0


if __name__ == "__main__":
    sys.exit(main())
