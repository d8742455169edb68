#include "stackprint/io/os_scan_runner.hpp"

#include <map>

#include <gtest/gtest.h>

#include "stackprint/wire/ipv4_packet.hpp"

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

// Every send call takes `send_cost` of clock time (a burst to many hosts goes out one call after
// another), records when it was called, and nothing is ever answered.
class SlowSendTransport final : public Transport {
public:
  SlowSendTransport(ManualClock& clock, std::chrono::microseconds send_cost) : m_clock(clock), m_cost(send_cost) {}
  Expected<SendOutcome> send(std::span<const std::uint8_t> bytes) override {
    calls.emplace_back(m_clock.wall_now(), std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
    m_clock.advance(m_cost);
    return SendOutcome::sent;
  }
  Expected<std::vector<CapturedFrame>> wait(MonotonicTime deadline) override {
    const auto step = std::max<std::chrono::microseconds>(
        std::chrono::duration_cast<std::chrono::microseconds>(deadline - m_clock.monotonic_now()), 100us);
    m_clock.advance(step);
    if (++waits > 1'000'000) { return fail("the run did not end (stuck loop)"); }
    return std::vector<CapturedFrame>{};
  }
  std::vector<std::pair<Timestamp, std::vector<std::uint8_t>>> calls;
  std::uint64_t waits = 0;

private:
  ManualClock& m_clock;
  std::chrono::microseconds m_cost;
};

TEST(OsScanRunner, SeqSendTimesAreTheTimesOfTheirOwnSendCalls) {
  // SP and ISR are rates over the SEQ send times. With 8 hosts in step, the last host's probe
  // leaves 7 send calls after the tick; stamping it with the tick's time skews its gaps whenever
  // its place in the burst changes.
  ManualClock clock(MonotonicTime{} + 100s, Timestamp(std::chrono::seconds(1'700'000'000)));
  SlowSendTransport transport(clock, 250us);
  engine::OsScanConfig config;
  config.source_address = 0x0A636401;
  config.max_os_tries = 1;
  engine::OsScan scan(
      config, [](const fingerprint::Fingerprint&) { return engine::RoundVerdict::no_perfect_match; }, 42);
  constexpr std::uint32_t k_first = 0x0A636410;
  for (std::uint32_t i = 0; i < 8; ++i) {
    engine::HostTarget host;
    host.address = k_first + i;
    host.open_tcp_port = 80;
    host.closed_tcp_port = 81;
    host.closed_tcp_known = true;
    host.closed_udp_port = 33434;
    scan.add_host(host, clock.monotonic_now(), clock.wall_now());
  }
  std::map<std::uint32_t, engine::HostOsScan> finished;
  auto stats = run_os_scan(transport, scan, clock,
                           [&](engine::HostOsScan&& h) { finished.emplace(h.target().address, std::move(h)); });
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_EQ(finished.size(), 8U);
  // The first six packets to each host are its SEQ train (the OS scan starts with it).
  std::map<std::uint32_t, std::vector<Timestamp>> call_times;
  for (const auto& [time, bytes] : transport.calls) {
    const auto packet = wire::parse_ipv4(bytes);
    ASSERT_TRUE(packet);
    auto& times = call_times[packet->ip.destination];
    if (times.size() < 6) { times.push_back(time); }
  }
  for (const auto& [address, host] : finished) {
    ASSERT_EQ(host.rounds().size(), 1U);
    const auto& sent = host.rounds()[0].replies.seq_send_times;
    ASSERT_EQ(call_times[address].size(), 6U);
    for (std::size_t i = 0; i < 6; ++i) {
      ASSERT_TRUE(sent[i]);
      EXPECT_EQ(*sent[i], call_times[address][i]) << "host " << (address - k_first) << " SEQ" << i + 1;
    }
  }
  // Not a vacuous check: the SEQ1 probes left in one burst, one send call after another.
  EXPECT_EQ(call_times[k_first + 7][0] - call_times[k_first][0], std::chrono::microseconds(7 * 250));
}

} // namespace
} // namespace stackprint::io
