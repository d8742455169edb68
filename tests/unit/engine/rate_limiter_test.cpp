#include "stackprint/engine/rate_limiter.hpp"

#include <algorithm>
#include <deque>
#include <limits>

#include <gtest/gtest.h>

namespace stackprint::engine {
namespace {

using namespace std::chrono_literals;
using Instant = RateLimiter::Instant;

const Instant t0 = Instant{} + 1s;

TEST(RateLimiter, UnlimitedAllowsEverythingAndNeverWaits) {
  RateLimiter limiter;
  EXPECT_FALSE(limiter.limited());
  EXPECT_EQ(limiter.available(t0), std::numeric_limits<std::size_t>::max());
  limiter.take(1000000, t0);
  EXPECT_EQ(limiter.available(t0), std::numeric_limits<std::size_t>::max());
  EXPECT_FALSE(limiter.next_token_at(t0));
}

TEST(RateLimiter, BurstIsFourPercentOfTheRateAndAtLeastOnePacket) {
  EXPECT_EQ(RateLimiter(300).burst(), 12.0);
  EXPECT_EQ(RateLimiter(10).burst(), 1.0);
  EXPECT_EQ(RateLimiter(1000, 3).burst(), 3.0) << "a burst given explicitly";
  RateLimiter limiter(300);
  EXPECT_EQ(limiter.available(t0), 12U) << "starts with a full burst";
}

TEST(RateLimiter, EmptyBucketWaitsForTheNextToken) {
  RateLimiter limiter(250); // a token every 4 ms, burst 10
  ASSERT_EQ(limiter.available(t0), 10U);
  limiter.take(10, t0);
  EXPECT_EQ(limiter.available(t0), 0U);
  ASSERT_TRUE(limiter.next_token_at(t0));
  EXPECT_GE(*limiter.next_token_at(t0), t0 + 4ms);
  EXPECT_LE(*limiter.next_token_at(t0), t0 + 4ms + 1us);
  EXPECT_EQ(limiter.available(t0 + 3ms), 0U);
  EXPECT_EQ(limiter.available(t0 + 5ms), 1U);
  EXPECT_EQ(limiter.available(t0 + 1s), 10U) << "never more than the burst";
}

TEST(RateLimiter, AnyOneSecondWindowHoldsAtMostRatePlusBurst) {
  // A sender that always has work sends whatever the bucket allows, polled every 0.7 ms for 10 s.
  constexpr double k_rate = 300;
  RateLimiter limiter(k_rate);
  std::deque<Instant> window;
  std::size_t peak = 0;
  std::size_t total = 0;
  for (Instant now = t0; now < t0 + 10s; now += 700us) {
    const std::size_t n = limiter.available(now);
    limiter.take(n, now);
    total += n;
    for (std::size_t i = 0; i < n; ++i) { window.push_back(now); }
    while (!window.empty() && window.front() <= now - 1s) { window.pop_front(); }
    peak = std::max(peak, window.size());
  }
  EXPECT_LE(static_cast<double>(peak), k_rate * 1.05);
  EXPECT_GE(static_cast<double>(peak), k_rate * 0.99) << "the rate is reached";
  EXPECT_NEAR(static_cast<double>(total), 10 * k_rate + 12, 2);
}

TEST(RateLimiter, ANewRateAppliesFromNowAndKeepsOnlyTheNewBurst) {
  RateLimiter limiter(1000); // burst 40
  EXPECT_EQ(limiter.available(t0), 40U);
  limiter.set_rate(100, t0); // burst 4
  EXPECT_EQ(limiter.available(t0), 4U);
  limiter.take(4, t0);
  EXPECT_GE(*limiter.next_token_at(t0), t0 + 10ms);
  EXPECT_LE(*limiter.next_token_at(t0), t0 + 10ms + 1us);
  limiter.set_rate(0, t0 + 1ms);
  EXPECT_FALSE(limiter.limited());
  EXPECT_EQ(limiter.available(t0 + 1ms), std::numeric_limits<std::size_t>::max());
}

TEST(RateLimiter, TakingMoreThanAllowedIsPaidBackBeforeTheNextSend) {
  RateLimiter limiter(100, 1);
  limiter.take(3, t0); // 1 allowed, 2 more taken: the debt is capped at one burst
  EXPECT_EQ(limiter.available(t0 + 11ms), 0U);
  EXPECT_EQ(limiter.available(t0 + 19ms), 0U);
  EXPECT_EQ(limiter.available(t0 + 21ms), 1U);
}

} // namespace
} // namespace stackprint::engine
