#include <vector>

#include <gtest/gtest.h>

#include "stackprint/base/checksum.hpp"
#include "stackprint/base/crc32.hpp"

#include "stackprint/response_tests/ie.hpp"
#include "stackprint/response_tests/u1.hpp"

namespace stackprint::response_tests {
namespace {

using Bytes = std::vector<std::uint8_t>;

// The header of the classic checksum example: 45 00 00 73 00 00 40 00 40 11 [B8 61] C0 A8 00 01 C0 A8 00 C7.
std::array<std::uint8_t, 20> example_header() {
  return {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
          0xB8, 0x61, 0xC0, 0xA8, 0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7};
}

TEST(U1, SimpleValues) {
  EXPECT_EQ(u1_ipl_value(356), "164");
  EXPECT_EQ(u1_ipl_value(56), "38");
  EXPECT_EQ(u1_un_value(0), "0");
  EXPECT_EQ(u1_un_value(0x12345678u), "5678"); // only the low 16 bits
  EXPECT_EQ(u1_un_value(0xABCD0000u), "0");
  EXPECT_EQ(u1_ripl_value(328), "G");
  EXPECT_EQ(u1_ripl_value(0x150), "150");
  EXPECT_EQ(u1_ripl_value(0x4801), "4801"); // byte-swapped 328
  EXPECT_EQ(u1_rid_value(0x1042), "G");
  EXPECT_EQ(u1_rid_value(0x4210), "4210");
  EXPECT_EQ(u1_rid_value(0), "0");
  EXPECT_EQ(u1_rid_value(7, 7), "G");
  EXPECT_EQ(u1_ruck_value(0xBEEF, 0xBEEF), "G");
  EXPECT_EQ(u1_ruck_value(0, 0xBEEF), "0");
  EXPECT_EQ(u1_ruck_value(0x0EEF, 0xBEEF), "EEF");
}

TEST(U1, InternetChecksum) {
  auto h = example_header();
  h[10] = 0;
  h[11] = 0;
  EXPECT_EQ(internet_checksum(h), 0xB861);
  EXPECT_EQ(internet_checksum(Bytes{0x01}), 0xFEFF); // odd length pads with a zero byte
}

TEST(U1, ReturnedIpChecksum) {
  auto h = example_header();
  EXPECT_EQ(u1_ripck_value(h), "G");
  h[10] = 0;
  h[11] = 0;
  EXPECT_EQ(u1_ripck_value(h), "Z");
  h = example_header();
  h[8] = 0x3F; // TTL decremented without fixing the checksum
  EXPECT_EQ(u1_ripck_value(h), "I");
  h = example_header();
  h[11] = 0x62;
  EXPECT_EQ(u1_ripck_value(h), "I");
}

TEST(U1, ReturnedUdpData) {
  EXPECT_EQ(u1_rud_value({}), "G");
  EXPECT_EQ(u1_rud_value(Bytes(300, 'C')), "G");
  Bytes bad(300, 'C');
  bad[299] = 0;
  EXPECT_EQ(u1_rud_value(bad), "I");
  EXPECT_EQ(u1_rud_value(Bytes{'A'}, 'A'), "G");
}

// Outer IPv4 (IHL outer_ihl words) + ICMP (8) + quoted IPv4 (IHL quoted_ihl) + UDP (8) + payload.
Bytes icmp_error(unsigned outer_ihl, unsigned quoted_ihl, const Bytes& payload, int total_length_delta = 0,
                 std::size_t trailer = 0) {
  Bytes p(outer_ihl * 4, 0);
  p[0] = static_cast<std::uint8_t>(0x40 | outer_ihl);
  p.insert(p.end(), {3, 3, 0, 0, 0, 0, 0, 0});
  Bytes quoted(quoted_ihl * 4, 0);
  quoted[0] = static_cast<std::uint8_t>(0x40 | quoted_ihl);
  p.insert(p.end(), quoted.begin(), quoted.end());
  p.insert(p.end(), {0x80, 0x01, 0x9C, 0x40, 0x01, 0x34, 0xBE, 0xEF});
  p.insert(p.end(), payload.begin(), payload.end());
  const auto total = static_cast<std::size_t>(static_cast<long>(p.size()) + total_length_delta);
  p[2] = static_cast<std::uint8_t>(total >> 8);
  p[3] = static_cast<std::uint8_t>(total & 0xFF);
  p.insert(p.end(), trailer, 0); // e.g. Ethernet padding after the IP packet
  return p;
}

TEST(U1, ReturnedPayloadSpanFollowsNmapOffsets) {
  const Bytes payload(300, 'C');
  auto p = icmp_error(5, 5, payload);
  auto span = u1_returned_payload(p);
  EXPECT_EQ(span.size(), 300u);
  EXPECT_EQ(u1_rud_value(span), "G");
  // Bytes after the outer total length (padding) are not part of it.
  p = icmp_error(5, 5, Bytes(8, 'C'), 0, 10);
  EXPECT_EQ(u1_returned_payload(p).size(), 8u);
  EXPECT_EQ(u1_rud_value(u1_returned_payload(p)), "G");
  // An outer total length shorter than the packet cuts the payload...
  p = icmp_error(5, 5, Bytes{'C', 'C', 'X'}, -1);
  EXPECT_EQ(u1_rud_value(u1_returned_payload(p)), "G");
  // ...and a longer one is clamped to the captured bytes (DIVERGENCE: Nmap reads past the packet).
  p = icmp_error(5, 5, Bytes{'C', 'C'}, 40);
  EXPECT_EQ(u1_returned_payload(p).size(), 2u);
  // Quoted and outer IP options move the start.
  p = icmp_error(6, 7, Bytes{'C', 'D'});
  EXPECT_EQ(u1_returned_payload(p).size(), 2u);
  EXPECT_EQ(u1_rud_value(u1_returned_payload(p)), "I");
  // Only 8 quoted UDP bytes (RFC 792 minimum): no payload, G.
  p = icmp_error(5, 5, {});
  EXPECT_TRUE(u1_returned_payload(p).empty());
  EXPECT_EQ(u1_rud_value(u1_returned_payload(p)), "G");
  // Garbage never reads out of bounds.
  EXPECT_TRUE(u1_returned_payload(Bytes{}).empty());
  EXPECT_TRUE(u1_returned_payload(Bytes(20, 0x4F)).empty());
  Bytes tiny(29, 0xFF);
  tiny[0] = 0x4F;
  EXPECT_TRUE(u1_returned_payload(tiny).empty());
}

TEST(Ie, DontFragmentIcmp) {
  EXPECT_EQ(ie_dfi_value(true, true), "Y");
  EXPECT_EQ(ie_dfi_value(true, false), "S");
  EXPECT_EQ(ie_dfi_value(false, false), "N");
  EXPECT_EQ(ie_dfi_value(false, true), "O");
}

TEST(Ie, IcmpCode) {
  EXPECT_EQ(ie_cd_value(0, 0), "Z");
  EXPECT_EQ(ie_cd_value(9, 9), "9");
  EXPECT_EQ(ie_cd_value(0xFF, 0xFF), "FF");
  EXPECT_EQ(ie_cd_value(9, 0), "S");
  EXPECT_EQ(ie_cd_value(0, 9), "O");
  EXPECT_EQ(ie_cd_value(8, 0), "O");
  EXPECT_EQ(ie_cd_value(9, 1), "O");
}

} // namespace
} // namespace stackprint::response_tests
