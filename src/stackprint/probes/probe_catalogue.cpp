#include "stackprint/probes/probe_catalogue.hpp"

#include <array>

#include "stackprint/wire/tcp_segment.hpp"

namespace stackprint::probes {
namespace {

using namespace stackprint::wire;

// TCP option areas as Nmap 7.93 sends them (kinds: 0 EOL, 1 NOP, 2 MSS, 3 WS, 4 SACKP, 8 TS).
// TS is always TSval 0xFFFFFFFF, TSecr 0.
constexpr std::array<std::uint8_t, 20> k_options_seq1{// WS10 NOP MSS1460 TS SACKP
                                                      3,    3,    10,   1,    2, 4, 0x05, 0xB4, 8, 10,
                                                      0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0,    0,    4, 2};
constexpr std::array<std::uint8_t, 20> k_options_seq2{// MSS1400 WS0 SACKP TS EOL
                                                      2,  4,    0x05, 0x78, 3,    3, 0, 4, 2, 8,
                                                      10, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0};
constexpr std::array<std::uint8_t, 20> k_options_seq3{// TS NOP NOP WS5 NOP MSS640
                                                      8, 10, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0,    0,
                                                      1, 1,  3,    3,    5,    1,    2, 4, 0x02, 0x80};
constexpr std::array<std::uint8_t, 16> k_options_seq4{// SACKP TS WS10 EOL
                                                      4, 2, 8, 10, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 3, 3, 10, 0};
constexpr std::array<std::uint8_t, 20> k_options_seq5{// MSS536 SACKP TS WS10 EOL
                                                      2,    4,    0x02, 0x18, 4, 2, 8, 10, 0xFF, 0xFF,
                                                      0xFF, 0xFF, 0,    0,    0, 0, 3, 3,  10,   0};
constexpr std::array<std::uint8_t, 16> k_options_seq6{// MSS265 SACKP TS
                                                      2,    4,    0x01, 0x09, 4, 2, 8, 10,
                                                      0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0};
constexpr std::array<std::uint8_t, 12> k_options_ecn{// WS10 NOP MSS1460 SACKP NOP NOP
                                                     3, 3, 10, 1, 2, 4, 0x05, 0xB4, 4, 2, 1, 1};
constexpr std::array<std::uint8_t, 20> k_options_t2_t6{// WS10 NOP MSS265 TS SACKP
                                                       3,    3,    10,   1,    2, 4, 0x01, 0x09, 8, 10,
                                                       0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0,    0,    4, 2};
constexpr std::array<std::uint8_t, 20> k_options_t7{// WS15 NOP MSS265 TS SACKP
                                                    3,    3,    15,   1,    2, 4, 0x01, 0x09, 8, 10,
                                                    0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0,    0,    4, 2};

struct SeqShape {
  std::span<const std::uint8_t> options;
  std::uint16_t window;
};

SeqShape seq_shape(int index) {
  switch (index) {
  case 0: return {k_options_seq1, 1};
  case 1: return {k_options_seq2, 63};
  case 2: return {k_options_seq3, 4};
  case 3: return {k_options_seq4, 4};
  case 4: return {k_options_seq5, 16};
  default: return {k_options_seq6, 512};
  }
}

TcpProbeShape tcp_shape(ProbeId id) {
  TcpProbeShape shape;
  shape.port_offset = static_cast<std::uint8_t>(id);
  if (auto index = seq_index(id)) {
    const SeqShape seq = seq_shape(*index);
    shape.sequence_offset = is_seq_probe(id) ? static_cast<std::uint8_t>(*index) : 0;
    shape.flags = k_tcp_syn;
    shape.window = seq.window;
    shape.options = seq.options;
    return shape;
  }
  shape.options = k_options_t2_t6;
  switch (id) {
  case ProbeId::ECN:
    shape.zero_ack = true;
    shape.reserved = 0x8;
    shape.flags = k_tcp_cwr | k_tcp_ece | k_tcp_syn;
    shape.window = 3;
    shape.urgent_pointer = 0xF7F5;
    shape.options = k_options_ecn;
    break;
  case ProbeId::T1: // a re-send of SEQ1's shape, but with seq = tcp_seq_base + 0 as well
    shape.flags = k_tcp_syn;
    shape.window = 1;
    shape.options = k_options_seq1;
    break;
  case ProbeId::T2:
    shape.flags = 0;
    shape.window = 128;
    shape.dont_fragment = true;
    break;
  case ProbeId::T3:
    shape.flags = k_tcp_syn | k_tcp_fin | k_tcp_urg | k_tcp_psh;
    shape.window = 256;
    break;
  case ProbeId::T4:
    shape.flags = k_tcp_ack;
    shape.window = 1024;
    shape.dont_fragment = true;
    break;
  case ProbeId::T5:
    shape.destination = PortRole::closed_tcp;
    shape.flags = k_tcp_syn;
    shape.window = 31337;
    break;
  case ProbeId::T6:
    shape.destination = PortRole::closed_tcp;
    shape.flags = k_tcp_ack;
    shape.window = 32768;
    shape.dont_fragment = true;
    break;
  case ProbeId::T7:
    shape.destination = PortRole::closed_tcp;
    shape.flags = k_tcp_fin | k_tcp_psh | k_tcp_urg;
    shape.window = 65535;
    shape.options = k_options_t7;
    break;
  default: break;
  }
  return shape;
}

std::uint16_t port_for(PortRole role, const ProbeContext& context) {
  switch (role) {
  case PortRole::open_tcp: return context.open_tcp_port;
  case PortRole::closed_tcp: return context.closed_tcp_port;
  case PortRole::closed_udp: return context.closed_udp_port;
  }
  return 0;
}

Ipv4Header probe_ip_header(const ProbeContext& context, std::uint8_t protocol) {
  Ipv4Header ip;
  ip.protocol = protocol;
  ip.source = context.source_address;
  ip.destination = context.target_address;
  return ip;
}

Ipv4Packet build_tcp(const TcpProbeShape& shape, const ProbeContext& context, const PacketValues& values) {
  Ipv4Packet packet;
  packet.ip = probe_ip_header(context, k_ip_protocol_tcp);
  packet.ip.id = values.ip_id;
  packet.ip.ttl = values.ttl;
  packet.ip.dont_fragment = shape.dont_fragment;
  TcpSegment tcp;
  tcp.source_port = static_cast<std::uint16_t>(context.tcp_port_base + shape.port_offset);
  tcp.destination_port = port_for(shape.destination, context);
  tcp.sequence = context.tcp_seq_base + shape.sequence_offset;
  tcp.acknowledgment = shape.zero_ack ? 0 : context.tcp_ack;
  tcp.reserved = shape.reserved;
  tcp.flags = shape.flags;
  tcp.window = shape.window;
  tcp.urgent_pointer = shape.urgent_pointer;
  tcp.options_raw.assign(shape.options.begin(), shape.options.end());
  packet.payload = std::move(tcp);
  return packet;
}

Ipv4Packet build_echo(const IcmpEchoProbeShape& shape, const ProbeContext& context, const PacketValues& values) {
  Ipv4Packet packet;
  packet.ip = probe_ip_header(context, k_ip_protocol_icmp);
  packet.ip.id = values.ip_id;
  packet.ip.ttl = values.ttl;
  packet.ip.tos = shape.tos;
  packet.ip.dont_fragment = shape.dont_fragment;
  IcmpMessage icmp;
  icmp.type = k_icmp_echo_request;
  icmp.code = shape.code;
  icmp.set_echo(static_cast<std::uint16_t>(context.icmp_echo_id + shape.id_offset), shape.sequence);
  icmp.payload.assign(shape.data_length, 0);
  packet.payload = std::move(icmp);
  return packet;
}

Ipv4Packet build_udp(const UdpProbeShape& shape, const ProbeContext& context) {
  Ipv4Packet packet;
  packet.ip = probe_ip_header(context, k_ip_protocol_udp);
  packet.ip.id = shape.ip_id;
  packet.ip.ttl = context.udp_ttl;
  packet.ip.dont_fragment = shape.dont_fragment;
  UdpDatagram udp;
  udp.source_port = static_cast<std::uint16_t>(context.udp_port_base + shape.port_offset);
  udp.destination_port = context.closed_udp_port;
  udp.payload.assign(shape.payload_length, shape.payload_byte);
  packet.payload = std::move(udp);
  return packet;
}

} // namespace

ProbeShape probe_shape(ProbeId id) {
  if (is_tcp_probe(id)) { return tcp_shape(id); }
  switch (id) {
  case ProbeId::IE1: return IcmpEchoProbeShape{9, 0, 295, 120, 0, true};
  case ProbeId::IE2: return IcmpEchoProbeShape{0, 1, 296, 150, k_ip_tos_reliability, false};
  default: return UdpProbeShape{};
  }
}

Ipv4Packet build_probe(ProbeId id, const ProbeContext& context, const PacketValues& values) {
  Ipv4Packet packet = std::visit(
      [&](const auto& shape) -> Ipv4Packet {
        using T = std::decay_t<decltype(shape)>;
        if constexpr (std::is_same_v<T, TcpProbeShape>) {
          return build_tcp(shape, context, values);
        } else if constexpr (std::is_same_v<T, IcmpEchoProbeShape>) {
          return build_echo(shape, context, values);
        } else {
          return build_udp(shape, context);
        }
      },
      probe_shape(id));
  return with_computed_fields(std::move(packet));
}

std::vector<std::uint8_t> probe_bytes(ProbeId id, const ProbeContext& context, const PacketValues& values) {
  return serialize(build_probe(id, context, values), SerializeOptions::keep_all());
}

std::optional<std::uint16_t> tcp_port_offset(ProbeId id) {
  if (!is_tcp_probe(id)) { return std::nullopt; }
  return static_cast<std::uint16_t>(id);
}

std::optional<ProbeId> tcp_probe_for_reply_port(std::uint16_t reply_destination_port, std::uint16_t tcp_port_base) {
  const int offset = int{reply_destination_port} - int{tcp_port_base};
  if (offset < 0 || offset >= static_cast<int>(k_tcp_probe_count)) { return std::nullopt; }
  return static_cast<ProbeId>(offset);
}

std::optional<ProbeId> echo_probe_for_reply_id(std::uint16_t reply_identifier, std::uint16_t icmp_echo_id) {
  const auto offset = static_cast<std::uint16_t>(reply_identifier - icmp_echo_id);
  if (offset == 0) { return ProbeId::IE1; }
  if (offset == 1) { return ProbeId::IE2; }
  return std::nullopt;
}

} // namespace stackprint::probes
