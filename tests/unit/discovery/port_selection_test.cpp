#include "stackprint/discovery/port_selection.hpp"

#include <gtest/gtest.h>

namespace stackprint::discovery {
namespace {

TEST(PortSelection, LowestOpenAndClosed) {
  PortTable table;
  table.tcp = {{22, PortState::filtered},
               {80, PortState::open},
               {25, PortState::open},
               {113, PortState::closed},
               {1, PortState::closed}};
  table.udp = {{53, PortState::open_filtered}, {161, PortState::closed}, {123, PortState::closed}};
  const SelectedPorts s = select_os_scan_ports(table, 0, 0);
  EXPECT_EQ(s.open_tcp, 25);
  EXPECT_EQ(s.closed_tcp, 1);
  EXPECT_TRUE(s.closed_tcp_known);
  EXPECT_EQ(s.closed_udp, 123);
  EXPECT_TRUE(s.closed_udp_known);
}

TEST(PortSelection, PortZeroOnlyWhenAlone) {
  PortTable table;
  table.tcp = {{0, PortState::open}, {8080, PortState::open}, {7, PortState::closed}};
  EXPECT_EQ(select_os_scan_ports(table, 0, 0).open_tcp, 8080);
  EXPECT_EQ(select_os_scan_ports(table, 0, 0).closed_tcp, 7);
  PortTable alone;
  alone.tcp = {{0, PortState::open}, {9, PortState::filtered}};
  EXPECT_EQ(select_os_scan_ports(alone, 0, 0).open_tcp, 0);
  PortTable closed_zero;
  closed_zero.tcp = {{0, PortState::closed}};
  const SelectedPorts z = select_os_scan_ports(closed_zero, 0, 0);
  EXPECT_EQ(z.closed_tcp, 0);
  EXPECT_TRUE(z.closed_tcp_known);
}

TEST(PortSelection, FallbacksUnfilteredThenRandom) {
  PortTable table;
  table.tcp = {{443, PortState::open}, {1000, PortState::unfiltered}, {999, PortState::filtered}};
  const SelectedPorts s = select_os_scan_ports(table, 5, 14781 + 7);
  EXPECT_EQ(s.open_tcp, 443);
  EXPECT_EQ(s.closed_tcp, 1000);
  EXPECT_FALSE(s.closed_tcp_known) << "only a port seen closed is reported as CT";
  EXPECT_EQ(s.closed_udp, 30007);
  EXPECT_FALSE(s.closed_udp_known);

  const SelectedPorts empty = select_os_scan_ports(PortTable{}, 14780, 0xFFFFFFFFU);
  EXPECT_FALSE(empty.open_tcp) << "no open port: SEQ/OPS/WIN/ECN/T1-T4 are not sent";
  EXPECT_EQ(empty.closed_tcp, 44780);
  EXPECT_EQ(empty.closed_udp, 30000 + 0xFFFFFFFFU % 14781);
}

TEST(PortSelection, RandomFallbackRange) {
  EXPECT_EQ(random_fallback_port(0), 30000);
  EXPECT_EQ(random_fallback_port(14780), 44780);
  EXPECT_EQ(random_fallback_port(14781), 30000);
  EXPECT_EQ(random_fallback_port(2392), 32392);
}

TEST(PortSelection, ClosedTcpPortsFilteredOnlyWhenNoneAnswered) {
  PortTable table;
  EXPECT_FALSE(closed_tcp_ports_filtered(table)); // nothing probed: no evidence
  table.tcp[22] = PortState::open;
  EXPECT_FALSE(closed_tcp_ports_filtered(table)); // only the open port was probed
  table.tcp[23] = PortState::filtered;
  table.tcp[443] = PortState::filtered;
  EXPECT_TRUE(closed_tcp_ports_filtered(table));
  table.tcp[8080] = PortState::closed;
  EXPECT_FALSE(closed_tcp_ports_filtered(table)); // one RST shows the path passes them
  table.tcp[8080] = PortState::unfiltered;
  EXPECT_FALSE(closed_tcp_ports_filtered(table));
  table.tcp.erase(8080);
  table.udp[53] = PortState::closed; // UDP says nothing about TCP filtering
  EXPECT_TRUE(closed_tcp_ports_filtered(table));
}

} // namespace
} // namespace stackprint::discovery
