#include "stackprint/targets/shard.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <numeric>
#include <set>

#include <gtest/gtest.h>

#include "stackprint/targets/target_stream.hpp"

namespace stackprint::targets {
namespace {

TEST(ParseShard, AcceptsMasscanForm) {
  EXPECT_EQ(parse_shard("1/4"), (Shard{1, 4}));
  EXPECT_EQ(parse_shard("4/4"), (Shard{4, 4}));
  EXPECT_EQ(parse_shard("1/1"), (Shard{1, 1}));
}

TEST(ParseShard, RejectsBadInputInOneLine) {
  for (const char* text : {"0/4", "5/4", "1/0", "0/0", "x", "1/", "/4", "1/4/2", "-1/4", " 1/4", "1 /4", "1/4x", "",
                           "99999999999/4", "1/2000000"}) {
    const auto shard = parse_shard(text);
    ASSERT_FALSE(shard) << text;
    EXPECT_EQ(shard.error().message.find('\n'), std::string::npos) << text;
    EXPECT_NE(shard.error().message.find("--shard"), std::string::npos) << text;
  }
}

TEST(IndexPermutation, IsABijectionForAnySize) {
  for (const std::uint64_t size : {1ULL, 2ULL, 3ULL, 5ULL, 16ULL, 17ULL, 254ULL, 1000ULL, 65534ULL}) {
    const IndexPermutation permutation(size, 42);
    std::vector<std::uint64_t> images;
    for (std::uint64_t i = 0; i < size; ++i) { images.push_back(permutation(i)); }
    std::sort(images.begin(), images.end());
    std::vector<std::uint64_t> expected(size);
    std::iota(expected.begin(), expected.end(), 0);
    EXPECT_EQ(images, expected) << size;
  }
}

TEST(IndexPermutation, SeedChangesTheOrderAndEqualSeedsAgree) {
  const IndexPermutation a(254, 1);
  const IndexPermutation b(254, 2);
  const IndexPermutation a_again(254, 1);
  std::size_t differ = 0;
  std::size_t fixed = 0;
  for (std::uint64_t i = 0; i < 254; ++i) {
    EXPECT_EQ(a(i), a_again(i));
    if (a(i) != b(i)) { ++differ; }
    if (a(i) == i) { ++fixed; }
  }
  EXPECT_GT(differ, 200U);
  EXPECT_LT(fixed, 20U); // spread, not the identity
}

TEST(IndexPermutation, FullAddressSpaceStaysInRange) {
  const IndexPermutation permutation(std::uint64_t{1} << 32, 7);
  for (const std::uint64_t i : {0ULL, 1ULL, 0xffffffffULL, 0x12345678ULL}) {
    EXPECT_LT(permutation(i), std::uint64_t{1} << 32);
  }
}

Resolver fake_resolver() {
  return [](const std::string& name) -> Expected<Ipv4Address> {
    static const std::map<std::string, std::uint32_t> table{{"alpha.test", 0xc0a80a05}, {"beta.test", 0xc0a80b41}};
    auto it = table.find(name);
    if (it == table.end()) { return fail("cannot resolve \"" + name + "\""); }
    return Ipv4Address{it->second};
  };
}

LineSource lines_of(std::vector<std::string> lines) {
  auto index = std::make_shared<std::size_t>(0);
  return [lines = std::move(lines), index]() -> std::optional<Expected<std::string>> {
    if (*index >= lines.size()) { return std::nullopt; }
    return Expected<std::string>(lines[(*index)++]);
  };
}

std::vector<TargetSpec> specs_of(std::initializer_list<const char*> tokens) {
  std::vector<TargetSpec> out;
  for (const char* token : tokens) { out.push_back(*parse_target_spec(token)); }
  return out;
}

// One stream over CIDR blocks, octet ranges, names (plain and /N), an -iL list and exclusions.
TargetStream mixed_stream() {
  const auto exclusions = ExclusionSet::build(specs_of({"10.1.0.128/27", "10.2.3.7"}), fake_resolver());
  TargetStream stream(specs_of({"10.1.0.0/24", "10.2.3.1-40", "alpha.test", "beta.test/28", "10.3.0-2.5,9"}), {},
                      *exclusions, fake_resolver());
  stream.append_list(lines_of({"10.4.0.0/26 # comment", "missing.test 10.5.5.5", "10.6.0.1-3"}), "list.txt");
  return stream;
}

std::vector<std::string> drain(TargetStream& stream) {
  std::vector<std::string> out;
  while (auto item = stream.next()) {
    out.push_back(*item ? to_string((*item)->address) + "(" + (*item)->hostname + ")" : "ERR:" + item->error().message);
  }
  return out;
}

TEST(ShardedTargetStream, ShardsAreDisjointAndCoverTheList) {
  TargetStream whole = mixed_stream();
  std::vector<std::string> all = drain(whole);
  std::vector<std::string> all_targets;
  for (const auto& item : all) {
    if (item.rfind("ERR:", 0) != 0) { all_targets.push_back(item); }
  }
  ASSERT_GT(all_targets.size(), 300U);
  std::sort(all_targets.begin(), all_targets.end());
  ASSERT_EQ(std::adjacent_find(all_targets.begin(), all_targets.end()), all_targets.end()); // no duplicates in the list

  for (const std::uint32_t count : {1U, 2U, 3U, 4U, 7U, 64U}) {
    std::vector<std::string> union_of_shards;
    std::set<std::string> seen;
    for (std::uint32_t index = 1; index <= count; ++index) {
      TargetStream part = mixed_stream();
      part.restrict_to_shard(Shard{index, count}, 99);
      for (const auto& item : drain(part)) {
        if (item.rfind("ERR:", 0) == 0) {
          EXPECT_NE(item.find("missing.test"), std::string::npos); // errors are reported by every shard
          continue;
        }
        EXPECT_TRUE(seen.insert(item).second) << item << " in two shards of " << count;
        union_of_shards.push_back(item);
      }
    }
    std::sort(union_of_shards.begin(), union_of_shards.end());
    EXPECT_EQ(union_of_shards, all_targets) << count;
  }
}

TEST(ShardedTargetStream, SizesDifferByAtMostOneWithoutExclusions) {
  for (const std::uint32_t count : {2U, 3U, 4U, 10U}) {
    std::vector<std::size_t> sizes;
    for (std::uint32_t index = 1; index <= count; ++index) {
      TargetStream part(specs_of({"10.9.0.0/24", "10.9.1.1-77", "alpha.test"}), {}, {}, fake_resolver());
      part.restrict_to_shard(Shard{index, count}, 5);
      sizes.push_back(drain(part).size());
    }
    const auto [low, high] = std::minmax_element(sizes.begin(), sizes.end());
    EXPECT_LE(*high - *low, 1U) << count;
    EXPECT_EQ(std::accumulate(sizes.begin(), sizes.end(), std::size_t{0}), 254U + 77U + 1U);
  }
}

TEST(ShardedTargetStream, TheSeedDecidesTheSpread) {
  const auto shard_of_seed = [](std::uint64_t seed) {
    TargetStream part(specs_of({"10.9.0.0/24"}), {}, {}, fake_resolver());
    part.restrict_to_shard(Shard{1, 4}, seed);
    return drain(part);
  };
  EXPECT_EQ(shard_of_seed(1), shard_of_seed(1));
  EXPECT_NE(shard_of_seed(1), shard_of_seed(2));
  // Spread through the block rather than a contiguous quarter of it.
  std::vector<int> last_octets;
  for (const auto& item : shard_of_seed(1)) { last_octets.push_back(std::stoi(item.substr(item.rfind('.') + 1))); }
  ASSERT_GE(last_octets.size(), 63U);
  ASSERT_LE(last_octets.size(), 64U);
  EXPECT_LT(*std::min_element(last_octets.begin(), last_octets.end()), 32);
  EXPECT_GT(*std::max_element(last_octets.begin(), last_octets.end()), 224);
}

TEST(ShardedTargetStream, LargeBlocksAreWalkedWithoutAList) {
  // A /12 (about a million addresses) in 256 shards: each shard walks the block lazily.
  TargetStream part(specs_of({"10.16.0.0/12"}), {}, {}, fake_resolver());
  part.restrict_to_shard(Shard{256, 256}, 3);
  std::size_t count = 0;
  while (auto item = part.next()) {
    ASSERT_TRUE(*item);
    ++count;
  }
  EXPECT_GE(count, (1U << 20) / 256 - 1);
  EXPECT_LE(count, (1U << 20) / 256 + 1);
}

TEST(ScanIdentity, NamesTargetsSeedAndCount) {
  const std::vector<std::string> args{"10.0.0.0/24", "-iL="};
  EXPECT_EQ(scan_identity(args, 1, 4), scan_identity(args, 1, 4));
  EXPECT_EQ(scan_identity(args, 1, 4).size(), 16U);
  EXPECT_NE(scan_identity(args, 1, 4), scan_identity(args, 2, 4));
  EXPECT_NE(scan_identity(args, 1, 4), scan_identity(args, 1, 5));
  EXPECT_NE(scan_identity(args, 1, 4), scan_identity({"10.0.1.0/24", "-iL="}, 1, 4));
  EXPECT_NE(scan_identity({"ab", "c"}, 1, 4), scan_identity({"a", "bc"}, 1, 4));
}

} // namespace
} // namespace stackprint::targets
