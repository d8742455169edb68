#include "stackprint/response_tests/hex.hpp"

#include <fmt/format.h>

namespace stackprint::response_tests {

std::string hex(std::uint64_t value) { return fmt::format("{:X}", value); }

std::string hex16(std::int64_t value) {
  return fmt::format("{:X}", static_cast<std::uint16_t>(static_cast<std::uint64_t>(value) & 0xFFFFu));
}

std::string hex8_padded(std::uint32_t value) { return fmt::format("{:08X}", value); }

} // namespace stackprint::response_tests
