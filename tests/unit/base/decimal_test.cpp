#include "stackprint/base/decimal.hpp"

#include <gtest/gtest.h>

namespace stackprint {
namespace {

TEST(ParseDecimal, AcceptsDigitsWithinBounds) {
  EXPECT_EQ(parse_decimal("0", 3, 255), 0U);
  EXPECT_EQ(parse_decimal("255", 3, 255), 255U);
  EXPECT_EQ(parse_decimal("007", 3, 255), 7U);
  EXPECT_EQ(parse_decimal("4294967295", 10, 0xFFFFFFFFU), 0xFFFFFFFFU);
}

TEST(ParseDecimal, RejectsEverythingElse) {
  EXPECT_FALSE(parse_decimal("", 3, 255));
  EXPECT_FALSE(parse_decimal("256", 3, 255));
  EXPECT_FALSE(parse_decimal("1000", 3, 9999)) << "too many digits";
  EXPECT_FALSE(parse_decimal("+1", 3, 255));
  EXPECT_FALSE(parse_decimal("1 ", 3, 255));
  EXPECT_FALSE(parse_decimal("-1", 3, 255));
  EXPECT_FALSE(parse_decimal("4294967296", 10, 0xFFFFFFFFU));
  EXPECT_FALSE(parse_decimal("12345678901234567890", 20, ~0ULL)) << "more than 19 digits could overflow";
}

} // namespace
} // namespace stackprint
