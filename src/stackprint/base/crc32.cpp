#include "stackprint/base/crc32.hpp"

#include <array>

namespace stackprint {
namespace {

constexpr std::array<std::uint32_t, 256> make_crc32_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int bit = 0; bit < 8; ++bit) { c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1; }
    table[n] = c;
  }
  return table;
}

constexpr auto k_crc32_table = make_crc32_table();

} // namespace

std::uint32_t crc32(std::span<const std::uint8_t> bytes) {
  std::uint32_t crc = 0xFFFFFFFFU;
  for (std::uint8_t byte : bytes) { crc = k_crc32_table[(crc ^ byte) & 0xFFU] ^ (crc >> 8); }
  return crc ^ 0xFFFFFFFFU;
}

} // namespace stackprint
