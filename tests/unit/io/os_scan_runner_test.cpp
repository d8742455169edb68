#include "stackprint/io/os_scan_runner.hpp"

#include <gtest/gtest.h>

namespace stackprint::io {
namespace {

using namespace std::chrono_literals;

// Every packet is refused, as with a local firewall rule dropping all output (sendto() -> EPERM).
// Time passes only in wait().
class RefusingTransport final : public Transport {
public:
  explicit RefusingTransport(ManualClock& clock) : m_clock(clock) {}
  Expected<SendOutcome> send(std::span<const std::uint8_t> /*bytes*/) override {
    ++attempts;
    return SendOutcome::refused;
  }
  Expected<std::vector<CapturedFrame>> wait(MonotonicTime deadline) override {
    // Like a real wait, at least a little time passes even when the deadline is already due.
    const auto step = std::max<std::chrono::microseconds>(
        std::chrono::duration_cast<std::chrono::microseconds>(deadline - m_clock.monotonic_now()), 100us);
    m_clock.advance(step);
    ++waits;
    if (waits > 1'000'000) { return fail("the run did not end (stuck loop)"); }
    return std::vector<CapturedFrame>{};
  }
  std::uint64_t waits = 0;
  std::uint64_t attempts = 0;

private:
  ManualClock& m_clock;
};

TEST(OsScanRunner, RefusedPacketsAreNotRetriedAndTheScanEnds) {
  ManualClock clock(MonotonicTime{} + 100s, Timestamp(std::chrono::seconds(1'700'000'000)));
  RefusingTransport transport(clock);
  engine::OsScanConfig config;
  config.source_address = 0x0A636401;
  config.max_os_tries = 1;
  engine::OsScan scan(
      config, [](const fingerprint::Fingerprint&) { return engine::RoundVerdict::no_perfect_match; }, 42);
  engine::HostTarget host;
  host.address = 0x0A636402;
  host.open_tcp_port = 80;
  host.closed_tcp_port = 81;
  host.closed_tcp_known = true;
  host.closed_udp_port = 33434;
  scan.add_host(host, clock.monotonic_now(), clock.wall_now());
  int finished = 0;
  auto stats = run_os_scan(transport, scan, clock, [&](engine::HostOsScan&&) { ++finished; });
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(finished, 1);
  EXPECT_EQ(stats->packets_sent, 0U);
  EXPECT_GT(stats->packets_refused, 0U);
  EXPECT_EQ(stats->packets_refused, transport.attempts) << "each refused packet is tried once";
  EXPECT_EQ(stats->send_retries, 0U);
  EXPECT_FALSE(stats->stopped_by_time);
}

} // namespace
} // namespace stackprint::io
