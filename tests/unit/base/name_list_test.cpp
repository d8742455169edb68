#include "stackprint/base/name_list.hpp"

#include <gtest/gtest.h>

namespace stackprint {
namespace {

std::vector<std::string> names_of(std::string_view text) {
  const auto listed = parse_name_list(text);
  EXPECT_TRUE(listed.has_value()) << text << ": " << (listed ? "" : listed.error().message);
  std::vector<std::string> out;
  if (listed) {
    for (const auto& n : *listed) out.push_back(n.name);
  }
  return out;
}

using Names = std::vector<std::string>;

TEST(NameList, CommasSpacesOrBothSeparateItems) {
  EXPECT_EQ(names_of("U1,IE"), (Names{"U1", "IE"}));
  EXPECT_EQ(names_of("U1 IE"), (Names{"U1", "IE"}));
  EXPECT_EQ(names_of(" U1 ,  IE T5 "), (Names{"U1", "IE", "T5"}));
  EXPECT_EQ(names_of("SEQ"), (Names{"SEQ"}));
}

TEST(NameList, RangesExpandInOrderAndKeepTheirItem) {
  EXPECT_EQ(names_of("T2-T4,U1"), (Names{"T2", "T3", "T4", "U1"}));
  EXPECT_EQ(names_of("T2-4"), (Names{"T2", "T3", "T4"})) << "LAST by its number alone";
  EXPECT_EQ(names_of("SEQ1-SEQ3"), (Names{"SEQ1", "SEQ2", "SEQ3"}));
  EXPECT_EQ(names_of("T5-T5"), (Names{"T5"}));
  EXPECT_EQ(names_of("T10-T12"), (Names{"T10", "T11", "T12"}));
  const auto listed = parse_name_list("IE,T6-7");
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 3U);
  EXPECT_EQ((*listed)[0].item, "IE");
  EXPECT_EQ((*listed)[1].item, "T6-7");
  EXPECT_EQ((*listed)[2].item, "T6-7");
  EXPECT_EQ(names_of("T2,T2-T3"), (Names{"T2", "T2", "T3"})) << "duplicates are the caller's business";
}

TEST(NameList, RejectsEmptyItemsAndListsWithAMessage) {
  for (const char* bad : {"", "   ", ",", "U1,,IE", ",U1", "U1,", "U1 , ,IE", "U1, "}) {
    const auto listed = parse_name_list(bad);
    ASSERT_FALSE(listed.has_value()) << "'" << bad << "'";
    EXPECT_NE(listed.error().message.find("empty"), std::string::npos) << listed.error().message;
  }
}

TEST(NameList, RejectsRangesThatAreNotOfOneNumberedName) {
  for (const char* bad : {"T7-T2", "T2-U1", "T2-", "-T2", "T-T3", "SEQ-SEQ2", "T2-T3-T4", "T2-x", "2-4", "T2-T9x"}) {
    const auto listed = parse_name_list(bad);
    ASSERT_FALSE(listed.has_value()) << bad;
    EXPECT_NE(listed.error().message.find(bad), std::string::npos) << "the message names the item";
  }
}

TEST(NameList, HugeRangesAreRejectedNotExpanded) {
  const auto listed = parse_name_list("T1-T999999999");
  ASSERT_FALSE(listed.has_value());
  EXPECT_NE(listed.error().message.find("more than"), std::string::npos) << listed.error().message;
  EXPECT_FALSE(parse_name_list("T1-T99999999999999999999").has_value()) << "a number too large to read";
  EXPECT_EQ(names_of("T1-T64").size(), 64U);
}

} // namespace
} // namespace stackprint
