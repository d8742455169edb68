#pragma once
// A captured IPv4 packet with its timestamp. The capture boundary copies bytes into this owned value
// (libpcap's buffers die after the callback), so everything downstream is independent of libpcap.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace stackprint {

// Microseconds since the Unix epoch, as capture files and the kernel report them.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

struct CapturedFrame {
  Timestamp time;
  std::vector<std::uint8_t> ip_packet; // starts at the IPv4 header
  // Ethernet source address when the frame was captured on an Ethernet link: a reply that carries
  // the target's own MAC tells that the target is on our segment (Nmap's DS=1, DC=D, M=...).
  std::optional<std::array<std::uint8_t, 6>> link_source;
};

} // namespace stackprint
