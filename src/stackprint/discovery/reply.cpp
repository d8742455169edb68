#include "stackprint/discovery/reply.hpp"

namespace stackprint::discovery {
namespace {

constexpr std::uint8_t k_protocol_icmp = 1;
constexpr std::uint8_t k_protocol_tcp = 6;
constexpr std::uint8_t k_protocol_udp = 17;

std::uint16_t be16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}
std::uint32_t be32(std::span<const std::uint8_t> b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
         std::uint32_t{b[at + 3]};
}

} // namespace

Expected<DiscoveryReply> parse_discovery_reply(std::span<const std::uint8_t> ip_packet) {
  if (ip_packet.size() < 20 || (ip_packet[0] >> 4) != 4) {
    return fail("not an IPv4 packet");
  }
  const std::size_t header_length = std::size_t{ip_packet[0] & 0x0FU} * 4;
  const std::size_t total_length = be16(ip_packet, 2);
  if (header_length < 20 || total_length < header_length || total_length > ip_packet.size()) {
    return fail("IPv4 header or total length out of bounds");
  }
  if ((be16(ip_packet, 6) & 0x3FFFU) != 0) {
    return fail("fragment");
  }
  const std::span<const std::uint8_t> packet = ip_packet.first(total_length);
  const std::span<const std::uint8_t> l4 = packet.subspan(header_length);
  const Ipv4Address source{be32(packet, 12)};
  const Ipv4Address destination{be32(packet, 16)};
  switch (packet[9]) {
  case k_protocol_tcp: {
    if (l4.size() < 20) {
      return fail("truncated TCP header");
    }
    return DiscoveryReply(TcpReply{source, destination, be16(l4, 0), be16(l4, 2), be32(l4, 4), be32(l4, 8), l4[13],
                                   packet[8]});
  }
  case k_protocol_udp:
    if (l4.size() < 8) {
      return fail("truncated UDP header");
    }
    return DiscoveryReply(UdpReply{source, destination, be16(l4, 0), be16(l4, 2)});
  case k_protocol_icmp: {
    if (l4.size() < 8) {
      return fail("truncated ICMP header");
    }
    if (l4[0] != 3) {
      return fail("ICMP type without use for port discovery");
    }
    const std::span<const std::uint8_t> quote = l4.subspan(8);
    if (quote.size() < 20 || (quote[0] >> 4) != 4) {
      return fail("ICMP unreachable without a quoted IPv4 header");
    }
    const std::size_t quoted_header_length = std::size_t{quote[0] & 0x0FU} * 4;
    if (quoted_header_length < 20 || quote.size() < quoted_header_length + 4) {
      return fail("ICMP unreachable quote too short for the ports");
    }
    const std::span<const std::uint8_t> quoted_l4 = quote.subspan(quoted_header_length);
    IcmpUnreachable unreachable{source,
                                destination,
                                l4[1],
                                quote[9],
                                Ipv4Address{be32(quote, 16)},
                                be16(quoted_l4, 0),
                                be16(quoted_l4, 2),
                                std::nullopt};
    if (unreachable.quoted_protocol == k_protocol_tcp && quoted_l4.size() >= 8) {
      unreachable.quoted_tcp_sequence = be32(quoted_l4, 4);
    }
    return DiscoveryReply(unreachable);
  }
  default:
    return fail("protocol without use for port discovery");
  }
}

} // namespace stackprint::discovery
