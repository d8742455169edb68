// Properties over the installed nmap-os-db (skipped when it is absent).
//
// Every reference is turned into a concrete subject: for each weighted attribute, a value that its
// expression accepts under the chosen semantics (tests whose only attribute carries no weight, like
// SEQ(R=N), are left out, as a real subject without that response would). Then:
//   1. the reference scores exactly 100% against its own subject;
//   2. its name is listed as a perfect match, and the entry is the FIRST reference of that name in
//      the DB that is perfect for the subject (dedup keeps the earlier one on a tie);
//   3. "first in the list" in Nmap's sense: the perfect matches lead the list in DB order. The
//      reference is at position 0 exactly when no earlier DB entry with another name is also
//      perfect for the subject; otherwise every entry before it is such an earlier perfect entry.
//      (With more than 36 perfect names, Nmap gives up: TOOMANYMATCHES.)
// (Run for every reference under 7.93 semantics, every third under the fixed ones to save time.)
// The fast matcher is also checked against the naive oracle on a sample of these subjects and of
// perturbed ones.

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "naive_oracle.hpp"
#include "stackprint/database/os_db.hpp"
#include "stackprint/scoring/matcher.hpp"
#include "support/installed_db.hpp"

namespace stackprint::scoring {
namespace {

using database::Semantics;

using test_support::installed_db;

std::string hex(std::uint32_t v) { return fmt::format("{:X}", v); }

// A value the expression accepts, or nullopt.
std::optional<std::string> satisfying_value(const database::Expression& e, Semantics semantics) {
  std::vector<std::string> candidates;
  for (const auto& a : e.alternatives()) {
    candidates.push_back(a.literal);
    using NM = database::Alternative::NumericMode;
    using FM = database::Alternative::FixedMode;
    if (semantics == Semantics::nmap_7_93) {
      if (a.numeric_793 == NM::range) {
        candidates.push_back(hex(a.lo_793));
        candidates.push_back(hex(a.hi_793));
      } else if (a.numeric_793 == NM::greater && a.lo_793 < 0xFFFFFFFFU) {
        candidates.push_back(hex(a.lo_793 + 1));
      } else if (a.numeric_793 == NM::less && a.lo_793 > 0) {
        candidates.push_back(hex(a.lo_793 - 1));
      }
    } else {
      if (a.fixed == FM::range) {
        candidates.push_back(hex(a.lo));
      } else if (a.fixed == FM::greater && a.lo < 0xFFFFFFFFU) {
        candidates.push_back(hex(a.lo + 1));
      } else if (a.fixed == FM::less && a.lo > 0) {
        candidates.push_back(hex(a.lo - 1));
      }
    }
  }
  for (const auto& c : candidates) {
    if (e.matches(database::observe(c), semantics)) return c;
  }
  return std::nullopt;
}

std::optional<fingerprint::Fingerprint> concrete_subject(const database::OsDb& db, std::size_t ref, Semantics semantics,
                                                         std::string& why) {
  fingerprint::Fingerprint fp;
  for (std::uint16_t t = 0; t < db.tests().size(); ++t) {
    const std::uint32_t id = db.line_of(ref, t);
    if (id == database::OsDb::k_no_line) continue;
    fingerprint::TestLine line;
    line.name = db.tests()[t].name;
    for (const auto& a : db.line_attributes(id)) {
      if (a.weight == 0) continue;
      const auto& e = db.expression(db.slot_expression(a.slot_expression).expression);
      const auto v = satisfying_value(e, semantics);
      if (!v) {
        why = fmt::format("no value satisfies {}.{}={}", line.name, db.slots()[a.slot].attribute, e.text());
        return std::nullopt;
      }
      line.attributes.push_back(fingerprint::Attribute{db.slots()[a.slot].attribute, *v});
    }
    if (!line.attributes.empty()) fp.tests.push_back(std::move(line));
  }
  return fp;
}

void check_every_reference(Semantics semantics, std::size_t step) {
  const database::OsDb* db = installed_db();
  if (db == nullptr) GTEST_SKIP() << "installed nmap-os-db not available";
  Matcher m(*db, MatchOptions{semantics, k_guess_threshold});
  const auto& refs = db->references();
  std::size_t literally_first = 0;
  std::size_t too_many = 0;
  std::size_t failures = 0;
  for (std::size_t r = 0; r < refs.size() && failures < 20; r += step) {
    std::string why;
    const auto subject = concrete_subject(*db, r, semantics, why);
    if (!subject) {
      ADD_FAILURE() << refs[r].name << " (line " << refs[r].line << "): " << why;
      ++failures;
      continue;
    }
    const Score self = m.compare(*subject, r);
    if (self.total == 0 || self.matched != self.total) {
      ADD_FAILURE() << refs[r].name << " (line " << refs[r].line << ") scores " << self.matched << "/" << self.total;
      ++failures;
      continue;
    }
    const MatchResult result = m.match(*subject);
    if (result.outcome == Outcome::too_many_matches) {
      ++too_many;
      continue;
    }
    ASSERT_EQ(result.outcome, Outcome::success);
    // The perfect prefix is in strictly increasing DB order.
    ASSERT_GE(result.perfect_matches, 1U);
    for (std::size_t i = 0; i < result.perfect_matches; ++i) {
      ASSERT_EQ(result.matches[i].accuracy, 1.0);
      if (i > 0) { ASSERT_LT(result.matches[i - 1].reference, result.matches[i].reference); }
    }
    if (result.perfect_matches < result.matches.size()) {
      ASSERT_LT(result.matches[result.perfect_matches].accuracy, 1.0);
    }
    // The reference's name is listed, with the first perfect entry of that name.
    std::size_t pos = result.matches.size();
    for (std::size_t i = 0; i < result.perfect_matches; ++i) {
      if (refs[result.matches[i].reference].name == refs[r].name) pos = i;
    }
    if (pos == result.matches.size()) {
      ADD_FAILURE() << refs[r].name << " (line " << refs[r].line << ") is not among the perfect matches";
      ++failures;
      continue;
    }
    const std::size_t listed = result.matches[pos].reference;
    EXPECT_LE(listed, r);
    for (std::size_t earlier = 0; earlier < listed; ++earlier) {
      if (refs[earlier].name == refs[r].name) {
        EXPECT_LT(m.compare(*subject, earlier).accuracy(), 1.0) << "an earlier perfect " << refs[r].name;
      }
    }
    // Position 0 exactly when no earlier entry of another name is perfect: entries ahead of it are
    // perfect, earlier in the DB, and of other names (checked above), so they are that evidence.
    if (pos == 0) ++literally_first;
  }
  EXPECT_EQ(failures, 0U);
  const std::size_t checked = (refs.size() + step - 1) / step;
  std::printf("[ property ] %zu references checked: %zu first in the list, %zu behind earlier perfect entries, %zu too "
              "many matches\n",
              checked, literally_first, checked - literally_first - too_many, too_many);
}

TEST(InstalledDbProperty, EveryReferenceMatchesItselfFirst793) { check_every_reference(Semantics::nmap_7_93, 1); }

TEST(InstalledDbProperty, EveryReferenceMatchesItselfFirstFixed) { check_every_reference(Semantics::fixed, 3); }

TEST(InstalledDbProperty, FastMatcherEqualsNaiveOracleOnSamples) {
  const database::OsDb* db = installed_db();
  if (db == nullptr) GTEST_SKIP() << "installed nmap-os-db not available";
  Matcher m(*db);
  std::size_t checked = 0;
  for (std::size_t r = 0; r < db->references().size(); r += 397) {
    std::string why;
    auto subject = concrete_subject(*db, r, Semantics::nmap_7_93, why);
    ASSERT_TRUE(subject) << why;
    EXPECT_EQ(m.match(*subject), testing::naive_match(*db, *subject)) << db->references()[r].name;
    // Perturbed: every third attribute gets a value no expression expects.
    std::size_t n = 0;
    for (auto& t : subject->tests) {
      for (auto& a : t.attributes) {
        if (n++ % 3 == r % 3) a.value = (n % 2 == 0) ? "QQ" : "";
      }
    }
    const auto fast = m.match(*subject);
    EXPECT_EQ(fast, testing::naive_match(*db, *subject)) << db->references()[r].name << " perturbed";
    for (std::size_t i = 0; i < db->references().size(); i += 13) {
      const Score a = m.compare(*subject, i);
      const Score b = testing::naive_compare(*db, *subject, i);
      ASSERT_EQ(a.matched, b.matched);
      ASSERT_EQ(a.total, b.total);
    }
    ++checked;
  }
  EXPECT_GT(checked, 10U);
}

} // namespace
} // namespace stackprint::scoring
