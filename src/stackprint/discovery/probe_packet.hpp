#pragma once
// The bytes of a port-discovery probe, ready for io::RawIpv4Sender.

#include <cstdint>
#include <vector>

#include "stackprint/discovery/port_discovery.hpp"

namespace stackprint::discovery {

// Window of our SYNs, and the MSS option they carry (a SYN without options looks unusual and is
// dropped by some middleboxes; Nmap's SYN scan also sends MSS 1460 with window 1024).
inline constexpr std::uint16_t k_discovery_syn_window = 1024;
inline constexpr std::uint16_t k_discovery_syn_mss = 1460;

// The IPv4 packet (network byte order, lengths and checksums computed) for `action`, from `source`
// with `ttl`: a SYN with MSS 1460 and window 1024, or an empty UDP datagram. DF is not set; the IP
// ID is the action's (never 0, so the kernel keeps it).
[[nodiscard]] std::vector<std::uint8_t> probe_packet(const DiscoveryAction& action, Ipv4Address source,
                                                     std::uint8_t ttl = 64);

} // namespace stackprint::discovery
