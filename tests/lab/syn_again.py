#!/usr/bin/env python3
"""Sends the same TCP SYN several times on one connection and records the SYN/ACKs that come back.

Run inside a lab's scanner namespace (raw sockets, root). The SYN carries the options of a common
client SYN (MSS, SACK permitted, timestamps with a fixed TSval, window scale), and every copy is
identical: same addresses, ports, sequence number and TSval. The replies are read from a raw socket
and not answered by this program; the caller drops the kernel's own resets (nftables), so the
target keeps its half-open connection and its retransmission timer runs.

  syn_again.py SOURCE TARGET PORT [--sport P] [--at 0,0.2,1.5] [--listen S] [--max-packets N]

Prints one JSON line per packet, in time order, times in seconds since the first SYN:
  {"t": 0.0, "dir": "syn"}
  {"t": 0.0004, "dir": "synack", "seq": ISN, "ack": A, "tsval": V, "tsecr": E}   (tsval null without TS)
Stops after --listen seconds past the last SYN, or after --max-packets SYN/ACKs, whichever is first.
"""
import argparse
import json
import os
import select
import socket
import struct
import sys
import time


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f">{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def syn_segment(src: bytes, dst: bytes, sport: int, dport: int, seq: int, tsval: int) -> bytes:
    # MSS 1460, SACK permitted, timestamps (TSval, TSecr 0), NOP, window scale 7: 20 bytes.
    options = struct.pack(">BBH", 2, 4, 1460) + bytes([4, 2]) + struct.pack(">BBII", 8, 10, tsval, 0) + \
        bytes([1, 3, 3, 7])
    offset = (20 + len(options)) // 4
    header = struct.pack(">HHIIBBHHH", sport, dport, seq, 0, offset << 4, 0x02, 64240, 0, 0) + options
    pseudo = src + dst + struct.pack(">BBH", 0, socket.IPPROTO_TCP, len(header))
    csum = checksum(pseudo + header)
    return header[:16] + struct.pack(">H", csum) + header[18:]


def parse_tsopt(options: bytes):
    i = 0
    while i < len(options):
        kind = options[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(options) or options[i + 1] < 2:
            break
        if kind == 8 and options[i + 1] == 10 and i + 10 <= len(options):
            return struct.unpack(">II", options[i + 2:i + 10])
        i += options[i + 1]
    return None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("target")
    ap.add_argument("port", type=int)
    ap.add_argument("--sport", type=int, default=0, help="source port (default: 40000 + pid %% 20000)")
    ap.add_argument("--seq", type=int, default=0x5A5A0000)
    ap.add_argument("--tsval", type=int, default=123456)
    ap.add_argument("--at", default="0,0.2,1.5", help="send times in seconds, comma separated")
    ap.add_argument("--listen", type=float, default=2.0)
    ap.add_argument("--max-packets", type=int, default=32)
    args = ap.parse_args()
    times = sorted(float(x) for x in args.at.split(","))
    if not times or times[0] < 0 or times[-1] > 120 or args.listen > 120 or args.max_packets < 1:
        print("syn_again: bad --at, --listen or --max-packets", file=sys.stderr)
        return 2
    sport = args.sport or 40000 + os.getpid() % 20000
    src, dst = socket.inet_aton(args.source), socket.inet_aton(args.target)
    segment = syn_segment(src, dst, sport, args.port, args.seq, args.tsval)

    sender = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    receiver = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    start = time.monotonic()
    end = start + times[-1] + args.listen
    pending = list(times)
    synacks = 0
    while synacks < args.max_packets:
        now = time.monotonic()
        if pending and now - start >= pending[0]:
            pending.pop(0)
            sender.sendto(segment, (args.target, 0))
            print(json.dumps({"t": round(time.monotonic() - start, 6), "dir": "syn"}), flush=True)
            continue
        if now >= end:
            break
        wake = min(end, start + pending[0]) if pending else end
        ready, _, _ = select.select([receiver], [], [], max(0.0, wake - now))
        if not ready:
            continue
        packet = receiver.recv(65535)
        t = time.monotonic() - start
        if len(packet) < 20 or packet[9] != socket.IPPROTO_TCP or packet[12:16] != dst:
            continue
        tcp = packet[(packet[0] & 15) * 4:]
        if len(tcp) < 20:
            continue
        p_sport, p_dport, seq, ack = struct.unpack(">HHII", tcp[:12])
        if p_sport != args.port or p_dport != sport or tcp[13] & 0x12 != 0x12:
            continue
        ts = parse_tsopt(tcp[20:(tcp[12] >> 4) * 4])
        synacks += 1
        print(json.dumps({"t": round(t, 6), "dir": "synack", "seq": seq, "ack": ack,
                          "tsval": ts[0] if ts else None, "tsecr": ts[1] if ts else None}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
