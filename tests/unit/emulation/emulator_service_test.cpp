// The emulator's serving state machine without a TUN device: answers at each packet's stamp, fair
// turns across destinations, SYN/ACK retransmissions when due, and the packets it cannot answer
// counted by reason.

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "stackprint/emulation/emulator_service.hpp"
#include "stackprint/emulation/personality.hpp"
#include "stackprint/emulation/retransmission.hpp"
#include "stackprint/probes/probe_catalogue.hpp"
#include "stackprint/wire/ipv4_packet.hpp"
#include "support/installed_db.hpp"

namespace stackprint::emulation {
namespace {

using namespace std::chrono_literals;

const Timestamp t0{std::chrono::seconds{1000}};
constexpr std::uint32_t k_scanner = 0x0A000001U;
constexpr std::uint32_t k_host_a = 0x0AD20001U;
constexpr std::uint32_t k_host_b = 0x0AD20002U;

// The first reference whose SEQ1 answer is a SYN/ACK: every host below plays it.
std::optional<Personality> synack_personality(const database::OsDb& db) {
  for (std::size_t i = 0; i < db.references().size(); ++i) {
    auto p = make_personality(db, i, 3);
    if (p && p->seq[0].responds && p->seq[0].flags == (wire::k_tcp_syn | wire::k_tcp_ack)) { return *p; }
  }
  return std::nullopt;
}

EmulatedHost host_of(const Personality& personality, std::uint32_t address, ImpairmentSpec spec = {}) {
  Responder responder(personality, ResponderOptions{address, {80}, 3});
  responder.enable_retransmission(RetransmissionModel{1s, 5});
  return EmulatedHost{std::move(responder), Impairer(std::move(spec), 3), std::nullopt, std::nullopt};
}

std::vector<std::uint8_t> seq1_to(std::uint32_t host, std::uint16_t source_port_base = 50000) {
  probes::ProbeContext ctx;
  ctx.source_address = k_scanner;
  ctx.target_address = host;
  ctx.open_tcp_port = 80;
  ctx.tcp_port_base = source_port_base;
  return wire::serialize(probes::build_probe(probes::ProbeId::SEQ1, ctx, {1, 40}));
}

std::uint32_t source_of(const std::vector<std::uint8_t>& bytes) {
  const auto parsed = wire::parse_ipv4(bytes);
  return parsed ? parsed->ip.source : 0;
}

class EmulatorServiceTest : public ::testing::Test {
protected:
  void SetUp() override {
    const auto* db = test_support::installed_db();
    if (db == nullptr) GTEST_SKIP() << "no installed nmap-os-db";
    personality = synack_personality(*db);
    ASSERT_TRUE(personality.has_value()) << "no reference answers SEQ1 with a SYN/ACK";
  }
  std::optional<Personality> personality;
};

TEST_F(EmulatorServiceTest, AnswersEachPacketAtItsStampAndHandsRepliesOutWhenDue) {
  EmulatorService service;
  service.add_host(k_host_a, host_of(*personality, k_host_a));
  service.receive(StampedPacket{t0, seq1_to(k_host_a)});
  EXPECT_TRUE(service.has_unanswered());
  EXPECT_TRUE(service.take_due(t0).empty()) << "nothing is answered before answer_next";
  service.answer_next();
  EXPECT_FALSE(service.has_unanswered());
  // Answered at its stamp t0, even though the turn came later: the reply is due at once.
  const auto replies = service.take_due(t0 + 5ms);
  ASSERT_EQ(replies.size(), 1U);
  const auto reply = wire::parse_ipv4(replies[0]);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->ip.source, k_host_a);
  EXPECT_EQ(reply->ip.destination, k_scanner);
  ASSERT_NE(reply->tcp(), nullptr);
  EXPECT_EQ(reply->tcp()->flags, wire::k_tcp_syn | wire::k_tcp_ack);
  EXPECT_TRUE(service.take_due(t0 + 10ms).empty()) << "each reply is handed out once";
}

TEST_F(EmulatorServiceTest, ASynAckNobodyResetsIsSentAgainWhenItsTimerIsDue) {
  EmulatorService service;
  service.add_host(k_host_a, host_of(*personality, k_host_a));
  service.receive(StampedPacket{t0, seq1_to(k_host_a)});
  service.answer_next();
  const auto first = service.take_due(t0);
  ASSERT_EQ(first.size(), 1U);
  EXPECT_EQ(service.next_due(), std::optional<Timestamp>{t0 + 1s});
  EXPECT_TRUE(service.take_due(t0 + 999ms).empty());
  const auto copies = service.take_due(t0 + 1s);
  ASSERT_EQ(copies.size(), 1U);
  const auto original = wire::parse_ipv4(first[0]);
  const auto copy = wire::parse_ipv4(copies[0]);
  ASSERT_TRUE(original && copy && original->tcp() && copy->tcp());
  EXPECT_EQ(copy->tcp()->sequence, original->tcp()->sequence) << "a retransmission keeps its ISN";
  EXPECT_EQ(service.next_due(), std::optional<Timestamp>{t0 + 3s}) << "Linux's timer doubles";
}

TEST_F(EmulatorServiceTest, DestinationsTakeTurnsSoAFloodDoesNotDelayTheOthers) {
  EmulatorService service;
  service.add_host(k_host_a, host_of(*personality, k_host_a));
  service.add_host(k_host_b, host_of(*personality, k_host_b));
  for (std::uint16_t i = 0; i < 3; ++i) {
    service.receive(StampedPacket{t0, seq1_to(k_host_a, static_cast<std::uint16_t>(50000 + 256 * i))});
  }
  service.receive(StampedPacket{t0, seq1_to(k_host_b)});
  std::vector<std::uint32_t> order;
  for (int turn = 0; turn < 4; ++turn) {
    service.answer_next();
    for (const auto& reply : service.take_due(t0)) { order.push_back(source_of(reply)); }
  }
  EXPECT_EQ(order, (std::vector<std::uint32_t>{k_host_a, k_host_b, k_host_a, k_host_a}));
}

TEST_F(EmulatorServiceTest, PacketsItCannotAnswerAreCountedByReason) {
  EmulatorService service;
  ImpairmentSpec deny;
  deny.default_deny = true;
  deny.allowed_tcp_ports = {443};
  service.add_host(k_host_a, host_of(*personality, k_host_a, deny));
  service.receive(StampedPacket{t0, {0x45, 0x00, 0x00}}); // truncated
  service.receive(StampedPacket{t0, seq1_to(k_host_b)});  // nobody plays k_host_b
  service.receive(StampedPacket{t0, seq1_to(k_host_a)});  // port 80 is not let through
  for (int turn = 0; turn < 3; ++turn) { service.answer_next(); }
  EXPECT_TRUE(service.take_due(t0 + 1s).empty());
  EXPECT_FALSE(service.next_due().has_value());
  EXPECT_EQ(service.counters().malformed, 1U);
  EXPECT_EQ(service.counters().unknown_destination, 1U);
  EXPECT_EQ(service.counters().filtered, 1U);
}

TEST_F(EmulatorServiceTest, TheInboxBoundDropsAndCounts) {
  EmulatorLimits limits;
  limits.inbox = FairInboxLimits{2, 16};
  EmulatorService service(limits);
  service.add_host(k_host_a, host_of(*personality, k_host_a));
  for (std::uint16_t i = 0; i < 5; ++i) {
    service.receive(StampedPacket{t0, seq1_to(k_host_a, static_cast<std::uint16_t>(50000 + 256 * i))});
  }
  EXPECT_EQ(service.inbox_stats().dropped, 3U);
  EXPECT_EQ(service.inbox_stats().peak, 2U);
}

} // namespace
} // namespace stackprint::emulation
