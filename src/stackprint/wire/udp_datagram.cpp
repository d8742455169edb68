#include "stackprint/wire/udp_datagram.hpp"

#include <fmt/format.h>

#include "stackprint/base/byte_reader.hpp"

namespace stackprint::wire {

Expected<UdpDatagram> UdpDatagram::parse(std::span<const std::uint8_t> bytes, std::size_t base_offset) {
  if (bytes.size() < k_udp_header_length) {
    return fail(fmt::format("udp header truncated: {} byte(s) at offset {}, need 8", bytes.size(), base_offset));
  }
  ByteReader in(bytes, base_offset);
  UdpDatagram d;
  d.source_port = *in.read_u16("udp source port");
  d.destination_port = *in.read_u16("udp destination port");
  d.length = *in.read_u16("udp length");
  d.checksum = *in.read_u16("udp checksum");
  auto payload = in.read_rest();
  d.payload.assign(payload.begin(), payload.end());
  return d;
}

void UdpDatagram::serialize_to(ByteWriter& out) const {
  out.write_u16(source_port);
  out.write_u16(destination_port);
  out.write_u16(length);
  out.write_u16(checksum);
  out.write_bytes(payload);
}

} // namespace stackprint::wire
