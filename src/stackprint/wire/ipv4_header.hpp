#pragma once
// The IPv4 header (RFC 791) as a host-order value. Parsing checks only what is needed to find the
// payload safely (length, IHL); it keeps every field as received, including a wrong checksum or
// reserved flag, because OS fingerprinting reads exactly those oddities.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "stackprint/base/byte_writer.hpp"
#include "stackprint/base/expected.hpp"

namespace stackprint::wire {

inline constexpr std::uint8_t k_ip_protocol_icmp = 1;
inline constexpr std::uint8_t k_ip_protocol_tcp = 6;
inline constexpr std::uint8_t k_ip_protocol_udp = 17;
inline constexpr std::size_t k_ipv4_min_header_length = 20;

// Nmap's IE #2 probe uses this TOS ("IP_TOS_RELIABILITY").
inline constexpr std::uint8_t k_ip_tos_reliability = 0x04;

struct Ipv4Header {
  std::uint8_t version = 4;
  std::uint8_t ihl = 5;           // header length in 32-bit words (valid: 5..15)
  std::uint8_t tos = 0;           // whole TOS/DSCP+ECN byte
  std::uint16_t total_length = 0; // bytes, header included
  std::uint16_t id = 0;
  bool reserved_flag = false;        // the "evil bit" (0x8000 of the flags/offset word)
  bool dont_fragment = false;        // DF (0x4000)
  bool more_fragments = false;       // MF (0x2000)
  std::uint16_t fragment_offset = 0; // in 8-byte units (13 bits)
  std::uint8_t ttl = 64;
  std::uint8_t protocol = 0;
  std::uint16_t checksum = 0; // as received / as to be written (see SerializeOptions)
  std::uint32_t source = 0;   // host order: 10.0.0.1 == 0x0A000001
  std::uint32_t destination = 0;
  std::vector<std::uint8_t> options; // raw bytes between byte 20 and ihl*4, exactly as received

  [[nodiscard]] std::size_t header_length() const { return std::size_t{ihl} * 4; }
  // MF set or offset non-zero.
  [[nodiscard]] bool is_fragment() const { return more_fragments || fragment_offset != 0; }

  // Parses the header at the start of `bytes` (which may continue with the payload).
  // Errors: fewer than 20 bytes, IHL < 5, or IHL*4 beyond `bytes`. The version nibble, total
  // length and checksum are NOT checked here (parse_ipv4 checks version and total length; quoted
  // headers inside ICMP errors are read leniently). `base_offset` only shifts error offsets.
  [[nodiscard]] static Expected<Ipv4Header> parse(std::span<const std::uint8_t> bytes, std::size_t base_offset = 0);

  // Writes the 20 fixed bytes and `options` exactly as the fields say (no length or checksum is
  // computed here; Ipv4Packet serialisation does that). Values wider than their wire field are
  // masked (version/ihl to 4 bits, fragment_offset to 13 bits).
  void serialize_to(ByteWriter& out) const;

  // The checksum of this header as serialised with the checksum field set to zero.
  [[nodiscard]] std::uint16_t compute_checksum() const;

  bool operator==(const Ipv4Header&) const = default;
};

} // namespace stackprint::wire
