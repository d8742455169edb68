#pragma once
// An IPv4 address as a host-order value, and its dotted-quad text form.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "stackprint/base/expected.hpp"

namespace stackprint::targets {

// Host byte order: 10.0.0.1 is 0x0A000001. Convert to network order only at the socket boundary.
struct Ipv4Address {
  std::uint32_t value = 0;

  friend constexpr auto operator<=>(const Ipv4Address&, const Ipv4Address&) = default;
};

// Strict dotted quad "a.b.c.d": four decimal octets 0-255 of 1-3 digits, nothing else (no octal,
// no hex, no shortened forms such as "10.1"). Error names the text.
[[nodiscard]] Expected<Ipv4Address> parse_ipv4(std::string_view text);

// "a.b.c.d".
[[nodiscard]] std::string to_string(Ipv4Address address);

// Builds an address from its four octets, first octet most significant.
[[nodiscard]] constexpr Ipv4Address make_ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return Ipv4Address{(std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | std::uint32_t{d}};
}

} // namespace stackprint::targets
