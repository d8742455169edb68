#include "stackprint/scoring/os_report.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace stackprint::scoring {
namespace {

using Lines = std::vector<std::string>;

// Weights chosen so that a miss of E, D, C, B gives 98, 97, 95, 90 percent.
constexpr const char* k_points = "MatchPoints\nSEQ(A=80%B=10%C=5%D=3%E=2)\n\n";

database::OsDb make_db(const std::string& body) {
  auto db = database::parse_os_db(std::string(k_points) + body, "t.db");
  if (!db) throw std::runtime_error(db.error().message);
  return std::move(*db);
}

// A subject with every attribute "Y".
fingerprint::Fingerprint subject() {
  fingerprint::Fingerprint fp;
  fp.tests.push_back({"SEQ", {{"A", "Y"}, {"B", "Y"}, {"C", "Y"}, {"D", "Y"}, {"E", "Y"}}});
  return fp;
}

// A reference block: `misses` lists attributes that do not match the subject.
std::string entry(const std::string& name, const std::string& classes, const std::string& misses = "") {
  std::string seq = "SEQ(";
  for (const char a : std::string("ABCDE")) {
    if (a != 'A') seq += "%";
    seq += std::string(1, a) + "=" + (misses.find(a) != std::string::npos ? "N" : "Y");
  }
  return "Fingerprint " + name + "\n" + classes + seq + ")\n\n";
}

OsReport report_for(const database::OsDb& db, ReportOptions options) {
  Matcher m(db);
  return build_os_report(db, m.match(subject()), options);
}

TEST(OsReport, PerfectMatchGivesDetailsAndClassLines) {
  const auto db =
      make_db(entry("Example 2.0",
                    "Class Example | ExampleOS | 2.X | general purpose\nCPE cpe:/o:example:os:2 auto\n"
                    "Class Example | ExampleOS | 2.X | router\nCPE cpe:/o:example:os:2\nCPE cpe:/h:example:box\n") +
              entry("Other Perfect", "Class Linux | Linux | 5.X | general purpose\nCPE cpe:/o:linux:linux_kernel:5\n") +
              entry("Near", "Class Near | NearOS | 1 | phone\n", "E"));
  const auto r = report_for(db, {});
  EXPECT_EQ(r.lines, (Lines{"Device type: general purpose|router", "Running: Example ExampleOS 2.X, Linux 5.X",
                            "OS CPE: cpe:/o:example:os:2 cpe:/h:example:box cpe:/o:linux:linux_kernel:5",
                            "OS details: Example 2.0, Other Perfect"}));
  EXPECT_EQ(r.xml_matches, (std::vector<std::size_t>{0, 1}));
  EXPECT_FALSE(r.fingerprint_follows);
}

TEST(OsReport, GuessesWithJustGuessingAndPercentages) {
  const auto db = make_db(entry("Linux A", "Class Linux | Linux | 5.X | general purpose\n", "E") + // 98
                          entry("Linux B", "Class Linux | Linux | 5.X | general purpose\n", "D") + // 97 dup class
                          entry("Linux C", "Class Linux | Linux | 4.X | general purpose\n", "D") + // 97
                          entry("Linux D", "Class Linux | Linux | 5 | general purpose\n", "D") +   // 97, "5" in "5.X"
                          entry("Cam", "Class AXIS | embedded || webcam\nCPE cpe:/h:axis:cam\n", "C") + // 95
                          entry("Far", "Class Far | FarOS | 1 | router\n", "BC")); // 85: not within 10
  const auto r = report_for(db, ReportOptions{.osscan_guess = true});
  EXPECT_EQ(r.lines,
            (Lines{"Device type: general purpose|webcam",
                   "Running (JUST GUESSING): Linux 5.X|4.X (98%), AXIS embedded (95%)", "OS CPE: cpe:/h:axis:cam",
                   "Aggressive OS guesses: Linux A (98%), Linux B (97%), Linux C (97%), Linux D (97%), Cam (95%)",
                   "No exact OS matches for host (If you know what OS is running on it, see "
                   "https://nmap.org/submit/ )."}));
  EXPECT_EQ(r.xml_matches.size(), 5U); // 85% is not within 10 points of 98%
  EXPECT_TRUE(r.fingerprint_follows);
}

TEST(OsReport, NoGuessWithoutOptionButXmlStillLists) {
  const auto db = make_db(entry("Linux A", "Class Linux | Linux | 5.X | general purpose\n", "E"));
  const auto r = report_for(db, {});
  EXPECT_EQ(r.lines, (Lines{"No exact OS matches for host (If you know what OS is running on it, see "
                            "https://nmap.org/submit/ )."}));
  EXPECT_EQ(r.xml_matches.size(), 1U);
}

TEST(OsReport, NonIdealConditionsGuessWithoutTheOption) {
  const auto db = make_db(entry("Linux A", "Class Linux | Linux | 5.X | general purpose\n", "E"));
  const auto r = report_for(db, ReportOptions{.non_ideal = true});
  EXPECT_EQ(r.lines, (Lines{"Device type: general purpose", "Running (JUST GUESSING): Linux 5.X (98%)",
                            "Aggressive OS guesses: Linux A (98%)",
                            "No exact OS matches for host (test conditions non-ideal)."}));
  EXPECT_FALSE(r.fingerprint_follows);
}

TEST(OsReport, MoreThanEightCpesSuppressAllClassLines) {
  std::string classes = "Class Linux | Linux | 5.X | general purpose\n";
  for (int i = 0; i < 9; ++i) classes += "CPE cpe:/o:linux:linux_kernel:5." + std::to_string(i) + "\n";
  const auto db = make_db(entry("Linux", classes));
  const auto r = report_for(db, {});
  EXPECT_EQ(r.lines, (Lines{"OS details: Linux"}));
}

TEST(OsReport, MoreThanEightFamiliesSuppressAllClassLines) {
  std::string body;
  for (int i = 0; i < 9; ++i)
    body += entry("OS " + std::to_string(i), "Class V" + std::to_string(i) + " | F | 1 | t\n");
  const auto db = make_db(body);
  const auto r = report_for(db, {});
  ASSERT_EQ(r.lines.size(), 1U);
  EXPECT_EQ(r.lines[0], "Too many fingerprints match this host to give specific OS details"); // 9 perfect > 8
  const auto debug = report_for(db, ReportOptions{.debugging = true});
  ASSERT_EQ(debug.lines.size(), 1U); // families overflow: no class lines; details list all nine
  EXPECT_EQ(debug.lines[0].rfind("OS details: OS 0, OS 1,", 0), 0U);
  EXPECT_EQ(debug.xml_matches.size(), 9U);
}

TEST(OsReport, NoMatchesAndTooManyMatches) {
  const auto none = make_db(entry("Far", "Class Far | FarOS | 1 | router\n", "A"));
  EXPECT_EQ(report_for(none, {}).lines,
            (Lines{"No OS matches for host (If you know what OS is running on it, see https://nmap.org/submit/ )."}));
  EXPECT_EQ(report_for(none, ReportOptions{.non_ideal = true}).lines, (Lines{"No OS matches for host"}));

  std::string body;
  for (int i = 0; i < 37; ++i) body += entry("OS " + std::to_string(i), "Class V | F | 1 | t\n");
  const auto many = make_db(body);
  const auto r = report_for(many, ReportOptions{.osscan_guess = true});
  EXPECT_EQ(r.lines, (Lines{"Too many fingerprints match this host to give specific OS details"}));
  EXPECT_TRUE(r.xml_matches.empty());
}

TEST(Classify, StopsAtLesserMatchesOncePerfectClassesExist) {
  const auto db = make_db(entry("P", "Class A | A | 1 | t\n") + entry("Q", "Class B | B | 1 | t\n", "E"));
  Matcher m(db);
  const auto c = classify(db, m.match(subject()));
  ASSERT_EQ(c.classes.size(), 1U);
  EXPECT_EQ(c.perfect_classes, 1U);
  EXPECT_EQ(c.classes[0].os_class->vendor, "A");
}

TEST(Classify, ClassesAreUniqueByVendorFamilyTypeAndGeneration) {
  const auto db = make_db(entry("P1", "Class A | F | 1 | t\nClass A | F | | t\nClass A | F | 1 | t\n", "E") +
                          entry("P2", "Class A | F | 1 | t\nCPE cpe:/o:a:f\nClass A | F | 1 | u\n", "E"));
  Matcher m(db);
  const auto c = classify(db, m.match(subject()));
  EXPECT_EQ(c.classes.size(), 3U); // (1,t), (absent,t), (1,u)
  EXPECT_EQ(c.perfect_classes, 0U);
  EXPECT_EQ(percent(c.classes[2].accuracy), 98);
}

TEST(Percent, TruncatesLikeNmap) {
  EXPECT_EQ(percent(1.0), 100);
  EXPECT_EQ(percent(0.969), 96);
  EXPECT_EQ(percent(0.85), 85);
  EXPECT_EQ(percent(1669.0 / 1740.0), 95);
}

} // namespace
} // namespace stackprint::scoring
