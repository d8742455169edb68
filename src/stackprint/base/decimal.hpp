#pragma once
// Strict decimal numbers in untrusted text (target specs, port lists, /proc files): digits only,
// no sign, no spaces, at most `max_digits` digits and at most `max_value`.

#include <cstdint>
#include <optional>
#include <string_view>

namespace stackprint {

// The value of `text`, or nullopt when it is empty, longer than max_digits (1-19), holds anything
// but '0'-'9', or exceeds max_value.
[[nodiscard]] std::optional<std::uint64_t> parse_decimal(std::string_view text, std::size_t max_digits,
                                                         std::uint64_t max_value);

} // namespace stackprint
