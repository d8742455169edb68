#pragma once
// Small constructors for replies a target (or the OS emulator) sends, and a one-line summary of
// any packet for logs and dry runs. They only fill fields; lengths and checksums are computed by
// serialize() (or kept, with SerializeOptions, when a reply must be deliberately wrong).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::wire {

// An ICMP error (e.g. type 3 code 3, port unreachable) quoting the first `quote_limit` bytes of
// `offending` (the whole IPv4 packet that caused it, as bytes). RFC 792 asks for the header plus
// 8 bytes (28); Linux quotes up to 576 - 28 = 548 bytes. `rest_of_header` is the "unused" word
// (Nmap's U1.UN reads its low 16 bits; "fragmentation needed" puts the next-hop MTU there).
[[nodiscard]] IcmpMessage make_icmp_error(std::uint8_t type, std::uint8_t code, std::span<const std::uint8_t> offending,
                                          std::size_t quote_limit, std::uint32_t rest_of_header = 0);

// The echo reply a conforming stack sends for `request`: type 0, same code, identifier, sequence
// and data (Nmap's IE.CD test reads whether the code is echoed).
[[nodiscard]] IcmpMessage make_echo_reply(const IcmpMessage& request);

// One line, tcpdump-like, e.g.
//   "10.99.100.1 > 10.99.100.2 id 317 ttl 41 len 60 TCP 54727 > 80 [S] seq 3169888535 ack 3830113953 win 1 res 0 urg 0
//   opts 20"
// for logs, test failure messages and --dry-run output. Not a stable format.
[[nodiscard]] std::string summarize_packet(const Ipv4Packet& packet);

} // namespace stackprint::wire
