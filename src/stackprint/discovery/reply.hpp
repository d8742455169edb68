#pragma once
// The parts of a captured packet that port discovery looks at, parsed from the raw IPv4 bytes.
// Bounds-checked; anything else is an error value (the caller counts and ignores it).

#include <cstdint>
#include <optional>
#include <span>
#include <variant>

#include "stackprint/base/expected.hpp"
#include "stackprint/base/ipv4_address.hpp"

namespace stackprint::discovery {

struct TcpReply {
  Ipv4Address source;
  Ipv4Address destination;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint32_t sequence = 0;
  std::uint32_t acknowledgment = 0; // the field, whether or not ACK is set
  std::uint8_t flags = 0;           // byte 13: FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10
  std::uint8_t ttl = 0;
};

struct UdpReply {
  Ipv4Address source;
  Ipv4Address destination;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint8_t ttl = 0;
};

// ICMP destination unreachable (type 3) quoting one of our TCP or UDP probes.
struct IcmpUnreachable {
  Ipv4Address source; // the host or router that sent the ICMP message
  Ipv4Address destination;
  std::uint8_t code = 0;
  std::uint8_t quoted_protocol = 0; // 6 TCP, 17 UDP
  Ipv4Address quoted_destination;   // the probed host
  std::uint16_t quoted_source_port = 0;
  std::uint16_t quoted_destination_port = 0;
  std::optional<std::uint32_t> quoted_tcp_sequence; // when the quote holds TCP bytes 4-7
  std::uint8_t ttl = 0;                             // of the ICMP message's own IP header
};

using DiscoveryReply = std::variant<TcpReply, UdpReply, IcmpUnreachable>;

// Parses `ip_packet` (starting at the IPv4 header; bytes past the total length are ignored).
// Errors: malformed or truncated headers, fragments other than a complete unfragmented packet,
// protocols and ICMP types discovery has no use for.
[[nodiscard]] Expected<DiscoveryReply> parse_discovery_reply(std::span<const std::uint8_t> ip_packet);

} // namespace stackprint::discovery
