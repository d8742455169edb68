#include "stackprint/wire/ipv4_address.hpp"

#include <gtest/gtest.h>

namespace stackprint::wire {
namespace {

TEST(Ipv4Address, FormatsAndParsesHostOrder) {
  EXPECT_EQ(format_ipv4_address(0x0A636402), "10.99.100.2");
  EXPECT_EQ(format_ipv4_address(0xFFFFFFFF), "255.255.255.255");
  EXPECT_EQ(parse_ipv4_address("10.99.100.2"), 0x0A636402U);
  EXPECT_EQ(parse_ipv4_address("0.0.0.0"), 0U);
}

TEST(Ipv4Address, RejectsMalformedText) {
  for (const char* bad : {"", "10.99.100", "10.99.100.2.1", "256.1.1.1", "1..1.1", "1.1.1.1 ",
                          "a.b.c.d", "1.1.1.0001", "-1.1.1.1", "1.1.1.1/24"}) {
    auto parsed = parse_ipv4_address(bad);
    EXPECT_FALSE(parsed) << bad;
  }
}

} // namespace
} // namespace stackprint::wire
