#pragma once
// Strict decimal numbers in untrusted text (target specs, port lists, /proc files, options): digits
// only, no sign unless asked, no spaces, at most `max_digits` digits and at most `max_value`. The one
// decimal syntax of the tree: nothing else calls stoi, stod, strtol or from_chars.

#include <cstdint>
#include <optional>
#include <string_view>

namespace stackprint {

// The value of `text`, or nullopt when it is empty, longer than max_digits (1-19), holds anything
// but '0'-'9', or exceeds max_value.
[[nodiscard]] std::optional<std::uint64_t> parse_decimal(std::string_view text, std::size_t max_digits,
                                                         std::uint64_t max_value);

// As parse_decimal, with one optional leading '-' (not counted in max_digits); the magnitude is at
// most max_magnitude. E.g. "-12" -> -12; "-", "+1", "--1" -> nullopt.
[[nodiscard]] std::optional<std::int64_t> parse_signed_decimal(std::string_view text, std::size_t max_digits,
                                                               std::uint64_t max_magnitude);

// A non-negative decimal with an optional fraction: digits with at most one '.', at least one digit
// ("5", "0.25", ".5", "5."), at most max_characters (1-19) characters in all. No sign, no exponent.
[[nodiscard]] std::optional<double> parse_decimal_fraction(std::string_view text, std::size_t max_characters);

} // namespace stackprint
