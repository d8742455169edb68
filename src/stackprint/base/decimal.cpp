#include "stackprint/base/decimal.hpp"

#include <algorithm>
#include <limits>

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

std::optional<std::int64_t> parse_signed_decimal(std::string_view text, std::size_t max_digits,
                                                 std::uint64_t max_magnitude) {
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) { text.remove_prefix(1); }
  const std::uint64_t limit = std::min<std::uint64_t>(max_magnitude, std::numeric_limits<std::int64_t>::max());
  const auto magnitude = parse_decimal(text, max_digits, limit);
  if (!magnitude) { return std::nullopt; }
  const auto value = static_cast<std::int64_t>(*magnitude);
  return negative ? -value : value;
}

std::optional<double> parse_decimal_fraction(std::string_view text, std::size_t max_characters) {
  if (text.empty() || text.size() > max_characters || max_characters > 19) { return std::nullopt; }
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() && fraction.empty()) { return std::nullopt; }
  const auto whole_value = whole.empty() ? std::optional<std::uint64_t>(0) : parse_decimal(whole, 19, ~0ULL);
  const auto fraction_value = fraction.empty() ? std::optional<std::uint64_t>(0) : parse_decimal(fraction, 19, ~0ULL);
  if (!whole_value || !fraction_value) { return std::nullopt; }
  double scale = 1.0;
  for (std::size_t i = 0; i < fraction.size(); ++i) { scale *= 10.0; }
  return static_cast<double>(*whole_value) + static_cast<double>(*fraction_value) / scale;
}

} // namespace stackprint
