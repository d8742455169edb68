// Port discovery through the scan loop: a ScanSession with OS detection off, over a simulated
// segment (the loop's sends, would-block retries, refusals and bounds).
#include "stackprint/io/scan_loop.hpp"

#include <map>
#include <set>
#include <variant>

#include <gtest/gtest.h>

#include "stackprint/base/random_source.hpp"
#include "stackprint/discovery/probe_packet.hpp"
#include "stackprint/io/random.hpp"
#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::io {
namespace {

using namespace std::chrono_literals;

constexpr Ipv4Address k_us{0x0A633C01};     // 10.99.60.1
constexpr Ipv4Address k_host{0x0A633C02};   // 10.99.60.2
constexpr Ipv4Address k_silent{0x0A633C03}; // 10.99.60.3

// A simulated segment: one host answering like a Linux stack after `latency`, one silent host. Time
// passes only inside wait(), on the ManualClock.
class FakeSegment final : public Transport {
public:
  FakeSegment(ManualClock& clock, std::set<std::uint16_t> open_tcp) : m_clock(clock), m_open(std::move(open_tcp)) {}

  Expected<SendOutcome> send(std::span<const std::uint8_t> bytes) override {
    if (block_every != 0 && ++m_attempts % block_every == 0) { return SendOutcome::would_block; }
    auto packet = wire::parse_ipv4(bytes);
    if (!packet) { return fail("fake segment got a malformed packet: " + packet.error().message); }
    if (const auto* tcp = packet->tcp(); tcp != nullptr && tcp->destination_port == refuse_port) {
      return SendOutcome::refused; // as a local firewall rule makes sendto() fail with EPERM
    }
    sent.push_back(*packet);
    if (packet->ip.destination != k_host.value) {
      if (silent_host_answers_arp && !m_arp_sent) { // the kernel resolves it before the first probe
        m_arp_sent = true;
        CapturedFrame arp;
        arp.arp_sender = packet->ip.destination;
        arp.link_source = std::array<std::uint8_t, 6>{0x02, 0, 0, 0, 0, 0x03};
        m_replies.emplace(m_clock.monotonic_now() + latency, arp);
      }
      return SendOutcome::sent; // the silent host
    }
    wire::Ipv4Packet reply;
    reply.ip.source = k_host.value;
    reply.ip.destination = packet->ip.source;
    reply.ip.id = 1;
    if (const auto* syn = packet->tcp()) {
      reply.ip.protocol = 6;
      wire::TcpSegment answer;
      answer.source_port = syn->destination_port;
      answer.destination_port = syn->source_port;
      answer.acknowledgment = syn->sequence + 1;
      answer.sequence = 777;
      answer.flags = m_open.count(syn->destination_port) != 0 ? (wire::k_tcp_syn | wire::k_tcp_ack)
                                                              : (wire::k_tcp_rst | wire::k_tcp_ack);
      reply.payload = answer;
    } else if (packet->udp() != nullptr) {
      reply.ip.protocol = 1;
      wire::IcmpMessage unreachable;
      unreachable.type = 3;
      unreachable.code = 3;
      unreachable.payload.assign(bytes.begin(), bytes.end());
      reply.payload = unreachable;
    }
    m_replies.emplace(m_clock.monotonic_now() + latency,
                      CapturedFrame{Timestamp{}, wire::serialize(reply), std::nullopt});
    return SendOutcome::sent;
  }

  Expected<std::vector<CapturedFrame>> wait(MonotonicTime deadline) override {
    ++waits;
    std::vector<CapturedFrame> frames;
    if (!m_replies.empty() && m_replies.begin()->first <= deadline) {
      const MonotonicTime due = m_replies.begin()->first;
      if (due > m_clock.monotonic_now()) {
        m_clock.advance(std::chrono::duration_cast<std::chrono::microseconds>(due - m_clock.monotonic_now()));
      }
      while (!m_replies.empty() && m_replies.begin()->first <= m_clock.monotonic_now()) {
        frames.push_back(m_replies.begin()->second);
        m_replies.erase(m_replies.begin());
      }
      return frames;
    }
    if (deadline > m_clock.monotonic_now()) {
      m_clock.advance(std::chrono::duration_cast<std::chrono::microseconds>(deadline - m_clock.monotonic_now()));
    }
    return frames;
  }

  std::chrono::microseconds latency = 2ms;
  int block_every = 0;                  // every Nth send attempt reports would_block
  std::uint16_t refuse_port = 0;        // TCP packets to this port are refused
  bool silent_host_answers_arp = false; // an ARP packet comes from the silent host, nothing else
  std::vector<wire::Ipv4Packet> sent;
  int waits = 0;

private:
  ManualClock& m_clock;
  std::set<std::uint16_t> m_open;
  std::multimap<MonotonicTime, CapturedFrame> m_replies;
  int m_attempts = 0;
  bool m_arp_sent = false;
};

struct DiscoveryRun {
  std::map<std::uint32_t, discovery::HostDiscovery> up;
  std::vector<std::uint32_t> down;
  Expected<ScanLoopStats> stats = fail("not run");
};

// Port discovery of `hosts` alone (OS detection off), in one batch.
DiscoveryRun discover(FakeSegment& segment, ManualClock& clock, std::uint64_t seed, std::vector<Ipv4Address> hosts,
                      const ScanLoopLimits& limits = {}) {
  session::ScanSessionConfig config;
  config.discovery_ports.tcp = {22, 25, 80, 443};
  config.discovery_ports.udp = {33434};
  config.source = k_us;
  config.os.source_address = k_us.value;
  config.os_detection = false;
  config.seed = seed;
  std::size_t fed = 0;
  session::TargetFeed feed = [hosts, fed]() mutable -> std::optional<Expected<targets::Target>> {
    if (fed == hosts.size()) { return std::nullopt; }
    return Expected<targets::Target>(targets::Target{hosts[fed++], {}});
  };
  session::ScanSession scan(config, feed,
                            [](const fingerprint::Fingerprint&) { return engine::RoundVerdict::perfect_match; });
  DiscoveryRun run;
  ScanLoopLimits with_events = limits;
  with_events.on_turn = [&] {
    for (auto& event : scan.take_events()) {
      if (auto* up = std::get_if<session::HostSkipped>(&event)) {
        run.up[up->context.target.address.value] = up->context.discovery;
      } else if (auto* down = std::get_if<session::HostDown>(&event)) {
        run.down.push_back(down->context.target.address.value);
      }
    }
  };
  run.stats = run_scan_session(segment, scan, clock, with_events);
  return run;
}

TEST(ScanLoopDiscovery, FindsPortsAndDownHostsOnASimulatedSegment) {
  ManualClock clock(MonotonicTime{} + 100s, Timestamp{});
  FakeSegment segment(clock, {80, 443});
  const DiscoveryRun run = discover(segment, clock, 42, {k_host, k_silent});
  ASSERT_TRUE(run.stats) << run.stats.error().message;
  EXPECT_FALSE(run.stats->stopped_by_time);
  EXPECT_FALSE(run.stats->stopped_by_packets);
  // 5 probes to the answering host, 5 x 2 tries to the silent one.
  EXPECT_EQ(run.stats->packets_sent, 15U);
  EXPECT_EQ(segment.sent.size(), 15U);
  EXPECT_EQ(run.stats->frames_received, 5U);
  ASSERT_EQ(run.up.count(k_host.value), 1U);
  const auto& up = run.up.at(k_host.value);
  EXPECT_EQ(up.status, discovery::HostStatus::up);
  EXPECT_EQ(up.selected.open_tcp, 80);
  EXPECT_EQ(up.selected.closed_tcp, 22);
  EXPECT_TRUE(up.selected.closed_tcp_known);
  EXPECT_EQ(up.selected.closed_udp, 33434);
  ASSERT_TRUE(up.srtt);
  EXPECT_EQ(*up.srtt, 2ms);
  EXPECT_EQ(run.down, std::vector<std::uint32_t>{k_silent.value});
  // Simulated time: the silent host needs two 1 s timeouts (discovery's initial timeout).
  EXPECT_GE(clock.monotonic_now() - (MonotonicTime{} + 100s), 2s);
  EXPECT_LT(clock.monotonic_now() - (MonotonicTime{} + 100s), 2100ms);
  for (const auto& packet : segment.sent) {
    EXPECT_EQ(packet.ip.source, k_us.value);
    EXPECT_NE(packet.ip.id, 0);
    EXPECT_TRUE(wire::verify_transport_checksum(packet));
  }
}

// The same segment where the silent host answers ARP: it is up (its ports filtered), and each of
// its four silent TCP ports gets arp_only_max_tries SYNs (docs/nmap-behaviour.md 4.13).
TEST(ScanLoopDiscovery, AnArpPacketMakesTheSilentHostUp) {
  ManualClock clock(MonotonicTime{} + 100s, Timestamp{});
  FakeSegment segment(clock, {80, 443});
  segment.silent_host_answers_arp = true;
  const DiscoveryRun run = discover(segment, clock, 42, {k_host, k_silent});
  ASSERT_TRUE(run.stats) << run.stats.error().message;
  EXPECT_TRUE(run.down.empty());
  ASSERT_EQ(run.up.count(k_silent.value), 1U);
  const auto& up = run.up.at(k_silent.value);
  EXPECT_EQ(up.status, discovery::HostStatus::up);
  EXPECT_TRUE(up.arp_answered);
  EXPECT_EQ(up.link_source, (std::array<std::uint8_t, 6>{0x02, 0, 0, 0, 0, 0x03}));
  EXPECT_EQ(up.ports.tcp.at(80), discovery::PortState::filtered);
  const discovery::DiscoveryConfig defaults;
  EXPECT_EQ(run.stats->packets_sent, 5U + 4U * static_cast<unsigned>(defaults.arp_only_max_tries) + 2U);
  EXPECT_EQ(run.stats->frames_received, 6U);
}

TEST(ScanLoopDiscovery, RetriesWhenTheSocketWouldBlock) {
  ManualClock clock(MonotonicTime{} + 100s, Timestamp{});
  FakeSegment segment(clock, {80});
  segment.block_every = 3;
  ScanLoopLimits limits;
  limits.send_retry_delay = 0ms;
  const DiscoveryRun run = discover(segment, clock, 7, {k_host}, limits);
  ASSERT_TRUE(run.stats);
  EXPECT_EQ(run.stats->packets_sent, 5U);
  EXPECT_GE(run.stats->send_retries, 2U);
  ASSERT_EQ(run.up.count(k_host.value), 1U);
  EXPECT_EQ(run.up.at(k_host.value).selected.open_tcp, 80);
}

TEST(ScanLoopDiscovery, RefusedPacketsAreSkippedAndTimeOut) {
  ManualClock clock(MonotonicTime{} + 100s, Timestamp{});
  FakeSegment segment(clock, {80});
  segment.refuse_port = 22;
  const DiscoveryRun run = discover(segment, clock, 3, {k_host});
  ASSERT_TRUE(run.stats) << run.stats.error().message;
  EXPECT_EQ(run.stats->packets_refused, 2U) << "the first send and its retransmission";
  EXPECT_EQ(run.stats->packets_sent, 4U);
  ASSERT_EQ(run.up.count(k_host.value), 1U);
  EXPECT_EQ(run.up.at(k_host.value).ports.tcp.at(22), discovery::PortState::filtered);
  EXPECT_EQ(run.up.at(k_host.value).selected.closed_tcp, 25);
}

TEST(ScanLoopDiscovery, StopsAtThePacketAndTimeBounds) {
  {
    ManualClock clock(MonotonicTime{} + 100s, Timestamp{});
    FakeSegment segment(clock, {80});
    ScanLoopLimits limits;
    limits.max_packets = 3;
    const DiscoveryRun run = discover(segment, clock, 1, {k_host, k_silent}, limits);
    ASSERT_TRUE(run.stats);
    EXPECT_TRUE(run.stats->stopped_by_packets);
    EXPECT_EQ(segment.sent.size(), 3U);
  }
  {
    ManualClock clock(MonotonicTime{} + 100s, Timestamp{});
    FakeSegment segment(clock, {80});
    ScanLoopLimits limits;
    limits.max_duration = 100ms;
    const DiscoveryRun run = discover(segment, clock, 2, {k_silent}, limits);
    ASSERT_TRUE(run.stats);
    EXPECT_TRUE(run.stats->stopped_by_time);
    EXPECT_TRUE(run.down.empty()) << "the silent host's discovery had not ended";
    EXPECT_EQ(clock.monotonic_now() - (MonotonicTime{} + 100s), 100ms);
  }
}

TEST(Random, SystemSeedsDiffer) { EXPECT_NE(system_seed(), system_seed()); }

} // namespace
} // namespace stackprint::io
