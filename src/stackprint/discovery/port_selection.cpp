#include "stackprint/discovery/port_selection.hpp"

namespace stackprint::discovery {
namespace {

// The lowest port in `state`, skipping port 0 when another port qualifies.
std::optional<std::uint16_t> first_in_state(const std::map<std::uint16_t, PortState>& ports, PortState state) {
  std::optional<std::uint16_t> found;
  for (const auto& [port, port_state] : ports) {
    if (port_state != state) { continue; }
    if (port != 0) { return port; }
    found = port; // port 0: keep looking for another
  }
  return found;
}

struct Choice {
  std::uint16_t port = 0;
  bool known = false;
};

Choice closed_choice(const std::map<std::uint16_t, PortState>& ports, std::uint32_t draw) {
  if (auto closed = first_in_state(ports, PortState::closed)) { return {*closed, true}; }
  if (auto unfiltered = first_in_state(ports, PortState::unfiltered)) { return {*unfiltered, false}; }
  return {random_fallback_port(draw), false};
}

} // namespace

SelectedPorts select_os_scan_ports(const PortTable& table, std::uint32_t random_tcp_draw,
                                   std::uint32_t random_udp_draw) {
  SelectedPorts selected;
  selected.open_tcp = first_in_state(table.tcp, PortState::open);
  const Choice tcp = closed_choice(table.tcp, random_tcp_draw);
  selected.closed_tcp = tcp.port;
  selected.closed_tcp_known = tcp.known;
  const Choice udp = closed_choice(table.udp, random_udp_draw);
  selected.closed_udp = udp.port;
  selected.closed_udp_known = udp.known;
  return selected;
}

bool closed_tcp_ports_filtered(const PortTable& table) {
  bool filtered = false;
  for (const auto& [port, state] : table.tcp) {
    if (state == PortState::closed || state == PortState::unfiltered) return false;
    filtered = filtered || state == PortState::filtered;
  }
  return filtered;
}

} // namespace stackprint::discovery
