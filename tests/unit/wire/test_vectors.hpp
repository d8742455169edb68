#pragma once
// Real packets from a recorded Nmap 7.93 run (tests/data/captures/wire-default): scanner
// 10.99.100.1, Linux target 10.99.100.2 (open TCP 80, closed TCP 22, closed UDP 31179).

#include <cstdint>
#include <vector>

#include "../base/test_hex.hpp"

namespace stackprint::testing {

// SEQ #1: SYN 54727 -> 80, TTL 41, ID 317, window 1, options WS10 NOP MSS1460 TS SACK.
inline std::vector<std::uint8_t> seq1_probe() {
  return from_hex("4500003c013d00002906b3b60a6364010a636402d5c70050bcf0a917e44ae6a1a00200015b2f0000"
                  "03030a01020405b4080affffffff000000000402");
}

// The target's SYN/ACK to SEQ #1. Its TCP checksum is wrong on the capture (veth offload), which
// makes it a good "keep the received checksum" vector.
inline std::vector<std::uint8_t> seq1_syn_ack() {
  return from_hex("4500003c0000400040065df30a6364020a6364010050d5c7fc28cd0dbcf0a918a012fe88dcf70000"
                  "020405b40402080a5e89164bffffffff0103030a");
}

// ECN probe: byte 12 = 0x88 (8 words, high reserved bit), flags CWR|ECE|SYN, urgent 0xF7F5.
inline std::vector<std::uint8_t> ecn_probe() {
  return from_hex("45000034814e0000260636ad0a6364010a636402d5d30050bcf0a9170000000088c200034c69f7f5"
                  "03030a01020405b404020101");
}

// RST from the scanner (40 bytes, no options).
inline std::vector<std::uint8_t> scanner_rst() {
  return from_hex("450000280000400040065e070a6364010a636402d5c70050bcf0a918000000005004000096f60000");
}

// IE #1: echo request, DF, code 9, id 0x4272, seq 295, 120 zero bytes.
inline std::vector<std::uint8_t> ie1_probe() {
  auto bytes = from_hex("45000094930a40003001da950a6364010a6364020809b45d42720127");
  bytes.resize(148, 0);
  return bytes;
}

// U1: UDP 54699 -> 31179, ID 0x1042, TTL 63, 300 'C'.
inline std::vector<std::uint8_t> u1_probe() {
  auto bytes = from_hex("45000148104200003f118d9a0a6364010a636402d5ab79cb013467dc");
  bytes.resize(328, 0x43);
  return bytes;
}

// The target's port unreachable for U1, quoting the whole probe (356 bytes).
inline std::vector<std::uint8_t> u1_port_unreachable() {
  auto bytes = from_hex("45c00164e9a000004001b26f0a6364020a6364010303db0b00000000");
  auto probe = u1_probe();
  bytes.insert(bytes.end(), probe.begin(), probe.end());
  return bytes;
}

inline std::vector<std::vector<std::uint8_t>> all_vectors() {
  return {seq1_probe(), seq1_syn_ack(), ecn_probe(), scanner_rst(), ie1_probe(), u1_probe(), u1_port_unreachable()};
}

} // namespace stackprint::testing
