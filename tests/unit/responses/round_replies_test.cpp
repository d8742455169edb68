#include "stackprint/responses/round_replies.hpp"

#include <gtest/gtest.h>

#include "stackprint/responses/round_analysis.hpp"
#include "stackprint/wire/packet_builders.hpp"
#include "support/probe_context.hpp"

namespace stackprint::responses {
namespace {

using probes::ProbeId;

constexpr std::uint32_t k_scanner = test_support::k_scanner_address;
constexpr std::uint32_t k_target = test_support::k_target_address;

probes::ProbeContext context() { return test_support::fixed_probe_context(); }

Timestamp at_ms(int ms) { return Timestamp(std::chrono::milliseconds(ms)); }

// The reply comes from the port the probe went to (open 80 for SEQ..T4, closed 22 for T5..T7)
// unless `from_port` says otherwise.
Reply tcp_reply(std::uint16_t to_port, std::uint8_t flags, std::uint16_t ip_id, std::uint32_t seq = 123456,
                std::uint32_t source = k_target, int ms = 10, std::optional<std::uint16_t> from_port = std::nullopt) {
  wire::Ipv4Packet p;
  p.ip.source = source;
  p.ip.destination = k_scanner;
  p.ip.protocol = wire::k_ip_protocol_tcp;
  p.ip.ttl = 64;
  p.ip.id = ip_id;
  wire::TcpSegment tcp;
  tcp.source_port = from_port.value_or(to_port >= 50016 && to_port <= 50019 ? 22 : 80);
  tcp.destination_port = to_port;
  tcp.sequence = seq;
  tcp.acknowledgment = 1001;
  tcp.flags = flags;
  tcp.window = 0xFE88;
  p.payload = tcp;
  p = wire::with_computed_fields(p);
  return Reply{at_ms(ms), p, wire::serialize(p), std::nullopt};
}

Reply icmp_reply(wire::IcmpMessage icmp, std::uint16_t ip_id, int ms = 10) {
  wire::Ipv4Packet p;
  p.ip.source = k_target;
  p.ip.destination = k_scanner;
  p.ip.protocol = wire::k_ip_protocol_icmp;
  p.ip.ttl = 64;
  p.ip.id = ip_id;
  p.payload = std::move(icmp);
  p = wire::with_computed_fields(p);
  return Reply{at_ms(ms), p, wire::serialize(p), std::nullopt};
}

constexpr std::uint8_t k_syn_ack = wire::k_tcp_syn | wire::k_tcp_ack;

TEST(RoundCollector, SeqSampleNeedsSynAckButEveryPacketFeedsT1AndOps) {
  RoundCollector collector(context());
  EXPECT_FALSE(collector.on_reply(tcp_reply(50000, wire::k_tcp_rst, 5)).has_value());
  const auto& r = collector.replies();
  EXPECT_FALSE(r.seq[0].has_value());
  ASSERT_TRUE(r.t[0].has_value());
  ASSERT_TRUE(r.ops_win[0].has_value());
  EXPECT_EQ(r.t[0]->packet.tcp()->flags, wire::k_tcp_rst);
  EXPECT_EQ(collector.on_reply(tcp_reply(50000, k_syn_ack, 6)), ProbeId::SEQ1);
  EXPECT_TRUE(collector.replies().seq[0].has_value());
  EXPECT_EQ(collector.replies().t[0]->packet.tcp()->flags, wire::k_tcp_rst) << "first packet keeps T1";
}

TEST(RoundCollector, DropsSeqReplyRepeatingThePreviousNonZeroIpId) {
  RoundCollector collector(context());
  EXPECT_EQ(collector.on_reply(tcp_reply(50000, k_syn_ack, 777)), ProbeId::SEQ1);
  EXPECT_FALSE(collector.on_reply(tcp_reply(50001, k_syn_ack, 777)).has_value());
  EXPECT_FALSE(collector.replies().seq[1].has_value());
  EXPECT_TRUE(collector.replies().ops_win[1].has_value()) << "OPS/WIN still take it";
  // IP ID zero is never a duplicate.
  RoundCollector zeros(context());
  EXPECT_EQ(zeros.on_reply(tcp_reply(50000, k_syn_ack, 0)), ProbeId::SEQ1);
  EXPECT_EQ(zeros.on_reply(tcp_reply(50001, k_syn_ack, 0)), ProbeId::SEQ2);
  EXPECT_EQ(zeros.replies().seq_arrival_order, (std::vector<std::size_t>{0, 1}));
}

TEST(RoundCollector, SeqSlotHoldingIsnZeroIsReplacedByALaterSynAck) {
  RoundCollector collector(context());
  EXPECT_EQ(collector.on_reply(tcp_reply(50000, k_syn_ack, 5, 0)), ProbeId::SEQ1);
  EXPECT_EQ(collector.on_reply(tcp_reply(50000, k_syn_ack, 6, 99)), ProbeId::SEQ1);
  EXPECT_EQ(collector.replies().seq[0]->packet.tcp()->sequence, 99U);
  EXPECT_EQ(collector.replies().seq_arrival_order, (std::vector<std::size_t>{0}));
  EXPECT_FALSE(collector.on_reply(tcp_reply(50000, k_syn_ack, 7, 100)).has_value()) << "a real ISN stays";
}

// SEQ2's SYN/ACK is lost; the target retransmits it about 1 s later with the same ISN and a
// fresh TSval. Nmap has taken SEQ2 off its active probes by then (probe timeout), so the
// retransmission is no SEQ sample: credited with SEQ2's send time it would move TS, ISR and SP.
TEST(RoundCollector, SynAckAfterTheProbeTimeoutIsNoSeqSample) {
  RoundCollector collector(context(), std::chrono::milliseconds(150));
  for (int i = 0; i < 6; ++i) { collector.on_probe_sent(static_cast<ProbeId>(i), at_ms(100 * i)); }
  EXPECT_EQ(collector.on_reply(tcp_reply(50000, k_syn_ack, 1, 1000, k_target, 1)), ProbeId::SEQ1);
  EXPECT_EQ(collector.on_reply(tcp_reply(50002, k_syn_ack, 3, 3000, k_target, 201)), ProbeId::SEQ3);
  // SEQ2 left at 100 ms; its retransmitted SYN/ACK arrives at 1105 ms.
  EXPECT_FALSE(collector.on_reply(tcp_reply(50001, k_syn_ack, 7, 2000, k_target, 1105)).has_value());
  const auto& r = collector.replies();
  EXPECT_FALSE(r.seq[1].has_value());
  EXPECT_EQ(r.seq_late, 0b10);
  EXPECT_EQ(r.seq_arrival_order, (std::vector<std::size_t>{0, 2}));
  ASSERT_TRUE(r.ops_win[1].has_value()) << "its window and options still serve W2/O2";
  EXPECT_EQ(r.ops_win[1]->packet.tcp()->sequence, 2000U);
}

TEST(RoundCollector, SynAckWithinTheProbeTimeoutIsASample) {
  RoundCollector collector(context(), std::chrono::milliseconds(150));
  collector.on_probe_sent(ProbeId::SEQ1, at_ms(0));
  collector.on_probe_sent(ProbeId::SEQ2, at_ms(100));
  EXPECT_EQ(collector.on_reply(tcp_reply(50001, k_syn_ack, 7, 2000, k_target, 250)), ProbeId::SEQ2);
  EXPECT_EQ(collector.replies().seq_late, 0);
  // Without a known timeout (nothing to judge lateness by) every SYN/ACK counts.
  RoundCollector unbounded(context());
  unbounded.on_probe_sent(ProbeId::SEQ2, at_ms(100));
  EXPECT_EQ(unbounded.on_reply(tcp_reply(50001, k_syn_ack, 7, 2000, k_target, 5000)), ProbeId::SEQ2);
}

// The retransmission of a SYN/ACK that did arrive repeats its ISN: first wins, it is no new sample.
TEST(RoundCollector, RetransmittedSynAckRepeatingTheIsnIsNoSample) {
  RoundCollector collector(context(), std::chrono::seconds(3));
  collector.on_probe_sent(ProbeId::SEQ1, at_ms(0));
  EXPECT_EQ(collector.on_reply(tcp_reply(50000, k_syn_ack, 1, 1000, k_target, 1)), ProbeId::SEQ1);
  EXPECT_FALSE(collector.on_reply(tcp_reply(50000, k_syn_ack, 2, 1000, k_target, 1005)).has_value());
  EXPECT_EQ(collector.replies().seq[0]->time, at_ms(1));
  EXPECT_EQ(collector.replies().duplicate_packets, 1U);
}

// Live engine: a SYN/ACK on a SEQ port with the ISN of one seen there before (an earlier round's
// reply, retransmitted by the target because our RST was lost) is no sample, however early.
TEST(RoundCollector, SynAckRepeatingASeenIsnOnItsPortIsARetransmission) {
  RoundCollector collector(context(), std::chrono::seconds(3));
  const Reply original = tcp_reply(50001, k_syn_ack, 7, 2000, k_target, 1);
  collector.track_retransmissions({SeenSynAck{50001, 2000, original.packet.tcp()->window, {}}});
  for (int i = 0; i < 6; ++i) { collector.on_probe_sent(static_cast<ProbeId>(i), at_ms(100 * i)); }
  EXPECT_FALSE(collector.on_reply(tcp_reply(50001, k_syn_ack, 8, 2000, k_target, 150)).has_value());
  const auto& r = collector.replies();
  EXPECT_FALSE(r.seq[1].has_value());
  EXPECT_EQ(r.seq_retransmitted, 0b10);
  EXPECT_EQ(r.seq_late, 0);
  ASSERT_TRUE(r.ops_win[1].has_value()) << "same window and options: it still serves W2/O2";
  // A new ISN on another SEQ port is a sample, and is remembered for the next round.
  EXPECT_EQ(collector.on_reply(tcp_reply(50002, k_syn_ack, 9, 3000, k_target, 210)), ProbeId::SEQ3);
  ASSERT_EQ(collector.seen_syn_acks().size(), 2U);
  EXPECT_EQ(collector.seen_syn_acks()[1].port, 50002);
  EXPECT_EQ(collector.seen_syn_acks()[1].isn, 3000U);
}

// A repeated ISN whose window differs from the original's reads differently: no O/W source either.
TEST(RoundCollector, RetransmissionWithAnotherWindowServesNoOpsOrWin) {
  RoundCollector collector(context(), std::chrono::seconds(3));
  collector.track_retransmissions({SeenSynAck{50003, 4000, 0x1000, {}}});
  for (int i = 0; i < 6; ++i) { collector.on_probe_sent(static_cast<ProbeId>(i), at_ms(100 * i)); }
  EXPECT_FALSE(collector.on_reply(tcp_reply(50003, k_syn_ack, 8, 4000, k_target, 350)).has_value());
  EXPECT_EQ(collector.replies().seq_retransmitted, 0b1000);
  EXPECT_FALSE(collector.replies().ops_win[3].has_value());
}

// The same ISN on *different* ports is a stack whose ISN stays constant (GCD=0 references), not a
// retransmission: every one of them stays a sample.
TEST(RoundCollector, ConstantIsnOnDifferentPortsStaysASample) {
  RoundCollector collector(context(), std::chrono::seconds(3));
  collector.track_retransmissions({});
  for (int i = 0; i < 6; ++i) { collector.on_probe_sent(static_cast<ProbeId>(i), at_ms(100 * i)); }
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(collector.on_reply(tcp_reply(static_cast<std::uint16_t>(50000 + i), k_syn_ack,
                                           static_cast<std::uint16_t>(10 + i), 0x1234, k_target, 100 * i + 1)),
              static_cast<ProbeId>(i));
  }
  EXPECT_EQ(collector.replies().seq_retransmitted, 0);
  EXPECT_EQ(collector.replies().seq_arrival_order.size(), 6U);
}

// Live engine: a SYN/ACK on the port of a SEQ probe this round never sent is no sample.
TEST(RoundCollector, SynAckForAnUnsentSeqProbeIsNoSampleWhenTracking) {
  RoundCollector collector(context(), std::chrono::seconds(3));
  collector.track_retransmissions({});
  collector.on_probe_sent(ProbeId::SEQ1, at_ms(0));
  EXPECT_FALSE(collector.on_reply(tcp_reply(50004, k_syn_ack, 8, 5000, k_target, 20)).has_value());
  EXPECT_EQ(collector.replies().seq_late, 0b10000);
  // Capture replays (no tracking, no timeout) keep Nmap's rule: any SYN/ACK on a SEQ port fills it.
  RoundCollector replay(context());
  replay.on_probe_sent(ProbeId::SEQ2, at_ms(100));
  EXPECT_EQ(replay.on_reply(tcp_reply(50001, k_syn_ack, 7, 2000, k_target, 1105)), ProbeId::SEQ2);
}

TEST(SameOptionReading, TimestampValuesCountOnlyAsZeroOrNot) {
  const std::vector<std::uint8_t> mss_ts{2, 4, 0x05, 0xB4, 1, 1, 8, 10, 0, 0, 0, 5, 0, 0, 0, 0};
  std::vector<std::uint8_t> later = mss_ts;
  later[11] = 9; // a fresh TSval
  EXPECT_TRUE(same_option_reading(mss_ts, later));
  std::vector<std::uint8_t> echoed = mss_ts;
  echoed[15] = 1; // TSecr now non-zero: reads T11 instead of T10
  EXPECT_FALSE(same_option_reading(mss_ts, echoed));
  std::vector<std::uint8_t> other_mss = mss_ts;
  other_mss[3] = 0xB0;
  EXPECT_FALSE(same_option_reading(mss_ts, other_mss));
  EXPECT_FALSE(same_option_reading(mss_ts, std::vector<std::uint8_t>(mss_ts.begin(), mss_ts.end() - 1)));
  const std::vector<std::uint8_t> malformed{8, 40, 1, 2};
  EXPECT_TRUE(same_option_reading(malformed, malformed));
  EXPECT_FALSE(same_option_reading(malformed, std::vector<std::uint8_t>{8, 40, 1, 3}));
}

TEST(RoundCollector, ClassifiesByPortOffsetFirstPacketWins) {
  RoundCollector collector(context());
  EXPECT_EQ(collector.on_reply(tcp_reply(50012, k_syn_ack | wire::k_tcp_ece, 1)), ProbeId::ECN);
  EXPECT_FALSE(collector.on_reply(tcp_reply(50012, k_syn_ack, 2)).has_value());
  EXPECT_EQ(collector.replies().ecn->packet.ip.id, 1);
  EXPECT_EQ(collector.on_reply(tcp_reply(50019, wire::k_tcp_rst, 3)), ProbeId::T7);
  EXPECT_EQ(collector.on_reply(tcp_reply(50008, k_syn_ack, 4)), ProbeId::OPS3);
  EXPECT_TRUE(collector.replies().ops_win[2].has_value());
  EXPECT_FALSE(collector.on_reply(tcp_reply(50020, wire::k_tcp_rst, 5)).has_value()) << "offset 20 is no probe";
  EXPECT_FALSE(collector.on_reply(tcp_reply(49999, wire::k_tcp_rst, 5)).has_value());
  EXPECT_EQ(collector.replies().unmatched_packets, 2U);
  EXPECT_EQ(collector.replies().duplicate_packets, 1U);
}

TEST(RoundCollector, IgnoresPacketsFromOtherHosts) {
  RoundCollector collector(context());
  EXPECT_FALSE(collector.on_reply(tcp_reply(50013, k_syn_ack, 1, 5, 0x0A636403)).has_value());
  EXPECT_FALSE(collector.replies().t[0].has_value());
}

TEST(RoundCollector, EchoReplyAfterRetransmissionGivesNoIpIdSample) {
  const auto c = context();
  RoundCollector collector(c);
  const auto ie1 = probes::build_probe(ProbeId::IE1, c, {1, 50});
  const auto ie2 = probes::build_probe(ProbeId::IE2, c, {2, 50});
  collector.on_probe_sent(ProbeId::IE1, at_ms(0));
  collector.on_probe_sent(ProbeId::IE2, at_ms(25));
  collector.on_probe_sent(ProbeId::IE1, at_ms(200));
  EXPECT_EQ(collector.on_reply(icmp_reply(wire::make_echo_reply(*ie2.icmp()), 10)), ProbeId::IE2);
  EXPECT_EQ(collector.on_reply(icmp_reply(wire::make_echo_reply(*ie1.icmp()), 11)), ProbeId::IE1);
  EXPECT_FALSE(collector.on_reply(icmp_reply(wire::make_echo_reply(*ie1.icmp()), 12)).has_value());
  EXPECT_TRUE(collector.replies().echo_reply_after_retransmission[0]);
  EXPECT_FALSE(collector.replies().echo_reply_after_retransmission[1]);
}

TEST(RoundCollector, PortUnreachableMustQuoteU1sPorts) {
  auto c = context();
  RoundCollector collector(c);
  const auto u1 = probes::probe_bytes(ProbeId::U1, c, {});
  auto other = c;
  other.closed_udp_port = 9999;
  const auto not_u1 = probes::probe_bytes(ProbeId::U1, other, {});
  EXPECT_FALSE(collector.on_reply(icmp_reply(wire::make_icmp_error(3, 3, not_u1, 576), 1)).has_value());
  EXPECT_EQ(collector.on_reply(icmp_reply(wire::make_icmp_error(3, 3, u1, 576), 2)), ProbeId::U1);
  EXPECT_FALSE(collector.on_reply(icmp_reply(wire::make_icmp_error(3, 3, u1, 576), 3)).has_value());
  EXPECT_EQ(collector.replies().u1->packet.ip.id, 2);
}

TEST(RoundCollector, PortUnreachableQuotingAProbeToAnotherHostIsNotU1) {
  // Another scanned host whose U1 went out with the same ports: its unreachable (or one forged from
  // it) names that host as the quoted destination and must not fill this target's U1.
  const auto c = context();
  auto neighbour = c;
  neighbour.target_address = k_target + 1;
  const auto quoted_for_neighbour = probes::probe_bytes(ProbeId::U1, neighbour, {});
  RoundCollector collector(c);
  EXPECT_FALSE(collector.on_reply(icmp_reply(wire::make_icmp_error(3, 3, quoted_for_neighbour, 576), 1)).has_value());
  EXPECT_FALSE(collector.replies().u1.has_value());
  EXPECT_EQ(collector.replies().unmatched_packets, 1U);
  const auto u1 = probes::probe_bytes(ProbeId::U1, c, {});
  EXPECT_EQ(collector.on_reply(icmp_reply(wire::make_icmp_error(3, 3, u1, 576), 2)), ProbeId::U1);
}

TEST(RoundCollector, TcpReplyMustComeFromTheProbedPort) {
  RoundCollector collector(context());
  // SEQ1 went to the open port 80: an answer from 443 (a flood packet that hit the window) is unmatched.
  EXPECT_FALSE(collector.on_reply(tcp_reply(50000, k_syn_ack, 5, 1, k_target, 10, 443)).has_value());
  EXPECT_FALSE(collector.replies().seq[0].has_value());
  EXPECT_FALSE(collector.replies().t[0].has_value());
  EXPECT_FALSE(collector.replies().ops_win[0].has_value());
  // T5 went to the closed port 22: an RST from the open port is not its answer, one from 22 is.
  EXPECT_FALSE(collector.on_reply(tcp_reply(50017, wire::k_tcp_rst, 6, 1, k_target, 10, 80)).has_value());
  EXPECT_EQ(collector.on_reply(tcp_reply(50017, wire::k_tcp_rst, 7, 1, k_target, 10, 22)), ProbeId::T5);
  EXPECT_EQ(collector.replies().unmatched_packets, 2U);
  EXPECT_EQ(collector.on_reply(tcp_reply(50000, k_syn_ack, 8)), ProbeId::SEQ1);
  // With the port unknown (a capture replay that never saw T5-T7 sent) nothing is checked.
  auto unknown = context();
  unknown.closed_tcp_port = 0;
  RoundCollector replay(unknown);
  EXPECT_EQ(replay.on_reply(tcp_reply(50018, wire::k_tcp_rst, 9, 1, k_target, 10, 4444)), ProbeId::T6);
}

TEST(RoundAnalysis, MissingRepliesFollowNmapsOmissionRules) {
  const auto c = context();
  RoundCollector collector(c);
  RoundConditions conditions;
  conditions.ports.open_tcp_port_available = true;
  conditions.ports.closed_tcp_port_from_port_scan = false;
  const auto analysis = analyze_round(collector.replies(), c, conditions);
  std::vector<std::string> names;
  for (const auto& t : analysis.fingerprint.tests) {
    names.push_back(t.name);
    EXPECT_EQ(t.attributes.size(), 1U) << t.name;
  }
  // No OPS/WIN without all six, T5-T7 left out without a known closed port, U1/IE always R=N.
  EXPECT_EQ(names, (std::vector<std::string>{"ECN", "T1", "T2", "T3", "T4", "U1", "IE"}));
  EXPECT_FALSE(analysis.u1_hop_distance.has_value());
}

TEST(RoundAnalysis, U1ReplyGivesHopDistanceAndExactTtl) {
  const auto c = context();
  RoundCollector collector(c);
  auto u1 = probes::build_probe(ProbeId::U1, c, {});
  u1.ip.ttl = 58; // two routers on the way (sent with 60, the target saw 58... 60 - 58 + 1 = 3 hops)
  const auto quoted = wire::serialize(u1);
  auto reply = icmp_reply(wire::make_icmp_error(3, 3, quoted, 576), 9);
  reply.packet.ip.ttl = 62; // 64 - 2 on the way back
  collector.on_probe_sent(ProbeId::U1, at_ms(0));
  ASSERT_EQ(collector.on_reply(reply), ProbeId::U1);
  const auto analysis = analyze_round(collector.replies(), c, RoundConditions{});
  ASSERT_TRUE(analysis.u1_hop_distance.has_value());
  EXPECT_EQ(*analysis.u1_hop_distance, 3);
  const auto* line = analysis.fingerprint.find("U1");
  ASSERT_NE(line, nullptr);
  ASSERT_NE(line->find("T"), nullptr);
  EXPECT_EQ(*line->find("T"), "40"); // 62 + 3 - 1 = 64
  EXPECT_EQ(*line->find("RID"), "G");
}

TEST(RoundCollector, SeqSendTimeIsTheTimeTheProbeLeft) {
  RoundCollector collector(context());
  collector.on_probe_sent(ProbeId::SEQ2, at_ms(100));
  collector.on_probe_left(ProbeId::SEQ2, at_ms(101));
  ASSERT_TRUE(collector.replies().seq_send_times[1]);
  EXPECT_EQ(*collector.replies().seq_send_times[1], at_ms(101));
  // Other probes keep no send time; a SEQ probe sent twice (never done by the engine) keeps its first.
  collector.on_probe_sent(ProbeId::IE1, at_ms(150));
  collector.on_probe_left(ProbeId::IE1, at_ms(151));
  collector.on_probe_sent(ProbeId::SEQ2, at_ms(300));
  collector.on_probe_left(ProbeId::SEQ2, at_ms(301));
  EXPECT_EQ(*collector.replies().seq_send_times[1], at_ms(101));
  EXPECT_FALSE(collector.replies().seq_send_times[0]);
}

} // namespace
} // namespace stackprint::responses
