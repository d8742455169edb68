#pragma once
// A UDP datagram (RFC 768) as a host-order value.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "stackprint/base/byte_writer.hpp"
#include "stackprint/base/expected.hpp"

namespace stackprint::wire {

inline constexpr std::size_t k_udp_header_length = 8;

struct UdpDatagram {
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint16_t length = 0;   // the length field as received (header + data, bytes); NOT checked
                              // against the data: compare with 8 + payload.size() if it matters
  std::uint16_t checksum = 0; // as received; 0 means "no checksum" on the wire
  // Every byte after the 8-byte header that was present (for a top-level datagram: up to the IP
  // total length; inside an ICMP quote: whatever the quote kept).
  std::vector<std::uint8_t> payload;

  // Error only when fewer than 8 bytes are present. `base_offset` only shifts error offsets.
  [[nodiscard]] static Expected<UdpDatagram> parse(std::span<const std::uint8_t> bytes, std::size_t base_offset = 0);
  // Writes the fields and payload exactly as they are.
  void serialize_to(ByteWriter& out) const;

  bool operator==(const UdpDatagram&) const = default;
};

} // namespace stackprint::wire
