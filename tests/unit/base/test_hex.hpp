#pragma once
// Test helper: hex text (whitespace ignored) to bytes, for inline packet vectors.

#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace stackprint::testing {

inline std::vector<std::uint8_t> from_hex(std::string_view text) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') { return c - '0'; }
    if (c >= 'a' && c <= 'f') { return c - 'a' + 10; }
    if (c >= 'A' && c <= 'F') { return c - 'A' + 10; }
    return -1;
  };
  std::vector<std::uint8_t> bytes;
  int high = -1;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t') { continue; }
    int value = nibble(c);
    if (value < 0) { throw std::invalid_argument("bad hex digit in test vector"); }
    if (high < 0) {
      high = value;
    } else {
      bytes.push_back(static_cast<std::uint8_t>((high << 4) | value));
      high = -1;
    }
  }
  if (high >= 0) { throw std::invalid_argument("odd number of hex digits in test vector"); }
  return bytes;
}

} // namespace stackprint::testing
