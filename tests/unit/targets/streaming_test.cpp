// The target stream: an -iL list is read line by line as targets are taken
// (never ahead), with --exclude applied on the way, so memory does not depend on the list's length;
// and CIDR blocks from a list or a resolved "name/N" skip their network and broadcast addresses unless
// asked (/31 and /32 excepted), like blocks on the command line.

#include <memory>

#include <gtest/gtest.h>

#include "stackprint/targets/target_stream.hpp"

namespace stackprint::targets {
namespace {

// A list of `count` addresses 10.(i>>16).(i>>8).(i&255) produced on demand; `lines_read` counts
// how many lines the stream has asked for. Nothing is stored.
LineSource generated_list(std::uint32_t count, std::shared_ptr<std::uint64_t> lines_read) {
  return [count, lines_read]() -> std::optional<Expected<std::string>> {
    if (*lines_read >= count) { return std::nullopt; }
    const std::uint64_t i = (*lines_read)++;
    return Expected<std::string>("10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." +
                                 std::to_string(i & 255) + "  # host " + std::to_string(i));
  };
}

Resolver no_names() {
  return [](const std::string& name) -> Expected<Ipv4Address> { return fail("no resolver: " + name); };
}

Resolver names(std::string known, Ipv4Address address) {
  return [known, address](const std::string& name) -> Expected<Ipv4Address> {
    if (name == known) { return address; }
    return fail("cannot resolve " + name);
  };
}

TargetSpec spec(const char* token) {
  auto parsed = parse_target_spec(token);
  EXPECT_TRUE(parsed.has_value()) << token;
  return *parsed;
}

std::vector<std::string> drain(TargetStream& stream, std::size_t limit = 1000) {
  std::vector<std::string> out;
  while (out.size() < limit) {
    auto next = stream.next();
    if (!next) { break; }
    EXPECT_TRUE(next->has_value()) << (next->has_value() ? "" : next->error().message);
    if (next->has_value()) { out.push_back(to_string((*next)->address)); }
  }
  return out;
}

TEST(TargetStreaming, AListIsReadOneLineAtATimeAsTargetsAreTaken) {
  const auto lines_read = std::make_shared<std::uint64_t>(0);
  TargetStream stream({}, {}, {}, no_names());
  stream.append_list(generated_list(65536, lines_read), "big.txt");
  EXPECT_EQ(*lines_read, 0U) << "nothing is read before the first target is asked for";
  for (std::uint64_t taken = 1; taken <= 1000; ++taken) {
    auto next = stream.next();
    ASSERT_TRUE(next && next->has_value());
    EXPECT_EQ(*lines_read, taken) << "the stream read ahead of what it handed out";
  }
  std::uint64_t total = 1000;
  while (auto next = stream.next()) {
    ASSERT_TRUE(next->has_value());
    ++total;
  }
  EXPECT_EQ(total, 65536U);
  EXPECT_EQ(*lines_read, 65536U);
}

TEST(TargetStreaming, ExclusionsAreAppliedWhileStreaming) {
  const auto lines_read = std::make_shared<std::uint64_t>(0);
  auto exclusions = ExclusionSet::build({spec("10.0.1.0/24"), spec("10.0.0.5")}, no_names());
  ASSERT_TRUE(exclusions.has_value());
  TargetStream stream({}, {}, *exclusions, no_names());
  stream.append_list(generated_list(65536, lines_read), "big.txt");
  const auto first = drain(stream, 300);
  ASSERT_EQ(first.size(), 300U);
  EXPECT_EQ(first[4], "10.0.0.4");
  EXPECT_EQ(first[5], "10.0.0.6") << "10.0.0.5 is excluded";
  EXPECT_EQ(first[255], "10.0.2.0") << "10.0.1.0/24 is excluded";
  // 300 handed out, 1 + 256 skipped: the stream read exactly up to the last one handed out.
  EXPECT_EQ(*lines_read, 300U + 257U);
  std::uint64_t rest = 0;
  while (auto next = stream.next()) { ++rest; }
  EXPECT_EQ(300U + rest, 65536U - 257U);
}

TEST(TargetStreaming, ABlockInAListIsWalkedLazily) {
  const auto lines_read = std::make_shared<std::uint64_t>(0);
  std::vector<std::string> lines{"10.1.0.0/16", "10.2.0.1"};
  TargetStream stream({}, {}, {}, no_names());
  stream.append_list(
      [lines, lines_read]() -> std::optional<Expected<std::string>> {
        if (*lines_read >= lines.size()) { return std::nullopt; }
        return Expected<std::string>(lines[(*lines_read)++]);
      },
      "blocks.txt");
  const auto first = drain(stream, 3);
  EXPECT_EQ(first, (std::vector<std::string>{"10.1.0.1", "10.1.0.2", "10.1.0.3"}));
  EXPECT_EQ(*lines_read, 1U);
  const auto rest = drain(stream, 70000);
  ASSERT_EQ(rest.size(), 65534U - 3U + 1U);
  EXPECT_EQ(rest[rest.size() - 2], "10.1.255.254") << "the broadcast address 10.1.255.255 is skipped";
  EXPECT_EQ(rest.back(), "10.2.0.1");
}

// #7.5: the network and broadcast addresses of a block, wherever the block comes from.
TEST(NetworkAndBroadcast, SkippedInListsAndResolvedBlocksUnlessAsked) {
  const auto from_list = [](TargetOptions options, std::vector<std::string> lines) {
    auto index = std::make_shared<std::size_t>(0);
    TargetStream stream({}, options, {}, names("gw.lab", make_ipv4(192, 168, 7, 77)));
    stream.append_list(
        [lines, index]() -> std::optional<Expected<std::string>> {
          if (*index >= lines.size()) { return std::nullopt; }
          return Expected<std::string>(lines[(*index)++]);
        },
        "list.txt");
    return drain(stream, 1000);
  };
  const auto skipped = from_list({}, {"10.9.9.0/30", "10.9.8.4/31", "10.9.7.255/32", "gw.lab/30"});
  EXPECT_EQ(skipped, (std::vector<std::string>{"10.9.9.1", "10.9.9.2", "10.9.8.4", "10.9.8.5", "10.9.7.255",
                                               "192.168.7.77", "192.168.7.78"}));
  TargetOptions include;
  include.include_network_and_broadcast = true;
  const auto all = from_list(include, {"10.9.9.0/30", "gw.lab/30"});
  EXPECT_EQ(all, (std::vector<std::string>{"10.9.9.0", "10.9.9.1", "10.9.9.2", "10.9.9.3", "192.168.7.76",
                                           "192.168.7.77", "192.168.7.78", "192.168.7.79"}));
  // A /24 written on the command line: 254 hosts, .0 and .255 left out; counted the same way.
  TargetStream block({spec("10.9.6.0/24")}, {}, {}, no_names());
  EXPECT_EQ(block.command_line_count(), 254U);
  const auto hosts = drain(block, 1000);
  ASSERT_EQ(hosts.size(), 254U);
  EXPECT_EQ(hosts.front(), "10.9.6.1");
  EXPECT_EQ(hosts.back(), "10.9.6.254");
  // An octet range is taken as written, broadcast-looking addresses included (Nmap's syntax for "these").
  TargetStream range({spec("10.9.5.254-255")}, {}, {}, no_names());
  EXPECT_EQ(drain(range), (std::vector<std::string>{"10.9.5.254", "10.9.5.255"}));
}

} // namespace
} // namespace stackprint::targets
