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
constexpr unsigned k_ethertype_arp = 0x0806;

struct EthernetPayload {
  unsigned ethertype = 0;
  std::size_t offset = 0;
};

// The EtherType of an Ethernet frame after any VLAN tags (802.1Q, 802.1ad), and where its payload
// starts; nullopt for a frame shorter than its header.
std::optional<EthernetPayload> ethernet_payload(std::span<const std::uint8_t> frame) {
  if (frame.size() < 14) { return std::nullopt; }
  std::size_t offset = 12;
  unsigned ethertype = be16(frame, offset);
  while ((ethertype == 0x8100 || ethertype == 0x88A8) && frame.size() >= offset + 6) {
    offset += 4;
    ethertype = be16(frame, offset);
  }
  return EthernetPayload{ethertype, offset + 2};
}

// ARP for IPv4 over Ethernet (RFC 826): hardware type 1, protocol 0x0800, address lengths 6 and
// 4, operation 1 (request) or 2 (reply); 28 bytes. The sender's addresses are at 8 and 14.
std::optional<CapturedFrame> arp_frame(Timestamp time, std::span<const std::uint8_t> frame) {
  const auto payload = ethernet_payload(frame);
  if (!payload || payload->ethertype != k_ethertype_arp || frame.size() < payload->offset + 28) { return std::nullopt; }
  const auto arp = frame.subspan(payload->offset, 28);
  const unsigned operation = be16(arp, 6);
  if (be16(arp, 0) != 1 || be16(arp, 2) != k_ethertype_ipv4 || arp[4] != 6 || arp[5] != 4 ||
      (operation != 1 && operation != 2)) {
    return std::nullopt;
  }
  CapturedFrame captured;
  captured.time = time;
  std::array<std::uint8_t, 6> mac{};
  std::copy(arp.begin() + 8, arp.begin() + 14, mac.begin());
  captured.link_source = mac;
  captured.arp_sender = std::uint32_t{arp[14]} << 24 | std::uint32_t{arp[15]} << 16 | std::uint32_t{arp[16]} << 8 |
                        std::uint32_t{arp[17]};
  return captured;
}

} // namespace

std::optional<std::size_t> ipv4_offset(int link_type, std::span<const std::uint8_t> frame) {
  switch (link_type) {
  case DLT_EN10MB: {
    const auto payload = ethernet_payload(frame);
    if (!payload || payload->ethertype != k_ethertype_ipv4) { return std::nullopt; }
    return payload->offset;
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

std::optional<CapturedFrame> frame_from_link_layer(int link_type, Timestamp time, std::span<const std::uint8_t> frame,
                                                   LinkFrames keep) {
  if (keep == LinkFrames::ipv4_and_arp && link_type == DLT_EN10MB) {
    if (auto arp = arp_frame(time, frame)) { return arp; }
  }
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
