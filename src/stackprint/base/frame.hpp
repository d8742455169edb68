#pragma once
// A captured IPv4 packet (or, from a live Ethernet capture, an ARP packet) with its timestamp. The capture boundary
// copies bytes into this owned value (libpcap's buffers die after the callback), so everything downstream is
// independent of libpcap.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace stackprint {

// Microseconds since the Unix epoch, as capture files and the kernel report them.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// The size of an ARP packet for IPv4 over Ethernet, without the Ethernet header.
inline constexpr std::size_t k_arp_packet_bytes = 28;

struct CapturedFrame {
  Timestamp time;
  std::vector<std::uint8_t> ip_packet; // starts at the IPv4 header
  // Ethernet source address when the frame was captured on an Ethernet link: a reply that carries
  // the target's own MAC tells that the target is on our segment (Nmap's DS=1, DC=D, M=...).
  std::optional<std::array<std::uint8_t, 6>> link_source;
  // Set instead of ip_packet (which is then empty) for an ARP request or reply captured live on
  // Ethernet: its sender protocol address (host byte order). The host that sent it is on our
  // segment and up whatever becomes of its IP traffic, as Nmap's ARP ping concludes
  // (discovery/port_discovery.hpp).
  std::optional<std::uint32_t> arp_sender = std::nullopt;
};

} // namespace stackprint
