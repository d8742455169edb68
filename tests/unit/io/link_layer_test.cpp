#include "stackprint/io/link_layer.hpp"

#include <pcap/dlt.h>

#include "stackprint/base/ipv4_address.hpp"

#include <gtest/gtest.h>

#include "unit/io/arp_frames.hpp"

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

// An Ethernet ARP packet for IPv4 from 02:11:22:33:44:55 / 10.99.50.2 to 10.99.50.1.
std::vector<std::uint8_t> arp_frame(std::uint8_t operation) {
  return test::ethernet_arp(operation, make_ipv4(10, 99, 50, 2), make_ipv4(10, 99, 50, 1));
}

TEST(LinkLayer, ArpIsKeptOnlyWhenAskedFor) {
  for (const std::uint8_t operation : {1, 2}) {
    const auto frame = arp_frame(operation);
    EXPECT_FALSE(frame_from_link_layer(DLT_EN10MB, Timestamp{}, frame)); // capture files: IPv4 only
    auto captured =
        frame_from_link_layer(DLT_EN10MB, Timestamp(std::chrono::microseconds(7)), frame, LinkFrames::ipv4_and_arp);
    ASSERT_TRUE(captured);
    EXPECT_TRUE(captured->ip_packet.empty());
    EXPECT_EQ(captured->arp_sender, make_ipv4(10, 99, 50, 2).value);
    EXPECT_EQ(captured->link_source, (std::array<std::uint8_t, 6>{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}));
    EXPECT_EQ(captured->time.time_since_epoch().count(), 7);
  }
  // Behind a VLAN tag too.
  auto tagged = arp_frame(2);
  tagged.insert(tagged.begin() + 12, {0x81, 0x00, 0x00, 0x05});
  auto captured = frame_from_link_layer(DLT_EN10MB, Timestamp{}, tagged, LinkFrames::ipv4_and_arp);
  ASSERT_TRUE(captured);
  EXPECT_EQ(captured->arp_sender, make_ipv4(10, 99, 50, 2).value);
  // IPv4 frames are unchanged.
  auto ip = frame_from_link_layer(DLT_EN10MB, Timestamp{}, concat(k_ethernet, k_ip), LinkFrames::ipv4_and_arp);
  ASSERT_TRUE(ip);
  EXPECT_EQ(ip->ip_packet, k_ip);
  EXPECT_FALSE(ip->arp_sender);
}

TEST(LinkLayer, RejectsMalformedArp) {
  const auto good = arp_frame(2);
  const auto keep = LinkFrames::ipv4_and_arp;
  EXPECT_FALSE(
      frame_from_link_layer(DLT_EN10MB, Timestamp{}, std::vector<std::uint8_t>(good.begin(), good.end() - 1), keep));
  auto other_hardware = good;
  other_hardware[15] = 6; // IEEE 802 instead of Ethernet
  EXPECT_FALSE(frame_from_link_layer(DLT_EN10MB, Timestamp{}, other_hardware, keep));
  auto other_protocol = good;
  other_protocol[16] = 0x86; // 0x86DD
  other_protocol[17] = 0xDD;
  EXPECT_FALSE(frame_from_link_layer(DLT_EN10MB, Timestamp{}, other_protocol, keep));
  auto other_lengths = good;
  other_lengths[19] = 16;
  EXPECT_FALSE(frame_from_link_layer(DLT_EN10MB, Timestamp{}, other_lengths, keep));
  EXPECT_FALSE(frame_from_link_layer(DLT_EN10MB, Timestamp{}, arp_frame(3), keep)); // RARP request
  // ARP only on Ethernet links.
  EXPECT_FALSE(frame_from_link_layer(DLT_LINUX_SLL, Timestamp{}, good, keep));
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
