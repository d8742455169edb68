#include "stackprint/base/random_source.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>

#include <gtest/gtest.h>

namespace stackprint {
namespace {

constexpr std::uint64_t k_max = std::numeric_limits<std::uint64_t>::max();

TEST(RandomRanges, EndsOfEveryRange) {
  EXPECT_EQ(draws::magic_port(0), 33000);
  EXPECT_EQ(draws::magic_port(30999), 63999);
  EXPECT_EQ(draws::magic_port(31000), 33000);
  EXPECT_EQ(draws::port_base_offset(255), 255);
  EXPECT_EQ(draws::port_base_offset(256), 0);
  EXPECT_EQ(draws::probe_ip_id(0), 1) << "a probe's IP ID is never 0";
  EXPECT_EQ(draws::probe_ip_id(65534), 65535);
  EXPECT_EQ(draws::probe_ip_id(65535), 1);
  EXPECT_EQ(draws::probe_ttl(0), 37);
  EXPECT_EQ(draws::probe_ttl(22), 59);
  EXPECT_EQ(draws::probe_ttl(23), 37);
  EXPECT_EQ(draws::udp_probe_ttl(0), 51);
  EXPECT_EQ(draws::udp_probe_ttl(13), 64);
  EXPECT_EQ(draws::fallback_closed_port(0), 30000);
  EXPECT_EQ(draws::fallback_closed_port(14780), 44780);
  EXPECT_EQ(draws::sequence_number(0x1'2345'6789ULL), 0x23456789U);
  EXPECT_EQ(draws::echo_id(0x1'0002'0003ULL), 3);
}

TEST(RandomRanges, EchoPairIpIdsLieMoreThanAThousandAndNoMultipleOf256Apart) {
  for (const std::uint16_t first : {1, 255, 256, 1000, 32768, 64535, 65280, 65535}) {
    for (std::uint64_t draw = 0; draw < 70'000; ++draw) {
      const std::uint16_t second = draws::echo_pair_ip_id(first, draw);
      const auto difference = static_cast<std::uint16_t>(second - first);
      ASSERT_NE(second, 0) << first << " " << draw;
      ASSERT_GT(difference, 1000) << first << " " << draw;
      ASSERT_NE(difference % 256, 0) << first << " " << draw;
    }
  }
  EXPECT_EQ(draws::echo_pair_ip_id(1, 0), 1002);
  EXPECT_EQ(draws::echo_pair_ip_id(1, 279), 1282) << "1281 is 1 + 5 * 256, so the next difference";
}

TEST(RandomRanges, WideDrawsStayInRange) {
  for (std::uint64_t draw = k_max - 100'000; draw != 0; ++draw) {
    ASSERT_GE(draws::magic_port(draw), 33000);
    ASSERT_LE(draws::magic_port(draw), 63999);
    ASSERT_GE(draws::probe_ttl(draw), 37);
    ASSERT_LE(draws::probe_ttl(draw), 59);
    ASSERT_GE(draws::udp_probe_ttl(draw), 51);
    ASSERT_LE(draws::udp_probe_ttl(draw), 64);
    ASSERT_NE(draws::probe_ip_id(draw), 0);
    ASSERT_LE(draws::fallback_closed_port(draw), 44780);
  }
}

TEST(RandomRanges, DiscoverySourcePortsCoverTheirRange) {
  SeededRandom random(11);
  std::uint16_t lowest = 65535;
  std::uint16_t highest = 0;
  for (int i = 0; i < 200'000; ++i) {
    const std::uint16_t port = draws::discovery_source_port(random);
    lowest = std::min(lowest, port);
    highest = std::max(highest, port);
  }
  EXPECT_EQ(lowest, draws::k_discovery_port_low);
  EXPECT_EQ(highest, draws::k_discovery_port_high);
}

TEST(RandomSource, SeededIsRepeatableAndBelowIsUnbiased) {
  SeededRandom a(99);
  SeededRandom b(99);
  for (int i = 0; i < 100; ++i) { EXPECT_EQ(a.next_u32(), b.next_u32()); }
  SeededRandom r(5);
  std::set<std::uint32_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::uint32_t v = r.between(37, 59);
    EXPECT_GE(v, 37U);
    EXPECT_LE(v, 59U);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 23U);
  EXPECT_EQ(r.below(0), 0U);
  EXPECT_EQ(r.below(1), 0U);
}

} // namespace
} // namespace stackprint
