#include "stackprint/base/crc32.hpp"

#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace stackprint {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

TEST(Crc32, StandardCheckValues) {
  EXPECT_EQ(crc32(bytes_of("123456789")), 0xCBF43926U);
  EXPECT_EQ(crc32(bytes_of("")), 0x00000000U);
  EXPECT_EQ(crc32(bytes_of("The quick brown fox jumps over the lazy dog")), 0x414FA339U);
  EXPECT_EQ(crc32(std::vector<std::uint8_t>{0x00}), 0xD202EF8DU);
}

} // namespace
} // namespace stackprint
