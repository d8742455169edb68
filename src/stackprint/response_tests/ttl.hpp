#pragma once
// T versus TG, the U1 hop distance, and the SCAN line's DS/DC (docs/nmap-behaviour.md 4.9; Nmap's makeFP
// and processTUdpResp).

#include <cstdint>
#include <optional>
#include <string>

#include "stackprint/base/ttl_guess.hpp"
#include "stackprint/fingerprint/scan_line.hpp"

namespace stackprint::response_tests {

// get_initial_ttl_guess is stackprint::initial_ttl_guess (base/ttl_guess.hpp).

// Nmap's distance_guess (used only by traceroute, never printed): initial guess - ttl of the first
// test processed (order ECN, T1..T7, U1, IE).
[[nodiscard]] int distance_guess(std::uint8_t first_received_ttl);

// Hop distance learnt from the U1 reply: TTL U1 was sent with (udpttl, 51..64) minus the TTL of the
// IP header quoted in the ICMP error, plus 1. Can be <= 0 or large with odd middleboxes.
[[nodiscard]] int u1_hop_distance(std::uint8_t u1_sent_ttl, std::uint8_t quoted_ttl);

// The TTL attribute of a test line (ECN, T1..T7, U1, IE).
struct TtlAttribute {
  std::string name;  // "T" or "TG"
  std::string value; // hex
  friend bool operator==(const TtlAttribute&, const TtlAttribute&) = default;
};

// T: with a U1 hop distance, T = %hX(received_ttl + hop_distance - 1) (low 16 bits of the int sum,
// so a negative sum prints as e.g. "FFFF"). TG: without one, TG = %hX(initial_ttl_guess(ttl)).
[[nodiscard]] TtlAttribute ttl_attribute(std::uint8_t received_ttl, std::optional<int> u1_hop_distance);

// SCAN.DS and SCAN.DC.
struct ScanDistance {
  std::optional<int> distance;                       // DS, decimal
  std::optional<fingerprint::DistanceMethod> method; // DC
  friend bool operator==(const ScanDistance&, const ScanDistance&) = default;
};

// localhost -> DS=0 DC=L; else a known MAC (same segment) -> DS=1 DC=D; else a U1 reply ->
// DS=hop distance DC=I; else both left out. (T may use the U1 distance even when DS comes from
// the MAC.)
[[nodiscard]] ScanDistance scan_distance(bool scanning_localhost, bool target_mac_known,
                                         std::optional<int> u1_hop_distance);

} // namespace stackprint::response_tests
