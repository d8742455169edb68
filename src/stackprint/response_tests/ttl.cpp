#include "stackprint/response_tests/ttl.hpp"

#include "stackprint/response_tests/hex.hpp"

namespace stackprint::response_tests {

int distance_guess(std::uint8_t first_received_ttl) {
  return initial_ttl_guess(first_received_ttl) - first_received_ttl;
}

int u1_hop_distance(std::uint8_t u1_sent_ttl, std::uint8_t quoted_ttl) {
  return static_cast<int>(u1_sent_ttl) - static_cast<int>(quoted_ttl) + 1;
}

// T / TG: initial TTL, exact from the U1 distance or guessed.
TtlAttribute ttl_attribute(std::uint8_t received_ttl, std::optional<int> u1_hop_distance) {
  if (u1_hop_distance) return {"T", hex16(static_cast<std::int64_t>(received_ttl) + *u1_hop_distance - 1)};
  return {"TG", hex(static_cast<std::uint64_t>(initial_ttl_guess(received_ttl)))};
}

ScanDistance scan_distance(bool scanning_localhost, bool target_mac_known, std::optional<int> u1_hop_distance) {
  using fingerprint::DistanceMethod;
  if (scanning_localhost) return {0, DistanceMethod::localhost};
  if (target_mac_known) return {1, DistanceMethod::direct};
  if (u1_hop_distance) return {*u1_hop_distance, DistanceMethod::icmp};
  return {};
}

} // namespace stackprint::response_tests
