#include "stackprint/database/os_db.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace stackprint::database {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string small_db_text() { return read_file(std::string(STACKPRINT_TEST_DATA_DIR) + "/osdb/small.db"); }

constexpr const char* k_points = "MatchPoints\nSEQ(TI=100%TS=100)\nT1(R=100%DF=20)\n\n";

// The error message for `body` appended after a valid MatchPoints block, or "" when it parses.
std::string error_of(const std::string& text) {
  auto r = parse_os_db(text, "t.db");
  return r ? std::string() : r.error().message;
}

TEST(OsDbParse, SmallDatabase) {
  auto db = parse_os_db(small_db_text(), "small.db");
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_EQ(db->references().size(), 3U);
  const Reference& r0 = db->references()[0];
  EXPECT_EQ(r0.name, "Example OS 1.0"); // the '#' comment is cut, spaces trimmed
  EXPECT_EQ(r0.line, 14);
  ASSERT_EQ(r0.classes.size(), 1U);
  EXPECT_EQ(r0.classes[0].vendor, "Example");
  EXPECT_EQ(r0.classes[0].family, "ExampleOS");
  EXPECT_EQ(r0.classes[0].generation, std::optional<std::string>("1.X"));
  EXPECT_EQ(r0.classes[0].device_type, "general purpose");
  ASSERT_EQ(r0.classes[0].cpes.size(), 1U);
  EXPECT_EQ(r0.classes[0].cpes[0].uri, "cpe:/o:example:exampleos:1");
  EXPECT_TRUE(r0.classes[0].cpes[0].auto_generated);

  const Reference& r1 = db->references()[1];
  ASSERT_EQ(r1.classes.size(), 2U);
  EXPECT_EQ(r1.classes[1].device_type, "router");
  ASSERT_EQ(r1.classes[1].cpes.size(), 2U); // CPEs attach to the most recent Class
  EXPECT_FALSE(r1.classes[1].cpes[0].auto_generated);

  const Reference& r2 = db->references()[2];
  EXPECT_EQ(r2.name, "Printer Thing");                // "FingerPrint" keyword, any case outside a block
  EXPECT_FALSE(r2.classes[0].generation.has_value()); // empty generation is absent

  const auto& s = db->stats();
  EXPECT_EQ(s.fingerprints, 3U);
  EXPECT_EQ(s.classes, 4U);
  EXPECT_EQ(s.cpes, 5U);
  EXPECT_EQ(s.auto_cpes, 2U);
  EXPECT_EQ(s.test_lines, 5U + 7U + 2U);
}

TEST(OsDbParse, TestLinesKeepFileOrderAndValues) {
  auto db = parse_os_db(small_db_text(), "small.db");
  ASSERT_TRUE(db);
  const auto ecn = db->find_test("ECN");
  ASSERT_TRUE(ecn);
  const fingerprint::TestLine line = db->reference_test_line(0, *ecn);
  ASSERT_EQ(line.attributes.size(), 8U);
  EXPECT_EQ(line.attributes[4].name, "W");
  EXPECT_EQ(line.attributes[4].value, "FAF0|FE88");
  EXPECT_EQ(line.attributes[5].value, "|M5B4");
  EXPECT_EQ(line.attributes[7].value, ""); // Q=
  const auto ops = db->find_test("OPS");
  ASSERT_TRUE(ops);
  EXPECT_EQ(db->line_of(0, *ops), OsDb::k_no_line); // missing test
  EXPECT_NE(db->line_of(1, *ops), OsDb::k_no_line); // OPS() present, no attributes
  EXPECT_TRUE(db->reference_test_line(1, *ops).attributes.empty());
  const auto win = db->find_test("WIN");
  ASSERT_TRUE(win);
  // WIN(R=N): R has no MatchPoints weight; kept with weight 0.
  const auto r_slot = db->find_slot(*win, "R");
  ASSERT_TRUE(r_slot);
  EXPECT_EQ(db->slots()[*r_slot].weight, 0U);
}

TEST(OsDbParse, IdenticalLinesAndExpressionsAreInterned) {
  const std::string text = std::string(k_points) + "Fingerprint A\nSEQ(TI=Z%TS=A)\nT1(R=Y%DF=Y)\n\n"
                                                   "Fingerprint B\nSEQ(TI=Z%TS=A)\nT1(R=Y%DF=N)\n\n"
                                                   "Fingerprint C\nSEQ(TI=Y%TS=Z)\nT1(R=Y%DF=Y)\n";
  auto db = parse_os_db(text, "t.db");
  ASSERT_TRUE(db) << db.error().message;
  const auto seq = *db->find_test("SEQ");
  const auto t1 = *db->find_test("T1");
  EXPECT_EQ(db->line_of(0, seq), db->line_of(1, seq));
  EXPECT_NE(db->line_of(0, seq), db->line_of(2, seq));
  EXPECT_EQ(db->line_of(0, t1), db->line_of(2, t1));
  EXPECT_EQ(db->line_count(), 4U);
  // Texts: Z, A, Y, N -> 4 distinct expressions; (slot, expression) pairs: TI=Z TS=A R=Y DF=Y DF=N TI=Y TS=Z.
  EXPECT_EQ(db->expression_count(), 4U);
  EXPECT_EQ(db->slot_expression_count(), 7U);
}

TEST(OsDbParse, MatchPointsMayComeLast) {
  const std::string text = "Fingerprint A\nSEQ(TI=Z)\n\nMatchPoints\nSEQ(TI=100)\n";
  auto db = parse_os_db(text, "t.db");
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ(db->references().size(), 1U);
}

TEST(OsDbParse, CapitalPFingerPrintStartsANewBlockWithoutBlankLine) {
  // Nmap 7.93 treats the exact text "FingerPrint " inside a block as the start of the next one.
  const std::string text = std::string(k_points) + "Fingerprint A\nSEQ(TI=Z)\nFingerPrint B\nSEQ(TI=I)\n";
  auto db = parse_os_db(text, "t.db");
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_EQ(db->references().size(), 2U);
  EXPECT_EQ(db->references()[1].line, 7);
}

TEST(OsDbParse, CrLfLineEndsAreAccepted) {
  const std::string text = "MatchPoints\r\nSEQ(TI=100)\r\n\r\nFingerprint A\r\nClass V | F | G | T\r\nSEQ(TI=Z)\r\n";
  auto db = parse_os_db(text, "t.db");
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ(db->references()[0].classes[0].device_type, "T");
}

struct BadCase {
  const char* label;
  std::string text;
  const char* expected; // `file:line: ...` prefix and a word of the message
};

class OsDbErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(OsDbErrors, GivesFileLineAndReason) {
  const BadCase& c = GetParam();
  const std::string err = error_of(c.text);
  ASSERT_FALSE(err.empty()) << c.label << " parsed";
  EXPECT_NE(err.find(c.expected), std::string::npos) << c.label << ": " << err;
  EXPECT_EQ(err.find('\n'), std::string::npos) << "one line";
}

const std::string P = k_points; // 4 lines

INSTANTIATE_TEST_SUITE_P(
    Malformed, OsDbErrors,
    ::testing::Values(
        BadCase{"truncated test line", P + "Fingerprint A\nSEQ(TI=Z%TS", "t.db:6: test line without ')'"},
        BadCase{"no parenthesis", P + "Fingerprint A\nSEQ\n", "t.db:6: expected a test line"},
        BadCase{"unknown test", P + "Fingerprint A\nXYZ(A=1)\n", "t.db:6: test XYZ has no MatchPoints"},
        BadCase{"unknown attribute", P + "Fingerprint A\nSEQ(QQ=1)\n", "t.db:6: attribute SEQ.QQ has no MatchPoints"},
        BadCase{"bad range", P + "Fingerprint A\nSEQ(TI=45-3B)\n", "t.db:6: SEQ.TI: bad range"},
        BadCase{"range without high end", P + "Fingerprint A\nSEQ(TI=3B-)\n", "t.db:6: SEQ.TI: bad range"},
        BadCase{"huge value", P + "Fingerprint A\nSEQ(TI=0-1FFFFFFFF)\n", "too large"},
        BadCase{"huge weight", "MatchPoints\nSEQ(TI=999999)\n", "t.db:2: MatchPoints weight"},
        BadCase{"weight not a number", "MatchPoints\nSEQ(TI=ten)\n", "t.db:2: MatchPoints weight"},
        BadCase{"binary garbage", P + "Fingerprint A\nSEQ(TI=\x01\x02)\n", "t.db:6: binary data"},
        BadCase{"NUL byte", P + std::string("Fingerprint A\nSEQ(TI=Z\0)\n", 23), "t.db:6: binary data"},
        BadCase{"CPE before Class", P + "Fingerprint A\nCPE cpe:/o:x:y\n", "t.db:6: CPE line before any Class"},
        BadCase{"two MatchPoints", P + "MatchPoints\nSEQ(TI=1)\n", "t.db:5: second MatchPoints"},
        BadCase{"empty name", P + "Fingerprint   \n", "t.db:5: Fingerprint with an empty name"},
        BadCase{"name only a comment", P + "Fingerprint # x\n", "t.db:5: Fingerprint with an empty name"},
        BadCase{"no MatchPoints", "Fingerprint A\nSEQ(TI=Z)\n", "t.db: no MatchPoints block"},
        BadCase{"stray line", P + "hello\n", "t.db:5: expected 'Fingerprint"},
        BadCase{"short Class", P + "Fingerprint A\nClass V | F\n", "t.db:6: Class line needs"},
        BadCase{"empty vendor", P + "Fingerprint A\nClass  | F | G | T\n", "t.db:6: Class line with an empty vendor"},
        BadCase{"duplicate test", P + "Fingerprint A\nSEQ(TI=Z)\nSEQ(TI=I)\n", "t.db:7: test SEQ given twice"},
        BadCase{"duplicate attribute", P + "Fingerprint A\nSEQ(TI=Z%TI=I)\n", "given twice"},
        BadCase{"attribute without =", P + "Fingerprint A\nSEQ(TI)\n", "t.db:6: attribute 'TI' has no '='"},
        BadCase{"text after )", P + "Fingerprint A\nSEQ(TI=Z) junk\n", "t.db:6: text after ')'"},
        BadCase{"missing blank line", P + "Fingerprint A\nSEQ(TI=Z)\nFingerprint B\n", "t.db:7: new block without"},
        BadCase{"unknown CPE flag", P + "Fingerprint A\nClass V | F | G | T\nCPE cpe:/o:x:y manual\n",
                "t.db:7: unknown CPE flag"},
        BadCase{"bad value character", P + "Fingerprint A\nSEQ(TI=a(b)\n", "t.db:6: SEQ.TI: bad character"},
        BadCase{"overlong line", P + "Fingerprint " + std::string(3000, 'x') + "\n", "t.db:5: line longer"}),
    [](const ::testing::TestParamInfo<BadCase>& param_info) {
      std::string name;
      for (const char ch : std::string(param_info.param.label))
        name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
      return name;
    });

TEST(OsDbParse, EveryTruncationOfTheSmallDatabaseIsHandled) {
  // Cutting the file anywhere must give a database or a clean error, never a crash.
  const std::string text = small_db_text();
  std::size_t ok = 0;
  for (std::size_t n = 0; n <= text.size(); n += 7) {
    auto r = parse_os_db(std::string_view(text).substr(0, n), "cut.db");
    if (r) {
      ++ok;
    } else {
      EXPECT_EQ(r.error().message.rfind("cut.db", 0), 0U) << r.error().message;
    }
  }
  EXPECT_GT(ok, 0U);
}

TEST(OsDbParse, RandomMutationsNeverCrash) {
  // Deterministic byte flips, insertions and deletions of the small database: each result is a
  // database or a one-line `file:line` error (sanitizer builds check the memory side).
  const std::string base = small_db_text();
  std::uint32_t seed = 12345;
  const auto next = [&seed] {
    seed = seed * 1103515245U + 12345U;
    return seed >> 8U;
  };
  static constexpr std::string_view k_inserted("%|=()-<>#\n \0A\xA9", 14);
  std::size_t rejected = 0;
  for (int round = 0; round < 2000; ++round) {
    std::string text = base;
    const int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const std::size_t pos = next() % text.size();
      switch (next() % 3) {
      case 0: text[pos] = static_cast<char>(next() % 256); break;
      case 1: text.insert(pos, 1, k_inserted[next() % k_inserted.size()]); break;
      default: text.erase(pos, 1 + next() % 8); break;
      }
    }
    auto r = parse_os_db(text, "m.db");
    if (!r) {
      ++rejected;
      EXPECT_EQ(r.error().message.rfind("m.db", 0), 0U);
      EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
    }
  }
  EXPECT_GT(rejected, 100U);
}

TEST(OsDbParse, InstalledDatabaseWhenPresent) {
  const std::string path(k_default_db_path);
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path;
  auto db = parse_os_db(read_file(path), path);
  ASSERT_TRUE(db) << db.error().message;
  // docs/nmap-behaviour.md 2.2 (nmap-os-db $Id 38353).
  EXPECT_EQ(db->stats().fingerprints, 5678U);
  EXPECT_EQ(db->stats().distinct_names, 3780U);
  EXPECT_EQ(db->stats().classes, 6551U);
  EXPECT_EQ(db->stats().cpes, 6490U);
  EXPECT_EQ(db->stats().auto_cpes, 3762U);
  EXPECT_EQ(db->stats().lines, 107952U);
  EXPECT_EQ(db->stats().comment_lines, 9727U);
  EXPECT_EQ(db->tests().size(), 13U);
  // "FreeNAS 9.10" (line 29915) is the only entry without an IE line.
  const auto ie = *db->find_test("IE");
  std::size_t without_ie = 0;
  for (std::size_t r = 0; r < db->references().size(); ++r) {
    if (db->line_of(r, ie) == OsDb::k_no_line) {
      ++without_ie;
      EXPECT_EQ(db->references()[r].line, 29915);
    }
  }
  EXPECT_EQ(without_ie, 1U);
}

} // namespace
} // namespace stackprint::database
