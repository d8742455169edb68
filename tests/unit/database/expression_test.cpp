#include "stackprint/database/expression.hpp"

#include <gtest/gtest.h>

namespace stackprint::database {
namespace {

bool m793(std::string_view expr, std::string_view value) {
  return Expression::compile(expr).matches(observe(value), Semantics::nmap_7_93);
}
bool mfixed(std::string_view expr, std::string_view value) {
  return Expression::compile(expr).matches(observe(value), Semantics::fixed);
}

TEST(StrtolEmulation, ParsesLikeGlibcBase16) {
  EXPECT_EQ(parse_hex_like_strtol("FE88", 0).value, 0xFE88);
  EXPECT_EQ(parse_hex_like_strtol("FE88", 0).end, 4U);
  EXPECT_EQ(parse_hex_like_strtol("", 0).end, 0U); // no digits: end at start
  EXPECT_EQ(parse_hex_like_strtol("G", 0).end, 0U);
  EXPECT_EQ(parse_hex_like_strtol("3B-45", 0).end, 2U); // stops at '-'
  EXPECT_EQ(parse_hex_like_strtol("3B-45", 3).value, 0x45);
  EXPECT_EQ(parse_hex_like_strtol(" 1A", 0).value, 0x1A); // leading space skipped
  EXPECT_EQ(parse_hex_like_strtol("-1", 0).value, -1);
  EXPECT_EQ(parse_hex_like_strtol("0x1F", 0).value, 0x1F);
  EXPECT_EQ(parse_hex_like_strtol("0xZ", 0).end, 1U); // "0" then 'x' is not part of the number
  const HexParse huge = parse_hex_like_strtol("FFFFFFFFFFFFFFFFFFFF", 0);
  EXPECT_EQ(huge.value, INT64_MAX); // saturates
  EXPECT_EQ(huge.end, 20U);
}

TEST(ObserveValue, EmptyIsNumericZeroIn793) {
  const ObservedValue v = observe("");
  EXPECT_TRUE(v.numeric_793);
  EXPECT_EQ(v.number_793, 0U);
  EXPECT_FALSE(v.all_hex);
  EXPECT_FALSE(observe("M5B4").numeric_793);
  EXPECT_TRUE(observe("AE").numeric_793); // letters that are hex digits
  EXPECT_FALSE(observe("AS").numeric_793);
  EXPECT_EQ(observe("FFFFFFFFFF").number_793, 0xFFFFFFFFU); // LONG_MAX to unsigned int
}

TEST(Expr793, LiteralsAndAlternatives) {
  EXPECT_TRUE(m793("Y", "Y"));
  EXPECT_FALSE(m793("Y", "N"));
  EXPECT_TRUE(m793("I|RD", "RD"));
  EXPECT_TRUE(m793("I|RD", "I"));
  EXPECT_FALSE(m793("I|RD", "RI"));
  EXPECT_FALSE(m793("Y", "YY")); // last alternative: exact
}

TEST(Expr793, RangesAndComparisons) {
  EXPECT_TRUE(m793("3B-45", "40"));
  EXPECT_TRUE(m793("3B-45", "3B"));
  EXPECT_TRUE(m793("3B-45", "45"));
  EXPECT_FALSE(m793("3B-45", "46"));
  EXPECT_FALSE(m793("3B-45", "3A"));
  EXPECT_TRUE(m793(">0", "1"));
  EXPECT_FALSE(m793(">0", "0"));
  EXPECT_TRUE(m793("<10", "F"));
  EXPECT_FALSE(m793("<10", "10"));
  EXPECT_TRUE(m793("1|>1000000", "2000000"));
  EXPECT_TRUE(m793("1|>1000000", "1"));
  EXPECT_FALSE(m793("1|>1000000", "2"));
  EXPECT_FALSE(m793("3B-45", "XYZ")); // non-numeric value: literal comparison only
}

TEST(Expr793, EmptyValueIsNumberZero) {
  EXPECT_TRUE(m793("0-5", ""));
  EXPECT_TRUE(m793("<1", ""));
  EXPECT_TRUE(m793("", ""));
  EXPECT_FALSE(m793("0", "")); // last alternative, exact strcmp("0", "")
}

TEST(Expr793, NonLastAlternativeIsAPrefixTest) {
  EXPECT_TRUE(m793("|M5B4", "anything"));    // empty non-last alternative matches everything
  EXPECT_TRUE(m793("M5B4|M200", "M5B4NW8")); // prefix
  EXPECT_TRUE(m793("A|AS", "AR"));
  EXPECT_TRUE(m793("S|A", "S+"));
  EXPECT_FALSE(m793("U|", "X")); // empty last alternative: only the empty value
  EXPECT_TRUE(m793("U|", ""));
}

TEST(Expr793, DashLaterInTheExpressionForcesRangeMode) {
  EXPECT_FALSE(m793("1|5-7", "1")); // '1' is in range mode and "1|" is not a range
  EXPECT_TRUE(m793("1|5-7", "6"));
  EXPECT_FALSE(m793("0|5-A", "0"));
  EXPECT_TRUE(m793("5-7|1", "1")); // no '-' after the last alternative: literal
  EXPECT_FALSE(m793("1|5-7", "Z"));
  EXPECT_TRUE(m793("1|5-7", "1X")); // non-numeric value: literal prefix comparison again
}

TEST(ExprFixed, IntendedSemantics) {
  EXPECT_TRUE(mfixed("1|5-7", "1"));
  EXPECT_TRUE(mfixed("0|5-A", "0"));
  EXPECT_FALSE(mfixed("|M5B4", "anything"));
  EXPECT_TRUE(mfixed("|M5B4", ""));
  EXPECT_FALSE(mfixed("M5B4|M200", "M5B4NW8"));
  EXPECT_FALSE(mfixed("A|AS", "AR"));
  EXPECT_FALSE(mfixed("0-5", ""));         // empty matches only an empty alternative
  EXPECT_TRUE(mfixed("3B-45", "040"));     // leading zeros ignored
  EXPECT_TRUE(mfixed(">0", "1000000000")); // more than 32 bits is greater than everything
  EXPECT_FALSE(mfixed("<10", "1000000000"));
}

TEST(CheckExpression, AcceptsTheDatabaseForms) {
  for (const char* ok :
       {"", "Y", "I|RD", "3B-45", ">0", "<10", "1|>1000000", "|M5B4", "M5B4ST11NW7", "S+", "U|", "0-FFFFFFFF"}) {
    EXPECT_FALSE(check_expression(ok).has_value()) << ok;
  }
}

TEST(CheckExpression, RejectsMalformed) {
  EXPECT_TRUE(check_expression("45-3B").has_value()); // low above high
  EXPECT_TRUE(check_expression("3B-").has_value());
  EXPECT_TRUE(check_expression("-3B").has_value());
  EXPECT_TRUE(check_expression("G-H").has_value());
  EXPECT_TRUE(check_expression("1-2-3").has_value());
  EXPECT_TRUE(check_expression(">").has_value());
  EXPECT_TRUE(check_expression(">G").has_value());
  EXPECT_TRUE(check_expression("0-100000000").has_value()); // 33 bits
  EXPECT_TRUE(check_expression("123456789").has_value());   // huge literal number
  EXPECT_TRUE(check_expression("a b").has_value());
  EXPECT_TRUE(check_expression("x=y").has_value());
}

} // namespace
} // namespace stackprint::database
