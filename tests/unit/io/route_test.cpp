#include "stackprint/io/route.hpp"

#include <bit>

#include <gtest/gtest.h>

namespace stackprint::io {
namespace {

// /proc/net/route as a little-endian kernel prints it (the test machine is x86-64).
constexpr const char* k_table = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
                                "eth0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
                                "eth0\t0002A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
                                "wg0\t0000000A\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n"
                                "eth1\t0000000A\t00000000\t0001\t0\t0\t50\t000000FF\t0\t0\t0\n"
                                "eth1\t0005000A\t0101000A\t0003\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
                                "eth0\t0000A8C0\t00000000\t0201\t0\t0\t0\t0000FFFF\t0\t0\t0\n" // reject route: ignored
                                "down0\t00000B0A\t00000000\t0000\t0\t0\t0\t0000FFFF\t0\t0\t0\n"; // not up: ignored

std::vector<InterfaceAddress> interfaces() {
  return {
      {"lo", make_ipv4(127, 0, 0, 1), 8, true, true},     {"eth0", make_ipv4(192, 168, 2, 10), 24, false, true},
      {"eth1", make_ipv4(10, 1, 1, 5), 16, false, true},  {"eth1", make_ipv4(10, 7, 0, 5), 16, false, true},
      {"wg0", make_ipv4(10, 200, 0, 1), 32, false, true}, {"dead0", make_ipv4(172, 16, 0, 1), 24, false, false},
  };
}

TEST(ProcNetRoute, ParsesRowsSkippingRejectAndDown) {
  static_assert(std::endian::native == std::endian::little, "table text is little-endian");
  auto routes = parse_proc_net_route(k_table);
  ASSERT_TRUE(routes) << routes.error().message;
  ASSERT_EQ(routes->size(), 5U);
  EXPECT_EQ((*routes)[0].interface, "eth0");
  EXPECT_EQ((*routes)[0].prefix_length, 0);
  EXPECT_EQ((*routes)[0].gateway, make_ipv4(192, 168, 2, 1));
  EXPECT_EQ((*routes)[0].metric, 100U);
  EXPECT_EQ((*routes)[1].destination, make_ipv4(192, 168, 2, 0));
  EXPECT_EQ((*routes)[1].prefix_length, 24);
  EXPECT_FALSE((*routes)[1].gateway);
  EXPECT_EQ((*routes)[4].destination, make_ipv4(10, 0, 5, 0));
  EXPECT_EQ((*routes)[4].gateway, make_ipv4(10, 0, 1, 1));
}

TEST(ProcNetRoute, MalformedLinesAreErrors) {
  const std::string header = "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n";
  EXPECT_FALSE(parse_proc_net_route(header + "eth0\t0000000G\t00000000\t0001\t0\t0\t0\t00000000\n"));
  EXPECT_FALSE(parse_proc_net_route(header + "eth0\t00000000\n"));
  EXPECT_FALSE(parse_proc_net_route(header + "eth0\t00000000\t00000000\t0001\t0\t0\t0\t00FF00FF\n")); // holes
  auto error = parse_proc_net_route(header + "eth0\t00000000\t00000000\t0001\t0\t0\tx\t00000000\n");
  ASSERT_FALSE(error);
  EXPECT_NE(error.error().message.find("line 2"), std::string::npos);
  auto empty = parse_proc_net_route(header);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

Route route_to(Ipv4Address destination, const RouteOverrides& overrides = {}) {
  auto routes = parse_proc_net_route(k_table);
  EXPECT_TRUE(routes);
  const auto addresses = interfaces();
  auto route = choose_route(destination, *routes, addresses, overrides);
  EXPECT_TRUE(route) << route.error().message;
  return route ? *route : Route{};
}

TEST(ChooseRoute, LongestPrefixThenLowestMetric) {
  const Route internet = route_to(make_ipv4(8, 8, 8, 8));
  EXPECT_EQ(internet.interface, "eth0");
  EXPECT_EQ(internet.gateway, make_ipv4(192, 168, 2, 1));
  EXPECT_EQ(internet.source, make_ipv4(192, 168, 2, 10));
  const Route lan = route_to(make_ipv4(192, 168, 2, 77));
  EXPECT_EQ(lan.interface, "eth0");
  EXPECT_FALSE(lan.gateway);
  // 10/8 on wg0 (metric 0) and eth1 (metric 50): same prefix, lower metric wins.
  EXPECT_EQ(route_to(make_ipv4(10, 3, 3, 3)).interface, "wg0");
  // 10.0.5/24 via 10.0.1.1 on eth1: the longer prefix wins; the source is eth1's first address as
  // neither eth1 subnet holds the gateway.
  const Route via = route_to(make_ipv4(10, 0, 5, 9));
  EXPECT_EQ(via.interface, "eth1");
  EXPECT_EQ(via.gateway, make_ipv4(10, 0, 1, 1));
  EXPECT_EQ(via.source, make_ipv4(10, 1, 1, 5));
}

TEST(ChooseRoute, SourceOnTheSubnetOfTheDestination) {
  auto routes = parse_proc_net_route(k_table);
  ASSERT_TRUE(routes);
  const auto addresses = interfaces();
  auto route = choose_route(make_ipv4(10, 7, 9, 9), *routes, addresses, RouteOverrides{"eth1", std::nullopt});
  ASSERT_TRUE(route);
  EXPECT_EQ(route->source, make_ipv4(10, 7, 0, 5));
}

TEST(ChooseRoute, OwnAddressesAndLoopbackGoOverLo) {
  const Route self = route_to(make_ipv4(192, 168, 2, 10));
  EXPECT_EQ(self.interface, "lo");
  EXPECT_TRUE(self.loopback);
  EXPECT_EQ(self.source, make_ipv4(192, 168, 2, 10));
  const Route loop = route_to(make_ipv4(127, 0, 0, 53));
  EXPECT_EQ(loop.interface, "lo");
  EXPECT_EQ(loop.source, make_ipv4(127, 0, 0, 1));
}

TEST(ChooseRoute, Overrides) {
  const Route forced = route_to(make_ipv4(8, 8, 8, 8), RouteOverrides{"eth1", std::nullopt});
  EXPECT_EQ(forced.interface, "eth1");
  EXPECT_EQ(forced.source, make_ipv4(10, 1, 1, 5));
  EXPECT_FALSE(forced.gateway);
  const Route spoofed = route_to(make_ipv4(8, 8, 8, 8), RouteOverrides{std::nullopt, make_ipv4(192, 168, 2, 99)});
  EXPECT_EQ(spoofed.interface, "eth0");
  EXPECT_EQ(spoofed.source, make_ipv4(192, 168, 2, 99));
  EXPECT_EQ(spoofed.gateway, make_ipv4(192, 168, 2, 1));
  const Route both = route_to(make_ipv4(10, 0, 5, 1), RouteOverrides{"eth1", make_ipv4(10, 1, 1, 6)});
  EXPECT_EQ(both.interface, "eth1");
  EXPECT_EQ(both.source, make_ipv4(10, 1, 1, 6));
  EXPECT_EQ(both.gateway, make_ipv4(10, 0, 1, 1));
}

TEST(RouteTable, RoutesManyTargetsFromOneSnapshot) {
  auto routes = parse_proc_net_route(k_table);
  ASSERT_TRUE(routes);
  const RouteTable table(*routes, interfaces());
  auto lan = table.route_to(make_ipv4(192, 168, 2, 50));
  auto far = table.route_to(make_ipv4(10, 0, 5, 5));
  ASSERT_TRUE(lan && far);
  EXPECT_EQ(lan->interface, "eth0");
  EXPECT_EQ(far->interface, "eth1");
  EXPECT_EQ(table.routes().size(), 5U);
}

TEST(ChooseRoute, ErrorsAsValues) {
  auto routes = parse_proc_net_route(k_table);
  ASSERT_TRUE(routes);
  const auto addresses = interfaces();
  const std::vector<KernelRoute> no_default(routes->begin() + 1, routes->end());
  auto none = choose_route(make_ipv4(8, 8, 8, 8), no_default, addresses);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message, "no route to 8.8.8.8");
  auto missing = choose_route(make_ipv4(8, 8, 8, 8), *routes, addresses, RouteOverrides{"eth9", std::nullopt});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("eth9"), std::string::npos);
  auto down = choose_route(make_ipv4(8, 8, 8, 8), *routes, addresses, RouteOverrides{"dead0", std::nullopt});
  ASSERT_FALSE(down);
  EXPECT_NE(down.error().message.find("down"), std::string::npos);
  const std::vector<KernelRoute> orphan = {KernelRoute{"tun7", make_ipv4(0, 0, 0, 0), 0, std::nullopt, 0}};
  auto no_address = choose_route(make_ipv4(8, 8, 8, 8), orphan, addresses);
  ASSERT_FALSE(no_address);
  EXPECT_EQ(no_address.error().message, "interface tun7 has no IPv4 address");
}

TEST(KernelTables, ReadableWithoutPrivilege) {
  // Whatever this machine's tables hold, reading them must succeed and loopback must be listed.
  auto routes = read_kernel_routes();
  ASSERT_TRUE(routes) << routes.error().message;
  auto addresses = read_interface_addresses();
  ASSERT_TRUE(addresses) << addresses.error().message;
  EXPECT_TRUE(std::any_of(addresses->begin(), addresses->end(), [](const InterfaceAddress& a) {
    return a.loopback && a.address == make_ipv4(127, 0, 0, 1);
  }));
  auto loop = lookup_route(make_ipv4(127, 0, 0, 1));
  ASSERT_TRUE(loop) << loop.error().message;
  EXPECT_TRUE(loop->loopback);
  auto table = RouteTable::read();
  ASSERT_TRUE(table);
  auto again = table->route_to(make_ipv4(127, 0, 0, 1));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->interface, loop->interface);
}

} // namespace
} // namespace stackprint::io
