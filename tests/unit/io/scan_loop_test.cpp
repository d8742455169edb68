#include "stackprint/io/scan_loop.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "stackprint/wire/ipv4_packet.hpp"
#include "stackprint/wire/packet_builders.hpp"
#include "unit/engine/fake_target.hpp"

namespace stackprint::io {
namespace {

using namespace std::chrono_literals;
using engine::testing::FakeTarget;

constexpr std::uint32_t k_us = 0x0A636401;
constexpr std::uint32_t k_first_host = 0x0A636402;

// Fake targets behind a simulated wire: every answer arrives 1 ms after its packet was sent.
// Addresses without a target never answer. Time passes only in wait().
class FakeNetwork final : public Transport {
public:
  explicit FakeNetwork(ManualClock& clock) : m_clock(clock) {}
  std::map<std::uint32_t, std::unique_ptr<FakeTarget>> targets;
  // Refuse every OS probe (a local firewall rule on output: sendto() -> EPERM); the port scan's
  // SYNs still go out.
  bool refuse_os_probes = false;
  std::uint64_t refused = 0;
  // Clock time each send call takes (a burst to many hosts goes out one call after another), and
  // the wall time at which each call started.
  std::chrono::microseconds send_cost{0};
  std::vector<std::pair<Timestamp, std::vector<std::uint8_t>>> calls;
  // A path that carries at most this many packets per 100 ms (0: any): the packets beyond it are
  // lost, as in a queue that overflows.
  std::size_t capacity_per_100ms = 0;
  std::uint64_t overflowed = 0;

  Expected<SendOutcome> send(std::span<const std::uint8_t> bytes) override {
    const std::vector<std::uint8_t> packet(bytes.begin(), bytes.end());
    calls.emplace_back(m_clock.wall_now(), packet);
    m_clock.advance(send_cost);
    const auto parsed = wire::parse_ipv4(packet);
    if (!parsed) { return fail("the scan sent an unparsable packet"); }
    if (refuse_os_probes && emulation::recognise_probe(*parsed)) {
      ++refused;
      return SendOutcome::refused;
    }
    const auto target = targets.find(parsed->ip.destination);
    if (target == targets.end()) { return SendOutcome::sent; }
    if (capacity_per_100ms > 0) {
      while (!m_recent.empty() && m_recent.front() <= m_clock.monotonic_now() - 100ms) { m_recent.pop_front(); }
      if (m_recent.size() >= capacity_per_100ms) {
        ++overflowed;
        return SendOutcome::sent;
      }
      m_recent.push_back(m_clock.monotonic_now());
    }
    const double now_s = std::chrono::duration<double>(m_clock.monotonic_now().time_since_epoch()).count();
    for (auto& reply : target->second->answer(packet, now_s)) {
      m_in_flight.emplace_back(m_clock.monotonic_now() + 1ms, std::move(reply));
    }
    return SendOutcome::sent;
  }

  Expected<std::vector<CapturedFrame>> wait(MonotonicTime deadline) override {
    if (++m_waits > 2'000'000) { return fail("the run did not end (stuck loop)"); }
    MonotonicTime until = deadline;
    for (const auto& [at, bytes] : m_in_flight) { until = std::min(until, at); }
    const auto step = std::max<std::chrono::microseconds>(
        std::chrono::duration_cast<std::chrono::microseconds>(until - m_clock.monotonic_now()), 1us);
    m_clock.advance(step);
    std::vector<CapturedFrame> due;
    std::vector<std::pair<MonotonicTime, std::vector<std::uint8_t>>> later;
    for (auto& [at, bytes] : m_in_flight) {
      if (at <= m_clock.monotonic_now()) {
        due.push_back(CapturedFrame{m_clock.wall_now(), std::move(bytes), std::nullopt});
      } else {
        later.emplace_back(at, std::move(bytes));
      }
    }
    m_in_flight = std::move(later);
    return due;
  }

private:
  ManualClock& m_clock;
  std::deque<MonotonicTime> m_recent; // packets the path carried in the last 100 ms
  std::vector<std::pair<MonotonicTime, std::vector<std::uint8_t>>> m_in_flight;
  std::uint64_t m_waits = 0;
};

struct ScanRun {
  std::vector<MonotonicTime> batch_starts;
  std::map<std::uint32_t, MonotonicTime> finished_at; // OS detection done
  std::vector<std::uint32_t> down;
  std::map<std::uint32_t, std::array<std::optional<Timestamp>, 6>> seq_send_times; // of the first round
  ScanLoopStats stats;
  session::SessionTotals totals;
};

// Scans `count` consecutive addresses from k_first_host through a ScanSession.
ScanRun run_scan(FakeNetwork& network, ManualClock& clock, std::uint32_t count, std::size_t max_in_flight,
                 std::size_t batch_size, engine::RateLimit rate = {},
                 std::optional<engine::CongestionConfig> congestion = std::nullopt) {
  session::ScanSessionConfig config;
  config.os.source_address = k_us;
  config.os.max_os_tries = 1;
  config.rate = rate;
  config.congestion = congestion;
  config.discovery_ports.tcp = {80, 443};
  config.source = Ipv4Address{k_us};
  config.max_hosts_in_flight = max_in_flight;
  config.batch_size = batch_size;
  config.seed = 7;
  std::uint32_t next = k_first_host;
  session::TargetFeed feed = [&]() -> std::optional<Expected<targets::Target>> {
    if (next >= k_first_host + count) { return std::nullopt; }
    return Expected<targets::Target>(targets::Target{Ipv4Address{next++}, {}});
  };
  session::ScanSession scan(config, feed,
                            [](const fingerprint::Fingerprint&) { return engine::RoundVerdict::no_perfect_match; });
  ScanRun run;
  ScanLoopLimits limits;
  limits.on_turn = [&] {
    while (run.batch_starts.size() < scan.totals().batches) { run.batch_starts.push_back(clock.monotonic_now()); }
    for (auto& event : scan.take_events()) {
      if (const auto* down = std::get_if<session::HostDown>(&event)) {
        run.down.push_back(down->context.target.address.value);
      } else if (const auto* done = std::get_if<session::HostScanned>(&event)) {
        const std::uint32_t address = done->os.target().address;
        run.finished_at[address] = clock.monotonic_now();
        if (!done->os.rounds().empty()) { run.seq_send_times[address] = done->os.rounds()[0].replies.seq_send_times; }
      }
    }
  };
  auto stats = run_scan_session(network, scan, clock, limits);
  EXPECT_TRUE(stats.has_value()) << stats.error().message;
  if (stats) { run.stats = *stats; }
  run.totals = scan.totals();
  return run;
}

TEST(ScanLoop, EveryHostIsDiscoveredThenFingerprintedWithinTheInFlightBound) {
  ManualClock clock(MonotonicTime{} + 100s, Timestamp(std::chrono::seconds(1'700'000'000)));
  FakeNetwork network(clock);
  for (std::uint32_t a = k_first_host; a < k_first_host + 9; ++a) {
    network.targets[a] = std::make_unique<FakeTarget>(a, 80);
  }
  // The tenth address answers nothing: down.
  const ScanRun run = run_scan(network, clock, 10, 4, 2);
  EXPECT_EQ(run.finished_at.size(), 9U);
  EXPECT_EQ(run.down, std::vector<std::uint32_t>{k_first_host + 9});
  EXPECT_EQ(run.totals.batches, 5U);
  EXPECT_LE(run.totals.peak_hosts_in_flight, 4U);
  EXPECT_GE(run.totals.peak_hosts_in_flight, 3U);
  EXPECT_FALSE(run.stats.interrupted);
}

TEST(ScanLoop, ASlowHostDoesNotHoldBackTheNextBatches) {
  ManualClock clock(MonotonicTime{} + 100s, Timestamp(std::chrono::seconds(1'700'000'000)));
  FakeNetwork network(clock);
  for (std::uint32_t a = k_first_host; a < k_first_host + 8; ++a) {
    network.targets[a] = std::make_unique<FakeTarget>(a, 80);
  }
  // The first host answers the port scan and SEQ1 but none of the other OS probes: it looks
  // lossy, so its OS detection runs to the end of its retransmissions, far longer than the others'.
  for (const auto id : probes::k_all_probe_ids) {
    if (id != probes::ProbeId::SEQ1) network.targets[k_first_host]->drop_always.insert(id);
  }
  const ScanRun run = run_scan(network, clock, 8, 4, 2);
  ASSERT_EQ(run.finished_at.size(), 8U);
  const MonotonicTime slow_done = run.finished_at.at(k_first_host);
  // With host groups the last batch would start only after the slow host's group had finished.
  ASSERT_GE(run.batch_starts.size(), 4U); // batches of 2, or of 1 when only one slot is free
  EXPECT_LT(run.batch_starts.back(), slow_done);
  for (std::uint32_t a = k_first_host + 1; a < k_first_host + 8; ++a) {
    EXPECT_LT(run.finished_at.at(a), slow_done) << "host " << (a - k_first_host);
  }
}

TEST(ScanLoop, RefusedPacketsAreNotRetriedAndTheScanEnds) {
  ManualClock clock(MonotonicTime{} + 100s, Timestamp(std::chrono::seconds(1'700'000'000)));
  FakeNetwork network(clock);
  network.targets[k_first_host] = std::make_unique<FakeTarget>(k_first_host, 80);
  network.refuse_os_probes = true;
  const ScanRun run = run_scan(network, clock, 1, 4, 2);
  EXPECT_EQ(run.finished_at.size(), 1U);
  EXPECT_GT(run.stats.packets_refused, 0U);
  EXPECT_EQ(run.stats.packets_refused, network.refused) << "each refused packet is tried once";
  EXPECT_EQ(run.stats.send_retries, 0U);
  EXPECT_EQ(run.stats.packets_sent, 2U) << "only the port scan's two SYNs went out";
}

TEST(ScanLoop, FramesGoToTheHostTheyConcern) {
  // A TCP answer concerns its source; an ICMP error from a router concerns the quoted destination.
  wire::Ipv4Packet tcp;
  tcp.ip.source = 0x0A000005;
  tcp.ip.destination = k_us;
  tcp.ip.protocol = wire::k_ip_protocol_tcp;
  tcp.payload = wire::TcpSegment{};
  const CapturedFrame tcp_frame{Timestamp{}, wire::serialize(tcp), std::nullopt};
  EXPECT_EQ(session::frame_host(tcp_frame), 0x0A000005U);

  wire::Ipv4Packet quoted;
  quoted.ip.source = k_us;
  quoted.ip.destination = 0x0A000009;
  quoted.ip.protocol = wire::k_ip_protocol_udp;
  quoted.payload = wire::UdpDatagram{};
  const auto quoted_bytes = wire::serialize(quoted);
  wire::Ipv4Packet error;
  error.ip.source = 0x0A0000FE; // the router
  error.ip.destination = k_us;
  error.ip.protocol = wire::k_ip_protocol_icmp;
  wire::IcmpMessage unreachable;
  unreachable.type = wire::k_icmp_destination_unreachable;
  unreachable.code = 1;
  unreachable.payload.assign(quoted_bytes.begin(), quoted_bytes.end());
  error.payload = unreachable;
  EXPECT_EQ(session::frame_host(CapturedFrame{Timestamp{}, wire::serialize(error), std::nullopt}), 0x0A000009U);

  EXPECT_FALSE(session::frame_host(CapturedFrame{Timestamp{}, {0x45, 0x00}, std::nullopt}).has_value());
}

TEST(ScanLoop, SeqSendTimesAreTakenAtTheirOwnSendCalls) {
  // SP and ISR are rates over the SEQ send times. With 8 hosts in step, the last host's probe
  // leaves 7 send calls after the tick; stamping it with the tick's time skews its gaps whenever
  // its place in the burst changes (measured on a veth lab: 0.2-5.5 ms early, mean 0.5 ms).
  ManualClock clock(MonotonicTime{} + 100s, Timestamp(std::chrono::seconds(1'700'000'000)));
  FakeNetwork network(clock);
  network.send_cost = 250us;
  for (std::uint32_t a = k_first_host; a < k_first_host + 8; ++a) {
    network.targets[a] = std::make_unique<FakeTarget>(a, 80);
  }
  const ScanRun run = run_scan(network, clock, 8, 8, 8);
  ASSERT_EQ(run.seq_send_times.size(), 8U);
  std::map<std::uint32_t, std::vector<Timestamp>> call_times; // SEQ1..SEQ6 send calls per host
  for (const auto& [time, bytes] : network.calls) {
    const auto packet = wire::parse_ipv4(bytes);
    ASSERT_TRUE(packet);
    const auto probe = emulation::recognise_probe(*packet);
    auto& times = call_times[packet->ip.destination];
    if (probe && probes::is_seq_probe(*probe) && times.size() < 6) { times.push_back(time); }
  }
  for (const auto& [address, sent] : run.seq_send_times) {
    ASSERT_EQ(call_times[address].size(), 6U);
    for (std::size_t i = 0; i < 6; ++i) {
      ASSERT_TRUE(sent[i]);
      // The clock is read when the probe's own send call has returned.
      EXPECT_EQ(*sent[i], call_times[address][i] + network.send_cost)
          << "host " << (address - k_first_host) << " SEQ" << i + 1;
    }
  }
  // Not vacuous: the hosts' SEQ1 probes left in one burst, one send call after another. Each host
  // starts OS detection when its own port scan is done, and their last discovery replies came in
  // two waits, so the burst may span two loop turns with the loop's shortest wait (1 us) between.
  std::vector<Timestamp> seq1;
  seq1.reserve(call_times.size());
  for (const auto& [address, times] : call_times) { seq1.push_back(times[0]); }
  std::sort(seq1.begin(), seq1.end());
  EXPECT_GE(seq1.back() - seq1.front(), std::chrono::microseconds(7 * 250));
  EXPECT_LE(seq1.back() - seq1.front(), std::chrono::microseconds(7 * 250 + 10));
}

TEST(ScanLoop, MaxRateBoundsDiscoveryAndOsProbesTogetherAndKeepsTrainsOnTime) {
  // 60 hosts, all in flight at once, at 200 packets/s: the port scan's SYNs and the OS probes
  // share the one limiter, so no 1 s window holds more than 1.05 x 200 packets, and admission keeps
  // every host's SEQ probes 100 ms apart.
  constexpr double k_rate = 200;
  ManualClock clock(MonotonicTime{} + 100s, Timestamp(std::chrono::seconds(1'700'000'000)));
  FakeNetwork network(clock);
  for (std::uint32_t a = k_first_host; a < k_first_host + 60; ++a) {
    network.targets[a] = std::make_unique<FakeTarget>(a, 80);
  }
  const ScanRun run = run_scan(network, clock, 60, 64, 64, engine::RateLimit{k_rate});
  ASSERT_EQ(run.finished_at.size(), 60U);
  std::size_t peak = 0;
  std::size_t first = 0;
  for (std::size_t i = 0; i < network.calls.size(); ++i) {
    while (network.calls[first].first <= network.calls[i].first - 1s) { ++first; }
    peak = std::max(peak, i - first + 1);
  }
  EXPECT_LE(static_cast<double>(peak), 1.05 * k_rate);
  EXPECT_GE(static_cast<double>(peak), 0.8 * k_rate) << "the rate is used";
  for (const auto& [address, sent] : run.seq_send_times) {
    for (std::size_t i = 1; i < 6; ++i) {
      ASSERT_TRUE(sent[i] && sent[i - 1]);
      EXPECT_LE(*sent[i] - *sent[i - 1], 110ms) << "host " << (address - k_first_host) << " SEQ" << i + 1;
    }
  }
}

TEST(ScanLoop, CongestionControlShrinksHostsInFlightOnAPathThatOverflows) {
  // 600 hosts at once on a path that carries 1,000 packets/s: their probes overflow it and many
  // are lost. Congestion control sees the lost sends and shrinks the hosts in flight; without it
  // nothing changes. (How much this saves on a real path: docs/benchmarks.md.)
  const auto scan = [](std::optional<engine::CongestionConfig> congestion, std::uint64_t& overflowed) {
    ManualClock clock(MonotonicTime{} + 100s, Timestamp(std::chrono::seconds(1'700'000'000)));
    FakeNetwork network(clock);
    network.capacity_per_100ms = 100;
    for (std::uint32_t a = k_first_host; a < k_first_host + 600; ++a) {
      network.targets[a] = std::make_unique<FakeTarget>(a, 80);
    }
    ScanRun run = run_scan(network, clock, 600, 600, 150, {}, congestion);
    overflowed = network.overflowed;
    return run;
  };
  engine::CongestionConfig config;
  config.max_hosts = 600;
  std::uint64_t lost_with = 0;
  std::uint64_t lost_without = 0;
  const ScanRun with = scan(config, lost_with);
  const ScanRun without = scan(std::nullopt, lost_without);
  EXPECT_EQ(with.finished_at.size() + with.down.size(), 600U);
  EXPECT_GT(with.totals.congestion_shrinks, 0U);
  EXPECT_EQ(without.totals.congestion_shrinks, 0U);
  EXPECT_GT(lost_with, 0U);
  EXPECT_GT(lost_without, 0U);
}

} // namespace
} // namespace stackprint::io
