#include "stackprint/io/link_layer.hpp"

#include <pcap/dlt.h>

#include <gtest/gtest.h>

namespace stackprint::io {
namespace {

// A minimal IPv4 header start: version 4, IHL 5, then filler.
const std::vector<std::uint8_t> k_ip = {0x45, 0x00, 0x00, 0x14, 0xAB, 0xCD};

std::vector<std::uint8_t> concat(std::vector<std::uint8_t> head, const std::vector<std::uint8_t>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

const std::vector<std::uint8_t> k_ethernet = {0x02, 0,    0,    0,    0,    0x01, // destination
                                              0x02, 0x11, 0x22, 0x33, 0x44, 0x55, // source
                                              0x08, 0x00};

TEST(LinkLayer, EthernetKeepsSourceMac) {
  const auto frame = concat(k_ethernet, k_ip);
  EXPECT_EQ(ipv4_offset(DLT_EN10MB, frame), 14U);
  auto captured = frame_from_link_layer(DLT_EN10MB, Timestamp(std::chrono::microseconds(1234567)), frame);
  ASSERT_TRUE(captured);
  EXPECT_EQ(captured->ip_packet, k_ip);
  EXPECT_EQ(captured->time.time_since_epoch().count(), 1234567);
  ASSERT_TRUE(captured->link_source);
  EXPECT_EQ(*captured->link_source, (std::array<std::uint8_t, 6>{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}));
}

TEST(LinkLayer, VlanTagsAreSkipped) {
  const std::vector<std::uint8_t> tagged = {0x02, 0, 0, 0,    0,    1,    0x02, 0,    0,
                                            0,    0, 2, 0x81, 0x00, 0x00, 0x05, 0x08, 0x00};
  EXPECT_EQ(ipv4_offset(DLT_EN10MB, concat(tagged, k_ip)), 18U);
}

TEST(LinkLayer, OtherLinkTypes) {
  std::vector<std::uint8_t> sll(16, 0);
  sll[14] = 0x08;
  EXPECT_EQ(ipv4_offset(DLT_LINUX_SLL, concat(sll, k_ip)), 16U);
  std::vector<std::uint8_t> sll2(20, 0);
  sll2[0] = 0x08;
  EXPECT_EQ(ipv4_offset(DLT_LINUX_SLL2, concat(sll2, k_ip)), 20U);
  EXPECT_EQ(ipv4_offset(DLT_RAW, k_ip), 0U);
  EXPECT_EQ(ipv4_offset(DLT_NULL, concat({2, 0, 0, 0}, k_ip)), 4U);
  auto raw = frame_from_link_layer(DLT_RAW, Timestamp{}, k_ip);
  ASSERT_TRUE(raw);
  EXPECT_FALSE(raw->link_source);
}

TEST(LinkLayer, RejectsNonIpv4AndTruncatedFrames) {
  auto arp = k_ethernet;
  arp[12] = 0x08;
  arp[13] = 0x06;
  EXPECT_FALSE(ipv4_offset(DLT_EN10MB, concat(arp, k_ip)));
  // Ethernet header alone: offset would be the end of the frame.
  EXPECT_FALSE(frame_from_link_layer(DLT_EN10MB, Timestamp{}, k_ethernet));
  // Truncated inside the Ethernet header, and a VLAN tag cut short.
  EXPECT_FALSE(ipv4_offset(DLT_EN10MB, std::vector<std::uint8_t>(k_ethernet.begin(), k_ethernet.begin() + 13)));
  const std::vector<std::uint8_t> cut_tag = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x81, 0x00, 0x00};
  EXPECT_FALSE(ipv4_offset(DLT_EN10MB, cut_tag));
  // IPv6 payload behind a raw link.
  EXPECT_FALSE(frame_from_link_layer(DLT_RAW, Timestamp{}, std::vector<std::uint8_t>{0x60, 0, 0, 0}));
  EXPECT_FALSE(frame_from_link_layer(DLT_RAW, Timestamp{}, std::vector<std::uint8_t>{}));
  EXPECT_FALSE(ipv4_offset(DLT_LINUX_SLL, std::vector<std::uint8_t>(15, 0)));
  EXPECT_FALSE(ipv4_offset(DLT_IEEE802_11, k_ip));
}

} // namespace
} // namespace stackprint::io
