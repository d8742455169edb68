#pragma once
// U1 tests on the ICMP port-unreachable reply (docs/nmap-behaviour.md Appendix B; Nmap's processTUdpResp):
// IPL, UN, RIPL, RID, RIPCK, RUCK, RUD. R, DF and T/TG come from tcp_reply.hpp and ttl.hpp (outer
// header). Values are hex as %hX.

#include <cstdint>
#include <span>
#include <string>

namespace stackprint::response_tests {

// What Nmap's U1 probe carries (docs/nmap-behaviour.md 4.4).
inline constexpr std::uint16_t k_u1_ip_total_length = 328;
inline constexpr std::uint16_t k_u1_ip_id = 0x1042;
inline constexpr std::uint8_t k_u1_payload_byte = 0x43; // 'C'

// IPL: total length of the ICMP error packet (outer IP header field).
[[nodiscard]] std::string u1_ipl_value(std::uint16_t outer_ip_total_length);

// UN: the 4 "unused" bytes of the ICMP header read as a big-endian u32; only the low 16 bits are
// printed (%hX on a 32-bit value).
[[nodiscard]] std::string u1_un_value(std::uint32_t icmp_unused);

// RIPL: "G" if the quoted IP total length is 328, else its hex.
[[nodiscard]] std::string u1_ripl_value(std::uint16_t quoted_ip_total_length);

// RID: "G" if the quoted IP ID equals the one sent (0x1042), else its hex.
[[nodiscard]] std::string u1_rid_value(std::uint16_t quoted_ip_id, std::uint16_t sent_ip_id = k_u1_ip_id);

// RIPCK (checksum of base/checksum.hpp): "Z" if the quoted IP header's checksum field (bytes 10-11) is 0; otherwise the
// checksum is recomputed over exactly these first 20 quoted bytes with the field zeroed (quoted options are ignored):
// "G" if it equals the field, else "I".
[[nodiscard]] std::string u1_ripck_value(std::span<const std::uint8_t, 20> quoted_ip_header);

// RUCK: "G" if the quoted UDP checksum equals the one sent, else its hex.
[[nodiscard]] std::string u1_ruck_value(std::uint16_t quoted_udp_checksum, std::uint16_t sent_udp_checksum);

// RUD: "G" if every byte of `returned_payload` is 'C' (also when it is empty), else "I".
// `returned_payload` runs from the quoted UDP payload (quoted IP header length, from the quoted
// IHL, + 8 bytes of UDP header) to the end of the outer packet per the OUTER IP total length.
// DIVERGENCE(nmap): bytes beyond the capture, which Nmap would read, are not passed.
[[nodiscard]] std::string u1_rud_value(std::span<const std::uint8_t> returned_payload,
                                       std::uint8_t pattern = k_u1_payload_byte);

// The `returned_payload` span of u1_rud_value cut from a whole ICMP error packet (outer IP header
// first), using the outer IHL and total length and the quoted IHL exactly as Nmap does, clamped to
// the captured bytes. Empty when the offsets fall outside the packet.
[[nodiscard]] std::span<const std::uint8_t> u1_returned_payload(std::span<const std::uint8_t> outer_ip_packet);

} // namespace stackprint::response_tests
