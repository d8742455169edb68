#include "stackprint/wire/ipv4_packet.hpp"

#include <gtest/gtest.h>

#include "stackprint/base/checksum.hpp"
#include "test_vectors.hpp"

namespace stackprint::wire {
namespace {

using namespace stackprint::testing;

std::string error_of(std::span<const std::uint8_t> bytes) {
  auto parsed = parse_ipv4(bytes);
  return parsed ? std::string("(parsed)") : parsed.error().message;
}

TEST(ParseIpv4, Seq1ProbeFields) {
  const auto bytes = seq1_probe();
  auto packet = parse_ipv4(bytes);
  ASSERT_TRUE(packet) << packet.error().message;
  EXPECT_EQ(packet->ip.version, 4);
  EXPECT_EQ(packet->ip.ihl, 5);
  EXPECT_EQ(packet->ip.tos, 0);
  EXPECT_EQ(packet->ip.total_length, 60);
  EXPECT_EQ(packet->ip.id, 317);
  EXPECT_FALSE(packet->ip.dont_fragment);
  EXPECT_FALSE(packet->ip.more_fragments);
  EXPECT_FALSE(packet->ip.reserved_flag);
  EXPECT_EQ(packet->ip.ttl, 41);
  EXPECT_EQ(packet->ip.protocol, k_ip_protocol_tcp);
  EXPECT_EQ(packet->ip.checksum, 0xB3B6);
  EXPECT_EQ(packet->ip.source, 0x0A636401U);
  EXPECT_EQ(packet->ip.destination, 0x0A636402U);
  EXPECT_TRUE(verify_ip_checksum(packet->ip));
  const TcpSegment* tcp = packet->tcp();
  ASSERT_NE(tcp, nullptr);
  EXPECT_EQ(tcp->source_port, 54727);
  EXPECT_EQ(tcp->destination_port, 80);
  EXPECT_EQ(tcp->sequence, 0xBCF0A917U);
  EXPECT_EQ(tcp->acknowledgment, 0xE44AE6A1U);
  EXPECT_EQ(tcp->data_offset, 10);
  EXPECT_EQ(tcp->reserved, 0);
  EXPECT_EQ(tcp->flags, k_tcp_syn);
  EXPECT_EQ(tcp->window, 1);
  EXPECT_EQ(tcp->checksum, 0x5B2F);
  EXPECT_EQ(tcp->urgent_pointer, 0);
  EXPECT_EQ(tcp->options_raw.size(), 20U);
  EXPECT_TRUE(tcp->payload.empty());
  EXPECT_TRUE(verify_transport_checksum(*packet));
  const auto options = tcp->options();
  EXPECT_FALSE(options.problem);
  const std::vector<TcpOption> expected{TcpOption::window_scale(10), TcpOption::nop(), TcpOption::mss(1460),
                                        TcpOption::timestamp(0xFFFFFFFF, 0), TcpOption::sack_permitted()};
  EXPECT_EQ(options.options, expected);
}

TEST(ParseIpv4, SynAckKeepsWrongChecksumAndRoundTripsExactly) {
  const auto bytes = seq1_syn_ack();
  auto packet = parse_ipv4(bytes);
  ASSERT_TRUE(packet) << packet.error().message;
  EXPECT_TRUE(packet->ip.dont_fragment);
  EXPECT_EQ(packet->ip.id, 0);
  ASSERT_NE(packet->tcp(), nullptr);
  EXPECT_EQ(packet->tcp()->flags, k_tcp_syn | k_tcp_ack);
  EXPECT_TRUE(packet->tcp()->has_flags(k_tcp_syn | k_tcp_ack));
  EXPECT_FALSE(packet->tcp()->has_flags(k_tcp_rst));
  EXPECT_EQ(packet->tcp()->window, 0xFE88);
  EXPECT_EQ(packet->tcp()->checksum, 0xDCF7);
  EXPECT_FALSE(verify_transport_checksum(*packet));
  auto ts = packet->tcp()->options().find(k_tcp_option_timestamp);
  ASSERT_TRUE(ts);
  EXPECT_EQ(ts->timestamp_value()->value, 0x5E89164BU);
  EXPECT_EQ(ts->timestamp_value()->echo_reply, 0xFFFFFFFFU);
  // Keeping everything reproduces the captured bytes, wrong checksum included.
  EXPECT_EQ(serialize(*packet, SerializeOptions::keep_all()), bytes);
  // Computing the transport checksum repairs it (tcpdump: "incorrect -> 0xf26e").
  auto repaired = serialize(*packet);
  EXPECT_EQ(repaired[36], 0xF2);
  EXPECT_EQ(repaired[37], 0x6E);
  auto reparsed = parse_ipv4(repaired);
  ASSERT_TRUE(reparsed);
  EXPECT_TRUE(verify_transport_checksum(*reparsed));
}

TEST(ParseIpv4, EcnProbeReservedBitFlagsAndUrgentPointer) {
  auto packet = parse_ipv4(ecn_probe());
  ASSERT_TRUE(packet) << packet.error().message;
  const TcpSegment* tcp = packet->tcp();
  ASSERT_NE(tcp, nullptr);
  EXPECT_EQ(tcp->data_offset, 8);
  EXPECT_EQ(tcp->reserved, 0x8);
  EXPECT_EQ(tcp->flags, k_tcp_cwr | k_tcp_ece | k_tcp_syn);
  EXPECT_EQ(tcp->urgent_pointer, 0xF7F5);
  EXPECT_EQ(tcp->window, 3);
  EXPECT_EQ(tcp->acknowledgment, 0U);
  EXPECT_EQ(serialize(*packet), ecn_probe());
}

TEST(ParseIpv4, IgnoresLinkLayerPaddingBeyondTotalLength) {
  auto bytes = scanner_rst();
  const auto original = bytes;
  bytes.insert(bytes.end(), 6, 0x00); // Ethernet minimum-frame padding
  auto packet = parse_ipv4(bytes);
  ASSERT_TRUE(packet) << packet.error().message;
  EXPECT_TRUE(packet->tcp()->payload.empty());
  EXPECT_EQ(packet->tcp()->flags, k_tcp_rst);
  EXPECT_EQ(serialize(*packet, SerializeOptions::keep_all()), original);
}

TEST(ParseIpv4, IcmpEchoRequest) {
  auto packet = parse_ipv4(ie1_probe());
  ASSERT_TRUE(packet) << packet.error().message;
  const IcmpMessage* icmp = packet->icmp();
  ASSERT_NE(icmp, nullptr);
  EXPECT_EQ(icmp->type, k_icmp_echo_request);
  EXPECT_EQ(icmp->code, 9);
  EXPECT_EQ(icmp->echo_identifier(), 0x4272);
  EXPECT_EQ(icmp->echo_sequence(), 295);
  EXPECT_EQ(icmp->payload, std::vector<std::uint8_t>(120, 0));
  EXPECT_FALSE(icmp->is_error());
  EXPECT_FALSE(icmp->quoted_packet());
  EXPECT_TRUE(verify_transport_checksum(*packet));
  EXPECT_EQ(serialize(*packet), ie1_probe());
}

TEST(ParseIpv4, UdpProbe) {
  auto packet = parse_ipv4(u1_probe());
  ASSERT_TRUE(packet) << packet.error().message;
  const UdpDatagram* udp = packet->udp();
  ASSERT_NE(udp, nullptr);
  EXPECT_EQ(udp->source_port, 54699);
  EXPECT_EQ(udp->destination_port, 31179);
  EXPECT_EQ(udp->length, 308);
  EXPECT_EQ(udp->checksum, 0x67DC);
  EXPECT_EQ(udp->payload, std::vector<std::uint8_t>(300, 0x43));
  EXPECT_TRUE(verify_transport_checksum(*packet));
  EXPECT_EQ(serialize(*packet), u1_probe());
}

TEST(ParseIpv4, PortUnreachableQuotesTheU1Probe) {
  auto packet = parse_ipv4(u1_port_unreachable());
  ASSERT_TRUE(packet) << packet.error().message;
  EXPECT_EQ(packet->ip.tos, 0xC0);
  EXPECT_EQ(packet->ip.total_length, 356);
  const IcmpMessage* icmp = packet->icmp();
  ASSERT_NE(icmp, nullptr);
  EXPECT_EQ(icmp->type, k_icmp_destination_unreachable);
  EXPECT_EQ(icmp->code, k_icmp_code_port_unreachable);
  EXPECT_EQ(icmp->rest_of_header, 0U);
  EXPECT_TRUE(icmp->is_error());
  EXPECT_TRUE(verify_transport_checksum(*packet));
  auto quoted = icmp->quoted_packet();
  ASSERT_TRUE(quoted) << quoted.error().message;
  EXPECT_EQ(quoted->ip.total_length, 328);
  EXPECT_EQ(quoted->ip.id, 0x1042);
  EXPECT_EQ(quoted->ip.checksum, 0x8D9A);
  EXPECT_EQ(quoted->ip.ttl, 63);
  EXPECT_TRUE(verify_ip_checksum(quoted->ip));
  ASSERT_TRUE(quoted->udp);
  EXPECT_EQ(quoted->udp->source_port, 54699);
  EXPECT_EQ(quoted->udp->destination_port, 31179);
  EXPECT_EQ(quoted->udp->checksum, 0x67DC);
  EXPECT_EQ(quoted->udp->payload, std::vector<std::uint8_t>(300, 0x43));
  EXPECT_EQ(quoted->source_port(), 54699);
  EXPECT_EQ(quoted->destination_port(), 31179);
  EXPECT_EQ(quoted->transport.size(), 308U);
}

// Builds an ICMP port unreachable whose quote keeps only `quoted_bytes` of the U1 probe.
std::vector<std::uint8_t> unreachable_quoting(std::size_t quoted_bytes) {
  auto full = parse_ipv4(u1_port_unreachable());
  Ipv4Packet packet = *full;
  packet.icmp()->payload.resize(quoted_bytes);
  return serialize(packet);
}

TEST(ParseIpv4, TruncatedQuotesAreReadLeniently) {
  // Header + 8 UDP bytes (RFC 792 minimum): ports and checksum, no payload.
  auto packet = parse_ipv4(unreachable_quoting(28));
  ASSERT_TRUE(packet) << packet.error().message;
  auto quoted = packet->icmp()->quoted_packet();
  ASSERT_TRUE(quoted);
  EXPECT_EQ(quoted->ip.total_length, 328); // claims more than was quoted
  ASSERT_TRUE(quoted->udp);
  EXPECT_EQ(quoted->udp->checksum, 0x67DC);
  EXPECT_TRUE(quoted->udp->payload.empty());
  // Header + 4 bytes: ports only.
  quoted = parse_ipv4(unreachable_quoting(24))->icmp()->quoted_packet();
  ASSERT_TRUE(quoted);
  EXPECT_FALSE(quoted->udp);
  EXPECT_EQ(quoted->destination_port(), 31179);
  // Header only, then less than a header.
  quoted = parse_ipv4(unreachable_quoting(20))->icmp()->quoted_packet();
  ASSERT_TRUE(quoted);
  EXPECT_FALSE(quoted->source_port());
  for (std::size_t n = 0; n < 20; ++n) {
    auto outer = parse_ipv4(unreachable_quoting(n));
    ASSERT_TRUE(outer) << n;
    EXPECT_FALSE(outer->icmp()->quoted_packet()) << n;
  }
}

TEST(ParseIpv4, QuotedHeaderWithOptionsBeyondQuoteFails) {
  auto full = parse_ipv4(u1_port_unreachable());
  Ipv4Packet packet = *full;
  packet.icmp()->payload.resize(22);
  packet.icmp()->payload[0] = 0x46; // IHL 6 needs 24 bytes
  auto quoted = parse_ipv4(serialize(packet))->icmp()->quoted_packet();
  ASSERT_FALSE(quoted);
  EXPECT_NE(quoted.error().message.find("IHL"), std::string::npos);
}

TEST(ParseIpv4, EveryTruncationIsAnErrorNeverACrash) {
  for (const auto& vector : all_vectors()) {
    for (std::size_t n = 0; n < vector.size(); ++n) {
      auto parsed = parse_ipv4(std::span(vector).first(n));
      EXPECT_FALSE(parsed) << "prefix " << n;
    }
    EXPECT_TRUE(parse_ipv4(vector));
  }
}

TEST(ParseIpv4, MalformedHeadersNameTheProblemAndOffset) {
  auto bytes = seq1_probe();
  EXPECT_NE(error_of(std::span(bytes).first(19)).find("need 20"), std::string::npos);

  auto bad = bytes;
  bad[0] = 0x44; // IHL 4
  EXPECT_NE(error_of(bad).find("IHL 4 below 5"), std::string::npos);
  bad[0] = 0x4F; // IHL 15 = 60 bytes: fits exactly in the 60-byte packet but leaves no TCP
  EXPECT_NE(error_of(bad).find("tcp header truncated"), std::string::npos);
  bad = std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 40);
  bad[0] = 0x4F; // 60-byte header in 40 bytes
  EXPECT_NE(error_of(bad).find("past the end"), std::string::npos);
  bad = bytes;
  bad[0] = 0x65;
  EXPECT_NE(error_of(bad).find("version 6"), std::string::npos);
  bad = bytes;
  bad[2] = 0x00;
  bad[3] = 0x10; // total length 16 < 20
  EXPECT_NE(error_of(bad).find("below the 20-byte header"), std::string::npos);
  bad = bytes;
  bad[3] = 0x3D; // total length 61 > 60 present
  EXPECT_NE(error_of(bad).find("exceeds the 60 byte(s) present at offset 2"), std::string::npos);
  bad = bytes;
  bad[32] = 0x40; // TCP data offset 4
  EXPECT_NE(error_of(bad).find("data offset 4 below 5 at offset 32"), std::string::npos);
  bad[32] = 0xB0; // 44 bytes, segment has 40
  EXPECT_NE(error_of(bad).find("data offset 11 (44 bytes) past the end of the 40-byte segment at "
                               "offset 32"),
            std::string::npos);
}

TEST(ParseIpv4, ShortUdpAndIcmpAreErrors) {
  auto udp = u1_probe();
  udp.resize(27);
  udp[2] = 0;
  udp[3] = 27;
  EXPECT_NE(error_of(udp).find("udp header truncated"), std::string::npos);
  auto icmp = ie1_probe();
  icmp.resize(27);
  icmp[2] = 0;
  icmp[3] = 27;
  EXPECT_NE(error_of(icmp).find("icmp header truncated"), std::string::npos);
}

TEST(ParseIpv4, FragmentsGiveRawPayloadWhereTheTransportCannotBeRead) {
  auto bytes = seq1_probe();
  bytes[6] = 0x00;
  bytes[7] = 0x03; // offset 3 (24 bytes): a non-first fragment
  auto packet = parse_ipv4(bytes);
  ASSERT_TRUE(packet) << packet.error().message;
  EXPECT_EQ(packet->ip.fragment_offset, 3);
  EXPECT_TRUE(packet->ip.is_fragment());
  ASSERT_NE(packet->raw(), nullptr);
  EXPECT_EQ(packet->raw()->bytes.size(), 40U);

  // First fragment carrying only 8 TCP bytes: MF set, header unreadable -> RawPayload.
  auto first = std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 28);
  first[2] = 0;
  first[3] = 28;
  first[6] = 0x20; // MF
  first[7] = 0x00;
  packet = parse_ipv4(first);
  ASSERT_TRUE(packet) << packet.error().message;
  EXPECT_TRUE(packet->ip.more_fragments);
  ASSERT_NE(packet->raw(), nullptr);
  EXPECT_EQ(packet->raw()->bytes.size(), 8U);

  // First fragment with a whole TCP header is parsed as TCP.
  auto whole = seq1_probe();
  whole[6] = 0x20;
  packet = parse_ipv4(whole);
  ASSERT_TRUE(packet);
  EXPECT_NE(packet->tcp(), nullptr);
}

TEST(ParseIpv4, UnknownProtocolIsRaw) {
  auto bytes = seq1_probe();
  bytes[9] = 47; // GRE
  auto packet = parse_ipv4(bytes);
  ASSERT_TRUE(packet);
  ASSERT_NE(packet->raw(), nullptr);
  EXPECT_EQ(packet->raw()->bytes.size(), 40U);
  EXPECT_EQ(serialize(*packet, SerializeOptions::keep_all()), bytes);
}

TEST(Serialize, RoundTripsEveryVectorExactly) {
  for (const auto& vector : all_vectors()) {
    auto packet = parse_ipv4(vector);
    ASSERT_TRUE(packet);
    EXPECT_EQ(serialize(*packet, SerializeOptions::keep_all()), vector);
    auto again = parse_ipv4(serialize(*packet, SerializeOptions::keep_all()));
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *packet);
  }
}

TEST(Serialize, ComputesLengthsPaddingAndChecksumsForABuiltPacket) {
  Ipv4Packet packet;
  packet.ip.ttl = 64;
  packet.ip.protocol = k_ip_protocol_tcp;
  packet.ip.source = 0x0A000001;
  packet.ip.destination = 0x0A000002;
  packet.ip.options = {0x01}; // one NOP: padded to 4 bytes
  TcpSegment tcp;
  tcp.source_port = 1234;
  tcp.destination_port = 80;
  tcp.flags = k_tcp_syn;
  tcp.window = 512;
  const std::vector<TcpOption> options{TcpOption::mss(1460), TcpOption::window_scale(7)};
  tcp.set_options(options); // 7 bytes: padded to 8
  tcp.payload = {'h', 'i'};
  packet.payload = tcp;

  const auto bytes = serialize(packet);
  ASSERT_EQ(bytes.size(), 24U + 28U + 2U);
  auto parsed = parse_ipv4(bytes);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->ip.ihl, 6);
  EXPECT_EQ(parsed->ip.total_length, 54);
  EXPECT_EQ(parsed->ip.options, (std::vector<std::uint8_t>{0x01, 0, 0, 0}));
  EXPECT_EQ(parsed->tcp()->data_offset, 7);
  EXPECT_EQ(parsed->tcp()->payload, (std::vector<std::uint8_t>{'h', 'i'}));
  EXPECT_TRUE(verify_ip_checksum(parsed->ip));
  EXPECT_TRUE(verify_transport_checksum(*parsed));
  auto parsed_options = parsed->tcp()->options().options;
  ASSERT_EQ(parsed_options.size(), 3U); // MSS, WS, then one EOL of padding
  EXPECT_EQ(parsed_options[2].kind, k_tcp_option_eol);
  EXPECT_EQ(*parsed, with_computed_fields(packet));
}

TEST(Serialize, KeepsChosenFieldsWrongWhileComputingOthers) {
  auto packet = *parse_ipv4(u1_probe());
  packet.ip.checksum = 0xDEAD;
  packet.udp()->checksum = 0;
  packet.udp()->length = 999;
  packet.udp()->payload.resize(10);
  SerializeOptions options;
  options.ip_checksum = false;
  options.transport_length = false;
  const auto bytes = serialize(packet, options);
  auto parsed = parse_ipv4(bytes);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->ip.checksum, 0xDEAD);
  EXPECT_FALSE(verify_ip_checksum(parsed->ip));
  EXPECT_EQ(parsed->ip.total_length, 38); // computed
  EXPECT_EQ(parsed->udp()->length, 999);  // kept
  EXPECT_NE(parsed->udp()->checksum, 0);  // computed over the wrong length as given
  EXPECT_TRUE(verify_transport_checksum(*parsed));
}

TEST(Serialize, KeptTotalLengthIsWrittenAsGiven) {
  auto packet = *parse_ipv4(seq1_probe());
  packet.ip.total_length = 1000;
  SerializeOptions options;
  options.ip_total_length = false;
  const auto bytes = serialize(packet, options);
  EXPECT_EQ(bytes.size(), 60U);
  EXPECT_EQ(bytes[2], 0x03);
  EXPECT_EQ(bytes[3], 0xE8);
  EXPECT_FALSE(parse_ipv4(bytes)); // and our own parser refuses it, naming the length
}

TEST(Serialize, UdpChecksumZeroIsSentAsAllOnes) {
  // Find a payload whose UDP checksum computes to 0 by adjusting two payload bytes.
  Ipv4Packet packet;
  packet.ip.protocol = k_ip_protocol_udp;
  packet.ip.source = 0x0A000001;
  packet.ip.destination = 0x0A000002;
  UdpDatagram udp;
  udp.source_port = 1;
  udp.destination_port = 2;
  udp.payload = {0, 0};
  packet.payload = udp;
  auto computed = with_computed_fields(packet);
  // Put the checksum into the payload word: the sum then becomes 0xFFFF, i.e. checksum 0.
  const std::uint16_t sum = computed.udp()->checksum;
  packet.udp()->payload = {static_cast<std::uint8_t>(sum >> 8), static_cast<std::uint8_t>(sum)};
  auto zero_case = with_computed_fields(packet);
  EXPECT_EQ(zero_case.udp()->checksum, 0xFFFF);
  EXPECT_TRUE(verify_transport_checksum(*parse_ipv4(serialize(packet))));
}

} // namespace
} // namespace stackprint::wire
