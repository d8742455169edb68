#pragma once
// The one IPv4 address vocabulary: a host-order value type and its strict dotted-quad text form.
// Wire headers (wire::Ipv4Header source/destination) keep plain host-order std::uint32_t fields;
// wrap them as Ipv4Address{field} where an address is parsed, compared as an address or printed.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "stackprint/base/expected.hpp"

namespace stackprint {

// Host byte order: 10.99.100.2 is 0x0A636402 (first octet most significant). Convert to network
// order only at the socket boundary (htonl/ntohl in io/).
struct Ipv4Address {
  std::uint32_t value = 0;

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 sees the defaulted <=>'s comparison with literal 0
  friend constexpr auto operator<=>(const Ipv4Address&, const Ipv4Address&) = default;
};

// Strict dotted quad "a.b.c.d": four decimal octets 0-255 of 1-3 digits and nothing else (no sign,
// no spaces, no octal or hex, no shortened forms such as "10.1", no "/prefix"). Untrusted text:
// the error names the text.
[[nodiscard]] Expected<Ipv4Address> parse_ipv4_address(std::string_view text);

// "a.b.c.d", each octet in decimal without leading zeros.
[[nodiscard]] std::string to_string(Ipv4Address address);

// Builds an address from its four octets, `a` most significant: make_ipv4(10, 99, 100, 2).
[[nodiscard]] constexpr Ipv4Address make_ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return Ipv4Address{(std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) | std::uint32_t{d}};
}

} // namespace stackprint
