// `stackprint scan` with bad input: each case gets one clear line on stderr and a defined exit
// status, before any privileged step (so these run without root and send nothing).

#include <array>
#include <cstdio>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "support/command.hpp"

namespace stackprint {
namespace {

using Outcome = test_support::CommandResult;

Outcome run_scan(const std::string& arguments) {
  return test_support::run_command(std::string(STACKPRINT_BINARY) + " scan " + arguments + " 2>&1");
}

void expect_one_line_error(const Outcome& outcome, int status, const std::string& words) {
  EXPECT_EQ(outcome.status, status) << outcome.out;
  EXPECT_NE(outcome.out.find(words), std::string::npos) << outcome.out;
  EXPECT_EQ(outcome.out.find("stackprint scan:"), 0U) << outcome.out;
}

TEST(ScanInput, BadCidrPrefix) {
  const auto o = run_scan("10.99.1.0/33");
  expect_one_line_error(o, 2, "prefix");
  EXPECT_EQ(std::count(o.out.begin(), o.out.end(), '\n'), 1) << o.out;
}

TEST(ScanInput, BadOctetRange) { expect_one_line_error(run_scan("10.99.1.300"), 2, "10.99.1.300"); }

TEST(ScanInput, NoTargets) { expect_one_line_error(run_scan(""), 2, "no targets"); }

TEST(ScanInput, EmptyTargetList) { expect_one_line_error(run_scan("-iL /dev/null"), 2, "target list is empty"); }

TEST(ScanInput, MissingTargetList) {
  expect_one_line_error(run_scan("-iL /nonexistent/targets.txt"), 2, "cannot read /nonexistent/targets.txt");
}

TEST(ScanInput, UnresolvableName) { expect_one_line_error(run_scan("no-such-host.invalid"), 2, "cannot resolve"); }

TEST(ScanInput, EverythingExcluded) {
  expect_one_line_error(run_scan("10.99.1.2 --exclude 10.99.1.0/24"), 2, "target list is empty");
}

TEST(ScanInput, BadShard) {
  expect_one_line_error(run_scan("--shard 0/4 10.99.1.2"), 2, "--shard \"0/4\": I must be between 1 and N");
  expect_one_line_error(run_scan("--shard 5/4 10.99.1.2"), 2, "I must be between 1 and N");
  expect_one_line_error(run_scan("--shard 1/0 10.99.1.2"), 2, "N must be at least 1");
  expect_one_line_error(run_scan("--shard 1-4 10.99.1.2"), 2, "expected I/N");
  expect_one_line_error(run_scan("--shard 1/x 10.99.1.2"), 2, "expected I/N");
}

// A one-address list puts its address in shard 1 (a permutation of one place), so shard 2 is empty.
TEST(ScanInput, EmptyShard) {
  expect_one_line_error(run_scan("--shard 2/4 10.99.1.2"), 2, "shard 2/4 holds no target");
}

TEST(ScanInput, BadPortList) { expect_one_line_error(run_scan("-p 22,70000 10.99.1.2"), 2, "-p"); }

TEST(ScanInput, MissingInterface) { expect_one_line_error(run_scan("-e nosuch0 10.99.1.2"), 3, "nosuch0"); }

TEST(ScanInput, OutOfRangeOption) {
  const auto o = run_scan("--max-os-tries 0 10.99.1.2");
  EXPECT_EQ(o.status, 2) << o.out;
}

} // namespace
} // namespace stackprint
