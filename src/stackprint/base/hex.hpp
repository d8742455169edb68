#pragma once
// Strict hexadecimal numbers in untrusted text (fingerprint values, the SCAN line, /proc/net/route):
// digits 0-9, A-F, a-f only, no prefix, no sign, no spaces.

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace stackprint {

// The value of one hex digit (either case), or -1 for any other character.
[[nodiscard]] constexpr int hex_digit_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The value of `text`, or nullopt when it is empty, longer than max_digits (1-16), holds anything but
// hex digits, or exceeds max_value.
[[nodiscard]] std::optional<std::uint64_t>
parse_hex(std::string_view text, std::size_t max_digits,
          std::uint64_t max_value = std::numeric_limits<std::uint64_t>::max());

} // namespace stackprint
