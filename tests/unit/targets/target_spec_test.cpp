#include "stackprint/targets/target_spec.hpp"

#include <gtest/gtest.h>

namespace stackprint::targets {
namespace {

std::vector<std::string> expand(std::string_view token, TargetOptions options = {}, std::size_t limit = 100000) {
  auto spec = parse_target_spec(token);
  EXPECT_TRUE(spec) << (spec ? "" : spec.error().message);
  std::vector<std::string> out;
  if (!spec) { return out; }
  AddressCursor cursor(*spec, options);
  while (auto address = cursor.next()) {
    out.push_back(to_string(*address));
    if (out.size() > limit) { break; }
  }
  return out;
}

TEST(TargetSpec, SingleAddress) {
  EXPECT_EQ(expand("192.168.7.9"), std::vector<std::string>{"192.168.7.9"});
  auto spec = parse_target_spec("192.168.7.9");
  ASSERT_TRUE(spec);
  EXPECT_EQ(address_count(*spec), 1U);
  EXPECT_TRUE(spec_contains(*spec, make_ipv4(192, 168, 7, 9)));
  EXPECT_FALSE(spec_contains(*spec, make_ipv4(192, 168, 7, 8)));
}

TEST(TargetSpec, CidrSkipsNetworkAndBroadcastByDefault) {
  EXPECT_EQ(expand("10.1.2.77/30"), (std::vector<std::string>{"10.1.2.77", "10.1.2.78"}));
  EXPECT_EQ(expand("10.1.2.77/30", TargetOptions{true}),
            (std::vector<std::string>{"10.1.2.76", "10.1.2.77", "10.1.2.78", "10.1.2.79"}));
  EXPECT_EQ(expand("10.1.2.77/31"), (std::vector<std::string>{"10.1.2.76", "10.1.2.77"}));
  EXPECT_EQ(expand("10.1.2.77/32"), std::vector<std::string>{"10.1.2.77"});
  const auto block = expand("10.1.2.0/24");
  ASSERT_EQ(block.size(), 254U);
  EXPECT_EQ(block.front(), "10.1.2.1");
  EXPECT_EQ(block.back(), "10.1.2.254");
}

TEST(TargetSpec, CountsHugeBlocksWithoutExpanding) {
  auto zero = parse_target_spec("0.0.0.0/0");
  ASSERT_TRUE(zero);
  EXPECT_EQ(address_count(*zero), (std::uint64_t{1} << 32) - 2);
  EXPECT_EQ(address_count(*zero, TargetOptions{true}), std::uint64_t{1} << 32);
  auto eight = parse_target_spec("10.200.3.4/8");
  ASSERT_TRUE(eight);
  EXPECT_EQ(std::get<CidrSpec>(eight->form).network, make_ipv4(10, 0, 0, 0));
  EXPECT_EQ(address_count(*eight), (std::uint64_t{1} << 24) - 2);
  // The cursor over /0 starts lazily at 0.0.0.1 and ends at 255.255.255.254.
  AddressCursor cursor(*zero, {});
  EXPECT_EQ(cursor.next(), make_ipv4(0, 0, 0, 1));
  EXPECT_EQ(cursor.next(), make_ipv4(0, 0, 0, 2));
  EXPECT_TRUE(spec_contains(*zero, make_ipv4(255, 255, 255, 255)));
  EXPECT_TRUE(spec_contains(*eight, make_ipv4(10, 255, 255, 255)));
  EXPECT_FALSE(spec_contains(*eight, make_ipv4(11, 0, 0, 0)));
}

TEST(TargetSpec, CidrEndsAtTopOfAddressSpace) {
  const auto tail = expand("255.255.255.252/30", TargetOptions{true});
  EXPECT_EQ(tail,
            (std::vector<std::string>{"255.255.255.252", "255.255.255.253", "255.255.255.254", "255.255.255.255"}));
}

TEST(TargetSpec, OctetRangesAndLists) {
  EXPECT_EQ(expand("192.168.1.1,3,7-9"),
            (std::vector<std::string>{"192.168.1.1", "192.168.1.3", "192.168.1.7", "192.168.1.8", "192.168.1.9"}));
  const auto grid = expand("10.0.0-3.1-254");
  ASSERT_EQ(grid.size(), 4U * 254U);
  EXPECT_EQ(grid[0], "10.0.0.1");
  EXPECT_EQ(grid[253], "10.0.0.254");
  EXPECT_EQ(grid[254], "10.0.1.1");
  EXPECT_EQ(grid.back(), "10.0.3.254");
  auto spec = parse_target_spec("10.0.0-3.1-254");
  ASSERT_TRUE(spec);
  EXPECT_EQ(address_count(*spec), 4U * 254U);
  EXPECT_TRUE(spec_contains(*spec, make_ipv4(10, 0, 2, 100)));
  EXPECT_FALSE(spec_contains(*spec, make_ipv4(10, 0, 4, 100)));
  EXPECT_FALSE(spec_contains(*spec, make_ipv4(10, 0, 2, 255)));
}

TEST(TargetSpec, OpenEndedAndWildcardOctets) {
  EXPECT_EQ(expand("10.0.0.-2"), (std::vector<std::string>{"10.0.0.0", "10.0.0.1", "10.0.0.2"}));
  EXPECT_EQ(expand("10.0.0.253-"), (std::vector<std::string>{"10.0.0.253", "10.0.0.254", "10.0.0.255"}));
  auto star = parse_target_spec("10.*.0.-");
  ASSERT_TRUE(star);
  EXPECT_EQ(address_count(*star), 256U * 256U);
  // Overlapping list items are merged and sorted.
  EXPECT_EQ(expand("1.1.1.5,3-6,1"), (std::vector<std::string>{"1.1.1.1", "1.1.1.3", "1.1.1.4", "1.1.1.5", "1.1.1.6"}));
}

TEST(TargetSpec, Hostnames) {
  auto host = parse_target_spec("scanme.example.org");
  ASSERT_TRUE(host);
  const auto& name = std::get<HostnameSpec>(host->form);
  EXPECT_EQ(name.name, "scanme.example.org");
  EXPECT_FALSE(name.prefix_length);
  EXPECT_EQ(address_count(*host), 1U);
  AddressCursor nothing(*host, {});
  EXPECT_FALSE(nothing.next());
  AddressCursor one = AddressCursor::for_resolved(name, make_ipv4(1, 2, 3, 4), {});
  EXPECT_EQ(one.next(), make_ipv4(1, 2, 3, 4));
  EXPECT_FALSE(one.next());

  auto block = parse_target_spec("router_1.lan/30");
  ASSERT_TRUE(block);
  const auto& named_block = std::get<HostnameSpec>(block->form);
  EXPECT_EQ(named_block.prefix_length, 30);
  EXPECT_EQ(address_count(*block), 2U);
  AddressCursor around = AddressCursor::for_resolved(named_block, make_ipv4(1, 2, 3, 6), {});
  EXPECT_EQ(around.next(), make_ipv4(1, 2, 3, 5));
  EXPECT_EQ(around.next(), make_ipv4(1, 2, 3, 6));
  EXPECT_FALSE(around.next());
}

TEST(TargetSpec, ErrorsNameTheBadToken) {
  struct Case {
    const char* token;
    const char* fragment;
  };
  for (const Case& c : {Case{"10.0.0.300", "\"300\""}, Case{"10.0.0.9-7", "backwards"}, Case{"10.0.0", "four"},
                        Case{"10.0.0.1.2", "four"}, Case{"10.0.0.0/33", "\"33\""}, Case{"10.0.0.0/", "\"\""},
                        Case{"10.0-1.0.0/8", "plain address"}, Case{"10.0.0.1,,2", "empty list item"},
                        Case{"/24", "before"}, Case{"bad!host", "hostname"}, Case{"-oops", "hostname"},
                        Case{"", "empty"}, Case{"host/x", "\"x\""}, Case{"10.0..1", "empty"}}) {
    auto spec = parse_target_spec(c.token);
    ASSERT_FALSE(spec) << c.token;
    const std::string& message = spec.error().message;
    EXPECT_NE(message.find("\"" + std::string(c.token) + "\""), std::string::npos) << message;
    EXPECT_NE(message.find(c.fragment), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
}

} // namespace
} // namespace stackprint::targets
