#include "stackprint/response_tests/hex.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace stackprint::response_tests {
namespace {

TEST(NmapHex, UppercaseWithoutLeadingZeros) {
  EXPECT_EQ(hex(0), "0");
  EXPECT_EQ(hex(0xA), "A");
  EXPECT_EQ(hex(0x164), "164");
  EXPECT_EQ(hex(0x6B0908F3), "6B0908F3");
  EXPECT_EQ(hex16(0x12345678), "5678");
  EXPECT_EQ(hex16(-1), "FFFF");
  EXPECT_EQ(hex16(0x10000), "0");
  EXPECT_EQ(hex8_padded(0), "00000000");
  EXPECT_EQ(hex8_padded(0xE44A4E43u), "E44A4E43");
}

} // namespace
} // namespace stackprint::response_tests

namespace stackprint::response_tests {
namespace {

TEST(NmapHex, CommaSeparatedLists) {
  const std::vector<std::uint32_t> isns = {0x1F, 0xABCDEF01};
  EXPECT_EQ(hex_list(isns), "1F,ABCDEF01");
  const std::vector<std::uint16_t> ids = {0, 0xF558};
  EXPECT_EQ(hex_list(ids), "0,F558");
  EXPECT_EQ(hex_list(std::span<const std::uint32_t>{}), "");
}

} // namespace
} // namespace stackprint::response_tests
