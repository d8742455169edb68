#include "stackprint/wire/tcp_segment.hpp"

#include <fmt/format.h>

#include "stackprint/base/byte_reader.hpp"

namespace stackprint::wire {

Expected<TcpSegment> TcpSegment::parse(std::span<const std::uint8_t> bytes, std::size_t base_offset) {
  if (bytes.size() < k_tcp_min_header_length) {
    return fail(fmt::format("tcp header truncated: {} byte(s) at offset {}, need 20", bytes.size(), base_offset));
  }
  ByteReader in(bytes, base_offset);
  TcpSegment s;
  // The length check above makes the fixed-part reads infallible.
  s.source_port = *in.read_u16("tcp source port");
  s.destination_port = *in.read_u16("tcp destination port");
  s.sequence = *in.read_u32("tcp sequence");
  s.acknowledgment = *in.read_u32("tcp acknowledgment");
  const std::uint8_t offset_reserved = *in.read_u8("tcp data offset");
  s.data_offset = static_cast<std::uint8_t>(offset_reserved >> 4);
  s.reserved = static_cast<std::uint8_t>(offset_reserved & 0x0F);
  s.flags = *in.read_u8("tcp flags");
  s.window = *in.read_u16("tcp window");
  s.checksum = *in.read_u16("tcp checksum");
  s.urgent_pointer = *in.read_u16("tcp urgent pointer");
  if (s.data_offset < 5) {
    return fail(fmt::format("tcp data offset {} below 5 at offset {}", s.data_offset, base_offset + 12));
  }
  if (s.header_length() > bytes.size()) {
    return fail(fmt::format("tcp data offset {} ({} bytes) past the end of the {}-byte segment "
                            "at offset {}",
                            s.data_offset, s.header_length(), bytes.size(), base_offset + 12));
  }
  auto options = *in.read_bytes(s.header_length() - k_tcp_min_header_length, "tcp options");
  s.options_raw.assign(options.begin(), options.end());
  auto payload = in.read_rest();
  s.payload.assign(payload.begin(), payload.end());
  return s;
}

void TcpSegment::serialize_to(ByteWriter& out) const {
  out.write_u16(source_port);
  out.write_u16(destination_port);
  out.write_u32(sequence);
  out.write_u32(acknowledgment);
  out.write_u8(static_cast<std::uint8_t>(((data_offset & 0x0F) << 4) | (reserved & 0x0F)));
  out.write_u8(flags);
  out.write_u16(window);
  out.write_u16(checksum);
  out.write_u16(urgent_pointer);
  out.write_bytes(options_raw);
  out.write_bytes(payload);
}

} // namespace stackprint::wire
