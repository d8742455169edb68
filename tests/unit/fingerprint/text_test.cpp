#include "stackprint/fingerprint/text.hpp"

#include <random>
#include <set>

#include <gtest/gtest.h>

namespace stackprint::fingerprint {
namespace {

// docs/nmap-behaviour.md Appendix A: Nmap 7.93's printed, merged, wrapped fingerprint of a Linux target.
constexpr std::string_view k_appendix_a =
    "OS:SCAN(V=7.93%E=4%D=11/27%OT=8080%CT=22%CU=32392%PV=Y%DS=1%DC=D%G=Y%M=BADD\n"
    "OS:3E%TM=6B0908F3%P=x86_64-pc-linux-gnu)SEQ(SP=103%GCD=1%ISR=10A%TI=Z%CI=Z%\n"
    "OS:II=I%TS=21)OPS(O1=M5B4ST11NWA%O2=M5B4ST11NWA%O3=M5B4NNT11NWA%O4=M5B4ST11\n"
    "OS:NWA%O5=M5B4ST11NWA%O6=M5B4ST11)WIN(W1=FE88%W2=FE88%W3=FE88%W4=FE88%W5=FE\n"
    "OS:88%W6=FE88)ECN(R=Y%DF=Y%T=40%W=FAF0%O=M5B4NNSNWA%CC=Y%Q=)T1(R=Y%DF=Y%T=4\n"
    "OS:0%S=O%A=S+%F=AS%RD=0%Q=)T2(R=N)T3(R=N)T4(R=Y%DF=Y%T=40%W=0%S=A%A=Z%F=R%O\n"
    "OS:=%RD=0%Q=)T5(R=Y%DF=Y%T=40%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q=)T6(R=Y%DF=Y%T=40\n"
    "OS:%W=0%S=A%A=Z%F=R%O=%RD=0%Q=)T7(R=Y%DF=Y%T=40%W=0%S=Z%A=S+%F=AR%O=%RD=0%Q\n"
    "OS:=)U1(R=Y%DF=N%T=40%IPL=164%UN=0%RIPL=G%RID=G%RIPCK=G%RUCK=G%RUD=G)IE(R=Y\n"
    "OS:%DFI=N%T=40%CD=S)\n";

TEST(FingerprintText, ParsesAppendixAAndPrintsItBackByteForByte) {
  const auto fp = parse_fingerprint(k_appendix_a);
  ASSERT_TRUE(fp) << fp.error().message;
  ASSERT_TRUE(fp->scan);
  EXPECT_EQ(*fp->scan->find("M"), "BADD3E");
  EXPECT_EQ(*fp->scan->find("P"), "x86_64-pc-linux-gnu");
  ASSERT_EQ(fp->tests.size(), 13u);
  EXPECT_EQ(fp->tests[0].name, "SEQ");
  EXPECT_EQ(*fp->find("T1")->find("T"), "40"); // cut across lines "T=4" / "0"
  EXPECT_EQ(*fp->find("T7")->find("Q"), "");   // cut between "Q" and "="
  EXPECT_EQ(*fp->find("ECN")->find("Q"), "");
  EXPECT_EQ(fp->find("T2")->attributes, (std::vector<Attribute>{{"R", "N"}}));
  EXPECT_EQ(*fp->find("IE")->find("CD"), "S");
  EXPECT_EQ(format_wrapped(*fp), k_appendix_a);
  // 9 full lines of 75 characters plus one of 20 (docs/nmap-behaviour.md 1.3).
  const std::string wrapped = format_wrapped(*fp);
  std::size_t start = 0;
  std::vector<std::size_t> lengths;
  for (std::size_t nl = wrapped.find('\n'); nl != std::string::npos; nl = wrapped.find('\n', start)) {
    lengths.push_back(nl - start);
    start = nl + 1;
  }
  ASSERT_EQ(lengths.size(), 10u);
  for (std::size_t i = 0; i < 9; ++i) EXPECT_EQ(lengths[i], 75u);
  EXPECT_EQ(lengths[9], 20u);
}

TEST(FingerprintText, PlainFormIsOneTestPerLine) {
  Fingerprint fp;
  fp.scan = TestLine{"SCAN", {{"V", "7.93"}, {"OT", ""}}};
  fp.tests.push_back(TestLine{"T1", {{"R", "Y"}, {"Q", ""}}});
  fp.tests.push_back(TestLine{"T2", {{"R", "N"}}});
  EXPECT_EQ(format_plain(fp), "SCAN(V=7.93%OT=)\nT1(R=Y%Q=)\nT2(R=N)\n");
  EXPECT_EQ(format_wrapped(fp), "OS:SCAN(V=7.93%OT=)T1(R=Y%Q=)T2(R=N)\n");
  EXPECT_EQ(format_plain(Fingerprint{}), "");
  EXPECT_EQ(format_wrapped(Fingerprint{}), "");
}

TEST(FingerprintText, ToleratesCrLfBlankLinesSpacesAndNmapHeader) {
  const std::string pasted = "\r\n\n  TCP/IP fingerprint:\r\n"
                             "OS:SCAN(V=7.93%E=4)SEQ(SP=10\r\n"
                             "\n"
                             "  OS:3%GCD=1)T2(R=N)   \r\n\r\n";
  const auto fp = parse_fingerprint(pasted);
  ASSERT_TRUE(fp) << fp.error().message;
  EXPECT_EQ(*fp->find("SEQ")->find("SP"), "103");
  EXPECT_EQ(fp->tests.size(), 2u);

  const auto plain = parse_fingerprint("TCP/IP fingerprint:\nSEQ(SP=103)\r\n\r\nT2(R=N)  \n");
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_FALSE(plain->scan);
  EXPECT_EQ(plain->tests.size(), 2u);
}

TEST(FingerprintText, AcceptsSeveralTestsOnOnePlainLineAndEmptyBodies) {
  const auto fp = parse_fingerprint("SEQ()T1(R=Y)\n");
  ASSERT_TRUE(fp) << fp.error().message;
  ASSERT_EQ(fp->tests.size(), 2u);
  EXPECT_TRUE(fp->tests[0].attributes.empty());
}

struct BadInput {
  std::string_view text;
  std::string_view expected_error;
};

class FingerprintTextErrors : public ::testing::TestWithParam<BadInput> {};

TEST_P(FingerprintTextErrors, RejectsWithOneLineMessage) {
  const auto fp = parse_fingerprint(GetParam().text);
  ASSERT_FALSE(fp) << "accepted: " << GetParam().text;
  EXPECT_EQ(fp.error().message, GetParam().expected_error);
  EXPECT_EQ(fp.error().message.find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, FingerprintTextErrors,
    ::testing::Values(
        BadInput{"", "line 1: no fingerprint test found"}, BadInput{"\n\n  \r\n", "line 1: no fingerprint test found"},
        BadInput{"TCP/IP fingerprint:\n", "line 1: no fingerprint test found"},
        BadInput{"SEQ(SP=1)\nFOO(A=1)\n", "line 2: unknown test 'FOO'"},
        BadInput{"SEQ(SP=1\n", "line 1: missing ')' in test 'SEQ(SP=1'"},
        BadInput{"SEQ(SP=1T1(R=Y)\n", "line 1: missing ')' in test 'SEQ(SP=1T1(R=Y)'"},
        BadInput{"T1(R=Y%DF)\n", "line 1: missing '=' in 'DF' of test T1"},
        BadInput{"T1(R=Y%%DF=N)\n", "line 1: missing '=' in '' of test T1"},
        BadInput{"T1(=Y)\n", "line 1: empty attribute name in test T1"},
        BadInput{"T1(R=Y%R=N)\n", "line 1: attribute R repeated in test T1"},
        BadInput{"T1(R=Y)\nT1(R=N)\n",
                 "line 2: duplicate test T1 with the same attribute names (Nmap's merge keeps only the first)"},
        BadInput{"T1(R=Y)\nSCAN(V=1)\n", "line 2: SCAN must come once, before every other test"},
        BadInput{"T1 (R=Y)\n", "line 1: unexpected byte 0x20 at column 3"},
        BadInput{"T1(R=\xff)\n", "line 1: unexpected byte 0xFF at column 6"},
        BadInput{"garbage\n", "line 1: missing '(' after test name 'garbage'"},
        BadInput{"T1(R=Y))\n", "line 1: expected a test name, found ')'"},
        BadInput{"OS:T1(R=Y)\nT2(R=N)\n", "line 2: missing 'OS:' prefix in a wrapped fingerprint"},
        BadInput{"OS:T1(R=Y)T2(R\nOS:N)\n", "line 1: missing '=' in 'RN' of test T2"},
        BadInput{"OS:T1(R=Y)\nOS:XX(R\nOS:=N)\n", "line 2: unknown test 'XX'"},
        BadInput{"T1(R=Y)\nT1(R=Y%DF=N)\nT1(R=N%DF=Y)\n",
                 "line 3: duplicate test T1 with the same attribute names (Nmap's merge keeps only the first)"}),
    [](const ::testing::TestParamInfo<BadInput>& case_info) { return "case" + std::to_string(case_info.index); });

TEST(FingerprintText, AllowsRepeatedTestsWithDifferentAttributeNamesAsNmapMergesThem) {
  const auto fp = parse_fingerprint("T5(R=N)\nT5(R=Y%DF=Y)\n");
  ASSERT_TRUE(fp) << fp.error().message;
  ASSERT_EQ(fp->tests.size(), 2u);
  EXPECT_EQ(fp->find("T5")->attributes.size(), 1u); // first occurrence
}

// ---- property tests -------------------------------------------------------------------------

constexpr std::string_view k_test_names[] = {"SEQ", "OPS", "WIN", "ECN", "T1", "T2", "T3",
                                             "T4",  "T5",  "T6",  "T7",  "U1", "IE"};

std::string random_string(std::mt19937& rng, std::string_view alphabet, std::size_t min_len, std::size_t max_len) {
  std::uniform_int_distribution<std::size_t> len(min_len, max_len);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string s;
  const std::size_t n = len(rng);
  for (std::size_t i = 0; i < n; ++i) s += alphabet[pick(rng)];
  return s;
}

TestLine random_test(std::mt19937& rng, std::string name) {
  static constexpr std::string_view name_chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcz";
  static constexpr std::string_view value_chars = "0123456789ABCDEF+-/._|<>GHSYNZOLMTWa!#&*,:;?@[]^`{}~";
  TestLine t{std::move(name), {}};
  const int attrs = std::uniform_int_distribution<int>(0, 9)(rng);
  std::set<std::string> used;
  for (int i = 0; i < attrs; ++i) {
    std::string attr = random_string(rng, name_chars, 1, 5);
    if (!used.insert(attr).second) continue;
    // About one value in four is empty, like Q= and O=.
    std::string value =
        std::uniform_int_distribution<int>(0, 3)(rng) == 0 ? "" : random_string(rng, value_chars, 1, 30);
    t.attributes.push_back({attr, value});
  }
  return t;
}

Fingerprint random_fingerprint(std::mt19937& rng) {
  Fingerprint fp;
  if (std::uniform_int_distribution<int>(0, 3)(rng) != 0) fp.scan = random_test(rng, "SCAN");
  const int tests = std::uniform_int_distribution<int>(fp.scan ? 0 : 1, 20)(rng);
  for (int i = 0; i < tests; ++i) {
    const std::string name(k_test_names[std::uniform_int_distribution<std::size_t>(0, 12)(rng)]);
    TestLine t = random_test(rng, name);
    const bool clash = std::any_of(fp.tests.begin(), fp.tests.end(), [&](const TestLine& e) {
      return e.name == t.name && std::equal(e.attributes.begin(), e.attributes.end(), t.attributes.begin(),
                                            t.attributes.end(), [](auto& a, auto& b) { return a.name == b.name; });
    });
    if (!clash) fp.tests.push_back(std::move(t));
  }
  return fp;
}

TEST(FingerprintTextProperty, ParseOfFormatIsIdentityForBothForms) {
  std::mt19937 rng(20261127);
  for (int i = 0; i < 3000; ++i) {
    const Fingerprint fp = random_fingerprint(rng);
    const std::string plain = format_plain(fp);
    const std::string wrapped = format_wrapped(fp);
    const auto from_plain = parse_fingerprint(plain);
    ASSERT_TRUE(from_plain) << from_plain.error().message << "\n" << plain;
    EXPECT_EQ(*from_plain, fp) << plain;
    const auto from_wrapped = parse_fingerprint(wrapped);
    ASSERT_TRUE(from_wrapped) << from_wrapped.error().message << "\n" << wrapped;
    EXPECT_EQ(*from_wrapped, fp) << wrapped;
    // CR LF and the Nmap header change nothing.
    std::string crlf = "TCP/IP fingerprint:\r\n";
    for (const char c : wrapped) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    const auto from_crlf = parse_fingerprint(crlf);
    ASSERT_TRUE(from_crlf) << from_crlf.error().message;
    EXPECT_EQ(*from_crlf, fp);
  }
}

TEST(FingerprintTextProperty, WrappedLinesAreOsPlus72CharactersAndEndInNewline) {
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    const Fingerprint fp = random_fingerprint(rng);
    const std::string wrapped = format_wrapped(fp);
    const std::string plain = format_plain(fp);
    ASSERT_FALSE(wrapped.empty());
    EXPECT_EQ(wrapped.back(), '\n');
    std::string joined;
    std::size_t start = 0;
    while (start < wrapped.size()) {
      const std::size_t nl = wrapped.find('\n', start);
      ASSERT_NE(nl, std::string::npos);
      const std::string line = wrapped.substr(start, nl - start);
      EXPECT_EQ(line.substr(0, 3), "OS:");
      if (nl + 1 < wrapped.size()) {
        EXPECT_EQ(line.size(), 75u);
      } else {
        EXPECT_LE(line.size(), 75u);
        EXPECT_GT(line.size(), 3u);
      }
      joined += line.substr(3);
      start = nl + 1;
    }
    std::string plain_joined;
    for (const char c : plain) {
      if (c != '\n') plain_joined += c;
    }
    EXPECT_EQ(joined, plain_joined);
  }
}

TEST(FingerprintTextProperty, NeverCrashesOnRandomBytesOrMutations) {
  std::mt19937 rng(99);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 3000; ++i) {
    std::string junk;
    const int n = std::uniform_int_distribution<int>(0, 200)(rng);
    for (int j = 0; j < n; ++j) junk += static_cast<char>(byte(rng));
    const auto r = parse_fingerprint(junk);
    if (!r) { EXPECT_EQ(r.error().message.find('\n'), std::string::npos); }
  }
  const std::string base(k_appendix_a);
  constexpr std::string_view specials = "()%=\n\r :O S";
  for (int i = 0; i < 5000; ++i) {
    std::string m = base;
    const int edits = std::uniform_int_distribution<int>(1, 4)(rng);
    for (int e = 0; e < edits; ++e) {
      const std::size_t pos = std::uniform_int_distribution<std::size_t>(0, m.size() - 1)(rng);
      switch (std::uniform_int_distribution<int>(0, 2)(rng)) {
      case 0: m.erase(pos, 1); break;
      case 1:
        m.insert(pos, 1, specials[std::uniform_int_distribution<std::size_t>(0, specials.size() - 1)(rng)]);
        break;
      default: m[pos] = static_cast<char>(byte(rng)); break;
      }
      if (m.empty()) m = "x";
    }
    const auto r = parse_fingerprint(m);
    if (r) {
      // Whatever parsed must print and parse back to the same value.
      const auto again = parse_fingerprint(format_plain(*r));
      ASSERT_TRUE(again) << again.error().message;
      EXPECT_EQ(*again, *r);
    } else {
      EXPECT_EQ(r.error().message.rfind("line ", 0), 0u) << r.error().message;
    }
  }
}

TEST(FingerprintText, TestOrderTable) {
  EXPECT_EQ(nmap_test_order("SEQ"), 0);
  EXPECT_EQ(nmap_test_order("T1"), 4);
  EXPECT_EQ(nmap_test_order("IE"), 12);
  EXPECT_EQ(nmap_test_order("SCAN"), 13);
  EXPECT_TRUE(is_known_test_name("SCAN"));
  EXPECT_TRUE(is_known_test_name("U1"));
  EXPECT_FALSE(is_known_test_name("T8"));
  EXPECT_FALSE(is_known_test_name("seq"));
}

} // namespace
} // namespace stackprint::fingerprint

namespace stackprint::fingerprint {
namespace {

// Hostile sizes must not make parsing quadratic (each case would take minutes if it were).
TEST(FingerprintTextLimits, HugeInputsStayFast) {
  std::string many_attributes = "T1(";
  for (int i = 0; i < 200000; ++i) many_attributes += (i ? "%A" : "A") + std::to_string(i) + "=1";
  many_attributes += ")\n";
  const auto a = parse_fingerprint(many_attributes);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->tests.front().attributes.size(), 200000u);

  std::string many_tests;
  for (int i = 0; i < 50000; ++i) many_tests += "T2(X" + std::to_string(i) + "=)\n";
  const auto b = parse_fingerprint(many_tests);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->tests.size(), 50000u);

  const std::string repeated = many_attributes.substr(0, many_attributes.size() - 2) + "%A7=2)\n";
  const auto c = parse_fingerprint(repeated);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "line 1: attribute A7 repeated in test T1");

  const auto d = parse_fingerprint(std::string(1 << 20, 'S'));
  ASSERT_FALSE(d);
}

} // namespace
} // namespace stackprint::fingerprint

namespace stackprint::fingerprint {
namespace {

TEST(FingerprintTextLimits, HugeWrappedInputStaysFastAndNamesTheRightLine) {
  Fingerprint fp;
  for (int i = 0; i < 40000; ++i) fp.tests.push_back(TestLine{"T3", {{"N" + std::to_string(i), "ABCDEF"}}});
  std::string text = format_wrapped(fp);
  const auto ok = parse_fingerprint(text);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(*ok, fp);
  // Break the last test: the error names the wrapped line on which that test starts.
  const std::string plain = format_plain(fp);
  std::string joined;
  for (const char c : plain) {
    if (c != '\n') joined += c;
  }
  const std::size_t start_line = joined.rfind("T3(N39999") / k_wrap_content_width + 1;
  text.insert(text.size() - 3, "(");
  const auto bad = parse_fingerprint(text);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.rfind("line " + std::to_string(start_line) + ": missing ')'", 0), 0u)
      << bad.error().message;
}

} // namespace
} // namespace stackprint::fingerprint
