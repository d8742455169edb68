#pragma once
// A TCP segment (header, options, payload) as a host-order value.
//
// Byte 12 of the header holds the data offset (high nibble) and four reserved bits (low nibble);
// they are kept separately here because Nmap's ECN probe sets the high reserved bit (0x8 of the
// nibble; the byte is 0x88 for an 8-word header) and the Q test reports a non-zero nibble.
// Byte 13 holds the 8 flag bits CWR ECE URG ACK PSH RST SYN FIN (high to low).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "stackprint/base/byte_writer.hpp"
#include "stackprint/base/expected.hpp"
#include "stackprint/wire/tcp_option.hpp"

namespace stackprint::wire {

// Flag bits of byte 13, combinable with |.
inline constexpr std::uint8_t k_tcp_fin = 0x01;
inline constexpr std::uint8_t k_tcp_syn = 0x02;
inline constexpr std::uint8_t k_tcp_rst = 0x04;
inline constexpr std::uint8_t k_tcp_psh = 0x08;
inline constexpr std::uint8_t k_tcp_ack = 0x10;
inline constexpr std::uint8_t k_tcp_urg = 0x20;
inline constexpr std::uint8_t k_tcp_ece = 0x40;
inline constexpr std::uint8_t k_tcp_cwr = 0x80;

inline constexpr std::size_t k_tcp_min_header_length = 20;

struct TcpSegment {
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint32_t sequence = 0;
  std::uint32_t acknowledgment = 0; // the field, whether or not ACK is set
  std::uint8_t data_offset = 5;     // header length in 32-bit words (valid: 5..15)
  std::uint8_t reserved = 0;        // the 4 bits after the data offset: 0x8 is the bit Nmap's ECN
                                    // probe sets, 0x1 is the old NS bit
  std::uint8_t flags = 0;           // k_tcp_* bits
  std::uint16_t window = 0;         // unscaled, as on the wire
  std::uint16_t checksum = 0;       // as received / as to be written (see SerializeOptions)
  std::uint16_t urgent_pointer = 0; // kept even when URG is clear (Nmap's Q test reads it)
  // Exactly the bytes between byte 20 and data_offset*4, padding included. Authoritative for
  // serialisation; see options() for the parsed view.
  std::vector<std::uint8_t> options_raw;
  std::vector<std::uint8_t> payload;

  [[nodiscard]] std::size_t header_length() const { return std::size_t{data_offset} * 4; }
  // True when every bit of `mask` is set.
  [[nodiscard]] bool has_flags(std::uint8_t mask) const { return (flags & mask) == mask; }
  // Parsed view of options_raw (see parse_tcp_options for the rules).
  [[nodiscard]] TcpOptionList options() const { return parse_tcp_options(options_raw); }
  // Replaces options_raw by the encoding of `options` (no padding; serialisation pads).
  void set_options(std::span<const TcpOption> options) { options_raw = encode_tcp_options(options); }

  // Parses a whole segment: `bytes` is the IP payload (header, options, data; its end is the IP
  // total length, so link padding is already excluded). Errors: fewer than 20 bytes, data offset
  // below 5, or data offset past the end of `bytes`. Bad checksums and odd options are kept,
  // not rejected. `base_offset` (the IP header length) only shifts error offsets.
  [[nodiscard]] static Expected<TcpSegment> parse(std::span<const std::uint8_t> bytes, std::size_t base_offset = 0);

  // Writes header, options_raw and payload exactly as the fields say (no computed lengths or
  // checksums; Ipv4Packet serialisation computes those). data_offset/reserved are masked to 4 bits.
  void serialize_to(ByteWriter& out) const;

  bool operator==(const TcpSegment&) const = default;
};

} // namespace stackprint::wire
