#include "stackprint/response_tests/hex.hpp"

#include <fmt/format.h>

namespace stackprint::response_tests {

std::string hex(std::uint64_t value) { return fmt::format("{:X}", value); }

std::string hex16(std::int64_t value) {
  return fmt::format("{:X}", static_cast<std::uint16_t>(static_cast<std::uint64_t>(value) & 0xFFFFu));
}

std::string hex8_padded(std::uint32_t value) { return fmt::format("{:08X}", value); }

namespace {
template <typename T> std::string join_hex(std::span<const T> values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ',';
    out += hex(values[i]);
  }
  return out;
}
} // namespace

std::string hex_list(std::span<const std::uint32_t> values) { return join_hex(values); }
std::string hex_list(std::span<const std::uint16_t> values) { return join_hex(values); }

} // namespace stackprint::response_tests
