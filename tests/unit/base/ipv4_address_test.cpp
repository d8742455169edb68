#include "stackprint/base/ipv4_address.hpp"

#include <gtest/gtest.h>

namespace stackprint {
namespace {

TEST(Ipv4Address, ParsesAndFormatsHostOrder) {
  auto a = parse_ipv4_address("10.99.100.2");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->value, 0x0A636402U);
  EXPECT_EQ(*a, make_ipv4(10, 99, 100, 2));
  EXPECT_EQ(to_string(*a), "10.99.100.2");
  EXPECT_EQ(to_string(Ipv4Address{0xFFFFFFFFU}), "255.255.255.255");
  EXPECT_EQ(to_string(Ipv4Address{}), "0.0.0.0");
  EXPECT_EQ(parse_ipv4_address("0.0.0.0"), Ipv4Address{0});
  EXPECT_EQ(parse_ipv4_address("255.255.255.255"), make_ipv4(255, 255, 255, 255));
  EXPECT_EQ(parse_ipv4_address("010.0.0.1"), make_ipv4(10, 0, 0, 1)); // decimal, never octal
}

TEST(Ipv4Address, OrdersByValue) {
  EXPECT_LT(make_ipv4(10, 0, 0, 255), make_ipv4(10, 0, 1, 0));
  EXPECT_LT(make_ipv4(9, 255, 255, 255), make_ipv4(10, 0, 0, 0));
}

TEST(Ipv4Address, RejectsMalformedText) {
  for (const char* bad : {"", "10.99.100", "10.99.100.2.1", "256.1.1.1", "1..1.1", "1.1.1.1 ", " 1.1.1.1", "a.b.c.d",
                          "1.1.1.0001", "1234.1.1.1", "-1.1.1.1", "+1.1.1.1", "1.1.1.1/24", "1.2.3.4x", "10.0.0.1.",
                          ".10.0.0.1", "0x0A.0.0.1", "10.1", "..."}) {
    auto parsed = parse_ipv4_address(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().message.find(bad), std::string::npos) << parsed.error().message;
  }
}

} // namespace
} // namespace stackprint
