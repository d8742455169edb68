#include "stackprint/wire/icmp_message.hpp"

#include <fmt/format.h>

#include "stackprint/base/byte_reader.hpp"

namespace stackprint::wire {

std::optional<std::uint16_t> QuotedIpv4Packet::source_port() const {
  if (transport.size() < 4) { return std::nullopt; }
  return load_u16_be(transport, 0);
}

std::optional<std::uint16_t> QuotedIpv4Packet::destination_port() const {
  if (transport.size() < 4) { return std::nullopt; }
  return load_u16_be(transport, 2);
}

bool IcmpMessage::is_error() const {
  switch (type) {
  case k_icmp_destination_unreachable:
  case k_icmp_source_quench:
  case k_icmp_redirect:
  case k_icmp_time_exceeded:
  case k_icmp_parameter_problem: return true;
  default: return false;
  }
}

Expected<QuotedIpv4Packet> parse_quoted_ipv4(std::span<const std::uint8_t> quote, std::size_t base_offset) {
  auto header = Ipv4Header::parse(quote, base_offset);
  if (!header) { return fail("icmp quote: " + header.error().message); }
  QuotedIpv4Packet q;
  q.ip = std::move(*header);
  auto transport = quote.subspan(q.ip.header_length());
  q.transport.assign(transport.begin(), transport.end());
  if (q.ip.protocol == k_ip_protocol_udp && transport.size() >= k_udp_header_length) {
    auto udp = UdpDatagram::parse(transport, base_offset + q.ip.header_length());
    if (udp) { q.udp = std::move(*udp); }
  }
  return q;
}

Expected<QuotedIpv4Packet> IcmpMessage::quoted_packet() const {
  if (!is_error()) { return fail(fmt::format("icmp type {} quotes no packet", type)); }
  return parse_quoted_ipv4(payload, k_icmp_header_length);
}

Expected<IcmpMessage> IcmpMessage::parse(std::span<const std::uint8_t> bytes, std::size_t base_offset) {
  if (bytes.size() < k_icmp_header_length) {
    return fail(fmt::format("icmp header truncated: {} byte(s) at offset {}, need 8", bytes.size(), base_offset));
  }
  ByteReader in(bytes, base_offset);
  IcmpMessage m;
  m.type = *in.read_u8("icmp type");
  m.code = *in.read_u8("icmp code");
  m.checksum = *in.read_u16("icmp checksum");
  m.rest_of_header = *in.read_u32("icmp rest of header");
  auto payload = in.read_rest();
  m.payload.assign(payload.begin(), payload.end());
  return m;
}

void IcmpMessage::serialize_to(ByteWriter& out) const {
  out.write_u8(type);
  out.write_u8(code);
  out.write_u16(checksum);
  out.write_u32(rest_of_header);
  out.write_bytes(payload);
}

} // namespace stackprint::wire
