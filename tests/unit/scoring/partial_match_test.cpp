#include "stackprint/scoring/partial_match.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace stackprint::scoring {
namespace {

using fingerprint::Fingerprint;
using fingerprint::TestLine;
using Names = std::vector<std::string>;

constexpr const char* k_db = "MatchPoints\n"
                             "SEQ(TI=100%TS=20)\n"
                             "T1(R=100%DF=20)\n"
                             "T5(R=100%DF=20%W=50)\n"
                             "IE(R=50%DFI=40)\n"
                             "\n"
                             "Fingerprint Stack That Answers\n"
                             "Class Acme | AcmeOS | 1.X | general purpose\n"
                             "SEQ(TI=Z%TS=A)\nT1(R=Y%DF=Y)\nT5(R=Y%DF=Y%W=0)\nIE(DFI=N)\n"
                             "\n"
                             "Fingerprint Recorded Behind A Firewall\n"
                             "Class Other | OtherOS | 2.X | firewall\n"
                             "SEQ(TI=Z%TS=7)\nT1(R=Y%DF=Y)\nT5(R=N)\nIE(R=N)\n"
                             "\n";

database::OsDb make_db() {
  auto db = database::parse_os_db(k_db, "t.db");
  if (!db) throw std::runtime_error(db.error().message);
  return std::move(*db);
}

// "Stack That Answers" behind a firewall that dropped T5 and the echo requests.
Fingerprint firewalled_subject() {
  Fingerprint fp;
  fp.scan = TestLine{"SCAN", {{"V", "7.93"}}};
  fp.tests = {TestLine{"SEQ", {{"TI", "Z"}, {"TS", "A"}}}, TestLine{"T1", {{"R", "Y"}, {"DF", "Y"}}},
              TestLine{"T5", {{"R", "N"}}}, TestLine{"IE", {{"R", "N"}}}};
  return fp;
}

TEST(PartialMatch, NmapMatchingPrefersTheReferenceRecordedBehindAFilter) {
  const auto db = make_db();
  Matcher matcher(db);
  const MatchResult nmap = matcher.match(firewalled_subject());
  ASSERT_FALSE(nmap.matches.empty());
  EXPECT_EQ(db.references()[nmap.matches[0].reference].name, "Recorded Behind A Firewall");
  EXPECT_EQ(nmap.perfect_matches, 0U);
  // The answering stack loses T5's R (100 of 340 points): 70%, under the 85% entrance.
  EXPECT_EQ(nmap.matches.size(), 1U);
}

TEST(PartialMatch, MatchingWithoutTheFilteredTestsFindsTheStack) {
  const auto db = make_db();
  Matcher matcher(db);
  const MatchResult partial = match_present_tests(matcher, firewalled_subject(), {"T5", "IE"});
  ASSERT_EQ(partial.matches.size(), 2U);
  EXPECT_EQ(db.references()[partial.matches[0].reference].name, "Stack That Answers");
  EXPECT_EQ(partial.matches[0].accuracy, 1.0);
  EXPECT_EQ(partial.perfect_matches, 1U);
  EXPECT_DOUBLE_EQ(partial.matches[1].accuracy, 220.0 / 240.0);
}

TEST(PartialMatch, NothingFilteredIsExactlyNmapsMatch) {
  const auto db = make_db();
  Matcher matcher(db);
  const Fingerprint subject = firewalled_subject();
  EXPECT_EQ(match_present_tests(matcher, subject, {}), matcher.match(subject));
  // Filtering a test the subject does not have changes nothing either.
  EXPECT_EQ(match_present_tests(matcher, subject, {"U1"}), matcher.match(subject));
}

TEST(PartialMatch, WithoutTestsKeepsScanAndOrder) {
  const Fingerprint out = without_tests(firewalled_subject(), {"T5", "SEQ"});
  ASSERT_TRUE(out.scan);
  EXPECT_EQ(out.scan->name, "SCAN");
  ASSERT_EQ(out.tests.size(), 2U);
  EXPECT_EQ(out.tests[0].name, "T1");
  EXPECT_EQ(out.tests[1].name, "IE");
}

TEST(PartialMatch, AbsentTestsInNmapOrder) {
  EXPECT_EQ(absent_tests(firewalled_subject()), (Names{"OPS", "WIN", "ECN", "T2", "T3", "T4", "T6", "T7", "U1"}));
  Fingerprint full;
  for (const auto name : nmap_test_names()) full.tests.push_back(TestLine{std::string(name), {}});
  EXPECT_TRUE(absent_tests(full).empty());
}

TEST(PartialMatch, JoinTestNames) {
  EXPECT_EQ(join_test_names({"T2", "U1", "IE"}), "T2 U1 IE");
  EXPECT_EQ(join_test_names({}), "");
}

TEST(PartialMatch, ParseTestListExpandsRangesSortsAndDeduplicates) {
  const auto list = parse_test_list("IE,T2-T4, U1,T3 SEQ");
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(*list, (Names{"SEQ", "T2", "T3", "T4", "U1", "IE"}));
  const auto all_t = parse_test_list("T1-T7");
  ASSERT_TRUE(all_t);
  EXPECT_EQ(all_t->size(), 7U);
}

TEST(PartialMatch, ParseTestListRejectsUnknownNamesAndBadRanges) {
  for (const char* bad : {"", ",", "T8", "t2", "T2-U1", "T5-T2", "X", "T2-", "IE1"}) {
    const auto list = parse_test_list(bad);
    EXPECT_FALSE(list) << bad;
  }
  const auto unknown = parse_test_list("T2,FOO");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("FOO"), std::string::npos);
}

} // namespace
} // namespace stackprint::scoring
