#pragma once
// Names of Nmap 7.93's OS-detection probes (osscan2), in Nmap's spelling.
//
// The TCP probes are numbered so that the enumerator value is the probe's source-port offset from
// tcpPortBase (Nmap correlates TCP replies by "reply destination port - tcpPortBase"):
//   SEQ1..SEQ6  0..5   the six sequence probes (SEQ, OPS, WIN lines; SEQ1's reply is also T1)
//   OPS1..OPS6  6..11  re-sends of SEQ i's shape, sent only when SEQ i's OPS/WIN data is missing
//                      (Nmap's "TOps" probe; the reply fills O_i and W_i)
//   ECN         12
//   T1..T7      13..19 T1 is a re-send of SEQ1's shape, sent only when SEQ1 got no reply
// followed by the ICMP and UDP probes IE1, IE2, U1.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace stackprint::probes {

enum class ProbeId : std::uint8_t {
  SEQ1,
  SEQ2,
  SEQ3,
  SEQ4,
  SEQ5,
  SEQ6,
  OPS1,
  OPS2,
  OPS3,
  OPS4,
  OPS5,
  OPS6,
  ECN,
  T1,
  T2,
  T3,
  T4,
  T5,
  T6,
  T7,
  IE1,
  IE2,
  U1,
};

inline constexpr std::size_t k_probe_count = 23;
inline constexpr std::size_t k_tcp_probe_count = 20; // SEQ1..T7

inline constexpr std::array<ProbeId, k_probe_count> k_all_probe_ids{
    ProbeId::SEQ1, ProbeId::SEQ2, ProbeId::SEQ3, ProbeId::SEQ4, ProbeId::SEQ5, ProbeId::SEQ6,
    ProbeId::OPS1, ProbeId::OPS2, ProbeId::OPS3, ProbeId::OPS4, ProbeId::OPS5, ProbeId::OPS6,
    ProbeId::ECN,  ProbeId::T1,   ProbeId::T2,   ProbeId::T3,   ProbeId::T4,   ProbeId::T5,
    ProbeId::T6,   ProbeId::T7,   ProbeId::IE1,  ProbeId::IE2,  ProbeId::U1};

// "SEQ1", "OPS3", "ECN", "T5", "IE2", "U1".
[[nodiscard]] std::string_view probe_name(ProbeId id);
// Inverse of probe_name (exact, case-sensitive).
[[nodiscard]] std::optional<ProbeId> probe_from_name(std::string_view name);

[[nodiscard]] constexpr bool is_tcp_probe(ProbeId id) { return static_cast<std::uint8_t>(id) < k_tcp_probe_count; }
[[nodiscard]] constexpr bool is_seq_probe(ProbeId id) {
  return static_cast<std::uint8_t>(id) <= static_cast<std::uint8_t>(ProbeId::SEQ6);
}
[[nodiscard]] constexpr bool is_ops_resend(ProbeId id) { return id >= ProbeId::OPS1 && id <= ProbeId::OPS6; }
// 0..5 for SEQ1..SEQ6 and OPS1..OPS6 (the SEQ sample index the probe serves); nullopt otherwise.
[[nodiscard]] constexpr std::optional<int> seq_index(ProbeId id) {
  if (is_seq_probe(id)) { return static_cast<int>(id); }
  if (is_ops_resend(id)) { return static_cast<int>(id) - static_cast<int>(ProbeId::OPS1); }
  return std::nullopt;
}

} // namespace stackprint::probes
