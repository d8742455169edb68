#pragma once
// A deliberately plain second implementation of Nmap 7.93's matching, for cross-checking the fast
// Matcher: expressions are evaluated on the text with the C library's strtol/strncmp/strcmp (as the
// 7.93 code does), every reference is compared fully (no memo, no early exit), and the result list
// is kept with a plain vector. Slow, simple, independent of database::Expression.

#include <cstdlib>
#include <cstring>
#include <string>
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

// compare_fingerprints over the reference's text lines.
inline Score naive_compare(const database::OsDb& db, const fingerprint::Fingerprint& subject, std::size_t ref) {
  Score s;
  for (std::uint16_t t = 0; t < db.tests().size(); ++t) {
    if (db.line_of(ref, t) == database::OsDb::k_no_line) continue;
    const fingerprint::TestLine* observed = subject.find(db.tests()[t].name);
    if (observed == nullptr) continue;
    const fingerprint::TestLine reference = db.reference_test_line(ref, t);
    for (const auto& a : reference.attributes) {
      const std::string* v = observed->find(a.name);
      if (v == nullptr) continue;
      const std::uint32_t w = db.slots()[*db.find_slot(t, a.name)].weight;
      s.total += w;
      if (naive_expr_match_793(*v, a.value)) s.matched += w;
    }
  }
  return s;
}

// match_fingerprint with a plain vector.
inline MatchResult naive_match(const database::OsDb& db, const fingerprint::Fingerprint& subject) {
  MatchResult r;
  r.outcome = Outcome::success;
  double entrance = k_guess_threshold;
  std::vector<Match> list;
  for (std::size_t ref = 0; ref < db.references().size(); ++ref) {
    const double acc = naive_compare(db, subject, ref).accuracy();
    if (!(acc >= entrance || acc == 1.0)) continue;
    bool skip = false;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (db.references()[list[i].reference].name != db.references()[ref].name) continue;
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

} // namespace stackprint::scoring::testing
