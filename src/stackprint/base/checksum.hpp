#pragma once
// The Internet checksum (RFC 1071): ones' complement of the ones' complement sum of 16-bit
// big-endian words, an odd trailing byte padded with zero. Used by IPv4 headers, ICMP, and (with
// the pseudo-header) TCP and UDP.
//
// Convention: a checksum is computed over data whose checksum field is zero; data that includes a
// correct checksum field sums to 0, so `internet_checksum(whole_header) == 0` verifies it.

#include <cstddef>
#include <cstdint>
#include <span>

namespace stackprint {

// Incremental form, for summing pieces (pseudo-header, then the segment) without copying.
// Pieces of odd length are handled: the next piece continues at the right byte position.
class InternetChecksum {
public:
  void add(std::span<const std::uint8_t> bytes);
  void add_u8(std::uint8_t value);
  void add_u16(std::uint16_t value);
  void add_u32(std::uint32_t value);
  // The checksum to store in the header field (host-order value, write it big-endian).
  [[nodiscard]] std::uint16_t finish() const;

private:
  std::uint64_t m_sum = 0;
  bool m_odd = false; // an odd number of bytes was added so far: the next byte is a low byte
};

[[nodiscard]] std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes);

// TCP/UDP checksum with the IPv4 pseudo-header: source, destination (host-order addresses),
// zero, protocol, and the segment length (= segment.size(), which must fit in 16 bits: larger
// segments are summed with the length truncated to 16 bits, as on the wire).
// `segment` is the TCP or UDP header plus payload with its checksum field zeroed.
// Note for UDP: a computed value of 0 is sent as 0xFFFF (RFC 768); this function returns the raw
// ones' complement result and leaves that substitution to the UDP serialiser.
[[nodiscard]] std::uint16_t transport_checksum(std::uint32_t source, std::uint32_t destination, std::uint8_t protocol,
                                               std::span<const std::uint8_t> segment);

} // namespace stackprint
