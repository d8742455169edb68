#pragma once
// TCP options (RFC 9293 3.1, RFC 7323, RFC 2018) as a list of (kind, data) values.
//
// The raw option bytes stay authoritative (TcpSegment::options_raw): Nmap's O test walks raw bytes
// with its own quirks, so this parsed view is for everything else (MSS, window scale, timestamps,
// building probes and crafted replies). Unknown kinds are kept as they are.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace stackprint::wire {

inline constexpr std::uint8_t k_tcp_option_eol = 0;
inline constexpr std::uint8_t k_tcp_option_nop = 1;
inline constexpr std::uint8_t k_tcp_option_mss = 2;
inline constexpr std::uint8_t k_tcp_option_window_scale = 3;
inline constexpr std::uint8_t k_tcp_option_sack_permitted = 4;
inline constexpr std::uint8_t k_tcp_option_sack = 5;
inline constexpr std::uint8_t k_tcp_option_timestamp = 8;

struct TcpOption {
  std::uint8_t kind = k_tcp_option_nop;
  // The bytes after kind and length (the length byte itself is not stored: on the wire it is
  // 2 + data.size()). EOL and NOP are one byte and have no data.
  std::vector<std::uint8_t> data;

  [[nodiscard]] static TcpOption eol() { return {k_tcp_option_eol, {}}; }
  [[nodiscard]] static TcpOption nop() { return {k_tcp_option_nop, {}}; }
  [[nodiscard]] static TcpOption mss(std::uint16_t value);
  [[nodiscard]] static TcpOption window_scale(std::uint8_t shift);
  [[nodiscard]] static TcpOption sack_permitted() { return {k_tcp_option_sack_permitted, {}}; }
  [[nodiscard]] static TcpOption timestamp(std::uint32_t value, std::uint32_t echo_reply);

  // Number of bytes this option takes on the wire.
  [[nodiscard]] std::size_t wire_length() const;

  // Typed readings; nullopt when the kind differs or the data has the wrong size.
  [[nodiscard]] std::optional<std::uint16_t> mss_value() const;
  [[nodiscard]] std::optional<std::uint8_t> window_scale_value() const;
  struct Timestamp {
    std::uint32_t value = 0;      // TSval
    std::uint32_t echo_reply = 0; // TSecr
    bool operator==(const Timestamp&) const = default;
  };
  [[nodiscard]] std::optional<Timestamp> timestamp_value() const;

  bool operator==(const TcpOption&) const = default;
};

// Why the option walk stopped early. Odd bytes are data for fingerprinting, not a parse failure.
struct TcpOptionProblem {
  std::size_t offset = 0; // offset inside the option area of the option that could not be read
  std::string what;       // e.g. "option kind 2 length 1 below 2"
  bool operator==(const TcpOptionProblem&) const = default;
};

struct TcpOptionList {
  std::vector<TcpOption> options;          // in wire order, up to (not including) a malformed option
  std::optional<TcpOptionProblem> problem; // set when an option was truncated or had length < 2

  // A copy of the first option of `kind` (a copy, so `segment.options().find(k)` is safe even
  // though options() returns a temporary).
  [[nodiscard]] std::optional<TcpOption> find(std::uint8_t kind) const;
  bool operator==(const TcpOptionList&) const = default;
};

// Walks the whole option area. EOL does not stop the walk: the zero padding after it comes out as
// further EOL options, exactly like the bytes (so "L" counts match the raw area). Multi-byte
// options: a missing length byte, a length below 2 or past the end of the area stops the walk
// with `problem` set; nothing past `raw` is ever read.
[[nodiscard]] TcpOptionList parse_tcp_options(std::span<const std::uint8_t> raw);

// Encodes options back-to-back in order, with no padding (the segment serialiser pads to a 4-byte
// multiple when it computes the data offset).
[[nodiscard]] std::vector<std::uint8_t> encode_tcp_options(std::span<const TcpOption> options);

} // namespace stackprint::wire
