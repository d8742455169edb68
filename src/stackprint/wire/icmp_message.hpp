#pragma once
// An ICMPv4 message (RFC 792) as a host-order value, with a lenient reader for the packet quoted
// inside error messages (destination unreachable, time exceeded, ...).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "stackprint/base/byte_writer.hpp"
#include "stackprint/base/expected.hpp"
#include "stackprint/wire/ipv4_header.hpp"
#include "stackprint/wire/udp_datagram.hpp"

namespace stackprint::wire {

inline constexpr std::uint8_t k_icmp_echo_reply = 0;
inline constexpr std::uint8_t k_icmp_destination_unreachable = 3;
inline constexpr std::uint8_t k_icmp_source_quench = 4;
inline constexpr std::uint8_t k_icmp_redirect = 5;
inline constexpr std::uint8_t k_icmp_echo_request = 8;
inline constexpr std::uint8_t k_icmp_time_exceeded = 11;
inline constexpr std::uint8_t k_icmp_parameter_problem = 12;
inline constexpr std::uint8_t k_icmp_code_port_unreachable = 3;
inline constexpr std::size_t k_icmp_header_length = 8;

// The IPv4 packet quoted in an ICMP error, read leniently: quotes are routinely truncated (RFC 792
// asks for the header plus 8 bytes; Linux quotes up to 576 bytes in total) and their total length,
// ID and checksums may have been altered by the target, which is what Nmap's U1 tests inspect.
struct QuotedIpv4Packet {
  // The quoted header as quoted (total_length, id, checksum, ttl are the target's view). Its
  // total_length may exceed what was quoted.
  Ipv4Header ip;
  std::vector<std::uint8_t> transport; // the quoted bytes after the IP header (possibly truncated)
  // When ip.protocol is UDP and at least 8 transport bytes were quoted: the quoted UDP header, and
  // as payload whatever quoted bytes follow it (often fewer than were sent).
  std::optional<UdpDatagram> udp;

  // Ports of a quoted TCP or UDP header; nullopt when fewer than 4 transport bytes were quoted.
  [[nodiscard]] std::optional<std::uint16_t> source_port() const;
  [[nodiscard]] std::optional<std::uint16_t> destination_port() const;

  bool operator==(const QuotedIpv4Packet&) const = default;
};

struct IcmpMessage {
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::uint16_t checksum = 0; // as received / as to be written (see SerializeOptions)
  // Bytes 4..7 as one big-endian word: echo identifier (high 16) and sequence (low 16) for echo
  // messages, the "unused" word of unreachables (Nmap's U1.UN reads its low 16 bits), the gateway
  // of redirects, the next-hop MTU of "fragmentation needed" (low 16 bits).
  std::uint32_t rest_of_header = 0;
  // Everything after the 8-byte header (echo data, or the quoted packet of an error), up to the
  // end of the outer IP packet. Authoritative for serialisation.
  std::vector<std::uint8_t> payload;

  [[nodiscard]] std::uint16_t echo_identifier() const { return static_cast<std::uint16_t>(rest_of_header >> 16); }
  [[nodiscard]] std::uint16_t echo_sequence() const { return static_cast<std::uint16_t>(rest_of_header & 0xFFFF); }
  void set_echo(std::uint16_t identifier, std::uint16_t sequence) {
    rest_of_header = (std::uint32_t{identifier} << 16) | sequence;
  }
  // Types whose payload quotes the offending datagram: 3, 4, 5, 11, 12.
  [[nodiscard]] bool is_error() const;

  // The quoted packet of an error message. Errors: not an error type, fewer than 20 quoted bytes,
  // or a quoted IHL below 5 or beyond the quoted bytes. Nothing else is checked (version, lengths
  // and checksums are data for the U1 tests).
  [[nodiscard]] Expected<QuotedIpv4Packet> quoted_packet() const;

  // Error only when fewer than 8 bytes are present. `base_offset` only shifts error offsets.
  [[nodiscard]] static Expected<IcmpMessage> parse(std::span<const std::uint8_t> bytes, std::size_t base_offset = 0);
  // Writes the fields and payload exactly as they are.
  void serialize_to(ByteWriter& out) const;

  bool operator==(const IcmpMessage&) const = default;
};

// Reads a quoted packet from raw quote bytes (an ICMP error's payload); see quoted_packet().
[[nodiscard]] Expected<QuotedIpv4Packet> parse_quoted_ipv4(std::span<const std::uint8_t> quote,
                                                           std::size_t base_offset = 0);

} // namespace stackprint::wire
