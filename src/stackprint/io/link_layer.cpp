#include "stackprint/io/link_layer.hpp"

#include <algorithm>
#include <array>

#include <pcap/pcap.h>

namespace stackprint::io {
namespace {

unsigned be16(std::span<const std::uint8_t> data, std::size_t offset) {
  return static_cast<unsigned>((data[offset] << 8) | data[offset + 1]);
}

constexpr unsigned k_ethertype_ipv4 = 0x0800;

} // namespace

std::optional<std::size_t> ipv4_offset(int link_type, std::span<const std::uint8_t> frame) {
  switch (link_type) {
  case DLT_EN10MB: {
    if (frame.size() < 14) { return std::nullopt; }
    std::size_t offset = 12;
    unsigned ethertype = be16(frame, offset);
    while ((ethertype == 0x8100 || ethertype == 0x88A8) && frame.size() >= offset + 6) { // VLAN tags
      offset += 4;
      ethertype = be16(frame, offset);
    }
    return ethertype == k_ethertype_ipv4 ? std::optional<std::size_t>(offset + 2) : std::nullopt;
  }
  case DLT_LINUX_SLL:
    if (frame.size() < 16) { return std::nullopt; }
    return be16(frame, 14) == k_ethertype_ipv4 ? std::optional<std::size_t>(16) : std::nullopt;
  case DLT_LINUX_SLL2:
    if (frame.size() < 20) { return std::nullopt; }
    return be16(frame, 0) == k_ethertype_ipv4 ? std::optional<std::size_t>(20) : std::nullopt;
  case DLT_RAW:
  case DLT_IPV4: return 0;
  case DLT_NULL:
  case DLT_LOOP: return frame.size() >= 4 ? std::optional<std::size_t>(4) : std::nullopt;
  default: return std::nullopt;
  }
}

std::optional<CapturedFrame> frame_from_link_layer(int link_type, Timestamp time, std::span<const std::uint8_t> frame) {
  const auto offset = ipv4_offset(link_type, frame);
  if (!offset || *offset >= frame.size() || (frame[*offset] >> 4) != 4) { return std::nullopt; }
  CapturedFrame captured;
  captured.time = time;
  captured.ip_packet.assign(frame.begin() + static_cast<std::ptrdiff_t>(*offset), frame.end());
  if (link_type == DLT_EN10MB) {
    std::array<std::uint8_t, 6> mac{};
    std::copy(frame.begin() + 6, frame.begin() + 12, mac.begin());
    captured.link_source = mac;
  }
  return captured;
}

} // namespace stackprint::io
