#pragma once
// Nmap 7.93's matching of one subject fingerprint against nmap-os-db (docs/nmap-behaviour.md 3.1, 3.2):
// compare_fingerprints (overlap-only point sums) and match_fingerprint (entrance 0.85, at most 36
// results, dedup by name, perfect-match counting, TOOMANYMATCHES / NOMATCHES).
//
// Speed (>= 20,000 full-database matches per second on one core). A Matcher compiles the
// database once into a column-grouped layout (ARCHITECTURE.md, "scoring/"):
// - Cells. Every weighted (test, attribute) slot of a reference holds one distinct (slot, expression)
//   pair, a "cell". Per subject, each cell's score (its weight if the subject has the attribute, and
//   whether the expression accepts the value) is worked out at most once. Cells made of plain literals
//   only (about 80% of nmap-os-db: `Y`, `M5B4ST11`, `A|AS`) are settled for the whole subject by a
//   few hash lookups per subject attribute; numeric ones are evaluated lazily on compact interval
//   lists, the rest with Expression::matches.
// - Groups and tuples. The slots are partitioned into groups of correlated attributes (all R flags,
//   all TTLs, OPS with ECN.O, ...; see k_group_plan in matcher.cpp). Within a group the references
//   share few distinct cell tuples, so a reference is one tuple id per group and a tuple's score is
//   summed once per subject and reused by every reference that has it: up front in fixed-width rows
//   for the tree groups and OPS (nearly all of their tuples are needed), lazily for the others.
// - Pass 1, without branches on the data (a changing subject makes such branches unpredictable, and
//   their mispredictions cost more than the sums): the references are sorted by the tuples of the
//   leading, low-cardinality groups into a prefix tree stored level by level, each node's partial
//   sum is its parent's plus one tuple score, and each reference reads its leaf. A reference whose
//   best possible accuracy (all the subject's remaining weight matching) is below the guess threshold
//   is dropped by a compacting sweep; two more sweeps add the option strings and windows, which drop
//   most of the rest. Testing the leaves only is enough: that bound only falls as groups are added.
// - Pass 2: the survivors, in database order, are finished with Nmap's rising entrance (the 36th
//   entry's accuracy), abandoning a reference as soon as its misses make the entrance unreachable.
//   Both cuts only drop references that could never be listed, so the result is exactly the plain
//   algorithm's (tests/unit/scoring compare it with a naive implementation).
//
// A Matcher holds per-subject scratch memory and is not thread-safe; use one per thread. No state
// survives from one subject to the next (no cross-subject cache), unless remember() asks it to keep
// the results of the last few subjects: a live scan matches each round twice, once to judge it
// (session::round_judge) and once for the host's report, and the result is a function of the
// subject's test lines alone, so an equal subject gets the kept result.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stackprint/database/os_db.hpp"
#include "stackprint/fingerprint/fingerprint.hpp"
#include "stackprint/scoring/literal_table.hpp"

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
  std::vector<Match> matches;      // Nmap's order: descending accuracy, ties in DB order
  std::size_t perfect_matches = 0; // the first `perfect_matches` entries have accuracy 1.0
  friend bool operator==(const MatchResult&, const MatchResult&) = default;
};

struct MatchOptions {
  database::Semantics semantics = database::Semantics::nmap_7_93;
  double threshold = k_guess_threshold;
};

class Matcher {
public:
  // Compiles the layout described above (a few milliseconds for nmap-os-db). `db` must outlive
  // the Matcher.
  explicit Matcher(const database::OsDb& db, MatchOptions options = {});

  // The whole DB scan (match_fingerprint). The subject's SCAN line is ignored.
  [[nodiscard]] MatchResult match(const fingerprint::Fingerprint& subject);

  // From now on, keeps the results of the last `subjects` subjects matched (0: none, the default)
  // and answers match() for an equal subject from them.
  void remember(std::size_t subjects);

  // One reference, fully (compare_fingerprints, no early exit).
  [[nodiscard]] Score compare(const fingerprint::Fingerprint& subject, std::size_t reference);

  [[nodiscard]] const database::OsDb& db() const { return *m_db; }

  // The sizes of the compiled layout (for tests and the benchmark's counters).
  struct Layout {
    std::size_t cells = 0;
    std::size_t groups = 0;
    std::size_t tree_groups = 0; // the leading groups that form the prefix tree
    std::size_t tree_nodes = 0;  // stored nodes (without the root and the last group's level)
    std::size_t tuples = 0;
  };
  [[nodiscard]] Layout layout() const;

private:
  // How a cell is evaluated.
  enum class CellKind : std::uint8_t {
    literals,  // plain literals only: settled per subject through m_literal_index
    intervals, // numeric alternatives only: a list of closed intervals in m_intervals
    general,   // anything else: database::Expression::matches
  };
  // A closed interval; low > high is empty. open_above marks "> x" under the fixed semantics,
  // which also accepts values of more than 32 bits.
  struct Interval {
    std::uint32_t low = 0;
    std::uint32_t high = 0;
    bool open_above = false;
  };
  struct CellInfo {
    std::uint32_t pair = 0;  // OsDb::slot_expression id
    std::uint32_t first = 0; // first interval of the cell
    std::uint16_t count = 0;
    CellKind kind = CellKind::general;
    std::uint16_t weight = 0;
    std::uint16_t slot = 0;
  };
  // Packed scores are matched << 16 | total; a group's weights add up to less than 65535, so this
  // value can never be a real score.
  static constexpr std::uint32_t k_unknown = 0xFFFFFFFFU;

  // Returns the cell of each OsDb slot_expression id.
  [[nodiscard]] std::vector<std::uint32_t> compile_cells();
  void compile_groups(const std::vector<std::uint32_t>& pair_cell);
  void build_tree();

  void load_subject(const fingerprint::Fingerprint& subject);
  void mark_matched(LiteralTable::Range cells);
  [[nodiscard]] std::uint32_t evaluate_cell(std::uint32_t cell) const;
  [[nodiscard]] std::uint32_t tuple_score(std::uint32_t tuple) {
    const std::uint32_t score = m_tuple_scores[tuple];
    return score != k_unknown ? score : evaluate_tuple(tuple);
  }
  // Sums the tuple's cells (evaluating those not settled yet) into m_tuple_scores.
  std::uint32_t evaluate_tuple(std::uint32_t tuple);
  void set_entrance(double entrance);
  [[nodiscard]] bool hopeless(std::uint64_t bound, std::uint64_t missed) const {
    return ((bound - missed) << 24U) < m_exit_scale * bound;
  }
  // Pass 1 (threshold cuts, no data-dependent branches): the tree levels, then the sweep groups.
  // Leaves the survivors in m_candidate_* (database order) and returns how many there are.
  [[nodiscard]] std::size_t select_candidates();
  // Scores `reference` from group `depth` on; false when it provably cannot reach the entrance.
  [[nodiscard]] bool finish(std::uint32_t reference, std::size_t depth, std::uint32_t total, std::uint32_t missed,
                            Score& out);

  const database::OsDb* m_db;
  MatchOptions m_options;

  // Cells: the distinct (slot, expression) pairs, i.e. OsDb::slot_expression ids.
  std::vector<std::uint32_t> m_cell_template; // per cell: its score for a present, non-matching literal, or k_unknown
  std::vector<CellInfo> m_cells;
  std::vector<Interval> m_intervals;
  std::vector<std::uint32_t> m_slot_cells_first; // per slot (+1): its cells are one id range
  // The literal cells that accept a value, by (slot, value), or by (slot, a prefix of the value)
  // for 7.93's non-last alternatives, which it compares with strncmp over their length. The ranges
  // index m_literal_hits.
  LiteralTable m_literals;
  std::vector<std::uint32_t> m_literal_hits;
  std::vector<std::uint32_t> m_prefix_sizes_first; // per slot (+1): its range in m_prefix_sizes
  std::vector<std::uint32_t> m_prefix_sizes;       // per slot: the distinct prefix key sizes, ascending
  std::vector<std::uint8_t> m_slot_has_exact;      // per slot: 1 when it has exact keys

  // Groups, tuples and references.
  std::size_t m_group_count = 0;
  std::size_t m_tree_depth = 0;                   // the first m_tree_depth groups form the prefix tree
  std::vector<std::uint16_t> m_slot_group;        // per slot; k_no_group for weight-0 slots
  std::vector<std::uint32_t> m_tuple_cells_first; // per tuple (+1): range in m_tuple_cells
  std::vector<std::uint32_t> m_tuple_cells;
  std::vector<std::uint32_t> m_rows; // references x groups: tuple ids
  // The tree groups' tuples as fixed-width cell rows: group g's tuples begin .. end-1 have `width`
  // cells each from m_tree_tuple_cells[first_cell] on (the zero cell where the attribute is absent).
  struct TreeSpan {
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
    std::uint32_t width = 0;
    std::uint32_t first_cell = 0;
  };
  std::vector<TreeSpan> m_tree_spans;
  std::vector<std::uint32_t> m_tree_tuple_cells;
  std::vector<std::uint32_t> m_tree_lazy_cells; // tree cells not settled by the literal lookups
  // The prefix tree, stored level by level: node 0 is the root, level d's nodes are ids
  // m_level_first[d] .. m_level_first[d+1]-1 (the references sharing the tuples of groups 0..d).
  // The last tree group has no level: each reference adds its own tuple to its parent's sum.
  std::vector<std::uint32_t> m_level_first;
  std::vector<std::uint32_t> m_node_parent;
  std::vector<std::uint32_t> m_node_tuple;     // the tuple of group d (the node's level)
  std::vector<std::uint32_t> m_ref_parent;     // per reference: its node on the last stored level
  std::vector<std::uint32_t> m_ref_last_tuple; // per reference: its tuple of the last tree group
  std::uint32_t m_zero_tuple = 0;              // a tuple id whose score is always 0
  std::vector<std::uint32_t> m_sweep_columns;  // the sweep groups' tuple ids, column by column
  std::size_t m_eager_end = 0;                 // groups 0 .. m_eager_end-1 are summed in load_subject
  std::size_t m_sweep_end = 0;                 // groups m_tree_depth .. m_sweep_end-1 are swept in pass 1
  std::vector<std::uint32_t> m_name_ids;       // interned reference names, for the dedup

  // Results kept by remember(): a ring, found by a hash of the subject's test lines.
  struct Remembered {
    std::uint64_t hash = 0;
    std::vector<fingerprint::TestLine> tests;
    MatchResult result;
  };
  std::vector<Remembered> m_remembered;
  std::size_t m_remember_limit = 0;
  std::size_t m_remember_next = 0;
  [[nodiscard]] MatchResult match_uncached(const fingerprint::Fingerprint& subject);

  // Per-subject state.
  struct Lookup {
    std::uint64_t hash = 0;
    std::string_view text;
    std::uint16_t slot = 0;
    LiteralTable::Kind kind = LiteralTable::Kind::exact;
  };
  std::vector<Lookup> m_lookups;                   // the subject's literal lookups (capacity reserved once)
  std::vector<database::ObservedValue> m_observed; // per slot
  std::vector<std::uint8_t> m_present;             // per slot
  std::vector<std::uint32_t> m_cell_scores;        // per cell (+ the zero cell): packed score or k_unknown
  std::vector<std::uint32_t> m_tuple_scores;       // per tuple: packed score or k_unknown
  std::vector<std::uint32_t> m_subject_rest;       // groups+1: subject weight in groups k.. (a bound)
  std::vector<std::uint32_t> m_node_score;         // per tree node: packed sum of groups 0..level
  std::vector<std::uint32_t> m_candidate_ref;      // pass 1's survivors, in database order
  std::vector<std::uint32_t> m_candidate_total;
  std::vector<std::uint32_t> m_candidate_missed;
  // Early exit when (bound - missed) * 2^24 < m_exit_scale * bound (m_exit_scale <= (entrance-margin) * 2^24).
  std::uint64_t m_exit_scale = 0;
};

} // namespace stackprint::scoring
