#!/usr/bin/env python3
"""Prints the most packets a pcap file holds in any 1 s window (its packets' capture times).

usage: peak_rate.py FILE.pcap
Reads classic pcap (microsecond or nanosecond timestamps, either byte order); prints 0 for an
empty or unreadable file's body and exits 2 with one line when the header is not pcap."""
import struct
import sys
from collections import deque


def peak_in_one_second(data):
    if len(data) < 24:
        return 0
    magic_le = struct.unpack("<I", data[:4])[0]
    if magic_le in (0xA1B2C3D4, 0xA1B23C4D):
        endian = "<"
        scale = 1e-9 if magic_le == 0xA1B23C4D else 1e-6
    elif magic_le in (0xD4C3B2A1, 0x4D3CB2A1):
        endian = ">"
        scale = 1e-9 if magic_le == 0x4D3CB2A1 else 1e-6
    else:
        raise ValueError("not a pcap file")
    off, window, peak = 24, deque(), 0
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        t = sec + frac * scale
        window.append(t)
        while window[0] <= t - 1.0:
            window.popleft()
        peak = max(peak, len(window))
        off += 16 + incl
    return peak


def main():
    if len(sys.argv) != 2:
        print("usage: peak_rate.py FILE.pcap", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], "rb") as f:
            print(peak_in_one_second(f.read()))
    except (OSError, ValueError) as error:
        print(f"peak_rate.py: {sys.argv[1]}: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
