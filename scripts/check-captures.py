#!/usr/bin/python3
"""Sanity check of recorded Nmap captures (tests/data/captures/<name>/), standard library only.

    scripts/check-captures.py [-v] [CAPTURE_DIR...]     (default: every directory under tests/data/captures)

For each capture it checks that
  - the files exist and are small (each < 256 KiB),
  - fingerprint.txt is a well-formed block (wrapped: 75-character "OS:" lines; unwrapped: one test a
    line) and equals the XML <osfingerprint> attribute,
  - the SCAN line's OT/CT/CU agree with meta.json (CU may come from a U1 reply when no UDP port was
    scanned), G=Y exactly when wrapped,
  - the pcap is Ethernet, holds only frames from/to the target (plus ARP), and contains the OS probes
    Nmap 7.93 sends: 6 SEQ SYNs per round to the open port, IE #1 (code 9, DF, 120 data bytes) and IE #2
    (TOS 4, 150 bytes), U1 (IP ID 0x1042, 300 bytes of 'C', TTL 51-64), ECN (CWR|ECE|SYN, urg 0xF7F5),
    T2-T7 when the fingerprint says they were sent.
With -v it prints per capture: rounds, probe counts, U1 TTL, and the checksum state of replies.
Exit status 1 if any check fails.
"""
import json
import os
import re
import struct
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "captures")


def read_pcap(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic == 0xA1B2C3D4:
        endian = "<"
    elif magic == 0xD4C3B2A1:
        endian = ">"
    else:
        raise ValueError("not a microsecond pcap file")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    frames, off = [], 24
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack(endian + "IIII", data[off:off + 16])
        frames.append((sec + usec / 1e6, data[off + 16:off + 16 + incl], orig))
        off += 16 + incl
    if off != len(data):
        raise ValueError("truncated pcap")
    return linktype, frames


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def l4_checksum_ok(ip, proto, seg):
    pseudo = ip[12:20] + struct.pack("!BBH", 0, proto, len(seg))
    return csum(pseudo + seg) == 0


def check(capdir, verbose):
    errs = []
    name = os.path.basename(os.path.normpath(capdir))
    files = ["capture.pcap", "nmap.nmap", "nmap.xml", "fingerprint.txt", "meta.json"]
    for f in files:
        p = os.path.join(capdir, f)
        if not os.path.exists(p):
            return [f"missing {f}"]
        if os.path.getsize(p) > 256 * 1024:
            errs.append(f"{f} is larger than 256 KiB")
    meta = json.load(open(os.path.join(capdir, "meta.json")))
    fp = open(os.path.join(capdir, "fingerprint.txt"), encoding="utf-8").read()
    xml_fp = ET.parse(os.path.join(capdir, "nmap.xml")).getroot().find(".//os/osfingerprint")
    if xml_fp is None or xml_fp.get("fingerprint") != fp:
        errs.append("fingerprint.txt differs from the XML osfingerprint")
    if not fp.endswith("\n"):
        errs.append("fingerprint.txt does not end in a newline")
    lines = fp.split("\n")[:-1]
    wrapped = fp.startswith("OS:")
    if wrapped:
        if any(not l.startswith("OS:") for l in lines) or any(len(l) != 75 for l in lines[:-1]) \
                or not 3 < len(lines[-1]) <= 75:
            errs.append("wrapped fingerprint lines are not 'OS:' + 72 characters")
        flat = "".join(l[3:] for l in lines)
    else:
        if not all(re.fullmatch(r"[A-Z0-9]+\(.*\)", l) for l in lines):
            errs.append("unwrapped fingerprint has a line that is not one test")
        flat = "".join(lines)
    tests = re.findall(r"([A-Z0-9]+)\(([^)]*)\)", flat)
    if "".join(f"{n}({b})" for n, b in tests) != flat:
        errs.append("fingerprint text is not a sequence of NAME(...) tests")
    scan = dict(kv.split("=", 1) for kv in tests[0][1].split("%"))
    if tests[0][0] != "SCAN":
        errs.append("first test is not SCAN")
    if (scan.get("G") == "Y") != wrapped:
        errs.append("G=Y but unwrapped, or G=N but wrapped")
    expect = {"OT": meta["open_tcp_port"], "CT": meta["closed_tcp_port"], "CU": meta["closed_udp_port"]}
    for key, port in expect.items():
        got = scan.get(key, "")
        if port is not None and got != str(port):
            errs.append(f"SCAN {key}={got}, meta says {port}")
        # Without a closed UDP port from the scan, CU is the random U1 port if U1 was answered.
        if port is None and key != "CU" and got != "":
            errs.append(f"SCAN {key}={got}, meta says none")
    names = [n for n, _ in tests]
    by_name = {}
    for n, b in tests:
        by_name.setdefault(n, b)

    linktype, frames = read_pcap(os.path.join(capdir, "capture.pcap"))
    if linktype != 1:
        errs.append(f"pcap link type {linktype}, expected 1 (Ethernet)")
    target = bytes(int(x) for x in meta["target_ip"].split("."))
    scanner = bytes(int(x) for x in meta["scanner_ip"].split("."))
    ot = meta["open_tcp_port"]
    seq, ie1, ie2, u1, ecn, other_tcp = 0, 0, 0, [], 0, {}
    echo_ids = set()  # icmpEchoId is drawn once per round; retransmissions reuse it
    bad_reply_csum, replies = 0, 0
    for ts, frame, orig in frames:
        if len(frame) != orig:
            errs.append("a frame was truncated by the snaplen")
        etype = struct.unpack("!H", frame[12:14])[0]
        if etype == 0x0806:
            continue
        if etype != 0x0800:
            errs.append(f"non-IPv4 ethertype {etype:#x}")
            continue
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        tot = struct.unpack("!H", ip[2:4])[0]
        ip = ip[:tot]
        src, dst, proto = ip[12:16], ip[16:20], ip[9]
        if target not in (src, dst) or scanner not in (src, dst):
            errs.append("a frame not between scanner and target")
            continue
        seg = ip[ihl:]
        if src == target:
            replies += 1
            if csum(bytes(ip[:ihl])) != 0:
                errs.append("a reply with a bad IP header checksum")
            if proto == 1 and csum(bytes(seg)) != 0:
                errs.append("a reply with a bad ICMP checksum")
            if proto in (6, 17) and not l4_checksum_ok(ip, proto, seg):
                bad_reply_csum += 1
            continue
        tos, ident, frag, ttl = ip[1], struct.unpack("!H", ip[4:6])[0], struct.unpack("!H", ip[6:8])[0], ip[8]
        df = bool(frag & 0x4000)
        if proto == 1:
            typ, code = seg[0], seg[1]
            if typ == 8 and code == 9 and df and tos == 0 and len(seg) == 128:
                ie1 += 1
                echo_ids.add(struct.unpack("!H", seg[4:6])[0])
            elif typ == 8 and code == 0 and not df and tos == 4 and len(seg) == 158:
                ie2 += 1
        elif proto == 17:
            if ident == 0x1042 and len(seg) == 308 and seg[8:] == b"C" * 300 and 51 <= ttl <= 64 and not df:
                u1.append(ttl)
        elif proto == 6:
            sport, dport = struct.unpack("!HH", seg[:4])
            flags = seg[13]
            urg = struct.unpack("!H", seg[18:20])[0]
            if flags == 0xC2 and seg[12] == 0x88 and urg == 0xF7F5:
                ecn += 1
            elif flags == 0x02 and dport == ot and len(seg) > 20 and seg[20] in (2, 3, 4, 8):
                # SYN with options to the open port: a SEQ/OPS probe or the port scan's SYN (MSS only).
                if len(seg) > 24:
                    seq += 1
            else:
                other_tcp[flags] = other_tcp.get(flags, 0) + 1
    rounds = len(echo_ids)
    if meta["open_tcp_port"] is not None and seq < 6 * max(rounds, 1):
        errs.append(f"only {seq} SEQ SYNs for {rounds} rounds")
    if rounds == 0 or ie2 == 0:
        errs.append(f"IE probes missing (IE1 {ie1}, IE2 {ie2})")
    if not u1:
        errs.append("no U1 probe")
    if meta["open_tcp_port"] is not None and ecn == 0:
        errs.append("no ECN probe")
    if meta.get("lab_options") and "no-csum-offload" in meta["lab_options"] and bad_reply_csum:
        errs.append(f"{bad_reply_csum} replies with a bad TCP/UDP checksum despite no-csum-offload")
    if verbose:
        print(f"  {name}: rounds={rounds} seq_syns={seq} ie={ie1}/{ie2} u1_ttls={u1} ecn={ecn} "
              f"tests={'/'.join(names[1:])} replies={replies} bad_tcp_udp_checksums={bad_reply_csum}")
    return errs


def main(argv):
    verbose = "-v" in argv
    dirs = [a for a in argv if a != "-v"]
    if not dirs:
        dirs = sorted(os.path.join(ROOT, d) for d in os.listdir(ROOT)
                      if os.path.isdir(os.path.join(ROOT, d)))
    failed = 0
    for d in dirs:
        meta_path = os.path.join(d, "meta.json")
        if not os.path.exists(meta_path) or \
                json.load(open(meta_path)).get("recorded_by") != "scripts/record-nmap.sh":
            print(f"skip {os.path.basename(d)}: not recorded by scripts/record-nmap.sh")
            continue
        try:
            errs = check(d, verbose)
        except Exception as e:  # a broken file is a failed check, not a crash
            errs = [f"{type(e).__name__}: {e}"]
        if errs:
            failed += 1
            print(f"FAIL {d}")
            for e in errs:
                print(f"   - {e}")
        else:
            print(f"ok   {os.path.basename(d)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
