// The Matcher's flat literal table against std::map: every key found with its own range, every
// other key absent, across growth, slots, kinds and the hash's 8-byte boundaries.

#include <map>
#include <random>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "stackprint/scoring/literal_table.hpp"

namespace stackprint::scoring {
namespace {

using Kind = LiteralTable::Kind;
using Range = LiteralTable::Range;

TEST(LiteralTable, EmptyTableFindsNothing) {
  const LiteralTable table;
  EXPECT_EQ(table.find(0, Kind::exact, "Y"), Range{});
  EXPECT_EQ(table.find(0, Kind::exact, ""), Range{});
  EXPECT_EQ(table.size(), 0U);
}

TEST(LiteralTable, SlotKindAndTextAreAllPartOfTheKey) {
  LiteralTable table;
  table.insert(3, Kind::exact, "M5B4", {1, 2});
  table.insert(3, Kind::prefix, "M5B4", {2, 4});
  table.insert(4, Kind::exact, "M5B4", {4, 7});
  table.insert(3, Kind::exact, "", {7, 8}); // the empty value is a key like any other
  EXPECT_EQ(table.size(), 4U);
  EXPECT_EQ(table.find(3, Kind::exact, "M5B4"), (Range{1, 2}));
  EXPECT_EQ(table.find(3, Kind::prefix, "M5B4"), (Range{2, 4}));
  EXPECT_EQ(table.find(4, Kind::exact, "M5B4"), (Range{4, 7}));
  EXPECT_EQ(table.find(3, Kind::exact, ""), (Range{7, 8}));
  EXPECT_EQ(table.find(4, Kind::prefix, "M5B4"), Range{});
  EXPECT_EQ(table.find(3, Kind::exact, "M5B"), Range{});
  EXPECT_EQ(table.find(3, Kind::exact, "M5B4S"), Range{});
  EXPECT_EQ(table.find(4, Kind::exact, ""), Range{});
}

TEST(LiteralTable, TextsDifferingOnlyAroundTheEightByteBlocks) {
  // The hash reads 8 bytes at a time with a zero-padded tail: a text and the same text followed by
  // NUL bytes, or texts differing only in their ninth byte, must stay distinct keys.
  LiteralTable table;
  const std::string base = "M5B4ST11";                       // exactly 8 bytes
  const std::string nul = std::string("M5B4ST11\0", 9);      // plus a NUL
  const std::string nine = "M5B4ST11N";                      // 9 bytes
  const std::string nine_b = "M5B4ST11W";                    // differs in the 9th
  const std::string seven = "M5B4ST1";                       // 7 bytes
  const std::string short_nul = std::string("M5B4ST1\0", 8); // 7 bytes + NUL = 8
  std::uint32_t next = 0;
  for (const std::string& s : {base, nul, nine, nine_b, seven, short_nul}) {
    table.insert(0, Kind::exact, s, {next, next + 1});
    ++next;
  }
  next = 0;
  for (const std::string& s : {base, nul, nine, nine_b, seven, short_nul}) {
    EXPECT_EQ(table.find(0, Kind::exact, s), (Range{next, next + 1})) << s.size();
    ++next;
  }
  EXPECT_EQ(table.find(0, Kind::exact, "M5B4ST11NW"), Range{});
}

TEST(LiteralTable, InsertingAnExistingKeyReplacesItsRange) {
  LiteralTable table;
  table.insert(1, Kind::exact, "A", {0, 1});
  table.insert(1, Kind::exact, "A", {5, 9});
  EXPECT_EQ(table.size(), 1U);
  EXPECT_EQ(table.find(1, Kind::exact, "A"), (Range{5, 9}));
}

TEST(LiteralTable, TwoStepLookupEqualsOneStep) {
  LiteralTable table;
  table.insert(7, Kind::prefix, "M5B4NW", {3, 9});
  const std::uint64_t hash = LiteralTable::key_hash(7, Kind::prefix, "M5B4NW");
  table.prefetch(hash);
  EXPECT_EQ(table.find(hash, 7, Kind::prefix, "M5B4NW"), (Range{3, 9}));
  EXPECT_NE(hash, LiteralTable::key_hash(7, Kind::exact, "M5B4NW"));
  EXPECT_NE(hash, LiteralTable::key_hash(8, Kind::prefix, "M5B4NW"));
  const LiteralTable empty;
  empty.prefetch(hash); // harmless on an empty table
  EXPECT_EQ(empty.find(hash, 7, Kind::prefix, "M5B4NW"), Range{});
}

TEST(LiteralTable, OverlongTextsAreNotStored) {
  LiteralTable table;
  const std::string longest(LiteralTable::k_max_text, 'A');
  const std::string too_long(LiteralTable::k_max_text + 1, 'A');
  table.insert(0, Kind::exact, longest, {0, 1});
  table.insert(0, Kind::exact, too_long, {1, 2});
  EXPECT_EQ(table.size(), 1U);
  EXPECT_EQ(table.find(0, Kind::exact, longest), (Range{0, 1}));
  EXPECT_EQ(table.find(0, Kind::exact, too_long), Range{});
}

TEST(LiteralTable, AgreesWithAMapThroughManyGrowths) {
  std::mt19937 rng(5);
  const std::string alphabet = "0123456789ABCDEFMNSTWZ+_.";
  const auto random_text = [&] {
    std::string s(rng() % 24, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    return s;
  };
  std::map<std::tuple<std::uint16_t, Kind, std::string>, Range> expected;
  LiteralTable table;
  for (std::uint32_t i = 0; i < 5000; ++i) {
    const auto slot = static_cast<std::uint16_t>(rng() % 130);
    const Kind kind = rng() % 4 == 0 ? Kind::prefix : Kind::exact;
    const std::string text = random_text();
    const Range range{i, i + 1 + static_cast<std::uint32_t>(rng() % 3)};
    table.insert(slot, kind, text, range);
    expected[{slot, kind, text}] = range;
  }
  EXPECT_EQ(table.size(), expected.size());
  for (const auto& [key, range] : expected) {
    EXPECT_EQ(table.find(std::get<0>(key), std::get<1>(key), std::get<2>(key)), range);
  }
  std::size_t absent = 0;
  for (int i = 0; i < 5000; ++i) {
    const auto slot = static_cast<std::uint16_t>(rng() % 130);
    const Kind kind = rng() % 4 == 0 ? Kind::prefix : Kind::exact;
    const std::string text = random_text();
    const auto it = expected.find({slot, kind, text});
    EXPECT_EQ(table.find(slot, kind, text), it == expected.end() ? Range{} : it->second);
    absent += it == expected.end() ? 1 : 0;
  }
  EXPECT_GT(absent, 1000U); // the probe above really looked for missing keys
}

} // namespace
} // namespace stackprint::scoring
