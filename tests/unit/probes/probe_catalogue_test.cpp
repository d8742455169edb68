#include "stackprint/probes/probe_catalogue.hpp"

#include <set>

#include <gtest/gtest.h>

#include "../base/test_hex.hpp"

namespace stackprint::probes {
namespace {

using stackprint::testing::from_hex;

// The per-run values of the recorded Nmap 7.93 run in tests/data/captures/wire-default.
ProbeContext recorded_context() {
  ProbeContext c;
  c.source_address = 0x0A636401;
  c.target_address = 0x0A636402;
  c.open_tcp_port = 80;
  c.closed_tcp_port = 22;
  c.closed_udp_port = 31179;
  c.tcp_port_base = 54727;
  c.udp_port_base = 54699;
  c.tcp_seq_base = 0xBCF0A917;
  c.tcp_ack = 0xE44AE6A1;
  c.icmp_echo_id = 0x4272;
  c.udp_ttl = 63;
  return c;
}

struct RecordedProbe {
  ProbeId id;
  PacketValues values;
  const char* hex; // the packet Nmap sent (payloads of IE/U1 appended below)
};

TEST(ProbeCatalogue, ReproducesRecordedNmapProbesByteForByte) {
  const RecordedProbe recorded[] = {
      {ProbeId::SEQ1,
       {317, 41},
       "4500003c013d00002906b3b60a6364010a636402d5c70050bcf0a917e44ae6a1a00200015b2f0000"
       "03030a01020405b4080affffffff000000000402"},
      {ProbeId::SEQ2,
       {24829, 49},
       "4500003c60fd000031064bf60a6364010a636402d5c80050bcf0a918e44ae6a1a002003f652c0000"
       "020405780303000402080affffffff0000000000"},
      {ProbeId::SEQ3,
       {39701, 41},
       "4500003c9b150000290619de0a6364010a636402d5c90050bcf0a919e44ae6a1a0020004665d0000"
       "080affffffff0000000001010303050102040280"},
      {ProbeId::SEQ4,
       {62810, 56},
       "45000038f55a00003806b09c0a6364010a636402d5ca0050bcf0a91ae44ae6a19002000472e30000"
       "0402080affffffff0000000003030a00"},
      {ProbeId::SEQ5,
       {38230, 46},
       "4500003c955600002e061a9d0a6364010a636402d5cb0050bcf0a91be44ae6a1a00200105eb50000"
       "020402180402080affffffff0000000003030a00"},
      {ProbeId::SEQ6,
       {39285, 44},
       "45000038997500002c0618820a6364010a636402d5cc0050bcf0a91ce44ae6a1900202007ad90000"
       "020401090402080affffffff00000000"},
      {ProbeId::ECN,
       {33102, 38},
       "45000034814e0000260636ad0a6364010a636402d5d30050bcf0a9170000000088c200034c69f7f5"
       "03030a01020405b404020101"},
      {ProbeId::T2,
       {42551, 52},
       "4500003ca63740003406c3bb0a6364010a636402d5d50050bcf0a917e44ae6a1a00000805f4f0000"
       "03030a0102040109080affffffff000000000402"},
      {ProbeId::T3,
       {27898, 50},
       "4500003c6cfa000032063ef90a6364010a636402d5d60050bcf0a917e44ae6a1a02b01005ea30000"
       "03030a0102040109080affffffff000000000402"},
      {ProbeId::T4,
       {37439, 45},
       "4500003c923f40002d06deb30a6364010a636402d5d70050bcf0a917e44ae6a1a01004005bbd0000"
       "03030a0102040109080affffffff000000000402"},
      {ProbeId::T5,
       {1735, 51},
       "4500003c06c700003306a42c0a6364010a636402d5d80016bcf0a917e44ae6a1a0027a69e59a0000"
       "03030a0102040109080affffffff000000000402"},
      {ProbeId::T6,
       {29172, 51},
       "4500003c71f440003306f8fe0a6364010a636402d5d90016bcf0a917e44ae6a1a0108000dff40000"
       "03030a0102040109080affffffff000000000402"},
      {ProbeId::T7,
       {4881, 50},
       "4500003c13110000320698e20a6364010a636402d5da0016bcf0a917e44ae6a1a029ffff5adb0000"
       "03030f0102040109080affffffff000000000402"},
      {ProbeId::IE1, {37642, 48}, "45000094930a40003001da950a6364010a6364020809b45d42720127"},
      {ProbeId::IE2, {3410, 37}, "450400b20d5200002501ab2c0a6364010a6364020800b46442730128"},
      {ProbeId::U1, {0, 0}, "45000148104200003f118d9a0a6364010a636402d5ab79cb013467dc"},
  };
  const ProbeContext context = recorded_context();
  for (const auto& probe : recorded) {
    auto expected = from_hex(probe.hex);
    if (probe.id == ProbeId::IE1) {
      expected.resize(148, 0);
    } else if (probe.id == ProbeId::IE2) {
      expected.resize(178, 0);
    } else if (probe.id == ProbeId::U1) {
      expected.resize(328, 'C');
    }
    EXPECT_EQ(probe_bytes(probe.id, context, probe.values), expected) << probe_name(probe.id);
  }
}

TEST(ProbeCatalogue, OpsResendsAndT1ReuseSeqShapesWithTheBaseSequence) {
  const ProbeContext context = recorded_context();
  const PacketValues values{1, 50};
  for (int i = 0; i < 6; ++i) {
    const auto seq = build_probe(static_cast<ProbeId>(i), context, values);
    const auto ops = build_probe(static_cast<ProbeId>(6 + i), context, values);
    ASSERT_NE(ops.tcp(), nullptr);
    EXPECT_EQ(ops.tcp()->options_raw, seq.tcp()->options_raw);
    EXPECT_EQ(ops.tcp()->window, seq.tcp()->window);
    EXPECT_EQ(ops.tcp()->source_port, context.tcp_port_base + 6 + i);
    EXPECT_EQ(ops.tcp()->sequence, context.tcp_seq_base);
    EXPECT_EQ(seq.tcp()->sequence, context.tcp_seq_base + static_cast<std::uint32_t>(i));
    EXPECT_EQ(ops.tcp()->acknowledgment, context.tcp_ack);
  }
  const auto t1 = build_probe(ProbeId::T1, context, values);
  const auto seq1 = build_probe(ProbeId::SEQ1, context, values);
  EXPECT_EQ(t1.tcp()->source_port, context.tcp_port_base + 13);
  EXPECT_EQ(t1.tcp()->options_raw, seq1.tcp()->options_raw);
  EXPECT_EQ(t1.tcp()->window, 1);
  EXPECT_EQ(t1.tcp()->sequence, context.tcp_seq_base);
}

TEST(ProbeCatalogue, EveryProbeIsWellFormedAndParsesBack) {
  const ProbeContext context = recorded_context();
  std::set<std::uint16_t> tcp_source_ports;
  for (ProbeId id : k_all_probe_ids) {
    const auto bytes = probe_bytes(id, context, {0xBEEF, 55});
    auto parsed = wire::parse_ipv4(bytes);
    ASSERT_TRUE(parsed) << probe_name(id) << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, build_probe(id, context, {0xBEEF, 55}));
    EXPECT_TRUE(wire::verify_ip_checksum(parsed->ip));
    EXPECT_TRUE(wire::verify_transport_checksum(*parsed));
    EXPECT_TRUE(parsed->ip.options.empty());
    if (const auto* tcp = parsed->tcp()) {
      EXPECT_FALSE(tcp->options().problem) << probe_name(id);
      EXPECT_TRUE(tcp->payload.empty());
      tcp_source_ports.insert(tcp->source_port);
      EXPECT_EQ(tcp_probe_for_reply_port(tcp->source_port, context.tcp_port_base), id);
      EXPECT_EQ(parsed->ip.id, 0xBEEF);
      EXPECT_EQ(parsed->ip.ttl, 55);
      EXPECT_NE(tcp->window, 0); // Nmap never sends window 0
    }
  }
  EXPECT_EQ(tcp_source_ports.size(), k_tcp_probe_count);
}

TEST(ProbeCatalogue, U1IgnoresPacketValuesAndKeepsNmapConstants) {
  const ProbeContext context = recorded_context();
  const auto u1 = build_probe(ProbeId::U1, context, {0xBEEF, 99});
  EXPECT_EQ(u1.ip.id, 0x1042);
  EXPECT_EQ(u1.ip.ttl, 63);
  EXPECT_EQ(u1.ip.total_length, 328);
  EXPECT_FALSE(u1.ip.dont_fragment);
  ASSERT_NE(u1.udp(), nullptr);
  EXPECT_EQ(u1.udp()->length, 308);
  EXPECT_EQ(u1.udp()->source_port, context.udp_port_base);
  EXPECT_EQ(u1.udp()->destination_port, context.closed_udp_port);
  // The sent checksums, needed by U1.RIPCK and U1.RUCK.
  EXPECT_EQ(u1.ip.checksum, 0x8D9A);
  EXPECT_EQ(u1.udp()->checksum, 0x67DC);
}

TEST(ProbeCatalogue, EchoIdentifierWrapsAtSixteenBits) {
  ProbeContext context = recorded_context();
  context.icmp_echo_id = 0xFFFF;
  const auto ie2 = build_probe(ProbeId::IE2, context, {1, 40});
  ASSERT_NE(ie2.icmp(), nullptr);
  EXPECT_EQ(ie2.icmp()->echo_identifier(), 0);
  EXPECT_EQ(ie2.icmp()->echo_sequence(), 296);
  EXPECT_EQ(ie2.ip.tos, 4);
  EXPECT_EQ(echo_probe_for_reply_id(0, 0xFFFF), ProbeId::IE2);
  EXPECT_EQ(echo_probe_for_reply_id(0xFFFF, 0xFFFF), ProbeId::IE1);
  EXPECT_FALSE(echo_probe_for_reply_id(1, 0xFFFF));
  EXPECT_FALSE(echo_probe_for_reply_id(0x4271, 0x4272));
}

TEST(ProbeCatalogue, ReplyPortMapping) {
  EXPECT_EQ(tcp_probe_for_reply_port(40000, 40000), ProbeId::SEQ1);
  EXPECT_EQ(tcp_probe_for_reply_port(40005, 40000), ProbeId::SEQ6);
  EXPECT_EQ(tcp_probe_for_reply_port(40006, 40000), ProbeId::OPS1);
  EXPECT_EQ(tcp_probe_for_reply_port(40011, 40000), ProbeId::OPS6);
  EXPECT_EQ(tcp_probe_for_reply_port(40012, 40000), ProbeId::ECN);
  EXPECT_EQ(tcp_probe_for_reply_port(40013, 40000), ProbeId::T1);
  EXPECT_EQ(tcp_probe_for_reply_port(40019, 40000), ProbeId::T7);
  EXPECT_FALSE(tcp_probe_for_reply_port(40020, 40000));
  EXPECT_FALSE(tcp_probe_for_reply_port(39999, 40000));
  EXPECT_FALSE(tcp_probe_for_reply_port(5, 65530)); // no wrap-around, as in Nmap
  EXPECT_EQ(tcp_port_offset(ProbeId::T5), 17);
  EXPECT_FALSE(tcp_port_offset(ProbeId::U1));
}

TEST(ProbeId, NamesRoundTrip) {
  for (ProbeId id : k_all_probe_ids) { EXPECT_EQ(probe_from_name(probe_name(id)), id); }
  EXPECT_EQ(probe_name(ProbeId::OPS3), "OPS3");
  EXPECT_FALSE(probe_from_name("T8"));
  EXPECT_EQ(seq_index(ProbeId::SEQ4), 3);
  EXPECT_EQ(seq_index(ProbeId::OPS4), 3);
  EXPECT_FALSE(seq_index(ProbeId::ECN));
  EXPECT_TRUE(is_tcp_probe(ProbeId::T7));
  EXPECT_FALSE(is_tcp_probe(ProbeId::IE1));
}

} // namespace
} // namespace stackprint::probes
