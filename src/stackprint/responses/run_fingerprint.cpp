#include "stackprint/responses/run_fingerprint.hpp"

#include <algorithm>
#include <chrono>

#include "stackprint/fingerprint/merge.hpp"
#include "stackprint/response_tests/ttl.hpp"

namespace stackprint::responses {
namespace {

// The first reason of docs/nmap-behaviour.md 5.2 that applies. Timing level and send failures are not
// known here; the live engine adds them.
std::optional<std::string> not_ideal_reason(const RunFacts& facts, std::optional<int> distance, double max_timing_ratio,
                                            bool closed_udp_port_known) {
  if (scan_delay_is_not_ideal(facts.scan_delay_ms)) {
    return "Scan delay (" + std::to_string(facts.scan_delay_ms) + ") is greater than " +
           std::to_string(k_max_ideal_scan_delay_ms);
  }
  if (facts.timing_level >= 5) { return "Timing level 5 (Insane) used"; }
  if (!facts.open_tcp_port) { return "Missing an open TCP port so results incomplete"; }
  if (!facts.closed_tcp_port_known) { return "Missing a closed TCP port so results incomplete"; }
  if (distance && *distance < -1) {
    return "Host distance (" + std::to_string(*distance) + " network hops) is less than -1";
  }
  if (distance && *distance > 5) {
    return "Host distance (" + std::to_string(*distance) + " network hops) is greater than five";
  }
  if (max_timing_ratio > 1.4) { return "Timing ratio is greater than 1.4"; }
  if (!closed_udp_port_known && !facts.udp_port_scan) {
    return "Didn't receive UDP response. Please try again with -sSU";
  }
  return std::nullopt;
}

} // namespace

bool is_private_address(std::uint32_t address) {
  const auto a = address >> 24;
  const auto b = (address >> 16) & 0xFF;
  return a == 10 || (a == 172 && b >= 16 && b < 32) || (a == 169 && b == 254) || (a == 192 && b == 168);
}

RunFingerprint fingerprint_run(const std::vector<RoundInput>& rounds, const RunFacts& facts) {
  RunFingerprint result;
  RoundConditions conditions;
  conditions.ports.open_tcp_port_available = facts.open_tcp_port.has_value();
  conditions.ports.closed_tcp_port_from_port_scan = facts.closed_tcp_port_known;
  conditions.scanning_localhost = facts.scanning_localhost;
  conditions.scan_delay_ms = facts.scan_delay_ms;
  conditions.option_walk = facts.option_walk;

  std::optional<int> u1_hop_distance;
  bool u1_replied = false;
  double max_timing_ratio = 0.0;
  std::vector<fingerprint::Fingerprint> round_fingerprints;
  for (const RoundInput& round : rounds) {
    RoundAnalysis analysis = analyze_round(*round.replies, *round.context, conditions);
    if (analysis.u1_hop_distance) { u1_hop_distance = analysis.u1_hop_distance; }
    u1_replied = u1_replied || round.replies->u1.has_value();
    max_timing_ratio = std::max(max_timing_ratio, analysis.timing_ratio);
    round_fingerprints.push_back(analysis.fingerprint);
    result.rounds.push_back(std::move(analysis));
  }

  const auto distance =
      response_tests::scan_distance(facts.scanning_localhost, facts.direct_target_mac.has_value(), u1_hop_distance);
  result.distance = distance.distance;
  const bool closed_udp_known = facts.closed_udp_port_known || u1_replied;

  fingerprint::ScanLine& scan = result.scan;
  const auto days = std::chrono::floor<std::chrono::days>(facts.start);
  const std::chrono::year_month_day date{days};
  scan.month = static_cast<unsigned>(date.month());
  scan.day = static_cast<unsigned>(date.day());
  scan.open_tcp_port = facts.open_tcp_port;
  if (facts.closed_tcp_port_known) { scan.closed_tcp_port = facts.closed_tcp_port; }
  if (closed_udp_known) { scan.closed_udp_port = facts.closed_udp_port; }
  scan.private_address = is_private_address(facts.target_address);
  scan.distance = distance.distance;
  scan.distance_method = distance.method;
  if (facts.direct_target_mac && !facts.scanning_localhost) {
    const auto& mac = *facts.direct_target_mac;
    scan.mac_prefix = static_cast<std::uint32_t>(mac[0]) << 16 | static_cast<std::uint32_t>(mac[1]) << 8 | mac[2];
  }
  scan.time =
      static_cast<std::uint64_t>(std::chrono::floor<std::chrono::seconds>(facts.start).time_since_epoch().count());
  result.not_ideal_reason = not_ideal_reason(facts, distance.distance, max_timing_ratio, closed_udp_known);
  scan.good_for_submission = !result.not_ideal_reason;

  result.merged = fingerprint::merge_rounds(round_fingerprints, fingerprint::to_test_line(scan));

  std::vector<const RoundReplies*> replies;
  replies.reserve(rounds.size());
  for (const RoundInput& round : rounds) replies.push_back(round.replies);
  PortScanEvidence port_scan;
  port_scan.closed_tcp_port_answered = facts.closed_tcp_port_known;
  port_scan.closed_udp_port_answered = facts.closed_udp_port_known;
  port_scan.closed_tcp_ports_filtered = facts.closed_tcp_ports_filtered && !facts.closed_tcp_port_known;
  result.silence = judge_silences(replies, port_scan);
  return result;
}

} // namespace stackprint::responses
