#include "stackprint/discovery/probe_packet.hpp"

#include <gtest/gtest.h>

#include "stackprint/wire/ipv4_packet.hpp"

namespace stackprint::discovery {
namespace {

TEST(ProbePacket, SynCarriesTheActionsFieldsAndValidChecksums) {
  const SendTcpSyn syn{make_ipv4(10, 99, 50, 2), 40123, 443, 0xDEADBEEF, 0x1234};
  const auto bytes = probe_packet(syn, make_ipv4(10, 99, 50, 1), 50);
  ASSERT_EQ(bytes.size(), 44U); // 20 IP + 20 TCP + 4 MSS
  auto packet = wire::parse_ipv4(bytes);
  ASSERT_TRUE(packet) << packet.error().message;
  EXPECT_EQ(packet->ip.source, make_ipv4(10, 99, 50, 1).value);
  EXPECT_EQ(packet->ip.destination, make_ipv4(10, 99, 50, 2).value);
  EXPECT_EQ(packet->ip.id, 0x1234);
  EXPECT_EQ(packet->ip.ttl, 50);
  EXPECT_FALSE(packet->ip.dont_fragment);
  EXPECT_TRUE(wire::verify_ip_checksum(packet->ip));
  EXPECT_TRUE(wire::verify_transport_checksum(*packet));
  const auto* tcp = packet->tcp();
  ASSERT_NE(tcp, nullptr);
  EXPECT_EQ(tcp->source_port, 40123);
  EXPECT_EQ(tcp->destination_port, 443);
  EXPECT_EQ(tcp->sequence, 0xDEADBEEFU);
  EXPECT_EQ(tcp->acknowledgment, 0U);
  EXPECT_EQ(tcp->flags, wire::k_tcp_syn);
  EXPECT_EQ(tcp->window, k_discovery_syn_window);
  const auto mss = tcp->options().find(wire::k_tcp_option_mss);
  ASSERT_TRUE(mss);
  EXPECT_EQ(mss->mss_value(), k_discovery_syn_mss);
}

TEST(ProbePacket, EmptyUdpDatagram) {
  const SendUdpProbe udp{make_ipv4(10, 99, 50, 2), 40200, 161, 0x0101};
  const auto bytes = probe_packet(udp, make_ipv4(10, 99, 50, 1));
  ASSERT_EQ(bytes.size(), 28U);
  auto packet = wire::parse_ipv4(bytes);
  ASSERT_TRUE(packet);
  const auto* datagram = packet->udp();
  ASSERT_NE(datagram, nullptr);
  EXPECT_EQ(datagram->source_port, 40200);
  EXPECT_EQ(datagram->destination_port, 161);
  EXPECT_EQ(datagram->length, 8);
  EXPECT_TRUE(datagram->payload.empty());
  EXPECT_TRUE(wire::verify_transport_checksum(*packet));
  EXPECT_EQ(packet->ip.id, 0x0101);
}

TEST(ProbePacket, RoundTripsThroughTheReplyParserAsAQuote) {
  // The probe as an ICMP port unreachable would quote it: the discovery parser must read it back.
  const SendUdpProbe udp{make_ipv4(10, 99, 50, 2), 40200, 161, 7};
  const auto probe = probe_packet(udp, make_ipv4(10, 99, 50, 1));
  wire::Ipv4Packet icmp;
  icmp.ip.protocol = 1;
  icmp.ip.source = make_ipv4(10, 99, 50, 2).value;
  icmp.ip.destination = make_ipv4(10, 99, 50, 1).value;
  wire::IcmpMessage message;
  message.type = 3;
  message.code = 3;
  message.payload = probe;
  icmp.payload = message;
  auto reply = parse_discovery_reply(wire::serialize(icmp));
  ASSERT_TRUE(reply) << reply.error().message;
  const auto& unreachable = std::get<IcmpUnreachable>(*reply);
  EXPECT_EQ(unreachable.code, 3);
  EXPECT_EQ(unreachable.quoted_protocol, 17);
  EXPECT_EQ(unreachable.quoted_destination, make_ipv4(10, 99, 50, 2));
  EXPECT_EQ(unreachable.quoted_source_port, 40200);
  EXPECT_EQ(unreachable.quoted_destination_port, 161);
}

} // namespace
} // namespace stackprint::discovery
