#pragma once
// Port lists for port discovery: Nmap's -p syntax and the built-in default list.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "stackprint/base/expected.hpp"

namespace stackprint::discovery {

// Ports to probe, each list sorted ascending without duplicates.
struct PortLists {
  std::vector<std::uint16_t> tcp;
  std::vector<std::uint16_t> udp;

  friend bool operator==(const PortLists&, const PortLists&) = default;
};

// Nmap's -p syntax: comma-separated items "N", "N-M", "-M" (from 1), "N-" (to 65535), "-"
// (1-65535); "T:" and "U:" switch the protocol for the items that follow (TCP by default), as in
// "22,80,U:53,161,T:443". Port 0 is taken only when written explicitly ("0" or "0-M").
// Errors name the bad item: service names, "S:" (SCTP), ports above 65535, backwards ranges.
[[nodiscard]] Expected<PortLists> parse_port_spec(std::string_view text);

// The built-in TCP list used when the user gives no -p: well-known service ports that are most
// often open or answered by a RST on servers, routers, printers and desktops, so one open and one
// closed port are found quickly. Sorted ascending.
[[nodiscard]] std::span<const std::uint16_t> default_tcp_ports();

// The lists discovery probes: the default TCP list plus the user's ports when `user` is given and
// `include_defaults` is true; only the user's ports when `include_defaults` is false (Nmap's -p
// meaning); the default list alone without `user`.
[[nodiscard]] PortLists discovery_ports(const PortLists* user, bool include_defaults);

} // namespace stackprint::discovery
