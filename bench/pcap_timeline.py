#!/usr/bin/env python3
"""Packets per time slot of a capture file (pcap, micro- or nanosecond): where a rate-limited scan's
wall time goes. Prints one line per slot (its start, relative to the first packet, and its count)
and a summary: packets, span, slots below a share of the rate (with --rate), and the 1 s peak.

usage: pcap_timeline.py CAPTURE [--slot-ms 100] [--rate N] [--quiet]
"""
import argparse
import struct
from collections import deque


def times(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    scale = 1e-9 if magic in (0x4D3CB2A1, 0xA1B23C4D) else 1e-6
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        yield sec + frac * scale
        off += 16 + incl


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("capture")
    parser.add_argument("--slot-ms", type=float, default=100.0)
    parser.add_argument("--rate", type=float, default=0.0)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    stamps = sorted(times(args.capture))
    if not stamps:
        print("no packets")
        return
    slot = args.slot_ms / 1000.0
    first = stamps[0]
    counts = [0] * (int((stamps[-1] - first) / slot) + 1)
    for t in stamps:
        counts[int((t - first) / slot)] += 1
    if not args.quiet:
        for i, n in enumerate(counts):
            print(f"{i * slot:8.1f} {n:5d}")
    window, peak = deque(), 0
    for t in stamps:
        window.append(t)
        while window[0] <= t - 1.0:
            window.popleft()
        peak = max(peak, len(window))
    span = stamps[-1] - first
    line = f"packets {len(stamps)}, span {span:.2f} s, 1 s peak {peak}"
    if args.rate > 0:
        full = args.rate * slot
        low = sum(1 for n in counts if n < 0.8 * full)
        missing = sum(max(0.0, full - n) for n in counts)
        line += (f", packets/rate {len(stamps) / args.rate:.2f} s; slots below 80% of the rate: {low} of "
                 f"{len(counts)}, packets short of the rate in them: {missing:.0f} ({missing / args.rate:.2f} s)")
    print(line)


if __name__ == "__main__":
    main()
