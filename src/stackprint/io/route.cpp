#include "stackprint/io/route.hpp"
#include "stackprint/base/decimal.hpp"
#include "stackprint/base/hex.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <utility>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

namespace stackprint::io {
namespace {

constexpr unsigned k_rtf_up = 0x0001;
constexpr unsigned k_rtf_gateway = 0x0002;
constexpr unsigned k_rtf_reject = 0x0200;

std::uint32_t prefix_mask(int prefix_length) {
  return prefix_length == 0 ? 0U : ~std::uint32_t{0} << (32 - prefix_length);
}

// Prefix length of a contiguous host-order mask, or nullopt.
std::optional<int> mask_prefix(std::uint32_t mask) {
  const int ones = std::popcount(mask);
  if (prefix_mask(ones) != mask) { return std::nullopt; }
  return ones;
}

bool in_subnet(Ipv4Address address, Ipv4Address network, int prefix_length) {
  return ((address.value ^ network.value) & prefix_mask(prefix_length)) == 0;
}

std::optional<std::uint32_t> parse_hex32(std::string_view field) {
  const auto value = stackprint::parse_hex(field, 8);
  return value ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(*value)) : std::nullopt;
}

std::optional<std::uint32_t> parse_u32_field(std::string_view field) {
  const auto value = stackprint::parse_decimal(field, 10, 0xFFFFFFFFU);
  return value ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(*value)) : std::nullopt;
}

// The kernel prints the raw network-order word with %08X, so the printed number is the word as this
// machine reads it from memory: ntohl turns it into a host-order address on any byte order.
Ipv4Address from_kernel_word(std::uint32_t word) { return Ipv4Address{ntohl(word)}; }

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && (line[pos] == '\t' || line[pos] == ' ')) { ++pos; }
    const std::size_t start = pos;
    while (pos < line.size() && line[pos] != '\t' && line[pos] != ' ') { ++pos; }
    if (pos > start) { fields.push_back(line.substr(start, pos - start)); }
  }
  return fields;
}

// The address of `interface` to use as source toward `next_hop`.
Expected<Ipv4Address> interface_source(const std::string& interface, Ipv4Address next_hop,
                                       std::span<const InterfaceAddress> interfaces) {
  const InterfaceAddress* first = nullptr;
  for (const InterfaceAddress& entry : interfaces) {
    if (entry.interface != interface) { continue; }
    if (in_subnet(next_hop, entry.address, entry.prefix_length)) { return entry.address; }
    if (first == nullptr) { first = &entry; }
  }
  if (first == nullptr) { return fail("interface " + interface + " has no IPv4 address"); }
  return first->address;
}

} // namespace

Expected<std::vector<KernelRoute>> parse_proc_net_route(std::string_view text) {
  std::vector<KernelRoute> routes;
  std::size_t line_number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (line_number == 1) {
      continue; // column titles
    }
    const auto fields = split_fields(line);
    if (fields.empty()) { continue; }
    const auto bad = [&] {
      return fail("/proc/net/route line " + std::to_string(line_number) + ": malformed: \"" + std::string(line) + "\"");
    };
    if (fields.size() < 8) { return bad(); }
    const auto destination = parse_hex32(fields[1]);
    const auto gateway = parse_hex32(fields[2]);
    const auto flags = parse_hex32(fields[3]);
    const auto metric = parse_u32_field(fields[6]);
    const auto mask = parse_hex32(fields[7]);
    if (!destination || !gateway || !flags || !metric || !mask) { return bad(); }
    const auto prefix = mask_prefix(from_kernel_word(*mask).value);
    if (!prefix) { return bad(); }
    if ((*flags & k_rtf_up) == 0 || (*flags & k_rtf_reject) != 0) { continue; }
    KernelRoute route;
    route.interface = std::string(fields[0]);
    route.prefix_length = *prefix;
    route.destination = Ipv4Address{from_kernel_word(*destination).value & prefix_mask(*prefix)};
    if ((*flags & k_rtf_gateway) != 0) { route.gateway = from_kernel_word(*gateway); }
    route.metric = *metric;
    routes.push_back(std::move(route));
  }
  return routes;
}

Expected<Route> choose_route(Ipv4Address destination, std::span<const KernelRoute> routes,
                             std::span<const InterfaceAddress> interfaces, const RouteOverrides& overrides) {
  // The best table entry, used for the gateway (and the interface when -e is absent).
  const KernelRoute* best = nullptr;
  for (const KernelRoute& route : routes) {
    if (overrides.interface && route.interface != *overrides.interface) { continue; }
    if (!in_subnet(destination, route.destination, route.prefix_length)) { continue; }
    if (best == nullptr || route.prefix_length > best->prefix_length ||
        (route.prefix_length == best->prefix_length && route.metric < best->metric)) {
      best = &route;
    }
  }

  Route chosen;
  if (overrides.interface) {
    const auto it = std::find_if(interfaces.begin(), interfaces.end(),
                                 [&](const InterfaceAddress& a) { return a.interface == *overrides.interface; });
    if (it == interfaces.end()) {
      return fail("interface " + *overrides.interface + " not found (or it has no IPv4 address)");
    }
    if (!it->up) { return fail("interface " + *overrides.interface + " is down"); }
    chosen.interface = *overrides.interface;
    chosen.loopback = it->loopback;
    if (best != nullptr) { chosen.gateway = best->gateway; }
  } else {
    const bool own_address = std::any_of(interfaces.begin(), interfaces.end(),
                                         [&](const InterfaceAddress& a) { return a.address == destination; });
    const bool loopback_net = (destination.value >> 24) == 127;
    if (own_address || loopback_net) {
      const auto lo =
          std::find_if(interfaces.begin(), interfaces.end(), [](const InterfaceAddress& a) { return a.loopback; });
      if (lo == interfaces.end()) { return fail("no loopback interface to reach " + to_string(destination)); }
      chosen.interface = lo->interface;
      chosen.loopback = true;
      chosen.source = overrides.source.value_or(own_address ? destination : lo->address);
      return chosen;
    }
    if (best == nullptr) { return fail("no route to " + to_string(destination)); }
    chosen.interface = best->interface;
    chosen.gateway = best->gateway;
    const auto it = std::find_if(interfaces.begin(), interfaces.end(),
                                 [&](const InterfaceAddress& a) { return a.interface == best->interface; });
    if (it != interfaces.end() && !it->up) { return fail("interface " + best->interface + " is down"); }
  }
  if (overrides.source) {
    chosen.source = *overrides.source;
    return chosen;
  }
  auto source = interface_source(chosen.interface, chosen.gateway.value_or(destination), interfaces);
  if (!source) { return tl::unexpected(source.error()); }
  chosen.source = *source;
  return chosen;
}

Expected<std::vector<KernelRoute>> read_kernel_routes() {
  std::ifstream file("/proc/net/route");
  if (!file) { return fail(std::string("cannot read /proc/net/route: ") + std::strerror(errno)); }
  std::ostringstream text;
  text << file.rdbuf();
  return parse_proc_net_route(text.str());
}

Expected<std::vector<InterfaceAddress>> read_interface_addresses() {
  ifaddrs* raw = nullptr;
  if (getifaddrs(&raw) != 0) { return fail(std::string("cannot list interface addresses: ") + std::strerror(errno)); }
  std::unique_ptr<ifaddrs, void (*)(ifaddrs*)> list(raw, freeifaddrs);
  std::vector<InterfaceAddress> addresses;
  for (const ifaddrs* entry = list.get(); entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || entry->ifa_addr->sa_family != AF_INET || entry->ifa_name == nullptr) { continue; }
    sockaddr_in address{};
    std::memcpy(&address, entry->ifa_addr, sizeof address);
    int prefix = 32;
    if (entry->ifa_netmask != nullptr) {
      sockaddr_in mask{};
      std::memcpy(&mask, entry->ifa_netmask, sizeof mask);
      prefix = mask_prefix(ntohl(mask.sin_addr.s_addr)).value_or(32);
    }
    addresses.push_back(InterfaceAddress{entry->ifa_name, Ipv4Address{ntohl(address.sin_addr.s_addr)}, prefix,
                                         (entry->ifa_flags & IFF_LOOPBACK) != 0, (entry->ifa_flags & IFF_UP) != 0});
  }
  return addresses;
}

Expected<RouteTable> RouteTable::read() {
  auto routes = read_kernel_routes();
  if (!routes) { return tl::unexpected(routes.error()); }
  auto interfaces = read_interface_addresses();
  if (!interfaces) { return tl::unexpected(interfaces.error()); }
  return RouteTable(std::move(*routes), std::move(*interfaces));
}

Expected<Route> lookup_route(Ipv4Address destination, const RouteOverrides& overrides) {
  auto table = RouteTable::read();
  if (!table) { return tl::unexpected(table.error()); }
  return table->route_to(destination, overrides);
}

} // namespace stackprint::io
