#pragma once
// Choosing the ports OS detection probes, from what port discovery found (docs/nmap-behaviour.md 4.2).

#include <cstdint>
#include <map>
#include <optional>

#include "stackprint/base/random_source.hpp"

namespace stackprint::discovery {

// Nmap's port states, as far as a SYN scan and a UDP scan produce them.
enum class PortState {
  open,          // TCP SYN/ACK, or a UDP reply
  closed,        // TCP RST, or ICMP port unreachable from the host for UDP
  filtered,      // no answer to a TCP probe, or ICMP unreachable (other codes, or from a router)
  unfiltered,    // reachable but open/closed unknown (ACK scans); kept for the selection rules
  open_filtered, // no answer to a UDP probe
};

// Probed ports and their states; std::map walks them in ascending port order, as Nmap's table does.
struct PortTable {
  std::map<std::uint16_t, PortState> tcp;
  std::map<std::uint16_t, PortState> udp;
};

struct SelectedPorts {
  // The open TCP port for SEQ, OPS, WIN, ECN and T1-T4; nullopt means those probes are not sent.
  std::optional<std::uint16_t> open_tcp;
  // The closed TCP port for T5-T7. `closed_tcp_known` is true only when it was seen closed: only
  // then does the SCAN line report it as CT.
  std::uint16_t closed_tcp = 0;
  bool closed_tcp_known = false;
  // The closed UDP port for U1. `closed_udp_known` says discovery saw it closed; the SCAN line's CU
  // is set later, once U1 gets its ICMP port unreachable (4.2).
  std::uint16_t closed_udp = 0;
  bool closed_udp_known = false;

  friend bool operator==(const SelectedPorts&, const SelectedPorts&) = default;
};

// The random fallback port (30000-44780), from a random 32-bit draw: the range is the engine's
// (base/random_source.hpp).
[[nodiscard]] constexpr std::uint16_t random_fallback_port(std::uint32_t draw) {
  return draws::fallback_closed_port(draw);
}

// docs/nmap-behaviour.md 4.2, per kind:
// - open TCP: the lowest open port, port 0 only when it is the only open one;
// - closed TCP: the lowest closed port (0 only when alone), else the lowest unfiltered port (same
//   rule), else random_fallback_port(random_tcp_draw);
// - closed UDP: the same over the UDP table with random_udp_draw.
[[nodiscard]] SelectedPorts select_os_scan_ports(const PortTable& table, std::uint32_t random_tcp_draw,
                                                 std::uint32_t random_udp_draw);

// Whether the scan found TCP ports besides the open ones and every one of them was filtered (no
// closed or unfiltered port): the sign of a default-deny firewall, which drops what a stack would
// reset (responses/probe_silence.hpp).
[[nodiscard]] bool closed_tcp_ports_filtered(const PortTable& table);

} // namespace stackprint::discovery
