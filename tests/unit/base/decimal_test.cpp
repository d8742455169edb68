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

TEST(ParseSignedDecimal, AcceptsOneLeadingMinus) {
  EXPECT_EQ(parse_signed_decimal("0", 9, 999), 0);
  EXPECT_EQ(parse_signed_decimal("12", 9, 999), 12);
  EXPECT_EQ(parse_signed_decimal("-12", 9, 999), -12);
  EXPECT_EQ(parse_signed_decimal("-999", 3, 999), -999) << "the sign is not counted as a digit";
  EXPECT_EQ(parse_signed_decimal("-9223372036854775807", 19, ~0ULL), -9223372036854775807LL);
}

TEST(ParseSignedDecimal, RejectsEverythingElse) {
  EXPECT_FALSE(parse_signed_decimal("", 9, 999));
  EXPECT_FALSE(parse_signed_decimal("-", 9, 999));
  EXPECT_FALSE(parse_signed_decimal("+1", 9, 999));
  EXPECT_FALSE(parse_signed_decimal("--1", 9, 999));
  EXPECT_FALSE(parse_signed_decimal("1-", 9, 999));
  EXPECT_FALSE(parse_signed_decimal(" -1", 9, 999));
  EXPECT_FALSE(parse_signed_decimal("-1000", 9, 999)) << "magnitude above max_magnitude";
  EXPECT_FALSE(parse_signed_decimal("9223372036854775808", 19, ~0ULL)) << "does not fit int64";
}

TEST(ParseDecimalFraction, AcceptsDigitsWithOneDot) {
  EXPECT_EQ(parse_decimal_fraction("5", 19), 5.0);
  EXPECT_EQ(parse_decimal_fraction("0.25", 19), 0.25);
  EXPECT_EQ(parse_decimal_fraction(".5", 19), 0.5);
  EXPECT_EQ(parse_decimal_fraction("5.", 19), 5.0);
  EXPECT_EQ(parse_decimal_fraction("60000", 19), 60000.0);
  EXPECT_DOUBLE_EQ(*parse_decimal_fraction("1.5000000001", 19), 1.5000000001);
}

TEST(ParseDecimalFraction, RejectsEverythingElse) {
  EXPECT_FALSE(parse_decimal_fraction("", 19));
  EXPECT_FALSE(parse_decimal_fraction(".", 19));
  EXPECT_FALSE(parse_decimal_fraction("1.2.3", 19));
  EXPECT_FALSE(parse_decimal_fraction("-1", 19));
  EXPECT_FALSE(parse_decimal_fraction("+1", 19));
  EXPECT_FALSE(parse_decimal_fraction("1e3", 19));
  EXPECT_FALSE(parse_decimal_fraction("nan", 19));
  EXPECT_FALSE(parse_decimal_fraction("inf", 19));
  EXPECT_FALSE(parse_decimal_fraction(" 1", 19));
  EXPECT_FALSE(parse_decimal_fraction("1,5", 19));
  EXPECT_FALSE(parse_decimal_fraction("12345", 4)) << "longer than max_characters";
  EXPECT_FALSE(parse_decimal_fraction("12345678901234567890", 20)) << "more than 19 characters";
}

} // namespace
} // namespace stackprint
