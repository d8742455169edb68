#include "stackprint/base/hex.hpp"

namespace stackprint {

std::optional<std::uint64_t> parse_hex(std::string_view text, std::size_t max_digits, std::uint64_t max_value) {
  if (text.empty() || text.size() > max_digits || max_digits > 16) { return std::nullopt; }
  std::uint64_t value = 0;
  for (const char c : text) {
    const int digit = hex_digit_value(c);
    if (digit < 0) { return std::nullopt; }
    value = (value << 4U) | static_cast<std::uint64_t>(digit);
  }
  return value <= max_value ? std::optional<std::uint64_t>(value) : std::nullopt;
}

} // namespace stackprint
