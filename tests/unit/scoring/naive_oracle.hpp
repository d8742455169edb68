#pragma once
// A deliberately plain second implementation of Nmap 7.93's matching, for cross-checking the fast
// Matcher: expressions are evaluated on the text with the C library's strtol/strncmp/strcmp (as the
// 7.93 code does), or for the fixed semantics by splitting the text and comparing hex numbers as
// digit strings; every reference is compared fully (no memo, no tree, no early exit), and the result
// list is kept with a plain vector. Slow, simple, independent of database::Expression and of the
// Matcher's compiled layout.

#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "stackprint/database/os_db.hpp"
#include "stackprint/fingerprint/fingerprint.hpp"
#include "stackprint/scoring/matcher.hpp"

namespace stackprint::scoring::testing {

inline bool naive_expr_match_793(const std::string& value, const std::string& expression) {
  const char* val = value.c_str();
  char* end = nullptr;
  const auto val_num = static_cast<unsigned int>(std::strtol(val, &end, 16));
  const bool numeric = *end == '\0';
  const char* p = expression.c_str();
  while (true) {
    const char* q = std::strchr(p, '|');
    const char* q1 = nullptr;
    if (numeric && (*p == '<' || *p == '>')) {
      const auto n = static_cast<unsigned int>(std::strtol(p + 1, &end, 16));
      if ((end == q || *end == '\0') && ((*p == '<' && val_num < n) || (*p == '>' && val_num > n))) return true;
    } else if (numeric && (q1 = std::strchr(p, '-')) != nullptr) {
      const auto lo = static_cast<unsigned int>(std::strtol(p, &end, 16));
      if (end == q1) {
        const auto hi = static_cast<unsigned int>(std::strtol(q1 + 1, &end, 16));
        if ((end == q || *end == '\0') && val_num >= lo && val_num <= hi) return true;
      }
    } else {
      if (q != nullptr ? std::strncmp(p, val, static_cast<std::size_t>(q - p)) == 0 : std::strcmp(p, val) == 0) {
        return true;
      }
    }
    if (q == nullptr) return false;
    p = q + 1;
  }
}

inline bool naive_is_hex(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

// Compares two hex digit strings as numbers of any size: -1, 0 or 1.
inline int naive_compare_hex(std::string_view a, std::string_view b) {
  const auto normal = [](std::string_view s) {
    while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
    std::string out(s);
    for (char& c : out) {
      if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
  };
  const std::string x = normal(a);
  const std::string y = normal(b);
  if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
  return x == y ? 0 : (x < y ? -1 : 1);
}

// The corrected (post-7.93) meaning: '|' separates alternatives; each is `<hex`, `>hex`,
// `hex-hex` (numeric, for hex values only) or a literal compared exactly (empty matches empty).
inline bool naive_expr_match_fixed(const std::string& value, const std::string& expression) {
  std::vector<std::string_view> alternatives;
  std::string_view rest = expression;
  while (true) {
    const std::size_t bar = rest.find('|');
    alternatives.push_back(rest.substr(0, bar));
    if (bar == std::string_view::npos) break;
    rest.remove_prefix(bar + 1);
  }
  for (const std::string_view alt : alternatives) {
    if (value.empty()) {
      if (alt.empty()) return true;
      continue;
    }
    if (alt.size() >= 2 && (alt[0] == '<' || alt[0] == '>') && naive_is_hex(alt.substr(1))) {
      if (naive_is_hex(value)) {
        const int c = naive_compare_hex(value, alt.substr(1));
        if ((alt[0] == '<' && c < 0) || (alt[0] == '>' && c > 0)) return true;
      }
      continue;
    }
    const std::size_t dash = alt.find('-');
    if (dash != std::string_view::npos && naive_is_hex(alt.substr(0, dash)) && naive_is_hex(alt.substr(dash + 1))) {
      if (naive_is_hex(value) && naive_compare_hex(value, alt.substr(0, dash)) >= 0 &&
          naive_compare_hex(value, alt.substr(dash + 1)) <= 0) {
        return true;
      }
      continue;
    }
    if (alt == value) return true;
  }
  return false;
}

inline bool naive_expr_match(const std::string& value, const std::string& expression, database::Semantics semantics) {
  return semantics == database::Semantics::nmap_7_93 ? naive_expr_match_793(value, expression)
                                                     : naive_expr_match_fixed(value, expression);
}

// The references as text lines with their weights, read once (naive_match on it is then fast
// enough to run on many subjects).
struct NaiveReference {
  struct Attribute {
    std::string name;
    std::string expression;
    std::uint32_t weight = 0;
  };
  struct Line {
    std::string test;
    std::vector<Attribute> attributes;
  };
  std::string name;
  std::vector<Line> lines;
};

// One reference's text lines with their MatchPoints weights.
inline NaiveReference naive_reference(const database::OsDb& db, std::size_t ref) {
  NaiveReference r;
  r.name = db.references()[ref].name;
  for (std::uint16_t t = 0; t < db.tests().size(); ++t) {
    if (db.line_of(ref, t) == database::OsDb::k_no_line) continue;
    NaiveReference::Line line;
    line.test = db.tests()[t].name;
    for (const auto& a : db.reference_test_line(ref, t).attributes) {
      line.attributes.push_back({a.name, a.value, db.slots()[*db.find_slot(t, a.name)].weight});
    }
    r.lines.push_back(std::move(line));
  }
  return r;
}

inline std::vector<NaiveReference> naive_references(const database::OsDb& db) {
  std::vector<NaiveReference> out;
  for (std::size_t ref = 0; ref < db.references().size(); ++ref) out.push_back(naive_reference(db, ref));
  return out;
}

// compare_fingerprints over the reference's text lines. Fingerprint::find returns the first test
// and the first attribute of a name, as Nmap's lookup does.
inline Score naive_compare(const NaiveReference& reference, const fingerprint::Fingerprint& subject,
                           database::Semantics semantics = database::Semantics::nmap_7_93) {
  Score s;
  for (const auto& line : reference.lines) {
    const fingerprint::TestLine* observed = subject.find(line.test);
    if (observed == nullptr) continue;
    for (const auto& a : line.attributes) {
      const std::string* v = observed->find(a.name);
      if (v == nullptr) continue;
      s.total += a.weight;
      if (naive_expr_match(*v, a.expression, semantics)) s.matched += a.weight;
    }
  }
  return s;
}

inline Score naive_compare(const database::OsDb& db, const fingerprint::Fingerprint& subject, std::size_t ref,
                           database::Semantics semantics = database::Semantics::nmap_7_93) {
  return naive_compare(naive_reference(db, ref), subject, semantics);
}

// match_fingerprint with a plain vector.
inline MatchResult naive_match(const std::vector<NaiveReference>& references, const fingerprint::Fingerprint& subject,
                               MatchOptions options = {}) {
  MatchResult r;
  r.outcome = Outcome::success;
  double entrance = options.threshold;
  std::vector<Match> list;
  for (std::size_t ref = 0; ref < references.size(); ++ref) {
    const double acc = naive_compare(references[ref], subject, options.semantics).accuracy();
    if (!(acc >= entrance || acc == 1.0)) continue;
    bool skip = false;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (references[list[i].reference].name != references[ref].name) continue;
      if (list[i].accuracy >= acc) {
        skip = true;
      } else {
        list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
      }
      break;
    }
    if (skip) continue;
    if (acc == 1.0) {
      if (r.perfect_matches == k_max_results) {
        r.outcome = Outcome::too_many_matches;
        break;
      }
      ++r.perfect_matches;
    }
    std::size_t pos = 0;
    while (pos < list.size() && list[pos].accuracy >= acc) ++pos;
    list.insert(list.begin() + static_cast<std::ptrdiff_t>(pos), Match{ref, acc});
    if (list.size() > k_max_results) list.pop_back();
    if (list.size() == k_max_results) entrance = std::min(list.back().accuracy + 0.00001, 1.0);
  }
  r.matches = list;
  if (list.empty() && r.outcome == Outcome::success) r.outcome = Outcome::no_matches;
  return r;
}

inline MatchResult naive_match(const database::OsDb& db, const fingerprint::Fingerprint& subject,
                               MatchOptions options = {}) {
  return naive_match(naive_references(db), subject, options);
}

} // namespace stackprint::scoring::testing
