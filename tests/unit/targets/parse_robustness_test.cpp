// Random and mutated inputs to the text parsers of targets/, discovery/ and io/route: every input
// must give a value or an error, never a crash or an out-of-bounds read (run under ASan in CI).

#include <random>
#include <string>

#include <gtest/gtest.h>

#include "stackprint/discovery/port_spec.hpp"
#include "stackprint/io/route.hpp"
#include "stackprint/targets/target_spec.hpp"
#include "stackprint/targets/target_stream.hpp"

namespace stackprint::targets {
namespace {

std::string random_text(std::mt19937& rng, std::string_view alphabet, std::size_t max_length) {
  std::uniform_int_distribution<std::size_t> length(0, max_length);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string text(length(rng), ' ');
  for (char& c : text) { c = alphabet[pick(rng)]; }
  return text;
}

TEST(ParseRobustness, TargetSpecsFromRandomText) {
  std::mt19937 rng(1234);
  std::size_t accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string text = random_text(rng, "0123456789.,-*/abz_", 24);
    auto spec = parse_target_spec(text);
    if (!spec) {
      EXPECT_FALSE(spec.error().message.empty());
      EXPECT_EQ(spec.error().message.find('\n'), std::string::npos);
      continue;
    }
    ++accepted;
    // Whatever was accepted iterates within its count.
    AddressCursor cursor(*spec, {});
    const std::uint64_t count = address_count(*spec);
    std::uint64_t walked = 0;
    while (walked < 300 && cursor.next()) { ++walked; }
    if (!std::holds_alternative<HostnameSpec>(spec->form)) {
      EXPECT_EQ(walked, std::min<std::uint64_t>(count, 300)) << text;
    }
  }
  EXPECT_GT(accepted, 100U) << "the generator also produces valid specs";
}

TEST(ParseRobustness, PortSpecsFromRandomText) {
  std::mt19937 rng(99);
  for (int i = 0; i < 20000; ++i) {
    const std::string text = random_text(rng, "0123456789,-TU:x", 16);
    auto lists = discovery::parse_port_spec(text);
    if (lists) {
      EXPECT_TRUE(std::is_sorted(lists->tcp.begin(), lists->tcp.end()));
      EXPECT_TRUE(std::is_sorted(lists->udp.begin(), lists->udp.end()));
    } else {
      EXPECT_EQ(lists.error().message.find('\n'), std::string::npos);
    }
  }
}

TEST(ParseRobustness, RouteTablesFromRandomText) {
  std::mt19937 rng(7);
  const std::string header = "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n";
  for (int i = 0; i < 5000; ++i) {
    const std::string text = header + random_text(rng, "0123456789ABCDEFeth\t \n", 120);
    auto routes = io::parse_proc_net_route(text);
    if (routes) {
      for (const auto& route : *routes) {
        EXPECT_GE(route.prefix_length, 0);
        EXPECT_LE(route.prefix_length, 32);
      }
    }
  }
}

TEST(ParseRobustness, TargetLinesWithControlBytes) {
  std::mt19937 rng(5);
  for (int i = 0; i < 5000; ++i) {
    std::string line = random_text(rng, std::string("10.0.1 #\t\r\v\f\0x", 15), 40);
    for (std::string_view token : split_target_line(line)) {
      EXPECT_FALSE(token.empty());
      EXPECT_EQ(token.find('#'), std::string_view::npos);
      (void)parse_target_spec(token);
    }
  }
}

} // namespace
} // namespace stackprint::targets
