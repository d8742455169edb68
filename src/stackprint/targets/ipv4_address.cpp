#include "stackprint/targets/ipv4_address.hpp"

namespace stackprint::targets {

Expected<Ipv4Address> parse_ipv4(std::string_view text) {
  std::uint32_t value = 0;
  std::size_t pos = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (pos >= text.size() || text[pos] != '.') {
        return fail("invalid IPv4 address \"" + std::string(text) + "\"");
      }
      ++pos;
    }
    std::size_t digits = 0;
    unsigned octet_value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && digits < 4) {
      octet_value = octet_value * 10 + static_cast<unsigned>(text[pos] - '0');
      ++pos;
      ++digits;
    }
    if (digits == 0 || digits > 3 || octet_value > 255) {
      return fail("invalid IPv4 address \"" + std::string(text) + "\"");
    }
    value = (value << 8) | octet_value;
  }
  if (pos != text.size()) {
    return fail("invalid IPv4 address \"" + std::string(text) + "\"");
  }
  return Ipv4Address{value};
}

std::string to_string(Ipv4Address address) {
  std::string text;
  for (int shift = 24; shift >= 0; shift -= 8) {
    text += std::to_string((address.value >> shift) & 0xFFU);
    if (shift > 0) {
      text += '.';
    }
  }
  return text;
}

} // namespace stackprint::targets
