#include "stackprint/scoring/final_result.hpp"

namespace stackprint::scoring {

FinalRound choose_final_round(std::span<const MatchResult> rounds) {
  FinalRound final_round;
  if (rounds.empty()) return final_round;
  // The per-round check that ends a host's scan (endRound).
  for (std::size_t i = 0; i < rounds.size(); ++i) {
    if (rounds[i].outcome == Outcome::success && rounds[i].perfect_matches > 0) {
      final_round.match_round = i;
      final_round.seq_round = i;
      final_round.matched_perfectly = true;
      return final_round;
    }
  }
  // findBestFPs: strictly better best accuracy wins, so ties keep the earlier round.
  double best = 0.0;
  for (std::size_t i = 0; i < rounds.size(); ++i) {
    const MatchResult& r = rounds[i];
    if (r.outcome == Outcome::success && !r.matches.empty() && r.matches[0].accuracy > best) {
      best = r.matches[0].accuracy;
      final_round.match_round = i;
      if (r.perfect_matches > 0) break;
    }
  }
  final_round.seq_round = rounds.size() - 1;
  return final_round;
}

} // namespace stackprint::scoring
