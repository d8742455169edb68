#include "stackprint/scoring/final_result.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace stackprint::scoring {
namespace {

MatchResult result(Outcome outcome, std::vector<double> accuracies) {
  MatchResult r;
  r.outcome = outcome;
  for (std::size_t i = 0; i < accuracies.size(); ++i) {
    r.matches.push_back({i, accuracies[i]});
    if (accuracies[i] == 1.0) ++r.perfect_matches;
  }
  return r;
}

TEST(FinalRound, FirstPerfectRoundEndsTheHost) {
  const std::vector<MatchResult> rounds{result(Outcome::success, {0.97}), result(Outcome::success, {1.0, 0.9}),
                                        result(Outcome::success, {1.0})};
  EXPECT_EQ(choose_final_round(rounds), (FinalRound{1, 1, true}));
}

TEST(FinalRound, BestRoundWinsTiesKeepTheFirstAndSeqIsTheLast) {
  const std::vector<MatchResult> rounds{result(Outcome::success, {0.90}), result(Outcome::success, {0.96}),
                                        result(Outcome::success, {0.96}), result(Outcome::no_matches, {})};
  EXPECT_EQ(choose_final_round(rounds), (FinalRound{1, 3, false}));
}

TEST(FinalRound, TooManyMatchesRoundsAreSkipped) {
  // A TOOMANYMATCHES round holds perfect entries but is not SUCCESS.
  const std::vector<MatchResult> rounds{result(Outcome::too_many_matches, {1.0, 1.0}),
                                        result(Outcome::success, {0.88})};
  EXPECT_EQ(choose_final_round(rounds), (FinalRound{1, 1, false}));
}

TEST(FinalRound, NoRoundWithMatchesGivesRoundZero) {
  const std::vector<MatchResult> rounds{result(Outcome::too_many_matches, {1.0}), result(Outcome::no_matches, {})};
  EXPECT_EQ(choose_final_round(rounds), (FinalRound{0, 1, false}));
  EXPECT_EQ(choose_final_round({}), (FinalRound{0, 0, false}));
}

} // namespace
} // namespace stackprint::scoring
