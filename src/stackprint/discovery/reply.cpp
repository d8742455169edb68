#include "stackprint/discovery/reply.hpp"

#include "stackprint/wire/icmp_message.hpp"
#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::discovery {
namespace {

constexpr std::uint8_t k_protocol_tcp = 6;
constexpr std::uint8_t k_icmp_destination_unreachable = 3;

} // namespace

Expected<DiscoveryReply> parse_discovery_reply(std::span<const std::uint8_t> ip_packet) {
  auto packet = wire::parse_ipv4(ip_packet);
  if (!packet) { return tl::unexpected(packet.error()); }
  if (packet->ip.is_fragment()) { return fail("fragment"); }
  const Ipv4Address source{packet->ip.source};
  const Ipv4Address destination{packet->ip.destination};
  if (const auto* tcp = packet->tcp()) {
    return DiscoveryReply(TcpReply{source, destination, tcp->source_port, tcp->destination_port, tcp->sequence,
                                   tcp->acknowledgment, tcp->flags, packet->ip.ttl});
  }
  if (const auto* udp = packet->udp()) {
    return DiscoveryReply(UdpReply{source, destination, udp->source_port, udp->destination_port, packet->ip.ttl});
  }
  const auto* icmp = packet->icmp();
  if (icmp == nullptr) { return fail("protocol without use for port discovery"); }
  if (icmp->type != k_icmp_destination_unreachable) { return fail("ICMP type without use for port discovery"); }
  auto quoted = icmp->quoted_packet();
  if (!quoted) { return fail("ICMP unreachable without a readable quoted IPv4 header: " + quoted.error().message); }
  const auto source_port = quoted->source_port();
  const auto destination_port = quoted->destination_port();
  if (!source_port || !destination_port) { return fail("ICMP unreachable quote too short for the ports"); }
  IcmpUnreachable unreachable{
      source,       destination,       icmp->code,   quoted->ip.protocol, Ipv4Address{quoted->ip.destination},
      *source_port, *destination_port, std::nullopt, packet->ip.ttl};
  if (quoted->ip.protocol == k_protocol_tcp && quoted->transport.size() >= 8) {
    const auto& t = quoted->transport;
    unreachable.quoted_tcp_sequence =
        (std::uint32_t{t[4]} << 24) | (std::uint32_t{t[5]} << 16) | (std::uint32_t{t[6]} << 8) | std::uint32_t{t[7]};
  }
  return DiscoveryReply(unreachable);
}

} // namespace stackprint::discovery
