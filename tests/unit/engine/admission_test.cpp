// Admission control under --max-rate (engine/os_scan.hpp): hosts start OS detection only when the
// rate keeps their SEQ trains 100 ms apart.
#include <algorithm>
#include <deque>
#include <map>
#include <memory>

#include <gtest/gtest.h>

#include "simulation.hpp"
#include "stackprint/engine/os_scan.hpp"

namespace stackprint::engine {
namespace {

using namespace std::chrono_literals;
using probes::ProbeId;
using testing::always_perfect;
using testing::config;
using testing::k_target;
using testing::lab_host;
using testing::Simulation;

TEST(Admission, Rule) {
  AdmissionState s;
  s.hosts_sending = 100;
  s.packets_per_host_second = 20;
  EXPECT_TRUE(admit_one_more(s)) << "unlimited rate";
  s.rate = 300;
  EXPECT_FALSE(admit_one_more(s));
  s.hosts_sending = 14;
  EXPECT_TRUE(admit_one_more(s)) << "15 hosts x 20 packets/s = 300/s";
  s.hosts_sending = 15;
  EXPECT_FALSE(admit_one_more(s)) << "16 x 20 > 300";
  s.hosts_sending = 3;
  s.deferred_recently = true;
  EXPECT_FALSE(admit_one_more(s)) << "a probe waited for a token: the rate is used up";
  s.hosts_sending = 0;
  s.packets_per_host_second = 1000;
  EXPECT_TRUE(admit_one_more(s)) << "one host always runs, whatever the rate";
}

// 60 hosts added at once at --max-rate 300: the scan sends no more than 1.05 x 300 in any 1 s, and
// every SEQ train keeps its 100 ms gaps (a limiter that only delayed probes would stretch them:
// 60 hosts' SEQ probes alone need 600/s).
TEST(Admission, UnderMaxRateSeqTrainsKeepTheirGaps) {
  constexpr std::uint32_t k_hosts = 60;
  constexpr double k_rate = 300;
  std::vector<std::unique_ptr<testing::FakeTarget>> fakes;
  std::map<std::uint32_t, testing::FakeTarget*> targets;
  for (std::uint32_t i = 0; i < k_hosts; ++i) {
    fakes.push_back(std::make_unique<testing::FakeTarget>(k_target + i, 80));
    targets[k_target + i] = fakes.back().get();
  }
  Simulation sim{OsScan(config(), always_perfect, 7, RateLimit{k_rate}), targets};
  for (std::uint32_t i = 0; i < k_hosts; ++i) { sim.scan.add_host(lab_host(k_target + i), sim.now, Timestamp{}); }
  EXPECT_EQ(sim.scan.hosts_in_flight(), k_hosts);
  EXPECT_EQ(sim.scan.hosts_sending(), 15U) << "300/s carries 15 hosts at the assumed 20 packets per host-second";
  sim.run(120s);
  ASSERT_EQ(sim.finished.size(), k_hosts);

  std::deque<Instant> window;
  std::size_t peak = 0;
  std::map<std::uint32_t, std::vector<Instant>> seq_sends;
  for (const auto& sent : sim.sent) {
    window.push_back(sent.at);
    while (window.front() <= sent.at - 1s) { window.pop_front(); }
    peak = std::max(peak, window.size());
    if (sent.probe <= ProbeId::SEQ6) { seq_sends[sent.destination].push_back(sent.at); }
  }
  EXPECT_LE(static_cast<double>(peak), 1.05 * k_rate);
  std::size_t gaps = 0;
  std::size_t late = 0; // more than 110 ms
  for (const auto& [host, times] : seq_sends) {
    ASSERT_EQ(times.size(), 6U) << "one train per host: none was broken and re-sent";
    for (std::size_t i = 1; i < times.size(); ++i) {
      ++gaps;
      EXPECT_GE(times[i] - times[i - 1], 100ms);
      EXPECT_LE(times[i] - times[i - 1], 150ms) << "host " << host << " SEQ" << i + 1;
      if (times[i] - times[i - 1] > 110ms) { ++late; }
    }
  }
  EXPECT_LE(late * 100, gaps) << late << " of " << gaps << " SEQ gaps over 110 ms";
  for (const auto& host : sim.finished) { EXPECT_EQ(host.rounds().size(), 1U); }
  // The rate is used: the scan takes about packets / rate (plus one host's own duration).
  const double packets = static_cast<double>(sim.sent.size());
  const double wall = std::chrono::duration<double>(sim.sent.back().at - sim.sent.front().at).count();
  EXPECT_LE(wall, 1.3 * packets / k_rate + 1.0) << packets << " packets";
}

TEST(Admission, WithoutARateEveryHostStartsAtOnce) {
  std::vector<std::unique_ptr<testing::FakeTarget>> fakes;
  std::map<std::uint32_t, testing::FakeTarget*> targets;
  for (std::uint32_t i = 0; i < 30; ++i) {
    fakes.push_back(std::make_unique<testing::FakeTarget>(k_target + i, 80));
    targets[k_target + i] = fakes.back().get();
  }
  Simulation sim{OsScan(config(), always_perfect, 7), targets};
  for (std::uint32_t i = 0; i < 30; ++i) { sim.scan.add_host(lab_host(k_target + i), sim.now, Timestamp{}); }
  EXPECT_EQ(sim.scan.hosts_sending(), 30U);
  EXPECT_EQ(sim.scan.hosts_waiting(), 0U);
}

} // namespace
} // namespace stackprint::engine
