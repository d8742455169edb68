#include "stackprint/base/ipv4_address.hpp"

#include "stackprint/base/decimal.hpp"

namespace stackprint {

Expected<Ipv4Address> parse_ipv4_address(std::string_view text) {
  std::uint32_t value = 0;
  std::string_view rest = text;
  for (int octet = 0; octet < 4; ++octet) {
    const std::size_t dot = rest.find('.');
    const bool last = octet == 3;
    // The last octet takes the rest of the text; the others end at a dot that must be there.
    if (last != (dot == std::string_view::npos)) { return fail("invalid IPv4 address \"" + std::string(text) + "\""); }
    const auto octet_value = parse_decimal(last ? rest : rest.substr(0, dot), 3, 255);
    if (!octet_value) { return fail("invalid IPv4 address \"" + std::string(text) + "\""); }
    value = (value << 8) | static_cast<std::uint32_t>(*octet_value);
    rest = last ? std::string_view{} : rest.substr(dot + 1);
  }
  return Ipv4Address{value};
}

std::string to_string(Ipv4Address address) {
  std::string text;
  text.reserve(15);
  for (int shift = 24; shift >= 0; shift -= 8) {
    text += std::to_string((address.value >> shift) & 0xFFU);
    if (shift > 0) { text += '.'; }
  }
  return text;
}

} // namespace stackprint
