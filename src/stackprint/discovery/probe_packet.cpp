#include "stackprint/discovery/probe_packet.hpp"

#include "stackprint/wire/ipv4_packet.hpp"
#include "stackprint/wire/tcp_option.hpp"

namespace stackprint::discovery {

std::vector<std::uint8_t> probe_packet(const DiscoveryAction& action, Ipv4Address source, std::uint8_t ttl) {
  wire::Ipv4Packet packet;
  packet.ip.ttl = ttl;
  packet.ip.source = source.value;
  if (const auto* syn = std::get_if<SendTcpSyn>(&action)) {
    packet.ip.protocol = 6;
    packet.ip.id = syn->ip_id;
    packet.ip.destination = syn->destination.value;
    wire::TcpSegment segment;
    segment.source_port = syn->source_port;
    segment.destination_port = syn->destination_port;
    segment.sequence = syn->sequence;
    segment.flags = wire::k_tcp_syn;
    segment.window = k_discovery_syn_window;
    const wire::TcpOption mss = wire::TcpOption::mss(k_discovery_syn_mss);
    segment.set_options(std::span<const wire::TcpOption>(&mss, 1));
    packet.payload = std::move(segment);
  } else {
    const auto& udp = std::get<SendUdpProbe>(action);
    packet.ip.protocol = 17;
    packet.ip.id = udp.ip_id;
    packet.ip.destination = udp.destination.value;
    wire::UdpDatagram datagram;
    datagram.source_port = udp.source_port;
    datagram.destination_port = udp.destination_port;
    packet.payload = std::move(datagram);
  }
  return wire::serialize(packet);
}

} // namespace stackprint::discovery
