// `stackprint emulate --hostile`: bad input is refused with exit 2 and one clear line; hostile hosts
// are marked in the per-address JSON lines (checked with --self-check, which needs no network).

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/command.hpp"

namespace {

using stackprint::test_support::run_command;

const std::string k_bin = STACKPRINT_BINARY;

bool have_db() { return std::filesystem::exists("/usr/share/nmap/nmap-os-db"); }

TEST(EmulateHostileCli, UnknownKindIsRefused) {
  const auto r = run_command(k_bin + " emulate --net 10.204.0.0/30 --personality random --hostile flood,bogus 2>&1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("unknown kind 'bogus'"), std::string::npos) << r.out;
}

TEST(EmulateHostileCli, HostileHostsWithoutKindsOrWithANameAreRefused) {
  auto r = run_command(k_bin + " emulate --net 10.204.0.0/30 --personality random --hostile-hosts 10.204.0.1 2>&1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("needs --hostile"), std::string::npos) << r.out;
  r = run_command(k_bin +
                  " emulate --net 10.204.0.0/30 --personality random --hostile all --hostile-hosts gw.lan 2>&1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("--hostile-hosts gw.lan"), std::string::npos) << r.out;
}

TEST(EmulateHostileCli, OnlyTheNamedHostsAreHostile) {
  if (!have_db()) GTEST_SKIP() << "no installed nmap-os-db";
  const auto r = run_command(k_bin + " emulate --net 10.204.0.0/29 --personality random --seed 3 --self-check"
                                     " --hostile all --hostile-hosts 10.204.0.2,5 2>/dev/null");
  ASSERT_EQ(r.status, 0) << r.out;
  std::size_t lines = 0, hostile = 0;
  std::size_t start = 0;
  while (start < r.out.size()) {
    const std::size_t end = r.out.find('\n', start);
    const std::string line = r.out.substr(start, end - start);
    start = end == std::string::npos ? r.out.size() : end + 1;
    if (line.empty()) continue;
    ++lines;
    const bool marked = line.find("\"hostile\":true") != std::string::npos;
    const bool named =
        line.find("\"10.204.0.2\"") != std::string::npos || line.find("\"10.204.0.5\"") != std::string::npos;
    EXPECT_EQ(marked, named) << line;
    hostile += marked ? 1 : 0;
  }
  EXPECT_EQ(lines, 6U);
  EXPECT_EQ(hostile, 2U);
}

} // namespace
