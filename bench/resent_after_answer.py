#!/usr/bin/env python3
"""How many TCP probes a scanner sent again although their first copy had been answered at once.

A probe is the scanner's TCP packets to one (address, port) from one source port, resets left out
(the scanner's kernel resets every SYN/ACK it has no socket for); its copies after the first are
re-sends. A re-send that follows an answer to the first copy within --answered-ms
shows a scanner that did not take in an answer it had on its interface (it was read too late, or
not at all) rather than a lost packet. Reads a capture (pcap, Ethernet or raw IP, micro- or
nanosecond) taken on the scanner's interface; SCANNER is the scanner's address.

Prints one JSON object: probes, re-sends, re-sends after an answer within --answered-ms, and
frames skipped as not IPv4/TCP or cut short; with --column only "A of B" (re-sends after an answer
of all re-sends), for a table cell.

usage: resent_after_answer.py CAPTURE SCANNER [--answered-ms 10] [--column]
"""
import argparse
import json
import socket
import struct
from collections import defaultdict


def frames(path):
    data = open(path, "rb").read()
    if len(data) < 24:
        raise SystemExit(f"{path}: not a capture file (shorter than a pcap header)")
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        endian = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        endian = ">"
    else:
        raise SystemExit(f"{path}: not a pcap file (magic {magic:#x})")
    nanos = magic in (0xA1B23C4D, 0x4D3CB2A1)
    link = struct.unpack(endian + "I", data[20:24])[0]
    link_header = {1: 14, 101: 0, 228: 0}.get(link)
    if link_header is None:
        raise SystemExit(f"{path}: link type {link} is neither Ethernet nor raw IP")
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        yield sec + frac * (1e-9 if nanos else 1e-6), data[off + 16 + link_header:off + 16 + incl]
        off += 16 + incl


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("capture")
    parser.add_argument("scanner")
    parser.add_argument("--answered-ms", type=float, default=10.0)
    parser.add_argument("--column", action="store_true")
    args = parser.parse_args()
    scanner = socket.inet_aton(args.scanner)
    sends = defaultdict(list)    # (target, target port, our port) -> send times
    answers = defaultdict(list)  # the same key -> answer times
    skipped = 0
    for stamp, ip in frames(args.capture):
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
            skipped += 1
            continue
        header = (ip[0] & 15) * 4
        if len(ip) < header + 4:
            skipped += 1
            continue
        source_port, destination_port = struct.unpack(">HH", ip[header:header + 4])
        reset = len(ip) >= header + 14 and ip[header + 13] & 0x04
        if ip[12:16] == scanner and reset:
            continue  # the scanner's kernel resetting a SYN/ACK it has no socket for: not a probe
        if ip[12:16] == scanner:
            sends[(ip[16:20], destination_port, source_port)].append(stamp)
        elif ip[16:20] == scanner:
            answers[(ip[12:16], source_port, destination_port)].append(stamp)
    window = args.answered_ms / 1000.0
    resends = 0
    after_answer = 0
    for key, times in sends.items():
        times.sort()
        resends += len(times) - 1
        first = times[0]
        if any(first <= t <= first + window for t in answers.get(key, [])):
            after_answer += len(times) - 1
    if args.column:
        print(f"{after_answer} of {resends}")
        return
    print(json.dumps({"probes": len(sends), "resends": resends, "resends_after_answer": after_answer,
                      "answered_ms": args.answered_ms, "skipped_frames": skipped}))


if __name__ == "__main__":
    main()
