#pragma once
// Nmap 7.93's matching of one subject fingerprint against nmap-os-db (facts 3.1, 3.2):
// compare_fingerprints (overlap-only point sums) and match_fingerprint (entrance 0.85, at most 36
// results, dedup by name, perfect-match counting, TOOMANYMATCHES / NOMATCHES).
//
// Speed: a Matcher holds per-subject scratch memory. Each distinct (slot, expression) pair and each
// distinct reference test line is evaluated at most once per subject (lazy memo), tests are visited
// in descending weight order, and a reference is abandoned as soon as its missed points make it
// impossible to reach the current entrance accuracy. The abandon test keeps a safety margin, so the
// result is exactly the one of the plain algorithm (references dropped early could never have been
// listed). A Matcher is not thread-safe; use one per thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "stackprint/database/os_db.hpp"
#include "stackprint/fingerprint/fingerprint.hpp"

namespace stackprint::scoring {

// OSSCAN_GUESS_THRESHOLD: the same entrance is used with or without --osscan-guess.
inline constexpr double k_guess_threshold = 0.85;
// MAX_FP_RESULTS.
inline constexpr std::size_t k_max_results = 36;

enum class Outcome {
  success,          // OSSCAN_SUCCESS: at least one reference entered the list
  no_matches,       // OSSCAN_NOMATCHES: the list stayed empty
  too_many_matches, // OSSCAN_TOOMANYMATCHES: a 37th perfect match was found; scanning stopped
};

// Points of one comparison. accuracy() is Nmap's ratio: matched / total, or 0 when total is 0.
struct Score {
  std::uint32_t matched = 0;
  std::uint32_t total = 0;
  [[nodiscard]] double accuracy() const {
    return total == 0 ? 0.0 : static_cast<double>(matched) / static_cast<double>(total);
  }
};

struct Match {
  std::size_t reference = 0; // index into OsDb::references()
  double accuracy = 0.0;
  friend bool operator==(const Match&, const Match&) = default;
};

struct MatchResult {
  Outcome outcome = Outcome::no_matches;
  std::vector<Match> matches; // Nmap's order: descending accuracy, ties in DB order
  std::size_t perfect_matches = 0; // the first `perfect_matches` entries have accuracy 1.0
  friend bool operator==(const MatchResult&, const MatchResult&) = default;
};

struct MatchOptions {
  database::Semantics semantics = database::Semantics::nmap_7_93;
  double threshold = k_guess_threshold;
};

class Matcher {
public:
  explicit Matcher(const database::OsDb& db, MatchOptions options = {});

  // The whole DB scan (match_fingerprint). The subject's SCAN line is ignored.
  [[nodiscard]] MatchResult match(const fingerprint::Fingerprint& subject);

  // One reference, fully (compare_fingerprints, no early exit).
  [[nodiscard]] Score compare(const fingerprint::Fingerprint& subject, std::size_t reference);

  [[nodiscard]] const database::OsDb& db() const { return *db_; }

private:
  // Per-subject memo states. Line scores are packed as matched << 16 | total (both fit in 16 bits,
  // the parser guarantees it). Expression states are bit sets so that scoring needs no branch:
  // bit 0 = the subject has the attribute (its weight counts), bit 1 = the expression matched.
  static constexpr std::uint32_t k_line_unknown = 0xFFFFFFFFU;
  static constexpr std::uint8_t k_unknown = 0x80;
  static constexpr std::uint8_t k_absent = 0;
  static constexpr std::uint8_t k_no = 1;
  static constexpr std::uint8_t k_yes = 3;

  void load_subject(const fingerprint::Fingerprint& subject);
  [[nodiscard]] std::uint8_t expression_state(std::uint32_t slot_expression, std::uint16_t slot);
  // Scores a line (all attributes) and stores the packed result in line_state_.
  [[nodiscard]] std::uint32_t evaluate_line(std::uint32_t line);
  void set_entrance(double entrance);
  // Full score of `reference` into `out`, or false when it provably cannot reach the entrance set
  // by set_entrance().
  [[nodiscard]] bool score_reference(std::size_t reference, Score& out);

  const database::OsDb* db_;
  MatchOptions options_;
  std::size_t num_tests_ = 0;
  std::vector<std::uint16_t> test_order_;         // tests in visiting order (see the constructor)
  // references x tests, in test_order_; k_unique_line marks a line no other reference shares.
  static constexpr std::uint32_t k_unique_line = 0x80000000U;
  std::vector<std::uint32_t> ordered_lines_;
  std::vector<database::LineAttribute> sorted_attributes_; // each line's weighted attributes, heaviest first
  std::vector<std::uint32_t> sorted_first_;                 // line -> first index in sorted_attributes_ (+ end)
  std::vector<std::uint32_t> reference_suffix_;   // references x (tests+1): max weight still to come
  std::vector<std::uint32_t> name_ids_;           // interned reference names, for the dedup

  // Per-subject state.
  std::vector<database::ObservedValue> observed_; // per slot
  std::vector<std::uint8_t> present_;             // per slot
  std::vector<std::uint32_t> subject_suffix_;     // tests+1: subject's weight still to come
  std::vector<std::uint8_t> expression_state_;    // per slot-expression
  std::vector<std::uint32_t> line_state_;         // per line
  // Early exit when (bound - missed) * 2^24 < exit_scale_ * bound (exit_scale_ <= (entrance-margin) * 2^24).
  std::uint64_t exit_scale_ = 0;
};

} // namespace stackprint::scoring
