#pragma once
// From the replies of one round to that round's subject fingerprint (Nmap's makeFP for one try):
// pulls header fields out of the parsed replies and hands them to the response tests
// (response_tests/), applying the omission rules for missing replies. The printed fingerprint of
// a whole run merges several rounds (fingerprint/merge.hpp); matching uses one round's.

#include <cstdint>
#include <optional>

#include "stackprint/fingerprint/fingerprint.hpp"
#include "stackprint/probes/probe_catalogue.hpp"
#include "stackprint/response_tests/omission.hpp"
#include "stackprint/response_tests/seq.hpp"
#include "stackprint/response_tests/tcp_options.hpp"
#include "stackprint/responses/round_replies.hpp"

namespace stackprint::responses {

// What the analysis must know beyond the replies.
struct RoundConditions {
  response_tests::PortKnowledge ports;
  bool scanning_localhost = false;
  std::int64_t scan_delay_ms = 0;
  response_tests::OptionWalk option_walk = response_tests::OptionWalk::nmap_7_93;
};

struct RoundAnalysis {
  // Tests only (SEQ, OPS, WIN, ECN, T1..T7, U1, IE as present); the SCAN line is built by the caller.
  fingerprint::Fingerprint fingerprint;
  response_tests::SeqLineResult seq;
  // Hop distance learnt from the U1 reply (nullopt without one).
  std::optional<int> u1_hop_distance;
  // (send time of SEQ6 - send time of the first answered SEQ probe) / 500 ms, as Nmap 7.93 computes
  // it after compacting the SEQ arrays (docs/nmap-behaviour.md 4.7); 0 when SEQ was not sent.
  double timing_ratio = 0.0;
};

[[nodiscard]] RoundAnalysis analyze_round(const RoundReplies& replies, const probes::ProbeContext& context,
                                          const RoundConditions& conditions);

} // namespace stackprint::responses
