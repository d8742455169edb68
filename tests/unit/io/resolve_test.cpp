#include "stackprint/io/resolve.hpp"

#include <cstdio>
#include <fstream>

#include <unistd.h>

#include <gtest/gtest.h>

#include "stackprint/io/clock.hpp"

namespace stackprint::io {
namespace {

TEST(Resolve, LiteralAddressesNeedNoLookup) {
  auto address = resolve_ipv4("10.99.50.2");
  ASSERT_TRUE(address);
  EXPECT_EQ(*address, make_ipv4(10, 99, 50, 2));
}

TEST(Resolve, LocalhostFromTheHostsFile) {
  auto address = resolve_ipv4("localhost");
  ASSERT_TRUE(address) << address.error().message;
  EXPECT_EQ(address->value >> 24, 127U);
  auto resolver = make_resolver();
  auto again = resolver("localhost");
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *address);
}

TEST(Resolve, InvalidNameIsAnErrorValue) {
  // A syntactically impossible name: getaddrinfo rejects it without asking a DNS server.
  auto address = resolve_ipv4("bad..name");
  ASSERT_FALSE(address);
  EXPECT_EQ(address.error().message.rfind("cannot resolve \"bad..name\": ", 0), 0U) << address.error().message;
}

TEST(LineSource, ReadsAFileLineByLine) {
  const std::string path = ::testing::TempDir() + "stackprint_targets_" + std::to_string(::getpid()) + ".txt";
  {
    std::ofstream out(path);
    out << "10.0.0.1 # first\n\n10.0.0.2";
  }
  auto source = open_line_source(path);
  ASSERT_TRUE(source) << source.error().message;
  std::vector<std::string> lines;
  while (auto line = (*source)()) {
    ASSERT_TRUE(*line);
    lines.push_back(**line);
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"10.0.0.1 # first", "", "10.0.0.2"}));
  std::remove(path.c_str());
  auto missing = open_line_source(path);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find(path), std::string::npos);
}

TEST(Clock, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(MonotonicTime{} + std::chrono::seconds(5), Timestamp(std::chrono::seconds(1'700'000'000)));
  const auto start = clock.monotonic_now();
  EXPECT_EQ(clock.monotonic_now(), start);
  clock.advance(std::chrono::milliseconds(250));
  EXPECT_EQ(clock.monotonic_now() - start, std::chrono::milliseconds(250));
  EXPECT_EQ(clock.wall_now().time_since_epoch(), std::chrono::seconds(1'700'000'000) + std::chrono::milliseconds(250));
  SystemClock system;
  const auto a = system.monotonic_now();
  const auto b = system.monotonic_now();
  EXPECT_LE(a, b);
  EXPECT_GT(system.wall_now().time_since_epoch(), std::chrono::seconds(1'600'000'000));
}

} // namespace
} // namespace stackprint::io
