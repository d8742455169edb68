#include "stackprint/fingerprint/merge.hpp"

#include <gtest/gtest.h>

#include "stackprint/fingerprint/text.hpp"

namespace stackprint::fingerprint {
namespace {

Fingerprint parsed(std::string_view text) {
  auto fp = parse_fingerprint(text);
  EXPECT_TRUE(fp) << fp.error().message;
  return fp ? *fp : Fingerprint{};
}

TEST(MergeRounds, KeepsRoundOneValuesWhenAttributeNamesAreEqual) {
  const std::vector<Fingerprint> rounds = {
      parsed("SEQ(SP=103%GCD=1%ISR=10A)\nT1(R=Y%DF=Y)\nT5(R=N)\n"),
      parsed("SEQ(SP=FF%GCD=2%ISR=109)\nT1(R=Y%DF=N)\nT5(R=Y%DF=Y)\n"),
      parsed("SEQ(SP=FE%GCD=1%ISR=101%CI=Z)\nT5(R=N)\n"),
  };
  const Fingerprint merged = merge_rounds(rounds);
  EXPECT_EQ(format_plain(merged),
            "SEQ(SP=103%GCD=1%ISR=10A)\nSEQ(SP=FE%GCD=1%ISR=101%CI=Z)\nT1(R=Y%DF=Y)\nT5(R=N)\nT5(R=Y%DF=Y)\n");
}

TEST(MergeRounds, SortsByNmapOrderStablyAndAddsScan) {
  const std::vector<Fingerprint> rounds = {
      parsed("IE(R=N)\nT7(R=N)\nSEQ(SP=1)\n"),
      parsed("U1(R=N)\nOPS(O1=)\nIE(R=Y%DFI=N)\n"),
  };
  const Fingerprint merged = merge_rounds(rounds, TestLine{"SCAN", {{"V", "7.93"}}});
  EXPECT_EQ(format_plain(merged), "SCAN(V=7.93)\nSEQ(SP=1)\nOPS(O1=)\nT7(R=N)\nU1(R=N)\nIE(R=N)\nIE(R=Y%DFI=N)\n");
}

TEST(MergeRounds, NoneAndTooMany) {
  EXPECT_EQ(format_merged({}, std::nullopt, FingerprintLayout::wrapped), "(None)");
  const std::vector<Fingerprint> many(33, parsed("T1(R=N)\n"));
  EXPECT_EQ(format_merged(many, std::nullopt, FingerprintLayout::plain), "(Too many)");
  const std::vector<Fingerprint> max(32, parsed("T1(R=N)\n"));
  EXPECT_EQ(format_merged(max, std::nullopt, FingerprintLayout::plain), "T1(R=N)\n");
  EXPECT_EQ(format_merged(max, TestLine{"SCAN", {{"V", "7.93"}}}, FingerprintLayout::wrapped),
            "OS:SCAN(V=7.93)T1(R=N)\n");
}

TEST(MergeRounds, MergedOutputParsesBack) {
  const std::vector<Fingerprint> rounds = {parsed("T5(R=N)\nT6(R=N)\n"), parsed("T5(R=Y%DF=N)\nT6(R=N)\n")};
  const std::string text = format_merged(rounds, std::nullopt, FingerprintLayout::wrapped);
  const auto back = parse_fingerprint(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, merge_rounds(rounds));
}

} // namespace
} // namespace stackprint::fingerprint
