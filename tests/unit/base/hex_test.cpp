#include "stackprint/base/hex.hpp"

#include <gtest/gtest.h>

namespace stackprint {
namespace {

TEST(HexDigitValue, BothCasesAndNothingElse) {
  EXPECT_EQ(hex_digit_value('0'), 0);
  EXPECT_EQ(hex_digit_value('9'), 9);
  EXPECT_EQ(hex_digit_value('a'), 10);
  EXPECT_EQ(hex_digit_value('F'), 15);
  for (const char c : {'g', 'G', 'x', ' ', '-', '+', '/', ':', '@', '`', '\0'}) {
    EXPECT_EQ(hex_digit_value(c), -1) << "character " << static_cast<int>(c);
  }
}

TEST(ParseHex, AcceptsDigitsWithinBounds) {
  EXPECT_EQ(parse_hex("0", 1), 0U);
  EXPECT_EQ(parse_hex("FE88", 4), 0xFE88U);
  EXPECT_EQ(parse_hex("fe88", 4), 0xFE88U);
  EXPECT_EQ(parse_hex("0000000A", 8), 10U) << "leading zeros count as digits but are allowed";
  EXPECT_EQ(parse_hex("FFFFFFFF", 8, 0xFFFFFFFFU), 0xFFFFFFFFU);
  EXPECT_EQ(parse_hex("FFFFFFFFFFFFFFFF", 16), ~0ULL);
  EXPECT_EQ(parse_hex("1FF", 3, 0x1FF), 0x1FFU);
}

TEST(ParseHex, RejectsEverythingElse) {
  EXPECT_FALSE(parse_hex("", 8));
  EXPECT_FALSE(parse_hex("123456789", 8)) << "too many digits";
  EXPECT_FALSE(parse_hex("0x10", 8)) << "no prefix";
  EXPECT_FALSE(parse_hex("-1", 8));
  EXPECT_FALSE(parse_hex("+1", 8));
  EXPECT_FALSE(parse_hex(" 1", 8));
  EXPECT_FALSE(parse_hex("1 ", 8));
  EXPECT_FALSE(parse_hex("G", 8));
  EXPECT_FALSE(parse_hex("200", 3, 0x1FF)) << "above max_value";
  EXPECT_FALSE(parse_hex("10000000000000000", 17)) << "more than 16 digits would overflow";
  EXPECT_FALSE(parse_hex(std::string_view("1\0", 2), 8)) << "embedded NUL";
}

} // namespace
} // namespace stackprint
