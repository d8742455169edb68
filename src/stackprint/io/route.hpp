#pragma once
// Which interface and source address reach a destination: the kernel's main routing table
// (/proc/net/route) and the interfaces' IPv4 addresses (getifaddrs), with Nmap's -e IFACE and
// -S ADDR overrides. The choice itself is a pure function over those two tables, so it is unit-tested
// with hand-written tables.
//
// DIVERGENCE(nmap): like Nmap's /proc/net/route path, policy routing (ip rule) is not consulted;
// only the main table and the local addresses are.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stackprint/base/expected.hpp"
#include "stackprint/base/ipv4_address.hpp"

namespace stackprint::io {

// One usable row of the main routing table (rows that are down or "reject" are left out).
struct KernelRoute {
  std::string interface;
  Ipv4Address destination;            // host order, already masked
  int prefix_length = 0;              // 0-32 (from the mask; non-contiguous masks are rejected)
  std::optional<Ipv4Address> gateway; // set for routes via a gateway (RTF_GATEWAY)
  std::uint32_t metric = 0;
};

// One IPv4 address of a local interface.
struct InterfaceAddress {
  std::string interface;
  Ipv4Address address;
  int prefix_length = 32;
  bool loopback = false;
  bool up = false;
};

// -e IFACE and -S ADDR. Either may be given alone.
struct RouteOverrides {
  std::optional<std::string> interface;
  std::optional<Ipv4Address> source;
};

// How to reach one destination.
struct Route {
  std::string interface;
  Ipv4Address source;
  std::optional<Ipv4Address> gateway; // next hop when the destination is not on a local segment
  bool loopback = false;              // the destination is one of our own addresses or 127/8
};

// Parses the text of /proc/net/route (header line, then tab-separated rows with hexadecimal
// network-order fields as a little- or big-endian kernel prints them for this machine).
// Error names the first malformed line.
[[nodiscard]] Expected<std::vector<KernelRoute>> parse_proc_net_route(std::string_view text);

// The route to `destination` given the tables: longest matching prefix, then lowest metric; our own
// addresses and 127/8 go over the loopback interface. With -e, that interface is used whatever the
// table says (it must exist and be up); with -S, that source address is used (not checked: Nmap
// allows spoofing; replies then go elsewhere). The source is the interface address on the same
// subnet as the next hop when there is one, else its first address.
// Errors: "no route to A.B.C.D", "interface X not found", "interface X is down",
// "interface X has no IPv4 address".
[[nodiscard]] Expected<Route> choose_route(Ipv4Address destination, std::span<const KernelRoute> routes,
                                           std::span<const InterfaceAddress> interfaces,
                                           const RouteOverrides& overrides = {});

// The current kernel tables of the calling process's network namespace.
[[nodiscard]] Expected<std::vector<KernelRoute>> read_kernel_routes();
[[nodiscard]] Expected<std::vector<InterfaceAddress>> read_interface_addresses();

// read_kernel_routes + read_interface_addresses + choose_route, for one destination.
[[nodiscard]] Expected<Route> lookup_route(Ipv4Address destination, const RouteOverrides& overrides = {});

// A snapshot of both tables, read once, for routing many targets (a scan groups its hosts by
// interface and source address).
class RouteTable {
public:
  RouteTable(std::vector<KernelRoute> routes, std::vector<InterfaceAddress> interfaces)
      : m_routes(std::move(routes)), m_interfaces(std::move(interfaces)) {}
  [[nodiscard]] static Expected<RouteTable> read();

  [[nodiscard]] Expected<Route> route_to(Ipv4Address destination, const RouteOverrides& overrides = {}) const {
    return choose_route(destination, m_routes, m_interfaces, overrides);
  }
  [[nodiscard]] const std::vector<KernelRoute>& routes() const { return m_routes; }
  [[nodiscard]] const std::vector<InterfaceAddress>& interfaces() const { return m_interfaces; }

private:
  std::vector<KernelRoute> m_routes;
  std::vector<InterfaceAddress> m_interfaces;
};

} // namespace stackprint::io
