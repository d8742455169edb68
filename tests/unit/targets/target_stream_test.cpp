#include "stackprint/targets/target_stream.hpp"

#include <map>

#include <gtest/gtest.h>

namespace stackprint::targets {
namespace {

Resolver fake_resolver(std::map<std::string, Ipv4Address> table) {
  return [table = std::move(table)](const std::string& name) -> Expected<Ipv4Address> {
    auto it = table.find(name);
    if (it == table.end()) { return fail("cannot resolve \"" + name + "\""); }
    return it->second;
  };
}

std::vector<TargetSpec> specs(std::initializer_list<const char*> tokens) {
  std::vector<TargetSpec> out;
  for (const char* token : tokens) {
    auto spec = parse_target_spec(token);
    EXPECT_TRUE(spec) << token;
    if (spec) { out.push_back(*spec); }
  }
  return out;
}

LineSource lines_of(std::vector<std::string> lines, std::size_t* reads = nullptr) {
  auto index = std::make_shared<std::size_t>(0);
  return [lines = std::move(lines), index, reads]() -> std::optional<Expected<std::string>> {
    if (*index >= lines.size()) { return std::nullopt; }
    if (reads != nullptr) { ++*reads; }
    return Expected<std::string>(lines[(*index)++]);
  };
}

// Drains the stream into "address" / "address(name)" / "ERR:message" strings.
std::vector<std::string> drain(TargetStream& stream, std::size_t limit = 10000) {
  std::vector<std::string> out;
  while (auto item = stream.next()) {
    if (*item) {
      const Target& t = **item;
      out.push_back(to_string(t.address) + (t.hostname.empty() ? "" : "(" + t.hostname + ")"));
    } else {
      out.push_back("ERR:" + item->error().message);
    }
    if (out.size() > limit) { break; }
  }
  return out;
}

TEST(SplitTargetLine, WhitespaceAndComments) {
  EXPECT_EQ(split_target_line("  10.0.0.1\t10.0.0.2 # a comment 10.0.0.3\r"),
            (std::vector<std::string_view>{"10.0.0.1", "10.0.0.2"}));
  EXPECT_TRUE(split_target_line("").empty());
  EXPECT_TRUE(split_target_line("   # only a comment").empty());
  EXPECT_EQ(split_target_line("a#b"), std::vector<std::string_view>{"a"});
}

TEST(TargetStream, CommandLineSpecsInOrderWithHostnames) {
  TargetStream stream(specs({"10.0.0.5", "web.lan", "10.0.1.1-2"}), {}, {},
                      fake_resolver({{"web.lan", make_ipv4(172, 16, 0, 9)}}));
  EXPECT_EQ(stream.command_line_count(), 4U);
  EXPECT_EQ(drain(stream), (std::vector<std::string>{"10.0.0.5", "172.16.0.9(web.lan)", "10.0.1.1", "10.0.1.2"}));
  EXPECT_FALSE(stream.next());
}

TEST(TargetStream, UnresolvableNameIsAnErrorAndTheStreamGoesOn) {
  TargetStream stream(specs({"nowhere.invalid", "10.0.0.1"}), {}, {}, fake_resolver({}));
  const auto out = drain(stream);
  ASSERT_EQ(out.size(), 2U);
  EXPECT_EQ(out[0], "ERR:cannot resolve \"nowhere.invalid\"");
  EXPECT_EQ(out[1], "10.0.0.1");
}

TEST(TargetStream, ExclusionsRemoveAddressesBlocksAndResolvedNames) {
  auto exclusions = ExclusionSet::build(specs({"10.0.0.2", "10.0.0.8/30", "gw.lan"}),
                                        fake_resolver({{"gw.lan", make_ipv4(10, 0, 0, 14)}}));
  ASSERT_TRUE(exclusions);
  EXPECT_TRUE(exclusions->contains(make_ipv4(10, 0, 0, 11)));
  EXPECT_FALSE(exclusions->contains(make_ipv4(10, 0, 0, 12)));
  TargetStream stream(specs({"10.0.0.0/28"}), {}, *exclusions, fake_resolver({}));
  EXPECT_EQ(drain(stream), (std::vector<std::string>{"10.0.0.1", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6",
                                                     "10.0.0.7", "10.0.0.12", "10.0.0.13"}));
}

TEST(TargetStream, ExclusionWithUnresolvableNameFails) {
  auto exclusions = ExclusionSet::build(specs({"gone.lan"}), fake_resolver({}));
  ASSERT_FALSE(exclusions);
  EXPECT_NE(exclusions.error().message.find("gone.lan"), std::string::npos);
}

TEST(TargetStream, ListIsReadLazilyLineByLineWithLocations) {
  std::size_t reads = 0;
  TargetStream stream(specs({"10.9.9.9"}), {}, {}, fake_resolver({{"db.lan", make_ipv4(10, 1, 1, 1)}}));
  stream.append_list(lines_of({"# header comment", "", "10.0.0.1 10.0.0.2  # two hosts", "10.0.0.999", "db.lan",
                               "missing.lan", "10.0.0.4/31"},
                              &reads),
                     "hosts.txt");
  auto first = stream.next();
  ASSERT_TRUE(first && *first);
  EXPECT_EQ(to_string((*first)->address), "10.9.9.9");
  EXPECT_EQ(reads, 0U) << "the list is not read before it is needed";
  auto second = stream.next();
  ASSERT_TRUE(second && *second);
  EXPECT_EQ(to_string((*second)->address), "10.0.0.1");
  EXPECT_EQ(reads, 3U);
  const auto rest = drain(stream);
  ASSERT_EQ(rest.size(), 6U);
  EXPECT_EQ(rest[0], "10.0.0.2");
  EXPECT_EQ(rest[1].rfind("ERR:hosts.txt:4: invalid target \"10.0.0.999\"", 0), 0U) << rest[1];
  EXPECT_EQ(rest[2], "10.1.1.1(db.lan)");
  EXPECT_EQ(rest[3], "ERR:hosts.txt:6: cannot resolve \"missing.lan\"");
  EXPECT_EQ(rest[4], "10.0.0.4");
  EXPECT_EQ(rest[5], "10.0.0.5");
}

TEST(TargetStream, ReadFailureEndsThatList) {
  bool failed = false;
  LineSource broken = [&failed]() -> std::optional<Expected<std::string>> {
    if (failed) {
      ADD_FAILURE() << "read again after a failure";
      return std::nullopt;
    }
    failed = true;
    return Expected<std::string>(tl::unexpected(Error{"Input/output error"}));
  };
  TargetStream stream({}, {}, {}, fake_resolver({}));
  stream.append_list(broken, "bad.txt");
  stream.append_list(lines_of({"10.0.0.7"}), "good.txt");
  EXPECT_EQ(drain(stream), (std::vector<std::string>{"ERR:bad.txt: Input/output error", "10.0.0.7"}));
}

TEST(TargetStream, HugeBlockStreamsLazily) {
  TargetStream stream(specs({"0.0.0.0/0"}), {}, {}, fake_resolver({}));
  EXPECT_EQ(stream.command_line_count(), (std::uint64_t{1} << 32) - 2);
  for (std::uint32_t i = 1; i <= 1000; ++i) {
    auto t = stream.next();
    ASSERT_TRUE(t && *t);
    EXPECT_EQ((*t)->address.value, i);
  }
}

} // namespace
} // namespace stackprint::targets

namespace stackprint::targets {
namespace {

TEST(TargetStream, LargeExcludedBlocksAreSkippedInOneStep) {
  auto exclusions = ExclusionSet::build(specs({"0.0.0.0/1", "128.0.0.1", "200.0.0.0/8"}), fake_resolver({}));
  ASSERT_TRUE(exclusions);
  EXPECT_EQ(exclusions->excluded_through(make_ipv4(0, 0, 0, 9)), make_ipv4(127, 255, 255, 255));
  EXPECT_EQ(exclusions->excluded_through(make_ipv4(128, 0, 0, 1)), make_ipv4(128, 0, 0, 1));
  EXPECT_FALSE(exclusions->excluded_through(make_ipv4(128, 0, 0, 2)));
  TargetStream stream(specs({"0.0.0.0/0"}), {}, *exclusions, fake_resolver({}));
  auto first = stream.next();
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->address, make_ipv4(128, 0, 0, 0));
  auto second = stream.next();
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->address, make_ipv4(128, 0, 0, 2));
  TargetStream around(specs({"199.255.255.254/31", "200.0.0.0/7"}), TargetOptions{true}, *exclusions,
                      fake_resolver({}));
  EXPECT_EQ(drain(around, 3),
            (std::vector<std::string>{"199.255.255.254", "199.255.255.255", "201.0.0.0", "201.0.0.1"}));
}

TEST(ReadTargetSpecs, ExcludeFileContents) {
  auto specs_read = read_target_specs(lines_of({"# exclusions", "10.0.0.1 10.0.1.0/24", "", "gw.lan"}), "ex.txt");
  ASSERT_TRUE(specs_read) << specs_read.error().message;
  ASSERT_EQ(specs_read->size(), 3U);
  EXPECT_EQ((*specs_read)[1].text, "10.0.1.0/24");
  auto bad = read_target_specs(lines_of({"10.0.0.1", "10.0.0.1/40"}), "ex.txt");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.rfind("ex.txt:2: invalid target \"10.0.0.1/40\"", 0), 0U) << bad.error().message;
}

} // namespace
} // namespace stackprint::targets
