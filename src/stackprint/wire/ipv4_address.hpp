#pragma once
// IPv4 addresses as host-order 32-bit integers: 10.99.100.2 is 0x0A636402. Every wire type stores
// addresses this way; these helpers convert to and from dotted-quad text.

#include <cstdint>
#include <string>
#include <string_view>

#include "stackprint/base/expected.hpp"

namespace stackprint::wire {

// "a.b.c.d" for a host-order address.
[[nodiscard]] std::string format_ipv4_address(std::uint32_t address);

// Strict dotted quad: four decimal parts 0..255, no leading '+', no spaces, at most 3 digits each.
// Error names the offending text.
[[nodiscard]] Expected<std::uint32_t> parse_ipv4_address(std::string_view text);

} // namespace stackprint::wire
