// The one io loop (io/pump.hpp) on a manual clock: how long it waits, what it reports back, where
// it stops; and the emulator served through it without a TUN device (io/emulator_loop.hpp).

#include "stackprint/io/pump.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "stackprint/emulation/emulator_service.hpp"
#include "stackprint/emulation/personality.hpp"
#include "stackprint/emulation/retransmission.hpp"
#include "stackprint/io/emulator_loop.hpp"
#include "stackprint/probes/probe_catalogue.hpp"
#include "stackprint/wire/ipv4_packet.hpp"
#include "support/installed_db.hpp"

namespace stackprint::io {
namespace {

using namespace std::chrono_literals;

constexpr MonotonicTime k_start{std::chrono::seconds{50}};
constexpr Timestamp k_wall_start{std::chrono::seconds{1'000'000}};

// A wire on the manual clock: inbound packets are queued by the test with the time they arrive;
// wait() jumps the clock to the first arrival or the deadline. Every send and wait is recorded.
class ScriptedWire final : public Transport {
public:
  explicit ScriptedWire(ManualClock& clock) : m_clock(clock) {}

  struct Wait {
    MonotonicTime called_at;
    MonotonicTime deadline;
  };
  std::vector<std::vector<std::uint8_t>> sent;
  std::vector<MonotonicTime> sent_at;
  std::vector<Wait> waits;
  std::deque<std::pair<MonotonicTime, std::vector<std::uint8_t>>> inbound; // in arrival order
  std::optional<std::uint32_t> inbound_arp_sender; // the inbound frames with no bytes become ARP from it
  bool refuse_all = false;

  Expected<SendOutcome> send(std::span<const std::uint8_t> bytes) override {
    if (refuse_all) { return SendOutcome::refused; }
    sent.emplace_back(bytes.begin(), bytes.end());
    sent_at.push_back(m_clock.monotonic_now());
    m_clock.advance(10us);
    return SendOutcome::sent;
  }
  Expected<std::vector<CapturedFrame>> wait(MonotonicTime deadline) override {
    if (waits.size() > 100'000) { return fail("the loop did not end"); }
    waits.push_back({m_clock.monotonic_now(), deadline});
    const MonotonicTime now = m_clock.monotonic_now();
    MonotonicTime until = std::max(deadline, now);
    if (!inbound.empty()) { until = std::max(now, std::min(until, inbound.front().first)); }
    m_clock.advance(std::chrono::duration_cast<std::chrono::microseconds>(until - now));
    std::vector<CapturedFrame> frames;
    while (!inbound.empty() && inbound.front().first <= m_clock.monotonic_now()) {
      frames.push_back(CapturedFrame{m_clock.wall_now(), std::move(inbound.front().second), std::nullopt});
      if (frames.back().ip_packet.empty()) { frames.back().arp_sender = inbound_arp_sender; }
      inbound.pop_front();
      m_clock.advance(1us); // each read takes a moment: stamps differ
    }
    return frames;
  }

private:
  ManualClock& m_clock;
};

// A stage that sends one packet at each of its planned times and is done after the last.
class PlannedStage final : public PumpedStage {
public:
  explicit PlannedStage(std::vector<MonotonicTime> plan) : m_plan(std::move(plan)) {}
  bool stay_busy = false;
  bool never_finish = false;
  std::vector<MonotonicTime> reported_sends;
  std::size_t frames = 0;

  Expected<std::size_t> tick(MonotonicTime now, Timestamp /*wall_now*/) override {
    ++ticks;
    m_due = 0;
    while (m_next < m_plan.size() && m_plan[m_next] <= now) {
      ++m_next;
      ++m_due;
    }
    return m_due;
  }
  [[nodiscard]] std::span<const std::uint8_t> packet(std::size_t /*index*/) const override { return m_bytes; }
  void sent(std::size_t /*index*/, MonotonicTime at, Timestamp /*wall_at*/) override { reported_sends.push_back(at); }
  void received(std::span<CapturedFrame> in, MonotonicTime /*received_at*/) override { frames += in.size(); }
  [[nodiscard]] std::optional<MonotonicTime> next_wakeup() const override {
    if (m_next < m_plan.size()) { return m_plan[m_next]; }
    return std::nullopt;
  }
  [[nodiscard]] bool busy() const override { return stay_busy; }
  [[nodiscard]] bool finished() const override { return !never_finish && m_next == m_plan.size(); }
  std::size_t ticks = 0;

private:
  std::vector<MonotonicTime> m_plan;
  std::size_t m_next = 0;
  std::size_t m_due = 0;
  std::vector<std::uint8_t> m_bytes = std::vector<std::uint8_t>(20, 0x45);
};

TEST(Pump, SendsEachPacketWhenDueAndReportsItsOwnSendTime) {
  ManualClock clock(k_start, k_wall_start);
  ScriptedWire wire(clock);
  PlannedStage stage({k_start, k_start, k_start + 100ms, k_start + 250ms});
  const auto stats = pump(wire, stage, clock, {});
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(stats->packets_sent, 4U);
  EXPECT_EQ(stats->bytes_sent, 80U);
  ASSERT_EQ(wire.sent_at.size(), 4U);
  EXPECT_EQ(wire.sent_at[2], k_start + 100ms) << "the loop waited exactly until the wake-up";
  EXPECT_EQ(wire.sent_at[3], k_start + 250ms);
  // Reported after each send call returned (the wire spends 10 us per call).
  ASSERT_EQ(stage.reported_sends.size(), 4U);
  EXPECT_EQ(stage.reported_sends[0], k_start + 10us);
  EXPECT_EQ(stage.reported_sends[1], k_start + 20us);
}

TEST(Pump, AWakeUpThatProducesNothingDoesNotSpin) {
  ManualClock clock(k_start, k_wall_start);
  ScriptedWire wire(clock);
  // Always due, never sends: a stage whose wake-up lies in the past.
  PlannedStage stage({});
  stage.never_finish = true;
  PumpLimits limits;
  limits.max_duration = 100ms;
  const auto stats = pump(wire, stage, clock, limits);
  ASSERT_TRUE(stats.has_value());
  EXPECT_TRUE(stats->stopped_by_time);
  ASSERT_FALSE(wire.waits.empty());
  for (const auto& wait : wire.waits) { EXPECT_GE(wait.deadline - wait.called_at, 1ms); }
  EXPECT_LE(wire.waits.size(), 101U);
}

TEST(Pump, ABusyStageGetsItsNextTurnWithoutWaiting) {
  ManualClock clock(k_start, k_wall_start);
  ScriptedWire wire(clock);
  PlannedStage stage({});
  stage.never_finish = true;
  stage.stay_busy = true;
  PumpLimits limits;
  std::size_t turns = 0;
  limits.stop = [&] { return ++turns > 5; };
  const auto stats = pump(wire, stage, clock, limits);
  ASSERT_TRUE(stats.has_value());
  EXPECT_TRUE(stats->interrupted);
  ASSERT_EQ(wire.waits.size(), 5U);
  for (const auto& wait : wire.waits) { EXPECT_EQ(wait.deadline, wait.called_at) << "a read that does not wait"; }
}

TEST(Pump, NeverWaitsLongerThanMaxWaitSoStopIsNoticed) {
  ManualClock clock(k_start, k_wall_start);
  ScriptedWire wire(clock);
  PlannedStage stage({k_start + 10s});
  PumpLimits limits;
  limits.max_wait = 50ms;
  limits.stop = [&] { return clock.monotonic_now() >= k_start + 1s; };
  const auto stats = pump(wire, stage, clock, limits);
  ASSERT_TRUE(stats.has_value());
  EXPECT_TRUE(stats->interrupted);
  EXPECT_EQ(stats->packets_sent, 0U);
  for (const auto& wait : wire.waits) { EXPECT_LE(wait.deadline - wait.called_at, 50ms); }
}

TEST(Pump, StopsAtMaxPacketsAndCountsRefusedOnes) {
  ManualClock clock(k_start, k_wall_start);
  ScriptedWire wire(clock);
  PlannedStage stage(std::vector<MonotonicTime>(10, k_start));
  PumpLimits limits;
  limits.max_packets = 3;
  const auto stats = pump(wire, stage, clock, limits);
  ASSERT_TRUE(stats.has_value());
  EXPECT_TRUE(stats->stopped_by_packets);
  EXPECT_EQ(stats->packets_sent, 3U);

  ManualClock clock2(k_start, k_wall_start);
  ScriptedWire refusing(clock2);
  refusing.refuse_all = true;
  PlannedStage stage2(std::vector<MonotonicTime>(4, k_start));
  const auto refused = pump(refusing, stage2, clock2, {});
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->packets_refused, 4U);
  EXPECT_EQ(refused->packets_sent, 0U);
  EXPECT_TRUE(stage2.reported_sends.empty()) << "a refused packet is not reported as sent";
}

TEST(Pump, HandsEveryFrameInAndCountsItsBytes) {
  ManualClock clock(k_start, k_wall_start);
  ScriptedWire wire(clock);
  wire.inbound.emplace_back(k_start + 5ms, std::vector<std::uint8_t>(28, 0x45));
  wire.inbound.emplace_back(k_start + 5ms, std::vector<std::uint8_t>(40, 0x45));
  PlannedStage stage({k_start + 20ms});
  const auto stats = pump(wire, stage, clock, {});
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stage.frames, 2U);
  EXPECT_EQ(stats->frames_received, 2U);
  EXPECT_EQ(stats->bytes_received, 68U);

  // An ARP packet counts its 28 bytes, as Nmap counts it.
  ManualClock clock2(k_start, k_wall_start);
  ScriptedWire arp_wire(clock2);
  arp_wire.inbound_arp_sender = 0x0A633202;
  arp_wire.inbound.emplace_back(k_start + 5ms, std::vector<std::uint8_t>{});
  arp_wire.inbound.emplace_back(k_start + 5ms, std::vector<std::uint8_t>(40, 0x45));
  PlannedStage stage2({k_start + 20ms});
  const auto with_arp = pump(arp_wire, stage2, clock2, {});
  ASSERT_TRUE(with_arp.has_value());
  EXPECT_EQ(with_arp->frames_received, 2U);
  EXPECT_EQ(with_arp->bytes_received, 68U);
}

// --- the emulator through the one loop ---

constexpr std::uint32_t k_scanner = 0x0A000001U;
constexpr std::uint32_t k_host_a = 0x0AD20001U;
constexpr std::uint32_t k_host_b = 0x0AD20002U;

std::optional<emulation::Personality> synack_personality(const database::OsDb& db) {
  for (std::size_t i = 0; i < db.references().size(); ++i) {
    auto p = emulation::make_personality(db, i, 3);
    if (p && p->seq[0].responds && p->seq[0].flags == (wire::k_tcp_syn | wire::k_tcp_ack)) { return *p; }
  }
  return std::nullopt;
}

std::vector<std::uint8_t> seq1_to(std::uint32_t host) {
  probes::ProbeContext ctx;
  ctx.source_address = k_scanner;
  ctx.target_address = host;
  ctx.open_tcp_port = 80;
  ctx.tcp_port_base = 50000;
  return wire::serialize(probes::build_probe(probes::ProbeId::SEQ1, ctx, {1, 40}));
}

TEST(EmulatorOnThePump, AnswersABurstOnePerTurnWithoutWaitingAndSendsSynAcksAgainWhenDue) {
  const auto* db = test_support::installed_db();
  if (db == nullptr) GTEST_SKIP() << "no installed nmap-os-db";
  const auto personality = synack_personality(*db);
  ASSERT_TRUE(personality.has_value());
  emulation::EmulatorService service;
  for (const std::uint32_t address : {k_host_a, k_host_b}) {
    emulation::Responder responder(*personality, emulation::ResponderOptions{address, {80}, 3});
    responder.enable_retransmission(emulation::RetransmissionModel{1s, 5});
    service.add_host(
        address, emulation::EmulatedHost{std::move(responder), emulation::Impairer({}, 3), std::nullopt, std::nullopt});
  }
  ManualClock clock(k_start, k_wall_start);
  ScriptedWire wire(clock);
  wire.inbound.emplace_back(k_start + 10ms, seq1_to(k_host_a));
  wire.inbound.emplace_back(k_start + 10ms, seq1_to(k_host_b));
  EmulatorLoopLimits limits;
  limits.max_duration = 1500ms;
  const auto stats = serve_emulator(wire, service, clock, limits);
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_TRUE(stats->stopped_by_time);
  EXPECT_EQ(stats->frames_received, 2U);
  // One SYN/ACK per host at once, then each once more 1 s later (nobody answered them).
  ASSERT_EQ(wire.sent.size(), 4U);
  EXPECT_EQ(stats->packets_sent, 4U);
  const auto first = wire::parse_ipv4(wire.sent[0]);
  const auto second = wire::parse_ipv4(wire.sent[1]);
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_EQ(first->ip.source, k_host_a);
  EXPECT_EQ(second->ip.source, k_host_b);
  EXPECT_LT(wire.sent_at[1] - (k_start + 10ms), 1ms) << "the second packet of the burst waited for no timeout";
  EXPECT_GE(wire.sent_at[2] - wire.sent_at[0], 990ms);
  EXPECT_LE(wire.sent_at[2] - wire.sent_at[0], 1010ms);
  const auto copy = wire::parse_ipv4(wire.sent[2]);
  ASSERT_TRUE(copy.has_value());
  ASSERT_TRUE(copy->tcp() && first->tcp());
  EXPECT_EQ(copy->tcp()->sequence, first->tcp()->sequence) << "a retransmission keeps its ISN";
  // Between the burst and the retransmissions the loop slept in long waits, not in 1 ms steps.
  EXPECT_LT(wire.waits.size(), 40U);
}

} // namespace
} // namespace stackprint::io
