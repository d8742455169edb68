#include "stackprint/wire/ipv4_packet.hpp"

#include <fmt/format.h>

#include "stackprint/base/byte_writer.hpp"
#include "stackprint/base/checksum.hpp"

namespace stackprint::wire {
namespace {

template <typename T> Expected<Ipv4Payload> as_payload(Expected<T> parsed) {
  if (!parsed) { return tl::unexpected(parsed.error()); }
  return Ipv4Payload{std::move(*parsed)};
}

Expected<Ipv4Payload> parse_transport(std::uint8_t protocol, std::span<const std::uint8_t> body, std::size_t offset) {
  switch (protocol) {
  case k_ip_protocol_tcp: return as_payload(TcpSegment::parse(body, offset));
  case k_ip_protocol_udp: return as_payload(UdpDatagram::parse(body, offset));
  case k_ip_protocol_icmp: return as_payload(IcmpMessage::parse(body, offset));
  default: return Ipv4Payload{RawPayload{{body.begin(), body.end()}}};
  }
}

void pad_to_words(std::vector<std::uint8_t>& bytes) {
  while (bytes.size() % 4 != 0) { bytes.push_back(0); }
}

std::uint16_t transport_sum(const Ipv4Header& ip, std::uint8_t protocol, std::span<const std::uint8_t> segment) {
  return transport_checksum(ip.source, ip.destination, protocol, segment);
}

} // namespace

Expected<Ipv4Packet> parse_ipv4(std::span<const std::uint8_t> bytes) {
  auto header = Ipv4Header::parse(bytes);
  if (!header) { return tl::unexpected(header.error()); }
  Ipv4Packet packet;
  packet.ip = std::move(*header);
  const Ipv4Header& ip = packet.ip;
  if (ip.version != 4) { return fail(fmt::format("ipv4 version {} (not 4) at offset 0", ip.version)); }
  if (ip.total_length < ip.header_length()) {
    return fail(
        fmt::format("ipv4 total length {} below the {}-byte header at offset 2", ip.total_length, ip.header_length()));
  }
  if (ip.total_length > bytes.size()) {
    return fail(
        fmt::format("ipv4 total length {} exceeds the {} byte(s) present at offset 2", ip.total_length, bytes.size()));
  }
  auto body = bytes.subspan(ip.header_length(), ip.total_length - ip.header_length());
  if (ip.fragment_offset != 0) {
    packet.payload = RawPayload{{body.begin(), body.end()}};
    return packet;
  }
  auto transport = parse_transport(ip.protocol, body, ip.header_length());
  if (!transport) {
    if (ip.more_fragments) {
      packet.payload = RawPayload{{body.begin(), body.end()}};
      return packet;
    }
    return tl::unexpected(transport.error());
  }
  packet.payload = std::move(*transport);
  return packet;
}

std::vector<std::uint8_t> serialize_payload(const Ipv4Payload& payload) {
  ByteWriter out;
  std::visit(
      [&out](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, RawPayload>) {
          out.write_bytes(value.bytes);
        } else {
          value.serialize_to(out);
        }
      },
      payload);
  return std::move(out).take();
}

Ipv4Packet with_computed_fields(Ipv4Packet packet, const SerializeOptions& options) {
  Ipv4Header& ip = packet.ip;
  // Transport lengths first: the checksums and the IP total length depend on them.
  if (options.transport_length) {
    if (auto* tcp = packet.tcp()) {
      pad_to_words(tcp->options_raw);
      tcp->data_offset = static_cast<std::uint8_t>((5 + tcp->options_raw.size() / 4) & 0x0F);
    } else if (auto* udp = packet.udp()) {
      udp->length = static_cast<std::uint16_t>((k_udp_header_length + udp->payload.size()) & 0xFFFF);
    }
  }
  if (options.ip_header_length) {
    pad_to_words(ip.options);
    ip.ihl = static_cast<std::uint8_t>((5 + ip.options.size() / 4) & 0x0F);
  }
  // One serialisation of the transport serves both the total length and its checksum (the
  // checksum field's value does not change the length).
  if (options.transport_checksum) {
    if (auto* tcp = packet.tcp()) {
      tcp->checksum = 0;
    } else if (auto* udp = packet.udp()) {
      udp->checksum = 0;
    } else if (auto* icmp = packet.icmp()) {
      icmp->checksum = 0;
    }
  }
  const std::vector<std::uint8_t> transport = serialize_payload(packet.payload);
  if (options.ip_total_length) {
    ip.total_length =
        static_cast<std::uint16_t>((k_ipv4_min_header_length + ip.options.size() + transport.size()) & 0xFFFF);
  }
  if (options.transport_checksum) {
    if (auto* tcp = packet.tcp()) {
      tcp->checksum = transport_sum(ip, k_ip_protocol_tcp, transport);
    } else if (auto* udp = packet.udp()) {
      const std::uint16_t sum = transport_sum(ip, k_ip_protocol_udp, transport);
      udp->checksum = sum == 0 ? std::uint16_t{0xFFFF} : sum;
    } else if (auto* icmp = packet.icmp()) {
      icmp->checksum = internet_checksum(transport);
    }
  }
  if (options.ip_checksum) { ip.checksum = ip.compute_checksum(); }
  return packet;
}

std::vector<std::uint8_t> serialize(const Ipv4Packet& packet, const SerializeOptions& options) {
  const Ipv4Packet finished = with_computed_fields(packet, options);
  ByteWriter out;
  finished.ip.serialize_to(out);
  out.write_bytes(serialize_payload(finished.payload));
  return std::move(out).take();
}

bool verify_ip_checksum(const Ipv4Header& header) { return header.compute_checksum() == header.checksum; }

bool verify_transport_checksum(const Ipv4Packet& packet) {
  const auto bytes = serialize_payload(packet.payload);
  if (packet.tcp() != nullptr) { return transport_sum(packet.ip, k_ip_protocol_tcp, bytes) == 0; }
  if (const auto* udp = packet.udp()) {
    return udp->checksum == 0 || transport_sum(packet.ip, k_ip_protocol_udp, bytes) == 0;
  }
  if (packet.icmp() != nullptr) { return internet_checksum(bytes) == 0; }
  return true;
}

} // namespace stackprint::wire
