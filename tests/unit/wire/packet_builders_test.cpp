#include "stackprint/wire/packet_builders.hpp"

#include <gtest/gtest.h>

#include "test_vectors.hpp"

namespace stackprint::wire {
namespace {

using namespace stackprint::testing;

TEST(PacketBuilders, PortUnreachableRebuildsTheRecordedReplyExactly) {
  // The target's reply to U1, rebuilt from the probe bytes and the reply's own IP values.
  auto recorded = parse_ipv4(u1_port_unreachable());
  ASSERT_TRUE(recorded);
  Ipv4Packet reply;
  reply.ip = recorded->ip; // addresses, id 0xe9a0, ttl 64, tos 0xc0
  reply.payload = make_icmp_error(k_icmp_destination_unreachable, k_icmp_code_port_unreachable, u1_probe(), 548);
  EXPECT_EQ(serialize(reply), u1_port_unreachable());
}

TEST(PacketBuilders, QuoteIsTruncatedToTheLimit) {
  const auto probe = u1_probe();
  auto message = make_icmp_error(k_icmp_destination_unreachable, k_icmp_code_port_unreachable, probe, 28, 0x1234);
  EXPECT_EQ(message.payload.size(), 28U);
  EXPECT_EQ(message.rest_of_header, 0x1234U);
  auto quoted = message.quoted_packet();
  ASSERT_TRUE(quoted);
  ASSERT_TRUE(quoted->udp);
  EXPECT_EQ(quoted->udp->checksum, 0x67DC);
  EXPECT_EQ(make_icmp_error(3, 3, probe, 10000, 0).payload.size(), probe.size());
}

TEST(PacketBuilders, EchoReplyKeepsCodeIdSequenceAndData) {
  auto request = parse_ipv4(ie1_probe());
  ASSERT_TRUE(request);
  const auto reply = make_echo_reply(*request->icmp());
  EXPECT_EQ(reply.type, k_icmp_echo_reply);
  EXPECT_EQ(reply.code, 9);
  EXPECT_EQ(reply.echo_identifier(), 0x4272);
  EXPECT_EQ(reply.echo_sequence(), 295);
  EXPECT_EQ(reply.payload.size(), 120U);
}

TEST(PacketBuilders, SummaryNamesTheInterestingFields) {
  auto seq1 = parse_ipv4(seq1_probe());
  ASSERT_TRUE(seq1);
  EXPECT_EQ(summarize_packet(*seq1), "10.99.100.1 > 10.99.100.2 id 317 ttl 41 len 60 TCP 54727 > 80 [S] seq 3169888535 "
                                     "ack 3830113953 win 1 res 0 urg 0 opts 20");
  auto ecn = parse_ipv4(ecn_probe());
  EXPECT_NE(summarize_packet(*ecn).find("[SEW]"), std::string::npos);
  EXPECT_NE(summarize_packet(*ecn).find("res 8 urg 63477"), std::string::npos);
  auto ie1 = parse_ipv4(ie1_probe());
  EXPECT_NE(summarize_packet(*ie1).find("DF ICMP type 8 code 9 id 17010 seq 295 data 120"), std::string::npos);
  auto u1 = parse_ipv4(u1_probe());
  EXPECT_NE(summarize_packet(*u1).find("UDP 54699 > 31179 ulen 308 data 300"), std::string::npos);
}

} // namespace
} // namespace stackprint::wire
