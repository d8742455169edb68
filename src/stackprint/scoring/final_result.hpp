#pragma once
// Which round of a multi-round OS detection Nmap 7.93 reports (docs/nmap-behaviour.md 3.3).
//
// After each round the round's fingerprint is matched. A host is done as soon as a round's result
// is SUCCESS with at least one perfect match: that round's match is reported, and so is that
// round's SEQ data (uptime, tcpsequence, ipidsequence, tcptssequence).
// A host that used up its tries goes through findBestFPs: the first round with the highest best
// accuracy among rounds whose result is SUCCESS with at least one entry (stopping early at a round
// with a perfect match; TOOMANYMATCHES rounds are skipped); round 0 when no round qualifies. Its
// reported SEQ data is the LAST round's (Nmap copies the scan state left by the last try).

#include <cstddef>
#include <span>

#include "stackprint/scoring/matcher.hpp"

namespace stackprint::scoring {

struct FinalRound {
  std::size_t match_round = 0;    // 0-based round whose fingerprint gives the reported match
  std::size_t seq_round = 0;      // 0-based round whose SEQ data is reported
  bool matched_perfectly = false; // the host finished with a perfect match in match_round
  friend bool operator==(const FinalRound&, const FinalRound&) = default;
};

// `rounds`: the match result of every round that ran, in order. An empty span gives all zeros.
// Rounds after the first perfect SUCCESS are ignored (Nmap would not have run them).
[[nodiscard]] FinalRound choose_final_round(std::span<const MatchResult> rounds);

} // namespace stackprint::scoring
