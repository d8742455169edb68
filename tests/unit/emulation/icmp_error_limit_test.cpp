// Per-destination ICMP error rate limiting of the emulator (Linux's default: a burst of 6, then 1/s).

#include <gtest/gtest.h>

#include <chrono>

#include "stackprint/emulation/icmp_error_limit.hpp"
#include "stackprint/wire/icmp_message.hpp"
#include "stackprint/wire/tcp_segment.hpp"

namespace stackprint::emulation {
namespace {

using namespace std::chrono_literals;

const Timestamp t0{std::chrono::seconds{1000}};
constexpr std::uint32_t scanner = 0x0A000001U;

int allowed_at(IcmpErrorLimiter& limiter, std::uint32_t destination, Timestamp when, int tries) {
  int n = 0;
  for (int i = 0; i < tries; ++i) n += limiter.allow(destination, when) ? 1 : 0;
  return n;
}

TEST(IcmpErrorLimiter, BurstOfSixThenOnePerSecond) {
  IcmpErrorLimiter limiter;
  EXPECT_EQ(allowed_at(limiter, scanner, t0, 10), 6);
  EXPECT_EQ(allowed_at(limiter, scanner, t0 + 500ms, 3), 0);
  EXPECT_EQ(allowed_at(limiter, scanner, t0 + 1s, 3), 1);
  EXPECT_EQ(allowed_at(limiter, scanner, t0 + 2500ms, 3), 1);
  // A long rest refills the bucket to the burst and no further.
  EXPECT_EQ(allowed_at(limiter, scanner, t0 + 1h, 10), 6);
  EXPECT_EQ(limiter.stats().allowed, 14U);
  EXPECT_EQ(limiter.stats().limited, 15U);
}

TEST(IcmpErrorLimiter, EachDestinationHasItsOwnBucket) {
  IcmpErrorLimiter limiter;
  EXPECT_EQ(allowed_at(limiter, scanner, t0, 10), 6);
  EXPECT_EQ(allowed_at(limiter, scanner + 1, t0, 10), 6);
  EXPECT_EQ(limiter.destinations(), 2U);
}

TEST(IcmpErrorLimiter, ClockGoingBackAddsNothing) {
  IcmpErrorLimiter limiter;
  EXPECT_EQ(allowed_at(limiter, scanner, t0, 6), 6);
  EXPECT_EQ(allowed_at(limiter, scanner, t0 - 10s, 3), 0);
  EXPECT_EQ(allowed_at(limiter, scanner, t0 - 9500ms, 3), 0); // counted from the last call, not from t0
  EXPECT_EQ(allowed_at(limiter, scanner, t0 - 8500ms, 3), 1);
}

TEST(IcmpErrorLimiter, OtherLimitsAndBoundedMemory) {
  IcmpErrorLimiter limiter(IcmpErrorLimit{100ms, 2}, 2);
  EXPECT_EQ(allowed_at(limiter, 1, t0, 5), 2);
  EXPECT_EQ(allowed_at(limiter, 1, t0 + 100ms, 5), 1);
  EXPECT_EQ(allowed_at(limiter, 2, t0, 5), 2);
  EXPECT_EQ(allowed_at(limiter, 3, t0, 5), 2); // forgets destination 1, the oldest
  EXPECT_EQ(limiter.destinations(), 2U);
  EXPECT_EQ(limiter.stats().forgotten, 1U);
  EXPECT_EQ(allowed_at(limiter, 1, t0 + 100ms, 5), 2); // starts full again
}

TEST(IcmpErrorLimiter, OnlyErrorsAreLimited) {
  const auto icmp = [](std::uint8_t type) {
    wire::Ipv4Packet p;
    p.ip.protocol = wire::k_ip_protocol_icmp;
    wire::IcmpMessage m;
    m.type = type;
    p.payload = m;
    return p;
  };
  EXPECT_TRUE(is_limited_icmp_error(icmp(wire::k_icmp_destination_unreachable)));
  EXPECT_TRUE(is_limited_icmp_error(icmp(wire::k_icmp_source_quench)));
  EXPECT_TRUE(is_limited_icmp_error(icmp(wire::k_icmp_time_exceeded)));
  EXPECT_TRUE(is_limited_icmp_error(icmp(wire::k_icmp_parameter_problem)));
  EXPECT_FALSE(is_limited_icmp_error(icmp(wire::k_icmp_echo_reply)));
  EXPECT_FALSE(is_limited_icmp_error(icmp(wire::k_icmp_redirect)));
  wire::Ipv4Packet tcp;
  tcp.payload = wire::TcpSegment{};
  EXPECT_FALSE(is_limited_icmp_error(tcp));
}

} // namespace
} // namespace stackprint::emulation
