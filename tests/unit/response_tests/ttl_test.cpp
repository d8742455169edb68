#include "stackprint/response_tests/ttl.hpp"

#include <gtest/gtest.h>

namespace stackprint::response_tests {
namespace {

using fingerprint::DistanceMethod;

TEST(Ttl, DistanceGuessFromTheInitialGuess) {
  EXPECT_EQ(distance_guess(63), 1);
  EXPECT_EQ(distance_guess(120), 8);
}

TEST(Ttl, GuessWithoutU1Reply) {
  EXPECT_EQ(ttl_attribute(64, std::nullopt), (TtlAttribute{"TG", "40"}));
  EXPECT_EQ(ttl_attribute(57, std::nullopt), (TtlAttribute{"TG", "40"}));
  EXPECT_EQ(ttl_attribute(120, std::nullopt), (TtlAttribute{"TG", "80"}));
  EXPECT_EQ(ttl_attribute(250, std::nullopt), (TtlAttribute{"TG", "FF"}));
  EXPECT_EQ(ttl_attribute(30, std::nullopt), (TtlAttribute{"TG", "20"}));
}

TEST(Ttl, ExactInitialTtlFromU1Distance) {
  // U1 sent with TTL 60 arrives with 60 (quoted): distance 1, T = received TTL.
  const int direct = u1_hop_distance(60, 60);
  EXPECT_EQ(direct, 1);
  EXPECT_EQ(ttl_attribute(64, direct), (TtlAttribute{"T", "40"}));
  // Three routers: quoted TTL 57, reply TTL 61 -> initial 64.
  const int three = u1_hop_distance(60, 57);
  EXPECT_EQ(three, 4);
  EXPECT_EQ(ttl_attribute(61, three), (TtlAttribute{"T", "40"}));
  // Not a standard initial TTL: kept exact (the DB matches ranges such as 3B-45).
  EXPECT_EQ(ttl_attribute(59, 1), (TtlAttribute{"T", "3B"}));
  // Beyond 255 is possible with odd middleboxes.
  EXPECT_EQ(ttl_attribute(255, 3), (TtlAttribute{"T", "101"}));
  // A negative sum prints its low 16 bits (%hX).
  EXPECT_EQ(u1_hop_distance(51, 64), -12);
  EXPECT_EQ(ttl_attribute(5, -12), (TtlAttribute{"T", "FFF8"}));
}

TEST(Ttl, ScanLineDistance) {
  EXPECT_EQ(scan_distance(true, true, 3), (ScanDistance{0, DistanceMethod::localhost}));
  EXPECT_EQ(scan_distance(false, true, 3), (ScanDistance{1, DistanceMethod::direct}));
  EXPECT_EQ(scan_distance(false, false, 3), (ScanDistance{3, DistanceMethod::icmp}));
  EXPECT_EQ(scan_distance(false, false, std::nullopt), ScanDistance{});
  EXPECT_FALSE(scan_distance(false, false, std::nullopt).distance);
  EXPECT_FALSE(scan_distance(false, false, std::nullopt).method);
}

} // namespace
} // namespace stackprint::response_tests
