#include "stackprint/output/host_report.hpp"

#include <algorithm>
#include <utility>

#include "stackprint/scoring/partial_match.hpp"

namespace stackprint::output {

const char* protocol_name(Protocol protocol) { return protocol == Protocol::udp ? "udp" : "tcp"; }

const char* port_state_name(PortState state) {
  switch (state) {
  case PortState::open: return "open";
  case PortState::closed: return "closed";
  case PortState::filtered: return "filtered";
  case PortState::unfiltered: return "unfiltered";
  case PortState::open_filtered: return "open|filtered";
  case PortState::closed_filtered: return "closed|filtered";
  }
  return "unknown";
}

const scoring::MatchResult& HostReport::final_match() const {
  static const scoring::MatchResult k_none{};
  if (final_round.match_round < round_matches.size()) return round_matches[final_round.match_round];
  return k_none;
}

const response_tests::SeqLineResult* HostReport::reported_seq() const {
  if (final_round.seq_round < run.rounds.size()) return &run.rounds[final_round.seq_round].seq;
  return nullptr;
}

void set_round_matches(HostReport& host, std::vector<scoring::MatchResult> round_matches) {
  host.round_matches = std::move(round_matches);
  host.final_round = scoring::choose_final_round(host.round_matches);
}

void match_rounds(HostReport& host, scoring::Matcher& matcher, bool partial_match) {
  // DIVERGENCE(nmap): tests blamed on a filter are matched as missing, not as R=N (partial_match.hpp).
  host.partial_match = partial_match;
  static const std::vector<std::string> k_none;
  const std::vector<std::string>& filtered = partial_match ? host.run.silence.filtered_tests : k_none;
  std::vector<scoring::MatchResult> round_matches;
  for (const auto& round : host.run.rounds) {
    round_matches.push_back(scoring::match_present_tests(matcher, round.fingerprint, filtered));
  }
  set_round_matches(host, std::move(round_matches));
}

bool os_results_unreliable(const std::vector<PortLine>& ports) {
  const auto any_tcp = [&ports](PortState state) {
    return std::any_of(ports.begin(), ports.end(),
                       [state](const PortLine& p) { return p.protocol == Protocol::tcp && p.state == state; });
  };
  return !any_tcp(PortState::open) || (!any_tcp(PortState::closed) && !any_tcp(PortState::unfiltered));
}

HostReport build_os_host_report(OsHostFacts facts, scoring::Matcher& matcher, bool partial_match) {
  HostReport report;
  report.address = facts.address;
  report.up = true;
  report.mac = facts.mac;
  report.status_reason =
      !facts.status_reason.empty() ? std::move(facts.status_reason) : (report.mac ? "arp-response" : "user-set");
  report.latency_s = facts.latency_s;
  report.ports = std::move(facts.ports);
  report.start_s = facts.start_s;
  report.end_s = facts.end_s;
  report.results_unreliable = os_results_unreliable(report.ports);
  report.run = std::move(facts.run);
  match_rounds(report, matcher, partial_match);
  report.round_replies = std::move(facts.round_replies);
  return report;
}

HostReport build_down_host_report(std::uint32_t address, std::int64_t start_s, std::int64_t end_s) {
  HostReport report;
  report.address = address;
  report.up = false;
  report.status_reason = "no-response";
  report.os_detection = false;
  report.start_s = start_s;
  report.end_s = end_s;
  return report;
}

} // namespace stackprint::output
