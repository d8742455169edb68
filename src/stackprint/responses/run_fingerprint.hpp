#pragma once
// The fingerprint of a whole OS-detection run against one host: each round analysed, the SCAN
// line (docs/nmap-behaviour.md 1.2), Nmap's "not ideal conditions" reason (5.2, which sets G and the
// layout) and the merged printed form (1.4). Shared by `stackprint replay` and live scans.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stackprint/base/frame.hpp"
#include "stackprint/fingerprint/fingerprint.hpp"
#include "stackprint/fingerprint/scan_line.hpp"
#include "stackprint/responses/probe_silence.hpp"
#include "stackprint/responses/round_analysis.hpp"

namespace stackprint::responses {

// Facts about a run that the per-round replies do not carry.
struct RunFacts {
  std::uint32_t target_address = 0;
  bool scanning_localhost = false;
  std::optional<std::uint16_t> open_tcp_port;   // probed open port (SEQ, ECN, T1-T4 were sent)
  std::optional<std::uint16_t> closed_tcp_port; // probed closed port
  std::optional<std::uint16_t> closed_udp_port; // probed closed UDP port
  bool closed_tcp_port_known = false;           // known closed from the port scan (CT)
  bool closed_udp_port_known = false;           // known closed from a UDP scan (CU)
  // The port scan probed TCP ports besides the open ones and got no answer from any of them.
  bool closed_tcp_ports_filtered = false;
  bool udp_port_scan = false; // a UDP port scan ran (Nmap's -sU)
  // The target's MAC when it is on our segment (Nmap then reports DS=1, DC=D, M=...).
  std::optional<std::array<std::uint8_t, 6>> direct_target_mac;
  std::int64_t scan_delay_ms = 0;
  int timing_level = 3; // Nmap's -T template; 5 makes conditions "not ideal"
  Timestamp start;      // for SCAN's D and TM
  response_tests::OptionWalk option_walk = response_tests::OptionWalk::nmap_7_93;
};

struct RunFingerprint {
  std::vector<RoundAnalysis> rounds;
  fingerprint::ScanLine scan;
  // Nmap's OmitSubmissionFP reason, nullopt when conditions were ideal (G=Y).
  std::optional<std::string> not_ideal_reason;
  std::optional<int> distance; // hop distance as reported (DS)
  // The printed fingerprint: SCAN plus the merged rounds.
  fingerprint::Fingerprint merged;
  // Which silent probes were blamed on a filter (probe_silence.hpp), from all rounds and the port
  // scan's answers (closed_tcp_port_known, closed_udp_port_known, closed_tcp_ports_filtered). The
  // printed lines stay Nmap's.
  SilenceVerdict silence;
};

// Analyses every round (replies with their probe contexts) and builds the printed fingerprint.
struct RoundInput {
  const RoundReplies* replies;
  const probes::ProbeContext* context;
};
[[nodiscard]] RunFingerprint fingerprint_run(const std::vector<RoundInput>& rounds, const RunFacts& facts);

// A scan delay above 500 ms is one of Nmap's not-ideal reasons (docs/nmap-behaviour.md 5.2): it
// names the reason here and caps the tries in the engine.
constexpr std::int64_t k_max_ideal_scan_delay_ms = 500;
[[nodiscard]] constexpr bool scan_delay_is_not_ideal(std::int64_t scan_delay_ms) {
  return scan_delay_ms > k_max_ideal_scan_delay_ms;
}

// PV: 10/8, 172.16/12, 169.254/16, 192.168/16 (127/8 is not private for Nmap).
[[nodiscard]] bool is_private_address(std::uint32_t address);

} // namespace stackprint::responses
