#include "stackprint/discovery/port_spec.hpp"

#include <algorithm>

#include <gtest/gtest.h>

namespace stackprint::discovery {
namespace {

TEST(PortSpec, ListsRangesAndProtocolPrefixes) {
  auto lists = parse_port_spec("80,22,1000-1002,U:53,161,T:443,22");
  ASSERT_TRUE(lists) << lists.error().message;
  EXPECT_EQ(lists->tcp, (std::vector<std::uint16_t>{22, 80, 443, 1000, 1001, 1002}));
  EXPECT_EQ(lists->udp, (std::vector<std::uint16_t>{53, 161}));
}

TEST(PortSpec, OpenEndedRanges) {
  auto all = parse_port_spec("-");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->tcp.size(), 65535U);
  EXPECT_EQ(all->tcp.front(), 1);
  EXPECT_EQ(all->tcp.back(), 65535);
  auto low = parse_port_spec("-3");
  ASSERT_TRUE(low);
  EXPECT_EQ(low->tcp, (std::vector<std::uint16_t>{1, 2, 3}));
  auto high = parse_port_spec("u:65534-");
  ASSERT_TRUE(high);
  EXPECT_TRUE(high->tcp.empty());
  EXPECT_EQ(high->udp, (std::vector<std::uint16_t>{65534, 65535}));
  auto zero = parse_port_spec("0-1");
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->tcp, (std::vector<std::uint16_t>{0, 1}));
}

TEST(PortSpec, ErrorsNameTheItem) {
  for (const char* bad : {"", "80,", ",80", "70000", "http", "S:80", "90-80", "1-2-3", "T:", "8o"}) {
    auto lists = parse_port_spec(bad);
    ASSERT_FALSE(lists) << bad;
    EXPECT_NE(lists.error().message.find(std::string("\"") + bad + "\""), std::string::npos) << lists.error().message;
  }
  auto backwards = parse_port_spec("22,90-80");
  ASSERT_FALSE(backwards);
  EXPECT_NE(backwards.error().message.find("\"90-80\" is a backwards range"), std::string::npos);
}

TEST(PortSpec, DefaultListAndMerging) {
  const auto defaults = default_tcp_ports();
  ASSERT_GE(defaults.size(), 50U);
  EXPECT_TRUE(std::is_sorted(defaults.begin(), defaults.end()));
  EXPECT_TRUE(std::adjacent_find(defaults.begin(), defaults.end()) == defaults.end());
  for (std::uint16_t port : {22, 80, 443, 445, 3389}) {
    EXPECT_TRUE(std::binary_search(defaults.begin(), defaults.end(), port)) << port;
  }
  EXPECT_EQ(discovery_ports(nullptr, true).tcp, std::vector<std::uint16_t>(defaults.begin(), defaults.end()));
  auto user = parse_port_spec("22,31337,U:53");
  ASSERT_TRUE(user);
  const PortLists only = discovery_ports(&*user, false);
  EXPECT_EQ(only.tcp, (std::vector<std::uint16_t>{22, 31337}));
  EXPECT_EQ(only.udp, std::vector<std::uint16_t>{53});
  const PortLists merged = discovery_ports(&*user, true);
  EXPECT_EQ(merged.tcp.size(), defaults.size() + 1);
  EXPECT_TRUE(std::binary_search(merged.tcp.begin(), merged.tcp.end(), 31337));
  EXPECT_EQ(merged.udp, std::vector<std::uint16_t>{53});
}

} // namespace
} // namespace stackprint::discovery
