#include "stackprint/io/discovery_runner.hpp"

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "stackprint/base/random_source.hpp"
#include "stackprint/discovery/probe_packet.hpp"
#include "stackprint/io/random.hpp"
#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::io {
namespace {

using namespace std::chrono_literals;

const Ipv4Address k_us = make_ipv4(10, 99, 60, 1);
const Ipv4Address k_host = make_ipv4(10, 99, 60, 2);
const Ipv4Address k_silent = make_ipv4(10, 99, 60, 3);

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
  int block_every = 0;           // every Nth send attempt reports would_block
  std::uint16_t refuse_port = 0; // TCP packets to this port are refused
  std::vector<wire::Ipv4Packet> sent;
  int waits = 0;

private:
  ManualClock& m_clock;
  std::set<std::uint16_t> m_open;
  std::multimap<MonotonicTime, CapturedFrame> m_replies;
  int m_attempts = 0;
};

discovery::DiscoveryConfig config(RandomSource& random) {
  discovery::DiscoveryConfig c;
  c.ports.tcp = {22, 25, 80, 443};
  c.ports.udp = {33434};
  c.source_address = k_us;
  c.tcp_source_port = draws::discovery_source_port(random);
  c.udp_source_port = draws::discovery_source_port(random);
  c.sequence_secret = random.next_u32();
  c.random_tcp_draw = random.next_u32();
  c.random_udp_draw = random.next_u32();
  c.initial_timeout = 300ms;
  return c;
}

TEST(DiscoveryRunner, FindsPortsAndDownHostsOnASimulatedSegment) {
  ManualClock clock(MonotonicTime{} + 100s, Timestamp{});
  FakeSegment segment(clock, {80, 443});
  SeededRandom random(42);
  discovery::PortDiscovery scan(config(random), {k_host, k_silent});
  auto stats = run_port_discovery(segment, scan, k_us, clock);
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_TRUE(scan.finished());
  EXPECT_FALSE(stats->stopped_by_time);
  EXPECT_FALSE(stats->stopped_by_packets);
  // 5 probes to the answering host, 5 x 2 tries to the silent one.
  EXPECT_EQ(stats->packets_sent, 15U);
  EXPECT_EQ(segment.sent.size(), 15U);
  EXPECT_EQ(stats->frames_received, 5U);
  const auto& up = scan.hosts()[0];
  EXPECT_EQ(up.status, discovery::HostStatus::up);
  EXPECT_EQ(up.selected.open_tcp, 80);
  EXPECT_EQ(up.selected.closed_tcp, 22);
  EXPECT_TRUE(up.selected.closed_tcp_known);
  EXPECT_EQ(up.selected.closed_udp, 33434);
  ASSERT_TRUE(up.srtt);
  EXPECT_EQ(*up.srtt, 2ms);
  EXPECT_EQ(scan.hosts()[1].status, discovery::HostStatus::down);
  // Simulated time: the silent host needs two 300 ms timeouts.
  EXPECT_GE(clock.monotonic_now() - (MonotonicTime{} + 100s), 600ms);
  EXPECT_LT(clock.monotonic_now() - (MonotonicTime{} + 100s), 700ms);
  for (const auto& packet : segment.sent) {
    EXPECT_EQ(packet.ip.source, k_us.value);
    EXPECT_NE(packet.ip.id, 0);
    EXPECT_TRUE(wire::verify_transport_checksum(packet));
  }
}

TEST(DiscoveryRunner, RetriesWhenTheSocketWouldBlock) {
  ManualClock clock(MonotonicTime{} + 100s, Timestamp{});
  FakeSegment segment(clock, {80});
  segment.block_every = 3;
  SeededRandom random(7);
  discovery::PortDiscovery scan(config(random), {k_host});
  auto stats = run_port_discovery(segment, scan, k_us, clock);
  ASSERT_TRUE(stats);
  EXPECT_TRUE(scan.finished());
  EXPECT_EQ(stats->packets_sent, 5U);
  EXPECT_GE(stats->send_retries, 2U);
  EXPECT_EQ(scan.hosts()[0].selected.open_tcp, 80);
}

TEST(DiscoveryRunner, RefusedPacketsAreSkippedAndTimeOut) {
  ManualClock clock(MonotonicTime{} + 100s, Timestamp{});
  FakeSegment segment(clock, {80});
  segment.refuse_port = 22;
  SeededRandom random(3);
  discovery::PortDiscovery scan(config(random), {k_host});
  auto stats = run_port_discovery(segment, scan, k_us, clock);
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_TRUE(scan.finished());
  EXPECT_EQ(stats->packets_refused, 2U) << "the first send and its retransmission";
  EXPECT_EQ(stats->packets_sent, 4U);
  EXPECT_EQ(scan.hosts()[0].ports.tcp.at(22), discovery::PortState::filtered);
  EXPECT_EQ(scan.hosts()[0].selected.closed_tcp, 25);
}

TEST(DiscoveryRunner, StopsAtThePacketAndTimeBounds) {
  {
    ManualClock clock(MonotonicTime{} + 100s, Timestamp{});
    FakeSegment segment(clock, {80});
    SeededRandom random(1);
    discovery::PortDiscovery scan(config(random), {k_host, k_silent});
    RunLimits limits;
    limits.max_packets = 3;
    auto stats = run_port_discovery(segment, scan, k_us, clock, limits);
    ASSERT_TRUE(stats);
    EXPECT_TRUE(stats->stopped_by_packets);
    EXPECT_EQ(segment.sent.size(), 3U);
  }
  {
    ManualClock clock(MonotonicTime{} + 100s, Timestamp{});
    FakeSegment segment(clock, {80});
    SeededRandom random(2);
    discovery::PortDiscovery scan(config(random), {k_silent});
    RunLimits limits;
    limits.max_duration = 100ms;
    auto stats = run_port_discovery(segment, scan, k_us, clock, limits);
    ASSERT_TRUE(stats);
    EXPECT_TRUE(stats->stopped_by_time);
    EXPECT_FALSE(scan.finished());
    EXPECT_EQ(clock.monotonic_now() - (MonotonicTime{} + 100s), 100ms);
  }
}

// A session shaped like Nmap's SEQ phase: six SYNs 100 ms apart to one open port, then done once
// the last reply is in or 500 ms after the last send.
class SeqLikeSession {
public:
  struct Packet {
    std::vector<std::uint8_t> bytes;
    std::uint64_t tag = 0;
  };
  explicit SeqLikeSession(MonotonicTime start) : m_next_send(start) {}

  std::vector<Packet> on_tick(MonotonicTime now) {
    std::vector<Packet> out;
    if (m_sent_count < 6 && now >= m_next_send) {
      out.push_back(
          Packet{discovery::probe_packet(discovery::SendTcpSyn{k_host, static_cast<std::uint16_t>(50000 + m_sent_count),
                                                               80, static_cast<std::uint32_t>(1000 * m_sent_count), 77},
                                         k_us),
                 100 + m_sent_count});
      ++m_sent_count;
      m_next_send += 100ms;
    }
    m_last_tick = now;
    return out;
  }
  void on_sent(std::uint64_t tag, MonotonicTime at) { sent.emplace_back(tag, at); }
  void on_frame(const CapturedFrame& frame, MonotonicTime at) {
    (void)frame;
    received.push_back(at);
  }
  [[nodiscard]] std::optional<MonotonicTime> next_wakeup() const {
    if (finished()) { return std::nullopt; }
    return m_sent_count < 6 ? m_next_send : m_next_send + 400ms;
  }
  [[nodiscard]] bool finished() const {
    return received.size() == 6 || (m_sent_count == 6 && m_last_tick >= m_next_send + 400ms);
  }

  std::vector<std::pair<std::uint64_t, MonotonicTime>> sent;
  std::vector<MonotonicTime> received;

private:
  MonotonicTime m_next_send;
  MonotonicTime m_last_tick{};
  std::uint64_t m_sent_count = 0;
};

TEST(SessionRunner, ReportsSendTimesAndTagsAndFeedsReplies) {
  static_assert(PacketSession<SeqLikeSession>);
  ManualClock clock(MonotonicTime{} + 100s, Timestamp{});
  FakeSegment segment(clock, {80});
  segment.latency = 3ms;
  SeqLikeSession session(clock.monotonic_now());
  auto stats = run_session(segment, session, clock);
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_EQ(session.sent.size(), 6U);
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(session.sent[i].first, 100 + i);
    EXPECT_EQ(session.sent[i].second - session.sent[0].second, i * 100ms) << i;
  }
  ASSERT_EQ(session.received.size(), 6U);
  EXPECT_EQ(session.received[5] - session.sent[5].second, 3ms);
  EXPECT_EQ(stats->packets_sent, 6U);
  EXPECT_EQ(stats->frames_received, 6U);
  EXPECT_TRUE(session.finished());
}

TEST(Random, SystemSeedsDiffer) { EXPECT_NE(system_seed(), system_seed()); }

} // namespace
} // namespace stackprint::io
