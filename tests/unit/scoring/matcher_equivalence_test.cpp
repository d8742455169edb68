// The fast Matcher (cells, group tuples, prefix tree, early exits) against the naive oracle
// (naive_oracle.hpp: text expressions, full comparisons, a plain list), on randomised subjects:
//   - synthetic databases full of expression quirks (7.93 prefix alternatives, range mode, empty
//     alternatives, comparisons, mixed forms) and duplicate names, with subjects drawn from values
//     that hit those quirks, missing tests, R=N lines, repeated tests and unknown attributes;
//   - the installed nmap-os-db, with subjects derived from references and then mutated (values
//     from other references, numbers nudged, values emptied, extended or cut, tests dropped).
// Both the 7.93 and the fixed semantics, several thresholds; seeded, so a failure repeats.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "naive_oracle.hpp"
#include "stackprint/database/os_db.hpp"
#include "stackprint/fingerprint/text.hpp"
#include "stackprint/scoring/matcher.hpp"
#include "support/captures.hpp"
#include "support/installed_db.hpp"

namespace stackprint::scoring {
namespace {

using database::Semantics;
using fingerprint::Fingerprint;
using fingerprint::TestLine;

std::string describe(const Fingerprint& fp) {
  std::string out;
  for (const auto& t : fp.tests) {
    out += t.name + "(";
    for (std::size_t i = 0; i < t.attributes.size(); ++i) {
      out += (i > 0 ? "%" : "") + t.attributes[i].name + "=" + t.attributes[i].value;
    }
    out += ")";
  }
  return out;
}

template <typename T> const T& pick(std::mt19937& rng, const std::vector<T>& v) {
  return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
}

bool chance(std::mt19937& rng, double p) { return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < p; }

// ---------------------------------------------------------------------------------------------
// Synthetic databases.

constexpr const char* k_points = "MatchPoints\n"
                                 "SEQ(SP=25%GCD=75%TI=100%TS=100)\n"
                                 "OPS(O1=20%O2=20)\n"
                                 "T1(R=100%DF=20%T=15%TG=15%W=25%O=10)\n"
                                 "T2(R=80%DF=20%W=25%Q=20)\n"
                                 "U1(R=50%DF=20%IPL=100%RID=100)\n"
                                 "IE(R=50%DFI=40%CD=100)\n"
                                 "\n";

struct SyntheticAttribute {
  const char* test;
  const char* name;
  std::vector<std::string> expressions; // what references may carry
  std::vector<std::string> values;      // what subjects may show
};

const std::vector<SyntheticAttribute>& synthetic_attributes() {
  static const std::vector<SyntheticAttribute> attributes = {
      {"SEQ", "SP", {"0-5", "FA-104", "1|>10", "5|3-7", "100-10A|FF"}, {"0", "5", "6", "11", "FF", "101", "4", "3"}},
      {"SEQ",
       "GCD",
       {"1", "1|2", "1-6|8|58", "<5", ">FFFF", "A|14|1E"},
       {"1", "2", "8", "80", "58", "4", "5", "10000", "A", "14", "1E", "123456789"}},
      {"SEQ", "TI", {"Z", "I", "RD", "I|RD", "RI|Z", "|Z"}, {"Z", "I", "RD", "RI", "BI", ""}},
      {"SEQ", "TS", {"A", "U", "1-5", "7|8", "0|A", "21"}, {"A", "U", "1", "5", "7", "8", "21", "0", "U1"}},
      {"OPS",
       "O1",
       {"M5B4ST11NW7", "M5B4ST11NW7|M5B4NW7", "M5B4|M5B4ST11", "|M5B4", "M5B4NNT11"},
       {"M5B4ST11NW7", "M5B4NW7", "M5B4", "M5B4ST11", "M5B4ST11NW7X", "", "M5", "M5B4NNT11"}},
      {"OPS", "O2", {"M5B4ST11", "M5B4ST11|M5B4", "M109"}, {"M5B4ST11", "M5B4", "M109", "M5B4ST11NW2"}},
      {"T1", "R", {"Y", "N", "Y|N"}, {"Y", "N"}},
      {"T1", "DF", {"Y", "N", "Y|N"}, {"Y", "N", ""}},
      {"T1", "T", {"3B-45", "40", "7B-85|FA-104", "40|80"}, {"40", "3B", "45", "46", "80", "FF", "8", "400"}},
      {"T1", "TG", {"40", "80", "FF"}, {"40", "80", "FF"}},
      {"T1",
       "W",
       {"FAF0", "FAF0|FB40", "0", "FFFF|0", "2000-3000"},
       {"FAF0", "FB40", "0", "FFFF", "2800", "FAF", "FAF01"}},
      {"T1",
       "O",
       {"M5B4NNSNW7", "", "|M5B4", "M5B4NNSNW7|M5B4NW7"},
       {"M5B4NNSNW7", "", "M5B4", "M5B4NW7", "M5B4NNSNW7X"}},
      {"T2", "R", {"Y", "N"}, {"Y", "N"}},
      {"T2", "DF", {"Y", "N"}, {"Y", "N"}},
      {"T2", "W", {"0", "0|FFFF", "<10"}, {"0", "FFFF", "F", "10"}},
      {"T2", "Q", {"", "R", "RU", "|R"}, {"", "R", "RU", "U"}},
      {"U1", "R", {"Y"}, {"Y", "N"}},
      {"U1", "DF", {"N", "Y"}, {"N", "Y"}},
      {"U1", "IPL", {"164", "38", "38|164", ">100"}, {"164", "38", "101", "1640"}},
      {"U1", "RID", {"G", "4210", "G|4210"}, {"G", "4210", "0"}},
      {"IE", "R", {"Y"}, {"Y", "N"}},
      {"IE", "DFI", {"N", "S", "Y", "N|S", "O"}, {"N", "S", "Y", "O"}},
      {"IE", "CD", {"S", "Z", "S|Z", "O"}, {"S", "Z", "O"}},
  };
  return attributes;
}

const std::vector<std::string>& synthetic_tests() {
  static const std::vector<std::string> tests = {"SEQ", "OPS", "T1", "T2", "U1", "IE"};
  return tests;
}

std::string synthetic_db(std::mt19937& rng, int references) {
  std::string out = k_points;
  for (int r = 0; r < references; ++r) {
    out += fmt::format("Fingerprint OS {}\nClass V | F | G | general purpose\n", rng() % 40); // duplicate names
    for (const std::string& test : synthetic_tests()) {
      if (chance(rng, 0.1)) continue; // the reference lacks this test
      std::string body;
      if (test.starts_with("T") && chance(rng, 0.15)) {
        body = "R=N";
      } else {
        for (const auto& a : synthetic_attributes()) {
          if (a.test != test || chance(rng, 0.1)) continue;
          body += (body.empty() ? "" : "%") + std::string(a.name) + "=" + pick(rng, a.expressions);
        }
      }
      out += test + "(" + body + ")\n";
    }
    out += "\n";
  }
  return out;
}

Fingerprint synthetic_subject(std::mt19937& rng) {
  Fingerprint fp;
  if (chance(rng, 0.08)) { // a tiny print: many perfect matches, up to TOOMANYMATCHES
    TestLine line;
    line.name = chance(rng, 0.5) ? "T2" : "U1";
    line.attributes.push_back(line.name == "T2" ? fingerprint::Attribute{"R", "N"} : fingerprint::Attribute{"DF", "N"});
    fp.tests.push_back(std::move(line));
    return fp;
  }
  for (const std::string& test : synthetic_tests()) {
    if (chance(rng, 0.12)) continue; // missing test
    TestLine line{test, {}};
    if (chance(rng, 0.1)) {
      line.attributes.push_back({"R", "N"});
    } else {
      for (const auto& a : synthetic_attributes()) {
        if (a.test != test || chance(rng, 0.08)) continue;
        line.attributes.push_back({a.name, pick(rng, a.values)});
      }
    }
    if (chance(rng, 0.05) && !line.attributes.empty()) line.attributes.push_back({line.attributes[0].name, "QQ"});
    if (chance(rng, 0.05)) line.attributes.push_back({"XX", "1"}); // unknown attribute
    fp.tests.push_back(std::move(line));
  }
  if (chance(rng, 0.1) && !fp.tests.empty()) { // a repeated test: only the first counts
    TestLine repeated = fp.tests[0];
    for (auto& a : repeated.attributes) a.value = "I";
    fp.tests.push_back(std::move(repeated));
  }
  if (chance(rng, 0.05)) { // a test MatchPoints does not know
    TestLine unknown;
    unknown.name = "ZZ";
    unknown.attributes.push_back({"R", "Y"});
    fp.tests.push_back(std::move(unknown));
  }
  return fp;
}

TEST(MatcherEquivalence, SyntheticDatabasesFullOfQuirks) {
  std::size_t listed = 0;
  std::size_t perfect = 0;
  std::size_t too_many = 0;
  for (unsigned seed = 1; seed <= 12; ++seed) {
    std::mt19937 rng(seed);
    const int references = seed % 3 == 0 ? 60 : 300;
    auto parsed = database::parse_os_db(synthetic_db(rng, references), "synthetic.db");
    ASSERT_TRUE(parsed) << parsed.error().message;
    const database::OsDb& db = *parsed;
    const auto naive_refs = testing::naive_references(db);
    for (const Semantics semantics : {Semantics::nmap_7_93, Semantics::fixed}) {
      for (const double threshold : {k_guess_threshold, 0.6, 0.3}) {
        const MatchOptions options{semantics, threshold};
        Matcher m(db, options);
        for (int s = 0; s < 25; ++s) {
          const Fingerprint fp = synthetic_subject(rng);
          const MatchResult fast = m.match(fp);
          ASSERT_EQ(fast, testing::naive_match(naive_refs, fp, options))
              << "seed " << seed << " threshold " << threshold << " subject " << describe(fp);
          listed += fast.matches.size();
          perfect += fast.perfect_matches;
          too_many += fast.outcome == Outcome::too_many_matches ? 1 : 0;
          const std::size_t r = rng() % db.references().size();
          const Score a = m.compare(fp, r);
          const Score b = testing::naive_compare(naive_refs[r], fp, semantics);
          ASSERT_EQ(a.matched, b.matched) << "reference " << r << " subject " << describe(fp);
          ASSERT_EQ(a.total, b.total) << "reference " << r << " subject " << describe(fp);
        }
      }
    }
  }
  // The subjects reach every outcome (the comparison above would be weak otherwise).
  EXPECT_GT(listed, 1000U);
  EXPECT_GT(perfect, 0U);
  EXPECT_GT(too_many, 0U);
}

// Heavy MatchPoints: 80 tests weighing R=1000 each. The *.R group is split (a group's weights must
// stay under 65535) and the prefix tree is cut short (its packed partial sums must too), so these
// paths give the same lists as the naive oracle as well.
TEST(MatcherEquivalence, HeavyMatchPointsCutTheTreeShort) {
  constexpr int k_tests = 80;
  std::mt19937 rng(99);
  std::string text = "MatchPoints\n";
  for (int t = 0; t < k_tests; ++t) text += fmt::format("X{}(R=1000%DF=700%W=900)\n", t);
  text += "\n";
  const std::vector<std::string> windows = {"0", "FFFF", "2000-3000", "0|FFFF", "<10"};
  for (int r = 0; r < 200; ++r) {
    text += fmt::format("Fingerprint OS {}\nClass V | F | G | general purpose\n", rng() % 50);
    for (int t = 0; t < k_tests; ++t) {
      if (chance(rng, 0.05)) continue;
      text += fmt::format("X{}(R={}%DF={}%W={})\n", t, chance(rng, 0.15) ? "N" : "Y", chance(rng, 0.3) ? "N" : "Y",
                          pick(rng, windows));
    }
    text += "\n";
  }
  auto parsed = database::parse_os_db(text, "heavy.db");
  ASSERT_TRUE(parsed) << parsed.error().message;
  const auto naive_refs = testing::naive_references(*parsed);
  const std::vector<std::string> values = {"0", "FFFF", "2800", "5", "3001"};
  std::size_t listed = 0;
  for (const Semantics semantics : {Semantics::nmap_7_93, Semantics::fixed}) {
    for (const double threshold : {k_guess_threshold, 0.5}) {
      const MatchOptions options{semantics, threshold};
      Matcher m(*parsed, options);
      // 80 R flags of 1000 points: two *.R groups (65 + 15 slots); the tree keeps only the first.
      EXPECT_EQ(m.layout().tree_groups, 1U);
      EXPECT_GE(m.layout().groups, 4U);
      for (int s = 0; s < 30; ++s) {
        // A subject close to one reference (so that some entries pass the threshold), with flips.
        const std::size_t near = rng() % naive_refs.size();
        Fingerprint fp;
        for (const auto& line : naive_refs[near].lines) {
          TestLine out{line.test, {}};
          for (const auto& a : line.attributes) {
            std::string v = a.name == "W" ? pick(rng, values) : a.expression;
            if (a.name != "W" && chance(rng, 0.05)) v = v == "Y" ? "N" : "Y";
            out.attributes.push_back({a.name, v});
          }
          fp.tests.push_back(std::move(out));
        }
        const MatchResult fast = m.match(fp);
        ASSERT_EQ(fast, testing::naive_match(naive_refs, fp, options))
            << "threshold " << threshold << " subject " << describe(fp);
        listed += fast.matches.size();
      }
    }
  }
  EXPECT_GT(listed, 100U);
}

// ---------------------------------------------------------------------------------------------
// The installed database.

using test_support::installed_db;

// A value an expression's text suggests (worked out from the text alone, not database::Expression):
// one alternative, a number inside a range or beyond a comparison, or the literal itself.
std::string value_for(std::mt19937& rng, const std::string& expression) {
  std::vector<std::string> alternatives;
  std::stringstream ss(expression);
  for (std::string alt; std::getline(ss, alt, '|');) alternatives.push_back(alt);
  if (alternatives.empty() || expression.ends_with("|")) alternatives.emplace_back();
  const std::string alt = pick(rng, alternatives);
  const auto hex = [](unsigned long v) { return fmt::format("{:X}", v); };
  const std::size_t dash = alt.find('-');
  if (!alt.empty() && (alt[0] == '<' || alt[0] == '>') && testing::naive_is_hex(alt.substr(1))) {
    const unsigned long n = std::stoul(alt.substr(1), nullptr, 16);
    if (alt[0] == '<') return hex(n == 0 ? 0 : n - 1 - (rng() % n));
    return hex(n + 1 + rng() % 16);
  }
  if (dash != std::string::npos && testing::naive_is_hex(alt.substr(0, dash)) &&
      testing::naive_is_hex(alt.substr(dash + 1))) {
    const unsigned long lo = std::stoul(alt.substr(0, dash), nullptr, 16);
    const unsigned long hi = std::stoul(alt.substr(dash + 1), nullptr, 16);
    return hex(hi < lo ? lo : lo + rng() % (hi - lo + 1));
  }
  return alt;
}

Fingerprint reference_subject(std::mt19937& rng, const std::vector<testing::NaiveReference>& refs, std::size_t r,
                              double mutation) {
  Fingerprint fp;
  for (const auto& line : refs[r].lines) {
    if (chance(rng, mutation * 0.3)) continue; // test missing
    TestLine out{line.test, {}};
    if (chance(rng, mutation * 0.2)) {
      out.attributes.push_back({"R", "N"});
      fp.tests.push_back(std::move(out));
      continue;
    }
    for (const auto& a : line.attributes) {
      if (chance(rng, mutation * 0.1)) continue; // attribute missing
      std::string v = value_for(rng, a.expression);
      if (chance(rng, mutation)) {
        switch (rng() % 6) {
        case 0: { // the same attribute as another reference has it
          const auto& other = pick(rng, refs);
          for (const auto& l : other.lines) {
            for (const auto& oa : l.attributes) {
              if (l.test == line.test && oa.name == a.name) v = value_for(rng, oa.expression);
            }
          }
          break;
        }
        case 1:
          if (testing::naive_is_hex(v) && v.size() <= 8) v = fmt::format("{:X}", std::stoul(v, nullptr, 16) + 1);
          break;
        case 2: v.clear(); break;
        case 3: v += "1"; break; // 7.93 prefix alternatives accept a longer value
        case 4:
          if (!v.empty()) v.pop_back();
          break;
        default: v = "QQ"; break;
        }
      }
      out.attributes.push_back({a.name, v});
    }
    fp.tests.push_back(std::move(out));
  }
  if (chance(rng, mutation) && !fp.tests.empty()) fp.tests.push_back(fp.tests.front()); // repeated test
  return fp;
}

TEST(MatcherEquivalence, InstalledDbMutatedReferenceSubjects) {
  const database::OsDb* db = installed_db();
  if (db == nullptr) GTEST_SKIP() << "installed nmap-os-db not available";
  const auto refs = testing::naive_references(*db);
  std::mt19937 rng(7);
  std::size_t listed = 0;
  for (const Semantics semantics : {Semantics::nmap_7_93, Semantics::fixed}) {
    Matcher m(*db, MatchOptions{semantics, k_guess_threshold});
    for (int i = 0; i < 14; ++i) {
      const std::size_t r = rng() % refs.size();
      for (const double mutation : {0.0, 0.05, 0.25}) {
        const Fingerprint fp = reference_subject(rng, refs, r, mutation);
        const MatchResult fast = m.match(fp);
        ASSERT_EQ(fast, testing::naive_match(refs, fp, MatchOptions{semantics, k_guess_threshold}))
            << refs[r].name << " mutation " << mutation << ": " << describe(fp);
        listed += fast.matches.size();
        for (int k = 0; k < 20; ++k) {
          const std::size_t other = rng() % refs.size();
          const Score a = m.compare(fp, other);
          const Score b = testing::naive_compare(refs[other], fp, semantics);
          ASSERT_EQ(a.matched, b.matched) << refs[other].name << " vs " << describe(fp);
          ASSERT_EQ(a.total, b.total) << refs[other].name << " vs " << describe(fp);
        }
      }
    }
  }
  EXPECT_GT(listed, 100U);
}

// The bench's realistic subjects: every recorded capture's fingerprint, both semantics, matched by
// one Matcher in turn (so no state of one subject can leak into the next unnoticed).
TEST(MatcherEquivalence, InstalledDbRecordedCaptureSubjects) {
  const database::OsDb* db = installed_db();
  if (db == nullptr) GTEST_SKIP() << "installed nmap-os-db not available";
  std::vector<std::filesystem::path> files;
  for (const auto& dir :
       std::filesystem::directory_iterator(std::filesystem::path(STACKPRINT_TEST_DATA_DIR) / "captures")) {
    if (std::filesystem::exists(dir.path() / "fingerprint.txt")) files.push_back(dir.path() / "fingerprint.txt");
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), test_support::k_min_recorded_nmap_runs);
  const auto refs = testing::naive_references(*db);
  std::size_t with_matches = 0;
  for (const Semantics semantics : {Semantics::nmap_7_93, Semantics::fixed}) {
    const MatchOptions options{semantics, k_guess_threshold};
    Matcher m(*db, options);
    for (int pass = 0; pass < 2; ++pass) { // twice: the second time after other subjects
      for (const auto& file : files) {
        std::ifstream in(file);
        std::ostringstream text;
        text << in.rdbuf();
        const auto fp = fingerprint::parse_fingerprint(text.str());
        ASSERT_TRUE(fp) << file << ": " << fp.error().message;
        const MatchResult fast = m.match(*fp);
        ASSERT_EQ(fast, testing::naive_match(refs, *fp, options)) << file;
        with_matches += fast.matches.empty() ? 0 : 1;
      }
    }
  }
  // Nearly every recorded subject lists something (u1quirks, for one, lists nothing).
  EXPECT_GT(with_matches, files.size() * 4 * 3 / 4);
}

} // namespace
} // namespace stackprint::scoring
