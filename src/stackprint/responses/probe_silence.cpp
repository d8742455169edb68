#include "stackprint/responses/probe_silence.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace stackprint::responses {
namespace {

using probes::ProbeId;

struct SilenceRule {
  std::string_view test;
  std::array<ProbeId, 2> probes; // either of these sent makes the line "sent" (may be the same twice)
};

// The lines that print R=N when their probes go unanswered (omission.hpp), in Nmap's order.
const std::array<SilenceRule, 10>& silence_rules() {
  static const std::array<SilenceRule, 10> rules{{
      {"ECN", {ProbeId::ECN, ProbeId::ECN}},
      {"T1", {ProbeId::SEQ1, ProbeId::T1}},
      {"T2", {ProbeId::T2, ProbeId::T2}},
      {"T3", {ProbeId::T3, ProbeId::T3}},
      {"T4", {ProbeId::T4, ProbeId::T4}},
      {"T5", {ProbeId::T5, ProbeId::T5}},
      {"T6", {ProbeId::T6, ProbeId::T6}},
      {"T7", {ProbeId::T7, ProbeId::T7}},
      {"U1", {ProbeId::U1, ProbeId::U1}},
      {"IE", {ProbeId::IE1, ProbeId::IE2}},
  }};
  return rules;
}

bool answered(const RoundReplies& round, std::string_view test) {
  if (test == "ECN") return round.ecn.has_value();
  if (test == "U1") return round.u1.has_value();
  if (test == "IE") return round.echo[0].has_value() || round.echo[1].has_value();
  // "T1".."T7"
  const auto index = static_cast<std::size_t>(test[1] - '1');
  return round.t[index].has_value();
}

bool sent(const RoundReplies& round, const SilenceRule& rule) {
  return std::any_of(rule.probes.begin(), rule.probes.end(),
                     [&](ProbeId id) { return round.sends[static_cast<std::size_t>(id)] > 0; });
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

} // namespace

SilenceVerdict judge_silences(const std::vector<const RoundReplies*>& rounds, const PortScanEvidence& port_scan) {
  SilenceVerdict verdict;
  for (const SilenceRule& rule : silence_rules()) {
    bool was_sent = false;
    bool was_answered = false;
    for (const RoundReplies* round : rounds) {
      was_sent = was_sent || sent(*round, rule);
      was_answered = was_answered || answered(*round, rule.test);
    }
    if (was_sent && !was_answered) verdict.silent_tests.emplace_back(rule.test);
  }

  if (port_scan.closed_tcp_port_answered && contains(verdict.silent_tests, "T5")) {
    verdict.evidence = "the closed TCP port answered the port scan but never T5";
  } else if (port_scan.closed_udp_port_answered && contains(verdict.silent_tests, "U1")) {
    verdict.evidence = "the closed UDP port answered the port scan but never U1";
  }
  if (!verdict.evidence.empty()) {
    verdict.filtered_tests = verdict.silent_tests;
    return verdict;
  }
  if (port_scan.closed_tcp_ports_filtered && contains(verdict.silent_tests, "T5")) {
    verdict.evidence = "no TCP port but the open ones answered the port scan, nor did T5";
    for (const std::string& test : verdict.silent_tests) {
      if (test == "T5" || test == "T6" || test == "T7" || test == "U1") verdict.filtered_tests.push_back(test);
    }
  }
  return verdict;
}

} // namespace stackprint::responses
