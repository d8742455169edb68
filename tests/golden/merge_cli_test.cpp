// `stackprint merge` run as a user runs it, on shard outputs written here: the merged JSON Lines
// report, and one line per problem (different scans, overlaps, gaps, truncated or foreign files).

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/command.hpp"

namespace stackprint {
namespace {

namespace fs = std::filesystem;

std::string host_line(const std::string& target, int index, int count, const std::string& scan_id = "00000000000000aa",
                      int seed = 7) {
  nlohmann::ordered_json j;
  j["schema_version"] = 1;
  j["target"] = target;
  j["state"] = "up";
  j["mac"] = nullptr;
  j["start"] = 1;
  j["end"] = 2;
  j["shard"] = {{"index", index}, {"count", count}, {"seed", seed}, {"scan_id", scan_id}};
  j["ports"] = nlohmann::json::array();
  j["os_detection"] = nullptr;
  j["warnings"] = nlohmann::json::array();
  return j.dump() + "\n";
}

class MergeCli : public ::testing::Test {
protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() / ("stackprint_merge_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }

  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(m_dir / name, std::ios::binary) << text;
    return (m_dir / name).string();
  }
  test_support::CommandResult merge(const std::string& arguments) {
    return test_support::run_command("cd " + m_dir.string() + " && " + STACKPRINT_BINARY + " merge " + arguments +
                                     " 2>merge.err");
  }
  std::string errors() { return test_support::read_file(m_dir / "merge.err"); }
  std::vector<std::string> merged_targets(const std::string& name) {
    std::vector<std::string> targets;
    std::ifstream in(m_dir / name);
    std::string line;
    while (std::getline(in, line)) { targets.push_back(nlohmann::json::parse(line)["target"]); }
    return targets;
  }

  fs::path m_dir;
};

TEST_F(MergeCli, FittingShardsMergeInAddressOrder) {
  write("a.jsonl", host_line("10.0.0.9", 1, 2) + host_line("10.0.0.1", 1, 2));
  write("b.jsonl", host_line("10.0.0.10", 2, 2) + host_line("10.0.0.2", 2, 2));
  const auto result = merge("-oJ merged.jsonl a.jsonl b.jsonl");
  EXPECT_EQ(result.status, 0) << errors();
  EXPECT_EQ(errors(), "");
  EXPECT_EQ(merged_targets("merged.jsonl"),
            (std::vector<std::string>{"10.0.0.1", "10.0.0.2", "10.0.0.9", "10.0.0.10"}));
  // The host objects pass through unchanged (members and their order).
  const std::string merged = test_support::read_file(m_dir / "merged.jsonl");
  EXPECT_NE(merged.find(host_line("10.0.0.10", 2, 2)), std::string::npos);
}

TEST_F(MergeCli, GapIsNamed) {
  write("a.jsonl", host_line("10.0.0.1", 1, 3));
  write("c.jsonl", host_line("10.0.0.3", 3, 3));
  const auto result = merge("-oJ merged.jsonl a.jsonl c.jsonl");
  EXPECT_EQ(result.status, 2);
  EXPECT_EQ(errors(),
            "stackprint merge: gap: no host from shard 2 of 3 (a missing output, or a shard without hosts)\n");
  EXPECT_EQ(merged_targets("merged.jsonl").size(), 2U);
}

TEST_F(MergeCli, OverlapIsNamed) {
  write("a.jsonl", host_line("10.0.0.1", 1, 2) + host_line("10.0.0.5", 1, 2));
  write("b.jsonl", host_line("10.0.0.5", 2, 2));
  const auto result = merge("-oJ merged.jsonl a.jsonl b.jsonl");
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(errors().find("overlap: 10.0.0.5 is in shard 1/2 (a.jsonl) and shard 2/2 (b.jsonl)"), std::string::npos)
      << errors();
}

TEST_F(MergeCli, DifferentScansAreNamed) {
  write("a.jsonl", host_line("10.0.0.1", 1, 2, "00000000000000aa", 7));
  write("b.jsonl", host_line("10.0.0.2", 2, 2, "00000000000000bb", 8));
  const auto result = merge("-oJ merged.jsonl a.jsonl b.jsonl");
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(errors().find("shards of different scans: a.jsonl has scan 00000000000000aa (seed 7, 2 shards), b.jsonl "
                          "has scan 00000000000000bb (seed 8, 2 shards)"),
            std::string::npos)
      << errors();
}

TEST_F(MergeCli, TruncatedAndForeignFilesCostOneLineEachAndNothingElse) {
  const std::string cut = host_line("10.0.0.4", 2, 2);
  write("a.jsonl", host_line("10.0.0.1", 1, 2) + host_line("10.0.0.3", 1, 2));
  write("b.jsonl", host_line("10.0.0.2", 2, 2) + cut.substr(0, cut.size() / 2)); // cut mid-line
  write("nmap.xml", "<?xml version=\"1.0\"?>\n<nmaprun>\n</nmaprun>\n");
  write("plain.jsonl", "{\"schema_version\": 1, \"target\": \"10.0.0.7\"}\n"); // a scan without --shard
  const auto result = merge("-oJ merged.jsonl a.jsonl b.jsonl nmap.xml plain.jsonl missing.jsonl");
  EXPECT_EQ(result.status, 2);
  const std::string e = errors();
  EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 4) << e;
  EXPECT_NE(e.find("stackprint merge: b.jsonl:2: not valid JSON (truncated?) (1 bad line skipped)"), std::string::npos)
      << e;
  EXPECT_NE(e.find("stackprint merge: nmap.xml:1: not valid JSON (truncated?) (3 bad lines skipped)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("stackprint merge: plain.jsonl:1: no \"shard\" member"), std::string::npos) << e;
  EXPECT_NE(e.find("stackprint merge: cannot read missing.jsonl"), std::string::npos) << e;
  EXPECT_EQ(merged_targets("merged.jsonl"), (std::vector<std::string>{"10.0.0.1", "10.0.0.2", "10.0.0.3"}));
}

TEST_F(MergeCli, NoInputIsAUsageError) {
  const auto result = merge("");
  EXPECT_EQ(result.status, 2) << errors();
}

} // namespace
} // namespace stackprint
