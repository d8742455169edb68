#include "stackprint/engine/congestion.hpp"

#include <gtest/gtest.h>

namespace stackprint::engine {
namespace {

using namespace std::chrono_literals;
using Instant = CongestionController::Instant;
using Kind = CongestionDecision::Kind;

const Instant t0 = Instant{} + 10s;

CongestionConfig config(std::size_t max_hosts = 1024, double max_rate = 0, double min_rate = 0) {
  CongestionConfig c;
  c.max_hosts = max_hosts;
  c.initial_hosts = max_hosts; // starts at --group-size, except where a test asks otherwise
  c.max_rate = max_rate;
  c.min_rate = min_rate;
  return c;
}

// Feeds one interval of `sent` packets, `answered` probes answered and `lost` sends lost.
struct Feed {
  CongestionController& controller;
  CongestionSample sample{};
  Instant now = t0;
  std::optional<CongestionDecision> step(std::uint64_t sent, std::uint64_t answered, std::uint64_t lost,
                                         std::size_t in_flight, std::uint64_t drops = 0) {
    now += 500ms;
    sample.packets_sent += sent;
    sample.answered_probes += answered;
    sample.lost_sends += lost;
    sample.capture_drops = sample.capture_drops.value_or(0) + drops;
    sample.hosts_in_flight = in_flight;
    return controller.on_sample(sample, now);
  }
};

TEST(Congestion, CleanIntervalsAtTheLimitChangeNothing) {
  CongestionController controller(config());
  Feed feed{controller};
  EXPECT_FALSE(controller.on_sample(feed.sample, feed.now)) << "the first sample is the baseline";
  for (int i = 0; i < 10; ++i) { EXPECT_FALSE(feed.step(5000, 1000, 10, 1024)); }
  EXPECT_EQ(controller.hosts_limit(), 1024U);
  EXPECT_EQ(controller.rate(), 0.0);
}

TEST(Congestion, LossHalvesHostsInFlightAndCutsTheRateToThreeQuartersOfWhatWasSent) {
  CongestionController controller(config(4096));
  Feed feed{controller};
  (void)controller.on_sample(feed.sample, feed.now);
  const auto d = feed.step(10000, 800, 200, 3000); // 20% of the judged sends lost, 20,000 packets/s
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, Kind::shrink);
  EXPECT_EQ(controller.hosts_limit(), 1500U) << "half the hosts in flight, not half the limit";
  EXPECT_DOUBLE_EQ(controller.rate(), 15000.0);
  EXPECT_EQ(d->lost, 200U);
  EXPECT_EQ(d->judged, 1000U);
  const std::string line = describe(*d);
  EXPECT_NE(line.find("congestion: shrink: 200/1000 sends lost"), std::string::npos) << line;
  EXPECT_NE(line.find("1500 hosts, rate 15000/s"), std::string::npos) << line;
}

TEST(Congestion, CutsAtMostOncePerHoldBecauseLossIsSeenLate) {
  CongestionController controller(config(4096));
  Feed feed{controller};
  (void)controller.on_sample(feed.sample, feed.now);
  ASSERT_TRUE(feed.step(10000, 800, 200, 4096));
  EXPECT_FALSE(feed.step(10000, 800, 200, 4096)) << "500 ms later: within the hold";
  const auto again = feed.step(10000, 800, 200, 4096);
  ASSERT_TRUE(again) << "1 s later";
  EXPECT_EQ(controller.hosts_limit(), 1024U);
}

TEST(Congestion, CaptureDropsAloneAreCongestion) {
  CongestionController controller(config());
  Feed feed{controller};
  (void)controller.on_sample(feed.sample, feed.now);
  EXPECT_FALSE(feed.step(1000, 5, 0, 1024, 0));
  const auto d = feed.step(1000, 5, 0, 1024, 3);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->drops, 3U);
  EXPECT_EQ(controller.hosts_limit(), 512U);
}

TEST(Congestion, TooFewJudgedProbesAreNoEvidence) {
  CongestionController controller(config());
  Feed feed{controller};
  (void)controller.on_sample(feed.sample, feed.now);
  EXPECT_FALSE(feed.step(100, 10, 20, 1024)) << "30 probes judged, fewer than min_samples";
  EXPECT_EQ(controller.hosts_limit(), 1024U);
}

TEST(Congestion, CleanIntervalsGrowHostsAndRateBackToTheUsersLimits) {
  CongestionController controller(config(1024));
  Feed feed{controller};
  (void)controller.on_sample(feed.sample, feed.now);
  ASSERT_TRUE(feed.step(2000, 500, 100, 1024)); // 4,000 packets/s -> 512 hosts, 3,000/s
  EXPECT_EQ(controller.hosts_limit(), 512U);
  EXPECT_DOUBLE_EQ(controller.rate(), 3000.0);
  const auto grow = feed.step(1500, 500, 0, 512);
  ASSERT_TRUE(grow);
  EXPECT_EQ(grow->kind, Kind::grow);
  EXPECT_EQ(controller.hosts_limit(), 512U + 32U) << "additive: max_hosts / 32 per interval";
  EXPECT_DOUBLE_EQ(controller.rate(), 3000.0 + 4000.0 / 16);
  // A limit the scan does not fill is not grown.
  (void)feed.step(1500, 500, 0, 100);
  EXPECT_EQ(controller.hosts_limit(), 544U);
  for (int i = 0; i < 40; ++i) { (void)feed.step(1500, 500, 0, controller.hosts_limit()); }
  EXPECT_EQ(controller.hosts_limit(), 1024U);
  EXPECT_EQ(controller.rate(), 0.0) << "back to unlimited once the rate it was cut from is reached";
}

TEST(Congestion, NeverBelowMinRateOrAboveMaxRate) {
  CongestionController controller(config(1024, 400, 300));
  EXPECT_DOUBLE_EQ(controller.rate(), 400.0);
  Feed feed{controller};
  (void)controller.on_sample(feed.sample, feed.now);
  ASSERT_TRUE(feed.step(200, 500, 100, 1024)); // 400/s sent, 0.75 of it is below --min-rate
  EXPECT_DOUBLE_EQ(controller.rate(), 300.0);
  feed.now += 2s;
  EXPECT_FALSE(feed.step(150, 500, 100, 1024)) << "at --min-rate nothing is cut any more";
  for (int i = 0; i < 40; ++i) { (void)feed.step(150, 500, 0, controller.hosts_limit()); }
  EXPECT_DOUBLE_EQ(controller.rate(), 400.0) << "back to --max-rate, not unlimited";
}

TEST(Congestion, LossThatFewerHostsDoNotCureBecomesTheFloor) {
  // A path that loses 10% of everything: the limit falls to the minimum, then the loss seen there
  // is taken as the path's own and the limit grows back.
  CongestionConfig c = config(256);
  CongestionController controller(c);
  Feed feed{controller};
  (void)controller.on_sample(feed.sample, feed.now);
  for (int i = 0; i < 20; ++i) { (void)feed.step(1000, 450, 50, controller.hosts_limit()); }
  EXPECT_GE(controller.loss_floor(), 0.05);
  for (int i = 0; i < 60; ++i) { (void)feed.step(1000, 450, 50, controller.hosts_limit()); }
  EXPECT_EQ(controller.hosts_limit(), 256U);
  const auto shrinks = controller.shrinks();
  for (int i = 0; i < 20; ++i) { (void)feed.step(1000, 450, 50, controller.hosts_limit()); }
  EXPECT_EQ(controller.shrinks(), shrinks) << "the steady loss no longer cuts";
}

TEST(Congestion, LossWhileManyHostsAreStillInFlightNeverBecomesTheFloor) {
  // A cut to the minimum does not evict the hosts already in flight: the loss they cause is
  // congestion, and taking it for the path's would let the limit grow back at once.
  CongestionConfig c = config(4096);
  CongestionController controller(c);
  Feed feed{controller};
  (void)controller.on_sample(feed.sample, feed.now);
  for (int i = 0; i < 30; ++i) { (void)feed.step(1000, 300, 200, 3000); }
  EXPECT_EQ(controller.hosts_limit(), c.min_hosts);
  EXPECT_DOUBLE_EQ(controller.loss_floor(), 0.0) << "3,000 hosts still in flight";
  for (int i = 0; i < 4; ++i) { (void)feed.step(1000, 450, 50, c.min_hosts); }
  EXPECT_GE(controller.loss_floor(), 0.05) << "the loss left with 16 hosts in flight is the path's";
}

TEST(Congestion, TheHostLimitDoublesFromASmallStartUntilTheFirstLossThenGrowsStepByStep) {
  CongestionConfig c = config(4096);
  c.initial_hosts = CongestionConfig{}.initial_hosts;
  CongestionController controller(c);
  EXPECT_EQ(controller.hosts_limit(), 128U) << "slow start: a whole --group-size at once could swamp the path";
  Feed feed{controller};
  (void)controller.on_sample(feed.sample, feed.now);
  EXPECT_FALSE(feed.step(100, 50, 0, 20)) << "a limit the scan does not fill does not grow";
  for (std::size_t limit = 256; limit <= 1024; limit *= 2) {
    ASSERT_TRUE(feed.step(4000, 1000, 0, controller.hosts_limit()));
    EXPECT_EQ(controller.hosts_limit(), limit) << "doubles per clean interval before the first cut";
  }
  ASSERT_TRUE(feed.step(4000, 1000, 200, 1024));
  EXPECT_EQ(controller.hosts_limit(), 512U);
  feed.now += 2s;
  for (std::size_t i = 1; i <= 4; ++i) {
    ASSERT_TRUE(feed.step(4000, 1000, 0, controller.hosts_limit()));
    EXPECT_EQ(controller.hosts_limit(), 512U + i * 128U) << "after a cut, additive: --group-size / 32 per interval";
  }
  c.max_hosts = 40;
  CongestionController small(c);
  EXPECT_EQ(small.hosts_limit(), 40U) << "never above --group-size";
}

} // namespace
} // namespace stackprint::engine
