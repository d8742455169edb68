#include "stackprint/response_tests/u1.hpp"

#include <algorithm>
#include <array>

#include "stackprint/base/checksum.hpp"
#include "stackprint/response_tests/hex.hpp"

namespace stackprint::response_tests {

// U1.IPL
std::string u1_ipl_value(std::uint16_t outer_ip_total_length) { return hex(outer_ip_total_length); }

// U1.UN
std::string u1_un_value(std::uint32_t icmp_unused) { return hex16(icmp_unused); }

// U1.RIPL
std::string u1_ripl_value(std::uint16_t quoted_ip_total_length) {
  return quoted_ip_total_length == k_u1_ip_total_length ? "G" : hex(quoted_ip_total_length);
}

// U1.RID
std::string u1_rid_value(std::uint16_t quoted_ip_id, std::uint16_t sent_ip_id) {
  return quoted_ip_id == sent_ip_id ? "G" : hex(quoted_ip_id);
}

// U1.RIPCK
std::string u1_ripck_value(std::span<const std::uint8_t, 20> quoted_ip_header) {
  const auto field = static_cast<std::uint16_t>(quoted_ip_header[10] << 8 | quoted_ip_header[11]);
  if (field == 0) return "Z";
  std::array<std::uint8_t, 20> copy{};
  std::copy(quoted_ip_header.begin(), quoted_ip_header.end(), copy.begin());
  copy[10] = 0;
  copy[11] = 0;
  return stackprint::internet_checksum(copy) == field ? "G" : "I";
}

// U1.RUCK
std::string u1_ruck_value(std::uint16_t quoted_udp_checksum, std::uint16_t sent_udp_checksum) {
  return quoted_udp_checksum == sent_udp_checksum ? "G" : hex(quoted_udp_checksum);
}

// U1.RUD
std::string u1_rud_value(std::span<const std::uint8_t> returned_payload, std::uint8_t pattern) {
  return std::all_of(returned_payload.begin(), returned_payload.end(),
                     [pattern](std::uint8_t b) { return b == pattern; })
             ? "G"
             : "I";
}

std::span<const std::uint8_t> u1_returned_payload(std::span<const std::uint8_t> packet) {
  if (packet.size() < 20) return {};
  const std::size_t outer_ihl = static_cast<std::size_t>(packet[0] & 0x0Fu) * 4;
  const auto outer_total = static_cast<std::size_t>(packet[2] << 8 | packet[3]);
  const std::size_t quoted_ip = outer_ihl + 8; // after the ICMP header
  if (quoted_ip >= packet.size()) return {};
  const std::size_t quoted_ihl = static_cast<std::size_t>(packet[quoted_ip] & 0x0Fu) * 4;
  const std::size_t start = quoted_ip + quoted_ihl + 8; // after the quoted UDP header
  const std::size_t end = std::min(outer_total, packet.size());
  if (start >= end) return {};
  return packet.subspan(start, end - start);
}

} // namespace stackprint::response_tests
