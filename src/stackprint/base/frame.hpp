#pragma once
// A captured IPv4 packet with its timestamp. The capture boundary copies bytes into this owned value
// (libpcap's buffers die after the callback), so everything downstream is independent of libpcap.

#include <chrono>
#include <cstdint>
#include <vector>

namespace stackprint {

// Microseconds since the Unix epoch, as capture files and the kernel report them.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

struct CapturedFrame {
  Timestamp time;
  std::vector<std::uint8_t> ip_packet; // starts at the IPv4 header
};

} // namespace stackprint
