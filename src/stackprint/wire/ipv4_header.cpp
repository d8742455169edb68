#include "stackprint/wire/ipv4_header.hpp"

#include <fmt/format.h>

#include "stackprint/base/byte_reader.hpp"
#include "stackprint/base/checksum.hpp"

namespace stackprint::wire {

Expected<Ipv4Header> Ipv4Header::parse(std::span<const std::uint8_t> bytes, std::size_t base_offset) {
  if (bytes.size() < k_ipv4_min_header_length) {
    return fail(fmt::format("ipv4 header truncated: {} byte(s) at offset {}, need 20", bytes.size(), base_offset));
  }
  ByteReader in(bytes, base_offset);
  Ipv4Header h;
  // The length check above makes the fixed-part reads infallible.
  const std::uint8_t version_ihl = *in.read_u8("ipv4 version/ihl");
  h.version = static_cast<std::uint8_t>(version_ihl >> 4);
  h.ihl = static_cast<std::uint8_t>(version_ihl & 0x0F);
  if (h.ihl < 5) { return fail(fmt::format("ipv4 IHL {} below 5 at offset {}", h.ihl, base_offset)); }
  if (h.header_length() > bytes.size()) {
    return fail(fmt::format("ipv4 IHL {} ({} bytes) past the end of the {} byte(s) at offset {}", h.ihl,
                            h.header_length(), bytes.size(), base_offset));
  }
  h.tos = *in.read_u8("ipv4 tos");
  h.total_length = *in.read_u16("ipv4 total length");
  h.id = *in.read_u16("ipv4 id");
  const std::uint16_t flags_offset = *in.read_u16("ipv4 flags/fragment offset");
  h.reserved_flag = (flags_offset & 0x8000) != 0;
  h.dont_fragment = (flags_offset & 0x4000) != 0;
  h.more_fragments = (flags_offset & 0x2000) != 0;
  h.fragment_offset = static_cast<std::uint16_t>(flags_offset & 0x1FFF);
  h.ttl = *in.read_u8("ipv4 ttl");
  h.protocol = *in.read_u8("ipv4 protocol");
  h.checksum = *in.read_u16("ipv4 checksum");
  h.source = *in.read_u32("ipv4 source");
  h.destination = *in.read_u32("ipv4 destination");
  auto options = *in.read_bytes(h.header_length() - k_ipv4_min_header_length, "ipv4 options");
  h.options.assign(options.begin(), options.end());
  return h;
}

void Ipv4Header::serialize_to(ByteWriter& out) const {
  out.write_u8(static_cast<std::uint8_t>(((version & 0x0F) << 4) | (ihl & 0x0F)));
  out.write_u8(tos);
  out.write_u16(total_length);
  out.write_u16(id);
  std::uint16_t flags_offset = fragment_offset & 0x1FFF;
  flags_offset |= reserved_flag ? 0x8000 : 0;
  flags_offset |= dont_fragment ? 0x4000 : 0;
  flags_offset |= more_fragments ? 0x2000 : 0;
  out.write_u16(flags_offset);
  out.write_u8(ttl);
  out.write_u8(protocol);
  out.write_u16(checksum);
  out.write_u32(source);
  out.write_u32(destination);
  out.write_bytes(options);
}

std::uint16_t Ipv4Header::compute_checksum() const {
  Ipv4Header zeroed = *this;
  zeroed.checksum = 0;
  ByteWriter out;
  zeroed.serialize_to(out);
  return internet_checksum(out.bytes());
}

} // namespace stackprint::wire
