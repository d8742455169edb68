#include "stackprint/wire/ipv4_address.hpp"

#include <fmt/format.h>

namespace stackprint::wire {

std::string format_ipv4_address(std::uint32_t address) {
  return fmt::format("{}.{}.{}.{}", address >> 24, (address >> 16) & 0xFF, (address >> 8) & 0xFF,
                     address & 0xFF);
}

Expected<std::uint32_t> parse_ipv4_address(std::string_view text) {
  std::uint32_t address = 0;
  std::size_t pos = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (pos >= text.size() || text[pos] != '.') {
        return fail(fmt::format("not an IPv4 address: '{}'", text));
      }
      ++pos;
    }
    unsigned value = 0;
    std::size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && digits < 4) {
      value = value * 10 + static_cast<unsigned>(text[pos] - '0');
      ++pos;
      ++digits;
    }
    if (digits == 0 || digits > 3 || value > 255) {
      return fail(fmt::format("not an IPv4 address: '{}'", text));
    }
    address = (address << 8) | value;
  }
  if (pos != text.size()) {
    return fail(fmt::format("not an IPv4 address: '{}'", text));
  }
  return address;
}

} // namespace stackprint::wire
