#include "stackprint/scoring/matcher.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <unordered_map>

namespace stackprint::scoring {

namespace {

// The early exit drops a reference only when its best possible accuracy is below the entrance by
// more than this; floating-point rounding of a ratio of small integers is far below it.
constexpr double k_exit_margin = 1e-9;

constexpr std::uint32_t k_none = 0xFFFFFFFFU;
constexpr std::uint16_t k_no_group = 0xFFFF;
// A group's weights must add up to less than this, so that its packed score fits 16 + 16 bits and
// never equals Matcher::k_unknown.
constexpr std::uint32_t k_max_group_weight = 65534;

// The attribute groups, in visiting order. Patterns are TEST.ATTRIBUTE with '*' for any test or any
// attribute; a slot goes to the first group that names it, and weighted slots no group names get
// one group per test at the end (so any MatchPoints block works; unknown names cost only speed).
// Why these groups (measured on the installed nmap-os-db with the 44 recorded Linux subjects and the
// bench subjects; see ARCHITECTURE.md): attributes that are the same property seen by several probes
// (the R flags, DF bits, TTLs, windows, options) take few distinct value combinations across the
// references, so grouping them keeps the number of distinct tuples per group near that of a single
// column. The first k_tree_groups groups are heavy and have few distinct tuples (the ten R flags:
// 840 points in 117 tuples); they form the prefix tree and drop most references after a handful of
// shared sums. The high-cardinality groups (option strings, windows, SP/ISR ranges) come after, where
// only references near the entrance still go; OPS and WIN first there because they drop the most.
constexpr std::array<std::string_view, 14> k_group_plan = {
    "*.R",                                          // every test's response flag
    "ECN.CC U1.IPL IE.CD",                          // heavy, few values
    "SEQ.TI SEQ.CI SEQ.II SEQ.SS",                  // IP ID classes
    "SEQ.TS",                                       // timestamp rate
    "U1.UN U1.RIPL U1.RID U1.RIPCK U1.RUCK U1.RUD", // the quoted-packet checks
    "*.DF IE.DFI",                                  // don't-fragment behaviour
    "SEQ.GCD",                                      // end of the prefix tree
    "OPS.* ECN.O",                                  // TCP option strings
    "WIN.* ECN.W",                                  // SYN/ACK windows
    "SEQ.SP SEQ.ISR",                               // sequence ranges
    "*.S *.A *.F *.RD *.Q *.TG",                    // the remaining low-cardinality TCP fields
    "*.W",                                          // RST windows
    "*.T",                                          // TTLs
    "*.O",                                          // RST options
};
constexpr std::size_t k_tree_groups = 7;
// The groups after the tree that pass 1 sums for every survivor (OPS and WIN: they cut the most).
constexpr std::size_t k_sweep_groups = 2;
// Of those, the groups whose tuples are summed for every subject up front (like the tree's): OPS has
// many tuples, and about 40% of them are needed, each costing mispredictions when summed lazily.
constexpr std::size_t k_eager_sweep_groups = 1;

bool pattern_matches(std::string_view pattern, std::string_view test, std::string_view attribute) {
  const std::size_t dot = pattern.find('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view p_test = pattern.substr(0, dot);
  const std::string_view p_attribute = pattern.substr(dot + 1);
  return (p_test == "*" || p_test == test) && (p_attribute == "*" || p_attribute == attribute);
}

bool plan_entry_names(std::string_view entry, std::string_view test, std::string_view attribute) {
  while (!entry.empty()) {
    const std::size_t space = entry.find(' ');
    const std::string_view pattern = entry.substr(0, space);
    if (!pattern.empty() && pattern_matches(pattern, test, attribute)) return true;
    if (space == std::string_view::npos) break;
    entry.remove_prefix(space + 1);
  }
  return false;
}

std::uint32_t packed(std::uint32_t matched, std::uint32_t total) { return (matched << 16U) | total; }

} // namespace

Matcher::Matcher(const database::OsDb& db, MatchOptions options) : m_db(&db), m_options(options) {
  compile_groups(compile_cells());
  build_tree();

  const std::size_t refs = db.references().size();
  std::unordered_map<std::string_view, std::uint32_t> names;
  m_name_ids.reserve(refs);
  for (const auto& ref : db.references()) {
    const auto [it, inserted] = names.try_emplace(ref.name, static_cast<std::uint32_t>(names.size()));
    m_name_ids.push_back(it->second);
  }

  m_observed.resize(db.slots().size());
  m_present.resize(db.slots().size());
  m_cell_scores.assign(m_cells.size() + 1, 0U);          // the last one is the zero cell
  m_tuple_scores.assign(m_tuple_cells_first.size(), 0U); // the last one is the zero tuple
  m_subject_rest.resize(m_group_count + 1);
  m_node_score.resize(m_node_parent.size());
  m_lookups.reserve(db.slots().size() + m_prefix_sizes.size());
  m_candidate_ref.resize(refs);
  m_candidate_total.resize(refs);
  m_candidate_missed.resize(refs);
}

Matcher::Layout Matcher::layout() const {
  return Layout{m_cells.size(), m_group_count, m_tree_depth, m_level_first.back() - 1U, m_tuple_scores.size() - 1};
}

std::vector<std::uint32_t> Matcher::compile_cells() {
  using NumericMode = database::Alternative::NumericMode;
  using FixedMode = database::Alternative::FixedMode;
  constexpr std::uint32_t k_max = std::numeric_limits<std::uint32_t>::max();
  constexpr Interval k_empty{1, 0, false};
  const bool nmap_793 = m_options.semantics == database::Semantics::nmap_7_93;
  const std::size_t count = m_db->slot_expression_count();
  m_cell_template.assign(count, k_unknown);
  m_cells.assign(count, CellInfo{});
  // Literal alternatives by slot and text, gathered first and laid out as ranges below.
  std::vector<std::unordered_map<std::string_view, std::vector<std::uint32_t>>> exact(m_db->slots().size());
  std::vector<std::unordered_map<std::string_view, std::vector<std::uint32_t>>> prefix(m_db->slots().size());

  // Cells are the DB's (slot, expression) pairs numbered slot by slot, so that a slot's cells are one
  // range: marking a slot absent or present for a subject is then a fill or a copy.
  std::vector<std::uint32_t> pair_cell(count);
  m_slot_cells_first.assign(m_db->slots().size() + 1, 0);
  for (std::uint32_t p = 0; p < count; ++p) ++m_slot_cells_first[m_db->slot_expression(p).slot + 1U];
  for (std::size_t s = 0; s < m_db->slots().size(); ++s) m_slot_cells_first[s + 1] += m_slot_cells_first[s];
  std::vector<std::uint32_t> next(m_slot_cells_first.begin(), m_slot_cells_first.end() - 1);
  for (std::uint32_t p = 0; p < count; ++p) pair_cell[p] = next[m_db->slot_expression(p).slot]++;

  for (std::uint32_t p = 0; p < count; ++p) {
    const database::SlotExpression& pair = m_db->slot_expression(p);
    const std::uint32_t c = pair_cell[p];
    const database::Expression& e = m_db->expression(pair.expression);
    const auto& alternatives = e.alternatives();
    CellInfo& cell = m_cells[c];
    cell.pair = p;
    cell.slot = pair.slot;
    cell.weight = static_cast<std::uint16_t>(m_db->slots()[pair.slot].weight);

    const bool all_literal = std::all_of(alternatives.begin(), alternatives.end(), [](const database::Alternative& a) {
      return a.numeric_793 == NumericMode::literal && a.fixed == FixedMode::literal;
    });
    if (all_literal) {
      // Matched when the value equals an alternative; under 7.93 a non-last alternative only has
      // to be a prefix of the value. Both are hash lookups of the subject's value (load_subject).
      cell.kind = CellKind::literals;
      m_cell_template[c] = packed(0, cell.weight);
      for (const database::Alternative& a : alternatives) {
        auto& index = (a.last || !nmap_793) ? exact[pair.slot] : prefix[pair.slot];
        index[a.literal].push_back(c);
      }
      continue;
    }
    const bool numeric_only =
        nmap_793 ? std::all_of(alternatives.begin(), alternatives.end(),
                               [](const database::Alternative& a) { return a.numeric_793 != NumericMode::literal; })
                 : std::all_of(alternatives.begin(), alternatives.end(),
                               [](const database::Alternative& a) { return a.fixed != FixedMode::literal; });
    if (!numeric_only || alternatives.size() > 0xFFFF) continue; // general: Expression::matches
    // Only for values that are numbers in the chosen semantics; evaluate_cell() sends the others to
    // Expression::matches, which also knows 7.93's text comparison of non-numeric values.
    cell.kind = CellKind::intervals;
    cell.first = static_cast<std::uint32_t>(m_intervals.size());
    cell.count = static_cast<std::uint16_t>(alternatives.size());
    for (const database::Alternative& a : alternatives) {
      Interval i = k_empty;
      if (nmap_793) {
        switch (a.numeric_793) {
        case NumericMode::less: i = a.lo_793 == 0 ? k_empty : Interval{0, a.lo_793 - 1, false}; break;
        case NumericMode::greater: i = a.lo_793 == k_max ? k_empty : Interval{a.lo_793 + 1, k_max, false}; break;
        case NumericMode::range: i = Interval{a.lo_793, a.hi_793, false}; break;
        case NumericMode::never: // range mode without a well-formed range: never matches a number
        case NumericMode::literal: break;
        }
      } else {
        switch (a.fixed) {
        case FixedMode::less: i = a.lo == 0 ? k_empty : Interval{0, a.lo - 1, false}; break;
        case FixedMode::greater: i = a.lo == k_max ? Interval{1, 0, true} : Interval{a.lo + 1, k_max, true}; break;
        case FixedMode::range: i = Interval{a.lo, a.hi, false}; break;
        case FixedMode::literal: break;
        }
      }
      m_intervals.push_back(i);
    }
  }

  m_literals = LiteralTable{};
  m_literal_hits.clear();
  m_prefix_sizes_first.assign(1, 0);
  m_prefix_sizes.clear();
  m_slot_has_exact.assign(m_db->slots().size(), 0);
  for (std::size_t s = 0; s < m_db->slots().size(); ++s) {
    const auto slot = static_cast<std::uint16_t>(s);
    for (const auto kind : {LiteralTable::Kind::exact, LiteralTable::Kind::prefix}) {
      for (const auto& [text, cells] : kind == LiteralTable::Kind::exact ? exact[s] : prefix[s]) {
        const auto begin = static_cast<std::uint32_t>(m_literal_hits.size());
        m_literal_hits.insert(m_literal_hits.end(), cells.begin(), cells.end());
        m_literals.insert(slot, kind, text, {begin, static_cast<std::uint32_t>(m_literal_hits.size())});
      }
    }
    m_slot_has_exact[s] = exact[s].empty() ? 0 : 1;
    const std::size_t first = m_prefix_sizes.size();
    for (const auto& [text, cells] : prefix[s]) m_prefix_sizes.push_back(static_cast<std::uint32_t>(text.size()));
    std::sort(m_prefix_sizes.begin() + static_cast<std::ptrdiff_t>(first), m_prefix_sizes.end());
    m_prefix_sizes.erase(std::unique(m_prefix_sizes.begin() + static_cast<std::ptrdiff_t>(first), m_prefix_sizes.end()),
                         m_prefix_sizes.end());
    m_prefix_sizes_first.push_back(static_cast<std::uint32_t>(m_prefix_sizes.size()));
  }

  return pair_cell;
}

void Matcher::compile_groups(const std::vector<std::uint32_t>& pair_cell) {
  const database::OsDb& db = *m_db;
  const std::size_t num_slots = db.slots().size();
  const std::size_t refs = db.references().size();

  // Slots to groups: the plan first, then what is left, one group per test.
  m_slot_group.assign(num_slots, k_no_group);
  std::vector<std::vector<std::uint16_t>> groups;
  const auto add_group = [&](const auto& selects) {
    std::vector<std::uint16_t> group;
    std::uint32_t weight = 0;
    for (std::uint16_t s = 0; s < num_slots; ++s) {
      const database::Slot& slot = db.slots()[s];
      if (slot.weight == 0 || m_slot_group[s] != k_no_group || !selects(slot)) continue;
      if (weight + slot.weight > k_max_group_weight) { // only with absurd MatchPoints: split
        groups.push_back(std::move(group));
        group.clear();
        weight = 0;
      }
      group.push_back(s);
      weight += slot.weight;
      m_slot_group[s] = static_cast<std::uint16_t>(groups.size());
    }
    if (!group.empty()) groups.push_back(std::move(group));
  };
  for (std::size_t p = 0; p < k_group_plan.size(); ++p) {
    add_group([&](const database::Slot& slot) {
      return plan_entry_names(k_group_plan[p], db.tests()[slot.test].name, slot.attribute);
    });
    if (p + 1 == k_tree_groups) m_tree_depth = groups.size();
  }
  const auto test_count = static_cast<std::uint16_t>(db.tests().size()); // at most 255 (os_db)
  for (std::uint16_t t = 0; t < test_count; ++t) {
    add_group([&](const database::Slot& slot) { return slot.test == t; });
  }
  m_group_count = groups.size();
  // The tree's partial sums are packed like a tuple score (matched << 16 | total): keep its groups'
  // weights under 65535 (only absurd MatchPoints come near; nmap-os-db's whole total is ~2,000).
  std::uint32_t tree_weight = 0;
  for (std::size_t g = 0; g < m_tree_depth; ++g) {
    std::uint32_t weight = 0;
    for (const std::uint16_t s : groups[g]) weight += db.slots()[s].weight;
    if (tree_weight + weight > k_max_group_weight) {
      m_tree_depth = g;
      break;
    }
    tree_weight += weight;
  }

  // Every reference as a dense slot -> cell table (k_none where it has no such attribute).
  std::vector<std::uint32_t> cells(refs * num_slots, k_none);
  for (std::size_t r = 0; r < refs; ++r) {
    for (const std::uint32_t line : db.lines_of(r)) {
      if (line == database::OsDb::k_no_line) continue;
      for (const database::LineAttribute& a : db.line_attributes(line)) {
        if (a.weight != 0) cells[r * num_slots + a.slot] = pair_cell[a.slot_expression];
      }
    }
  }

  // Intern each group's cell tuples (open addressing; a tuple is represented by its first reference).
  m_rows.assign(refs * m_group_count, 0);
  m_tuple_cells_first.assign(1, 0);
  m_tuple_cells.clear();
  const std::size_t table_size = std::bit_ceil(std::max<std::size_t>(refs * 2, 16));
  std::vector<std::uint32_t> table(table_size);
  std::vector<std::uint32_t> representative;
  for (std::size_t g = 0; g < m_group_count; ++g) {
    const std::vector<std::uint16_t>& group = groups[g];
    std::fill(table.begin(), table.end(), k_none);
    for (std::size_t r = 0; r < refs; ++r) {
      const std::uint32_t* row = cells.data() + r * num_slots;
      std::uint64_t hash = 0x9E3779B97F4A7C15ULL;
      for (const std::uint16_t s : group) hash = (hash ^ row[s]) * 0x100000001B3ULL;
      std::size_t pos = (hash ^ (hash >> 29U)) & (table_size - 1);
      std::uint32_t tuple = k_none;
      while (table[pos] != k_none) {
        const std::uint32_t* other = cells.data() + static_cast<std::size_t>(representative[table[pos]]) * num_slots;
        if (std::all_of(group.begin(), group.end(), [&](std::uint16_t s) { return row[s] == other[s]; })) {
          tuple = table[pos];
          break;
        }
        pos = (pos + 1) & (table_size - 1);
      }
      if (tuple == k_none) {
        tuple = static_cast<std::uint32_t>(representative.size());
        table[pos] = tuple;
        representative.push_back(static_cast<std::uint32_t>(r));
        for (const std::uint16_t s : group) {
          if (row[s] != k_none) m_tuple_cells.push_back(row[s]);
        }
        m_tuple_cells_first.push_back(static_cast<std::uint32_t>(m_tuple_cells.size()));
      }
      m_rows[r * m_group_count + g] = tuple;
    }
  }

  // The tree groups' tuples again, as fixed-width rows (absent attributes point at the zero cell):
  // load_subject sums them all, and a constant trip count per group keeps that loop predictable.
  const auto zero_cell = static_cast<std::uint32_t>(m_cells.size());
  m_tree_spans.clear();
  m_tree_tuple_cells.clear();
  std::uint32_t first_tuple = 0;
  m_eager_end = std::min(m_group_count, m_tree_depth + k_eager_sweep_groups);
  for (std::size_t g = 0; g < m_eager_end; ++g) {
    const std::vector<std::uint16_t>& group = groups[g];
    TreeSpan span{first_tuple, first_tuple, static_cast<std::uint32_t>(group.size()),
                  static_cast<std::uint32_t>(m_tree_tuple_cells.size())};
    for (std::size_t r = 0; r < refs; ++r) span.end = std::max(span.end, m_rows[r * m_group_count + g] + 1);
    for (std::uint32_t t = span.begin; t < span.end; ++t) {
      const std::uint32_t* row = cells.data() + static_cast<std::size_t>(representative[t]) * num_slots;
      for (const std::uint16_t s : group) m_tree_tuple_cells.push_back(row[s] != k_none ? row[s] : zero_cell);
    }
    m_tree_spans.push_back(span);
    first_tuple = span.end;
  }
  // The cells of the tree groups that the literal lookups do not settle.
  m_tree_lazy_cells.clear();
  for (std::uint32_t c = 0; c < m_cells.size(); ++c) {
    const std::uint16_t g = m_slot_group[m_cells[c].slot];
    if (m_cell_template[c] == k_unknown && g != k_no_group && g < m_eager_end) m_tree_lazy_cells.push_back(c);
  }
}

void Matcher::build_tree() {
  const std::size_t refs = m_db->references().size();
  const std::size_t groups = m_group_count;
  const std::size_t depth = m_tree_depth;
  m_sweep_end = std::min(m_group_count, m_tree_depth + k_sweep_groups);
  std::vector<std::uint32_t> order(refs);
  std::iota(order.begin(), order.end(), 0U);
  const auto row = [&](std::uint32_t r) { return m_rows.data() + static_cast<std::size_t>(r) * groups; };
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return std::lexicographical_compare(row(a), row(a) + depth, row(b), row(b) + depth);
  });

  // Level by level: in the sorted order, the references sharing the tuples of groups 0..d are
  // contiguous, so level d's nodes are the runs of equal (parent, tuple of group d).
  m_node_parent.assign(1, 0);
  m_node_tuple.assign(1, 0);
  m_level_first.assign(1, 1);
  std::vector<std::uint32_t> node_of(refs, 0); // per sorted position: its node on the level above
  // The last tree level is not stored: each reference adds its own last tuple to its parent's sum
  // (select_candidates), in database order, which is also the order the survivors are wanted in.
  for (std::size_t d = 0; d + 1 < depth; ++d) {
    std::uint32_t previous_parent = k_none;
    std::uint32_t previous_tuple = k_none;
    for (std::size_t i = 0; i < refs; ++i) {
      const std::uint32_t parent = node_of[i];
      const std::uint32_t tuple = row(order[i])[d];
      if (parent != previous_parent || tuple != previous_tuple) {
        m_node_parent.push_back(parent);
        m_node_tuple.push_back(tuple);
        previous_parent = parent;
        previous_tuple = tuple;
      }
      node_of[i] = static_cast<std::uint32_t>(m_node_parent.size() - 1);
    }
    m_level_first.push_back(static_cast<std::uint32_t>(m_node_parent.size()));
  }
  m_zero_tuple = static_cast<std::uint32_t>(m_tuple_cells_first.size() - 1);
  m_sweep_columns.clear();
  for (std::size_t g = m_tree_depth; g < m_sweep_end; ++g) {
    for (std::size_t r = 0; r < refs; ++r) m_sweep_columns.push_back(m_rows[r * groups + g]);
  }
  m_ref_parent.assign(refs, 0);
  m_ref_last_tuple.assign(refs, m_zero_tuple);
  for (std::size_t i = 0; i < refs; ++i) {
    m_ref_parent[order[i]] = node_of[i];
    if (depth > 0) m_ref_last_tuple[order[i]] = row(order[i])[depth - 1];
  }
}

void Matcher::load_subject(const fingerprint::Fingerprint& subject) {
  const database::OsDb& db = *m_db;
  std::fill(m_present.begin(), m_present.end(), std::uint8_t{0});
  std::array<std::uint8_t, 256> test_seen{};
  for (const auto& test : subject.tests) {
    const auto t = db.find_test(test.name);
    // Tests unknown to MatchPoints never meet a reference test. A repeated test (only possible in a
    // merged multi-round print) is used once, the first time.
    if (!t || *t >= test_seen.size() || test_seen[*t] != 0) continue;
    test_seen[*t] = 1;
    for (const auto& a : test.attributes) {
      const auto slot = db.find_slot(*t, a.name);
      if (!slot || m_present[*slot] != 0) continue;
      m_present[*slot] = 1;
      m_observed[*slot] = database::observe(a.value);
    }
  }

  // Cell scores: literal cells of a present slot miss (the template) unless the lookups of the
  // subject's value below find them; every cell of an absent slot counts nothing.
  std::fill(m_subject_rest.begin(), m_subject_rest.end(), 0U);
  m_lookups.clear(); // keeps its capacity: reserved for the most lookups a subject can need
  for (std::size_t s = 0; s < m_present.size(); ++s) {
    const auto first = static_cast<std::ptrdiff_t>(m_slot_cells_first[s]);
    const auto last = static_cast<std::ptrdiff_t>(m_slot_cells_first[s + 1]);
    if (m_present[s] == 0) {
      std::fill(m_cell_scores.begin() + first, m_cell_scores.begin() + last, 0U);
      continue;
    }
    std::copy(m_cell_template.begin() + first, m_cell_template.begin() + last, m_cell_scores.begin() + first);
    // The literal lookups of this value: hashed and prefetched now, probed below, so that their
    // cache misses overlap instead of coming one after the other.
    const auto slot = static_cast<std::uint16_t>(s);
    const std::string_view value = m_observed[s].text;
    const auto queue = [&](LiteralTable::Kind kind, std::string_view text) {
      const std::uint64_t hash = LiteralTable::key_hash(slot, kind, text);
      m_literals.prefetch(hash);
      m_lookups.push_back(Lookup{hash, text, slot, kind});
    };
    if (m_slot_has_exact[s] != 0) queue(LiteralTable::Kind::exact, value);
    for (std::uint32_t i = m_prefix_sizes_first[s]; i < m_prefix_sizes_first[s + 1]; ++i) {
      const std::uint32_t size = m_prefix_sizes[i];
      if (size > value.size()) break;
      queue(LiteralTable::Kind::prefix, value.substr(0, size));
    }
    if (m_slot_group[s] != k_no_group) m_subject_rest[m_slot_group[s]] += db.slots()[s].weight;
  }
  for (const Lookup& l : m_lookups) mark_matched(m_literals.find(l.hash, l.slot, l.kind, l.text));
  // Suffix sums: m_subject_rest[k] = the subject's weight in groups k and later, an upper bound on
  // the points any reference can still be given there.
  for (std::size_t k = m_group_count; k-- > 0;) m_subject_rest[k] += m_subject_rest[k + 1];
  std::fill(m_tuple_scores.begin(), m_tuple_scores.end() - 1, k_unknown); // not the zero tuple
  // The tree groups' tuples are all needed (select_candidates sums the whole tree): settle their
  // remaining cells, then sum them in fixed-width sweeps.
  for (const std::uint32_t c : m_tree_lazy_cells) {
    if (m_cell_scores[c] == k_unknown) m_cell_scores[c] = evaluate_cell(c);
  }
  const std::uint32_t* const cell_scores = m_cell_scores.data();
  std::uint32_t* const tuple_scores = m_tuple_scores.data();
  for (const TreeSpan& span : m_tree_spans) {
    const std::uint32_t* cells = m_tree_tuple_cells.data() + span.first_cell;
    for (std::uint32_t t = span.begin; t < span.end; ++t, cells += span.width) {
      std::uint32_t score = 0; // no carry between the halves: a group's weights add up to less than 65535
      for (std::uint32_t i = 0; i < span.width; ++i) score += cell_scores[cells[i]];
      tuple_scores[t] = score;
    }
  }
}

void Matcher::mark_matched(LiteralTable::Range cells) {
  for (std::uint32_t i = cells.begin; i < cells.end; ++i) {
    const std::uint32_t c = m_literal_hits[i];
    m_cell_scores[c] = packed(m_cells[c].weight, m_cells[c].weight);
  }
}

std::uint32_t Matcher::evaluate_cell(std::uint32_t cell) const {
  const CellInfo& info = m_cells[cell];
  const database::ObservedValue& value = m_observed[info.slot];
  bool matched = false;
  bool settled = false;
  if (info.kind == CellKind::intervals) {
    if (m_options.semantics == database::Semantics::nmap_7_93) {
      if (value.numeric_793) {
        settled = true;
        for (std::uint32_t i = info.first; i < info.first + info.count && !matched; ++i) {
          matched = value.number_793 >= m_intervals[i].low && value.number_793 <= m_intervals[i].high;
        }
      }
    } else if (value.all_hex) {
      settled = true;
      for (std::uint32_t i = info.first; i < info.first + info.count && !matched; ++i) {
        const Interval& iv = m_intervals[i];
        matched = value.huge ? iv.open_above : (value.number >= iv.low && value.number <= iv.high);
      }
    }
  }
  if (!settled) {
    const database::SlotExpression& pair = m_db->slot_expression(info.pair);
    matched = m_db->expression(pair.expression).matches(value, m_options.semantics);
  }
  return packed(matched ? info.weight : 0U, info.weight);
}

std::uint32_t Matcher::evaluate_tuple(std::uint32_t tuple) {
  // Local pointers: the score stores could otherwise alias the bounds and force reloads.
  const std::uint32_t* const cells = m_tuple_cells.data();
  std::uint32_t* const cell_scores = m_cell_scores.data();
  const std::uint32_t end = m_tuple_cells_first[tuple + 1];
  std::uint32_t score = 0;
  for (std::uint32_t i = m_tuple_cells_first[tuple]; i < end; ++i) {
    const std::uint32_t cell = cells[i];
    std::uint32_t s = cell_scores[cell];
    if (s == k_unknown) {
      s = evaluate_cell(cell);
      cell_scores[cell] = s;
    }
    score += s; // no carry between the halves: the group's weights add up to less than 65535
  }
  m_tuple_scores[tuple] = score;
  return score;
}

void Matcher::set_entrance(double entrance) {
  const double bar = std::max(0.0, entrance - k_exit_margin);
  m_exit_scale = static_cast<std::uint64_t>(std::floor(bar * 16777216.0));
}

std::size_t Matcher::select_candidates() {
  // The threshold is the lowest entrance there can be, so a reference cut here could never be
  // listed (a perfect match is never cut: with no misses hopeless() is false for an entrance <= 1).
  // Every step below is a plain sweep with no branch on the data: a changing subject makes such
  // branches unpredictable, and their mispredictions used to cost more than the sums themselves.
  set_entrance(std::min(m_options.threshold, 1.0));
  // The tree's partial sums, level by level (a node's parent is on the level above). No cut inside
  // the tree: the best case of a reference only falls as groups are added (hopeless() is exact
  // arithmetic), so testing the leaves alone drops the same references.
  const std::uint32_t* const parent = m_node_parent.data();
  const std::uint32_t* const node_tuple = m_node_tuple.data();
  const std::uint32_t* const tuple_scores = m_tuple_scores.data();
  std::uint32_t* const node_score = m_node_score.data();
  node_score[0] = 0;
  const std::uint32_t nodes = m_level_first.back();
  for (std::uint32_t n = 1; n < nodes; ++n) {
    // No carry between the halves: the tree groups' weights add up to less than 65535. The tuples
    // were settled by load_subject.
    node_score[n] = node_score[parent[n]] + tuple_scores[node_tuple[n]];
  }
  // Each reference's last tree group, and the survivors in database order (compacted: every
  // reference is written, the live ones kept).
  const std::size_t refs = m_ref_parent.size();
  const std::uint32_t* const ref_parent = m_ref_parent.data();
  const std::uint32_t* const ref_last_tuple = m_ref_last_tuple.data();
  const std::uint64_t tree_rest = m_subject_rest[m_tree_depth];
  std::size_t count = 0;
  for (std::uint32_t r = 0; r < refs; ++r) {
    const std::uint32_t score = node_score[ref_parent[r]] + tuple_scores[ref_last_tuple[r]];
    const std::uint32_t total = score & 0xFFFFU;
    const std::uint32_t missed = total - (score >> 16U);
    m_candidate_ref[count] = r;
    m_candidate_total[count] = total;
    m_candidate_missed[count] = missed;
    count += static_cast<std::size_t>(!hopeless(total + tree_rest, missed));
  }
  // The first groups after the tree (option strings, windows) cut most of what the tree leaves.
  for (std::size_t g = m_tree_depth; g < m_sweep_end; ++g) {
    const std::uint64_t rest = m_subject_rest[g + 1];
    std::size_t kept = 0;
    // The group's column: the candidates ascend, so these reads only move forward.
    const std::uint32_t* const column = m_sweep_columns.data() + (g - m_tree_depth) * refs;
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint32_t r = m_candidate_ref[i];
      const std::uint32_t s = tuple_score(column[r]);
      const std::uint32_t group_total = s & 0xFFFFU;
      const std::uint32_t t = m_candidate_total[i] + group_total;
      const std::uint32_t m = m_candidate_missed[i] + group_total - (s >> 16U);
      m_candidate_ref[kept] = r;
      m_candidate_total[kept] = t;
      m_candidate_missed[kept] = m;
      kept += static_cast<std::size_t>(!hopeless(t + rest, m));
    }
    count = kept;
  }
  return count;
}

bool Matcher::finish(std::uint32_t reference, std::size_t depth, std::uint32_t total, std::uint32_t missed,
                     Score& out) {
  const std::uint32_t* row = m_rows.data() + static_cast<std::size_t>(reference) * m_group_count;
  for (std::size_t k = depth; k < m_group_count; ++k) {
    const std::uint32_t s = tuple_score(row[k]);
    const std::uint32_t group_total = s & 0xFFFFU;
    total += group_total;
    missed += group_total - (s >> 16U);
    if (missed != 0 && hopeless(total + m_subject_rest[k + 1], missed)) return false;
  }
  out = Score{total - missed, total};
  return true;
}

Score Matcher::compare(const fingerprint::Fingerprint& subject, std::size_t reference) {
  load_subject(subject);
  std::uint32_t total = 0;
  std::uint32_t matched = 0;
  for (std::size_t k = 0; k < m_group_count; ++k) {
    const std::uint32_t s = tuple_score(m_rows[reference * m_group_count + k]);
    total += s & 0xFFFFU;
    matched += s >> 16U;
  }
  return Score{matched, total};
}

namespace {

// FNV-1a over the test lines' names and values, with separators so that no two lists of lines
// hash the same text.
std::uint64_t hash_tests(const std::vector<fingerprint::TestLine>& tests) {
  std::uint64_t hash = 0xCBF29CE484222325ULL;
  const auto add = [&hash](std::string_view text, unsigned char end) {
    for (const char c : text) { hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL; }
    hash = (hash ^ end) * 0x100000001B3ULL;
  };
  for (const auto& line : tests) {
    add(line.name, '(');
    for (const auto& attribute : line.attributes) {
      add(attribute.name, '=');
      add(attribute.value, '%');
    }
    add({}, ')');
  }
  return hash;
}

} // namespace

void Matcher::remember(std::size_t subjects) {
  m_remember_limit = subjects;
  m_remembered.clear();
  m_remembered.reserve(subjects);
  m_remember_next = 0;
}

MatchResult Matcher::match(const fingerprint::Fingerprint& subject) {
  if (m_remember_limit == 0) { return match_uncached(subject); }
  const std::uint64_t hash = hash_tests(subject.tests);
  for (const Remembered& kept : m_remembered) {
    if (kept.hash == hash && kept.tests == subject.tests) { return kept.result; }
  }
  MatchResult result = match_uncached(subject);
  Remembered kept{hash, subject.tests, result};
  if (m_remembered.size() < m_remember_limit) {
    m_remembered.push_back(std::move(kept));
  } else {
    m_remembered[m_remember_next] = std::move(kept);
    m_remember_next = (m_remember_next + 1) % m_remember_limit;
  }
  return result;
}

MatchResult Matcher::match_uncached(const fingerprint::Fingerprint& subject) {
  load_subject(subject);

  // Pass 1: the prefix tree and the sweep groups against the threshold.
  const std::size_t candidates = select_candidates();

  // Pass 2: match_fingerprint over the survivors in database order, with the rising entrance.
  // The fixed-size result table of FingerPrintResults: unused slots have accuracy 0.
  std::array<double, k_max_results> accuracy{};
  std::array<std::size_t, k_max_results> refs{};
  std::size_t num_matches = 0;
  std::size_t num_perfect = 0;
  double entrance = m_options.threshold;
  set_entrance(entrance);
  MatchResult result;
  result.outcome = Outcome::success;

  for (std::size_t c = 0; c < candidates; ++c) {
    const std::uint32_t r = m_candidate_ref[c];
    Score score;
    if (!finish(r, m_sweep_end, m_candidate_total[c], m_candidate_missed[c], score)) continue;
    const double acc = score.accuracy();
    if (!(acc >= entrance || acc == 1.0)) continue;

    // One entry per OS name: keep the better one (the earlier one on a tie).
    bool skip = false;
    for (std::size_t i = 0; i < num_matches; ++i) {
      if (m_name_ids[refs[i]] != m_name_ids[r]) continue;
      if (accuracy[i] >= acc) {
        skip = true;
      } else {
        for (std::size_t j = i; j + 1 < num_matches; ++j) {
          refs[j] = refs[j + 1];
          accuracy[j] = accuracy[j + 1];
        }
        --num_matches;
        accuracy[num_matches] = 0.0;
      }
      break;
    }
    if (skip) continue;

    if (acc == 1.0) {
      if (num_perfect == k_max_results) {
        result.outcome = Outcome::too_many_matches;
        break;
      }
      ++num_perfect;
    }
    // Insert before the first entry with a strictly lower accuracy; the tail falls off a full table.
    std::size_t pos = 0;
    while (pos < k_max_results && !(accuracy[pos] < acc)) ++pos;
    if (pos == k_max_results) continue; // cannot happen: acc >= entrance > accuracy[35]
    for (std::size_t j = k_max_results - 1; j > pos; --j) {
      accuracy[j] = accuracy[j - 1];
      refs[j] = refs[j - 1];
    }
    accuracy[pos] = acc;
    refs[pos] = r;
    num_matches = std::min(num_matches + 1, k_max_results);
    if (num_matches == k_max_results) {
      entrance = std::min(accuracy[k_max_results - 1] + 0.00001, 1.0);
      set_entrance(entrance);
    }
  }

  for (std::size_t i = 0; i < num_matches; ++i) result.matches.push_back(Match{refs[i], accuracy[i]});
  result.perfect_matches = num_perfect;
  if (num_matches == 0 && result.outcome == Outcome::success) result.outcome = Outcome::no_matches;
  return result;
}

} // namespace stackprint::scoring
