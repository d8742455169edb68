#include "stackprint/scoring/matcher.hpp"

#include <string>

#include <gtest/gtest.h>

#include "naive_oracle.hpp"

namespace stackprint::scoring {
namespace {

using fingerprint::Attribute;
using fingerprint::Fingerprint;
using fingerprint::TestLine;

constexpr const char* k_points = "MatchPoints\n"
                                 "SEQ(TI=100%TS=100)\n"
                                 "T1(R=100%DF=20%T=15%TG=15)\n"
                                 "T2(R=80%DF=20)\n"
                                 "U1(R=50%DF=20%IPL=100)\n"
                                 "\n";

database::OsDb make_db(const std::string& body) {
  auto db = database::parse_os_db(std::string(k_points) + body, "t.db");
  if (!db) throw std::runtime_error(db.error().message);
  return std::move(*db);
}

Fingerprint subject(std::initializer_list<TestLine> tests) {
  Fingerprint fp;
  fp.tests = tests;
  return fp;
}

TEST(Compare, OnlyOverlappingTestsAndAttributesCount) {
  const auto db = make_db("Fingerprint A\nSEQ(TI=Z%TS=A)\nT1(R=Y%DF=Y%T=40)\nT2(R=N)\nU1(DF=N%IPL=164)\n");
  Matcher m(db);
  // No SEQ on the subject side, T2 responded, U1 has an extra R the reference lacks.
  const auto s = m.compare(
      subject({TestLine{"T1", {{"R", "Y"}, {"DF", "N"}, {"T", "40"}}}, TestLine{"T2", {{"R", "Y"}, {"DF", "Y"}}},
               TestLine{"U1", {{"R", "Y"}, {"DF", "N"}, {"IPL", "164"}}}}),
      0);
  // T1: R 100 + DF 20 (miss) + T 15; T2: only R overlaps (80, miss); U1: DF 20 + IPL 100; U1.R absent in ref.
  EXPECT_EQ(s.total, 100U + 20U + 15U + 80U + 20U + 100U);
  EXPECT_EQ(s.matched, 100U + 15U + 20U + 100U);
}

TEST(Compare, TIsOnlyComparedWithTAndTgWithTg) {
  const auto db = make_db("Fingerprint A\nT1(R=Y%TG=40)\n");
  Matcher m(db);
  const auto with_t = m.compare(subject({TestLine{"T1", {{"R", "Y"}, {"T", "40"}}}}), 0);
  EXPECT_EQ(with_t.total, 100U); // T does not meet TG
  const auto with_tg = m.compare(subject({TestLine{"T1", {{"R", "Y"}, {"TG", "40"}}}}), 0);
  EXPECT_EQ(with_tg.total, 115U);
  EXPECT_EQ(with_tg.matched, 115U);
}

TEST(Compare, NoResponseSubjectAgainstReferenceWithoutR) {
  const auto db = make_db("Fingerprint A\nU1(DF=N%IPL=164)\nT1(R=N)\n");
  Matcher m(db);
  // U1(R=N) meets a reference U1 without R: nothing overlaps, no penalty.
  const auto s = m.compare(subject({TestLine{"U1", {{"R", "N"}}}, TestLine{"T1", {{"R", "N"}}}}), 0);
  EXPECT_EQ(s.total, 100U);
  EXPECT_EQ(s.matched, 100U);
  EXPECT_DOUBLE_EQ(s.accuracy(), 1.0);
  // Nothing at all overlapping: accuracy 0.
  EXPECT_DOUBLE_EQ(m.compare(subject({TestLine{"SEQ", {{"TI", "Z"}}}}), 0).accuracy(), 0.0);
}

TEST(Compare, ScanLineAndUnknownTestsAreIgnored) {
  const auto db = make_db("Fingerprint A\nSEQ(TI=Z%TS=A)\n");
  Matcher m(db);
  Fingerprint fp = subject({TestLine{"SEQ", {{"TI", "Z"}, {"TS", "1"}}}, TestLine{"XX", {{"TI", "Q"}}}});
  fp.scan = TestLine{"SCAN", {{"V", "7.93"}}};
  const auto s = m.compare(fp, 0);
  EXPECT_EQ(s.total, 200U);
  EXPECT_EQ(s.matched, 100U);
}

std::string n_entries(int count, const char* name_prefix, const char* seq_body, bool distinct_names) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    out += "Fingerprint ";
    out += name_prefix;
    if (distinct_names) out += " " + std::to_string(i);
    out += "\n";
    out += seq_body;
    out += "\n\n";
  }
  return out;
}

TEST(Match, OrderIsDescendingAccuracyWithTiesInDbOrder) {
  // Subject: SEQ(TI=Z%TS=A), T1(R=Y%DF=Y).
  const auto db = make_db("Fingerprint Low\nSEQ(TI=Z%TS=A)\nT1(R=Y%DF=N)\n\n"       // 300/320
                          "Fingerprint Perfect B\nSEQ(TI=Z%TS=A)\nT1(R=Y%DF=Y)\n\n" // 1.0
                          "Fingerprint Tie 1\nSEQ(TI=Z%TS=A)\nT1(R=Y%DF=N)\n\n"     // 300/320, after Low
                          "Fingerprint Perfect A\nSEQ(TI=Z%TS=A)\nT1(R=Y)\n\n"      // 1.0, after Perfect B
                          "Fingerprint Bad\nSEQ(TI=I%TS=U)\nT1(R=Y%DF=Y)\n\n");     // 120/320: below 0.85
  const Fingerprint fp =
      subject({TestLine{"SEQ", {{"TI", "Z"}, {"TS", "A"}}}, TestLine{"T1", {{"R", "Y"}, {"DF", "Y"}}}});
  Matcher m(db);
  const auto r = m.match(fp);
  ASSERT_EQ(r.outcome, Outcome::success);
  ASSERT_EQ(r.matches.size(), 4U);
  EXPECT_EQ(r.perfect_matches, 2U);
  EXPECT_EQ(r.matches[0].reference, 1U);
  EXPECT_EQ(r.matches[1].reference, 3U);
  EXPECT_EQ(r.matches[2].reference, 0U);
  EXPECT_EQ(r.matches[3].reference, 2U);
  EXPECT_DOUBLE_EQ(r.matches[2].accuracy, 300.0 / 320.0);
}

TEST(Match, DedupByNameKeepsTheBetterAndOnATieTheEarlier) {
  const auto db = make_db("Fingerprint Same\nSEQ(TI=Z%TS=U)\nT1(R=Y%DF=Y)\n\n"   // 220/320 < 0.85: not listed
                          "Fingerprint Same\nSEQ(TI=Z%TS=A)\nT1(R=Y%DF=N)\n\n"   // 220/240
                          "Fingerprint Other\nSEQ(TI=Z%TS=A)\nT1(R=Y%DF=N)\n\n"  // 220/240
                          "Fingerprint Same\nSEQ(TI=Z%TS=A)\nT1(R=Y%DF=N)\n\n"   // tie with the listed Same: skipped
                          "Fingerprint Same\nSEQ(TI=Z%TS=A)\nT1(R=Y%DF=Y)\n\n"); // better: replaces, goes first
  const Fingerprint fp =
      subject({TestLine{"SEQ", {{"TI", "Z"}, {"TS", "A"}}}, TestLine{"T1", {{"R", "Y"}, {"DF", "Y"}}}});
  Matcher m(db);
  const auto r = m.match(fp);
  ASSERT_EQ(r.matches.size(), 2U);
  EXPECT_EQ(r.matches[0].reference, 4U);
  EXPECT_EQ(r.matches[1].reference, 2U);
  EXPECT_EQ(r.perfect_matches, 1U);
}

TEST(Match, NoMatches) {
  const auto db = make_db("Fingerprint A\nSEQ(TI=I%TS=U)\n");
  Matcher m(db);
  const auto r = m.match(subject({TestLine{"SEQ", {{"TI", "Z"}, {"TS", "A"}}}}));
  EXPECT_EQ(r.outcome, Outcome::no_matches);
  EXPECT_TRUE(r.matches.empty());
}

TEST(Match, ThirtySixPerfectMatchesAreFineTheThirtySeventhIsTooMany) {
  const Fingerprint fp = subject({TestLine{"SEQ", {{"TI", "Z"}, {"TS", "A"}}}});
  {
    const auto db = make_db(n_entries(36, "OS", "SEQ(TI=Z%TS=A)", true));
    Matcher m(db);
    const auto r = m.match(fp);
    EXPECT_EQ(r.outcome, Outcome::success);
    EXPECT_EQ(r.perfect_matches, 36U);
    EXPECT_EQ(r.matches.size(), 36U);
  }
  {
    const auto db = make_db(n_entries(37, "OS", "SEQ(TI=Z%TS=A)", true));
    Matcher m(db);
    EXPECT_EQ(m.match(fp).outcome, Outcome::too_many_matches);
  }
  {
    // Same name 40 times: one perfect match only.
    const auto db = make_db(n_entries(40, "OS", "SEQ(TI=Z%TS=A)", false));
    Matcher m(db);
    const auto r = m.match(fp);
    EXPECT_EQ(r.outcome, Outcome::success);
    EXPECT_EQ(r.perfect_matches, 1U);
    EXPECT_EQ(r.matches.size(), 1U);
  }
}

TEST(Match, ListIsCappedAt36AndTheEntranceRises) {
  // 40 references at 0.9 then one at 0.875: the list is full of 0.9 so 0.875 cannot enter, and
  // ties at 0.9 after the list is full cannot enter either (entrance = 0.9 + 0.00001).
  std::string body;
  for (int i = 0; i < 40; ++i) body += "Fingerprint N" + std::to_string(i) + "\nSEQ(TI=Z%TS=A)\nT2(R=Y%DF=N)\n\n";
  body += "Fingerprint Late\nSEQ(TI=Z%TS=A)\nT2(R=N)\n\n";
  const auto db = make_db(body);
  const Fingerprint fp =
      subject({TestLine{"SEQ", {{"TI", "Z"}, {"TS", "A"}}}, TestLine{"T2", {{"R", "Y"}, {"DF", "Y"}}}});
  Matcher m(db);
  const auto r = m.match(fp);
  ASSERT_EQ(r.matches.size(), 36U);
  EXPECT_EQ(r.matches.front().reference, 0U);
  EXPECT_EQ(r.matches.back().reference, 35U);
  EXPECT_EQ(r, testing::naive_match(db, fp));
}

TEST(Match, EarlyExitNeverChangesTheResult) {
  // Many references with graded mismatches; the fast matcher must agree with the naive one.
  std::string body;
  const char* tis[] = {"Z", "I", "RD"};
  const char* tss[] = {"A", "U", "1-5"};
  const char* dfs[] = {"Y", "N"};
  int n = 0;
  for (const char* ti : tis) {
    for (const char* ts : tss) {
      for (const char* df : dfs) {
        for (const char* r2 : {"Y", "N"}) {
          body += "Fingerprint E" + std::to_string(n++ % 7) + "\nSEQ(TI=" + ti + "%TS=" + ts + ")\nT1(R=Y%DF=" + df +
                  "%T=3B-45)\nT2(R=" + r2 + ")\nU1(DF=N%IPL=164)\n\n";
        }
      }
    }
  }
  const auto db = make_db(body);
  Matcher m(db);
  for (const char* ts : {"A", "3", "U", ""}) {
    for (const char* t : {"40", "80"}) {
      const Fingerprint fp =
          subject({TestLine{"SEQ", {{"TI", "Z"}, {"TS", ts}}}, TestLine{"T1", {{"R", "Y"}, {"DF", "Y"}, {"T", t}}},
                   TestLine{"T2", {{"R", "N"}}}, TestLine{"U1", {{"R", "Y"}, {"DF", "N"}, {"IPL", "164"}}}});
      EXPECT_EQ(m.match(fp), testing::naive_match(db, fp)) << "TS=" << ts << " T=" << t;
    }
  }
}

TEST(Match, SemanticsOptionChangesExpressionMeaning) {
  const auto db = make_db("Fingerprint A\nSEQ(TI=Z%TS=1|5-7)\n");
  const Fingerprint fp = subject({TestLine{"SEQ", {{"TI", "Z"}, {"TS", "1"}}}});
  Matcher nmap(db);
  Matcher fixed(db, MatchOptions{database::Semantics::fixed, k_guess_threshold});
  EXPECT_EQ(nmap.compare(fp, 0).matched, 100U); // 7.93: "1" is in range mode and fails
  EXPECT_EQ(fixed.compare(fp, 0).matched, 200U);
  EXPECT_EQ(nmap.match(fp).outcome, Outcome::no_matches); // 0.5
  EXPECT_EQ(fixed.match(fp).perfect_matches, 1U);
}

TEST(Match, RepeatedSubjectTestUsesTheFirst) {
  const auto db = make_db("Fingerprint A\nT2(R=Y%DF=Y)\n");
  Matcher m(db);
  const auto s = m.compare(subject({TestLine{"T2", {{"R", "Y"}, {"DF", "Y"}}}, TestLine{"T2", {{"R", "N"}}}}), 0);
  EXPECT_EQ(s.matched, 100U);
  EXPECT_EQ(s.total, 100U);
}

TEST(Match, RememberedResultsAreTheResultsOfEqualSubjects) {
  // Subjects that differ in one value only (and in the ignored SCAN line), matched over and over
  // by a Matcher that keeps 3 results: every answer must be the naive one, kept or not.
  std::string body;
  for (const char* ti : {"Z", "I", "RD"}) {
    for (const char* df : {"Y", "N"}) {
      body += std::string("Fingerprint F") + ti + df + "\nSEQ(TI=" + ti + "%TS=A)\nT1(R=Y%DF=" + df + "%T=3B-45)\n\n";
    }
  }
  const auto db = make_db(body);
  Matcher kept(db);
  kept.remember(3);
  for (int pass = 0; pass < 3; ++pass) {
    for (const char* ti : {"Z", "I", "RD", "BI", "Z"}) {
      for (const char* df : {"Y", "N"}) {
        Fingerprint fp = subject(
            {TestLine{"SEQ", {{"TI", ti}, {"TS", "A"}}}, TestLine{"T1", {{"R", "Y"}, {"DF", df}, {"T", "40"}}}});
        if (pass == 1) { fp.scan = TestLine{"SCAN", {{"V", "7.93"}}}; }
        EXPECT_EQ(kept.match(fp), testing::naive_match(db, fp)) << "TI=" << ti << " DF=" << df;
      }
    }
  }
}

} // namespace
} // namespace stackprint::scoring
