#include "stackprint/base/decimal.hpp"

namespace stackprint {

std::optional<std::uint64_t> parse_decimal(std::string_view text, std::size_t max_digits, std::uint64_t max_value) {
  if (text.empty() || text.size() > max_digits || max_digits > 19) { return std::nullopt; }
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') { return std::nullopt; }
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value <= max_value ? std::optional<std::uint64_t>(value) : std::nullopt;
}

} // namespace stackprint
