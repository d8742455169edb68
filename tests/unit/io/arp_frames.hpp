#pragma once

#include <cstdint>
#include <vector>

#include "stackprint/base/ipv4_address.hpp"

namespace stackprint::io::test {

// An Ethernet frame carrying ARP for IPv4 (RFC 826 layout, 28 bytes after the 14-byte header):
// OPERATION (1 request, 2 reply) from 02:11:22:33:44:55 / SENDER to TARGET, sent to 02:00:00:00:00:01.
inline std::vector<std::uint8_t> ethernet_arp(std::uint8_t operation, Ipv4Address sender, Ipv4Address target) {
  const std::vector<std::uint8_t> sender_mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
  std::vector<std::uint8_t> frame = {0x02, 0, 0, 0, 0, 0x01};
  frame.insert(frame.end(), sender_mac.begin(), sender_mac.end());
  const std::vector<std::uint8_t> arp_header = {0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, operation};
  frame.insert(frame.end(), arp_header.begin(), arp_header.end());
  const auto append_address = [&frame](Ipv4Address address) {
    for (const int shift : {24, 16, 8, 0}) { frame.push_back(static_cast<std::uint8_t>(address.value >> shift)); }
  };
  frame.insert(frame.end(), sender_mac.begin(), sender_mac.end());
  append_address(sender);
  frame.insert(frame.end(), 6, 0); // target hardware address: unknown in a request
  append_address(target);
  return frame;
}

} // namespace stackprint::io::test
