// The `stackprint match` and `stackprint db check` commands, run as a user would (the built binary).

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/command.hpp"

namespace stackprint {
namespace {

namespace fs = std::filesystem;
using test_support::CommandResult;
using test_support::run_command;

const std::string k_bin = STACKPRINT_BINARY;
const std::string k_data = STACKPRINT_TEST_DATA_DIR;
const std::string k_small_db = k_data + "/osdb/small.db";

fs::path temp_file(const std::string& name, const std::string& content) {
  const fs::path p = fs::temp_directory_path() / ("stackprint_db_cli_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

TEST(DbCheckCli, SmallDatabaseCounts) {
  const CommandResult r = run_command(k_bin + " db check --db " + k_small_db);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("fingerprints: 3 (3 distinct names)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("classes: 4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CPEs: 5 (2 auto)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("test lines: 14"), std::string::npos) << r.out;
}

TEST(DbCheckCli, MalformedDatabaseExitsTwoWithFileAndLine) {
  const fs::path bad = temp_file("bad.db", "MatchPoints\nSEQ(TI=100)\n\nFingerprint A\nSEQ(TI=5-\n");
  const CommandResult r = run_command(k_bin + " db check --db " + bad.string() + " 2>&1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find(bad.string() + ":5: "), std::string::npos) << r.out;
  fs::remove(bad);
  const CommandResult missing = run_command(k_bin + " db check --db /nonexistent/nmap-os-db 2>&1");
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.out.find("cannot read /nonexistent/nmap-os-db"), std::string::npos) << missing.out;
}

TEST(DbCheckCli, EnvironmentVariableSelectsTheDatabase) {
  const CommandResult r = run_command("STACKPRINT_DB=" + k_small_db + " " + k_bin + " db check");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("fingerprints: 3"), std::string::npos) << r.out;
  // --db wins over the environment.
  const CommandResult both = run_command("STACKPRINT_DB=/nonexistent " + k_bin + " db check --db " + k_small_db);
  EXPECT_EQ(both.status, 0) << both.out;
}

constexpr const char* k_example_subject = "SEQ(TI=Z%TS=A%SP=5)\n"
                                          "ECN(R=Y%DF=Y%T=40%W=FAF0%O=M5B4NNSNWA%CC=Y%Q=)\n"
                                          "T1(R=Y%DF=Y%T=40%S=O%A=S+%F=AS)\n"
                                          "U1(R=N)\n"
                                          "IE(R=N)\n";

TEST(MatchCli, TextOutputOnTheSmallDatabase) {
  const fs::path fp = temp_file("fp.txt", k_example_subject);
  const CommandResult r = run_command(k_bin + " match --db " + k_small_db + " " + fp.string());
  EXPECT_EQ(r.status, 0) << r.out;
  // Example OS 2.0 is perfect (U1/IE R=N, OPS has no attributes); 1.0 misses nothing either: its
  // U1/IE lines have no R, so nothing overlaps there, and ECN W/O alternatives accept these values.
  EXPECT_NE(r.out.find("OS details: Example OS 1.0, Example OS 2.0\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Running: Example ExampleOS 1.X|2.X\n"), std::string::npos) << r.out;
  fs::remove(fp);
}

TEST(MatchCli, JsonOutputFromStandardInput) {
  const fs::path fp = temp_file("fp2.txt", k_example_subject);
  const CommandResult r = run_command(k_bin + " match --json --db " + k_small_db + " - < " + fp.string());
  ASSERT_EQ(r.status, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["outcome"], "success");
  EXPECT_EQ(j["perfect"], true);
  ASSERT_EQ(j["matches"].size(), 2U);
  EXPECT_EQ(j["matches"][0]["name"], "Example OS 1.0");
  EXPECT_EQ(j["matches"][0]["accuracy"], 100);
  EXPECT_EQ(j["matches"][0]["line"], 14);
  EXPECT_EQ(j["matches"][1]["classes"][1]["type"], "router");
  EXPECT_EQ(j["matches"][1]["classes"][1]["cpe"][1], "cpe:/h:example:box");
  fs::remove(fp);
}

TEST(MatchCli, BadFingerprintAndBadOptions) {
  const fs::path fp = temp_file("fp3.txt", "this is not a fingerprint\n");
  EXPECT_EQ(run_command(k_bin + " match --db " + k_small_db + " " + fp.string() + " 2>/dev/null").status, 2);
  EXPECT_EQ(
      run_command(k_bin + " match --semantics 8.0 --db " + k_small_db + " " + fp.string() + " 2>/dev/null").status, 2);
  fs::remove(fp);
}

TEST(MatchCli, CaptureAgainstInstalledDatabaseAsJson) {
  if (!fs::exists("/usr/share/nmap/nmap-os-db")) GTEST_SKIP() << "no installed nmap-os-db";
  const std::string fp = k_data + "/captures/default/fingerprint.txt";
  if (!fs::exists(fp)) GTEST_SKIP() << "no default capture";
  const CommandResult r = run_command(k_bin + " match --json " + fp);
  ASSERT_EQ(r.status, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["outcome"], "success");
  EXPECT_EQ(j["perfect"], false);
  EXPECT_EQ(j["matches"].size(), 36U);
  EXPECT_EQ(j["matches"][0]["name"], "Linux 5.3 - 5.4");
  EXPECT_EQ(j["matches"][0]["accuracy"], 96);
  EXPECT_EQ(j["matches"][0]["line"], 68140);
  const CommandResult guess = run_command(k_bin + " match --guess " + fp);
  EXPECT_NE(guess.out.find("Aggressive OS guesses: Linux 5.3 - 5.4 (96%), Linux 3.2 (95%)"), std::string::npos)
      << guess.out;
  EXPECT_NE(guess.out.find("TCP/IP fingerprint:\nOS:SCAN(V=7.93"), std::string::npos) << guess.out;
}

// The default capture's fingerprint as a firewall that dropped T2-T7, U1 and IE would leave it.
std::string firewalled_default_fingerprint() {
  std::ifstream in(k_data + "/captures/default/fingerprint.txt");
  std::string text;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("OS:", 0) == 0) text += line.substr(3);
  }
  std::string out;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t open = text.find('(', pos);
    const std::size_t close = text.find(')', open);
    if (open == std::string::npos || close == std::string::npos) break;
    const std::string name = text.substr(pos, open - pos);
    const bool dropped =
        name.size() == 2 && ((name[0] == 'T' && name[1] >= '2' && name[1] <= '7') || name == "U1" || name == "IE");
    out += name + "(" + (dropped ? std::string("R=N") : text.substr(open + 1, close - open - 1)) + ")\n";
    pos = close + 1;
  }
  return out;
}

TEST(MatchCli, FilteredTestsAreMatchedWithoutAndReported) {
  if (!fs::exists("/usr/share/nmap/nmap-os-db")) GTEST_SKIP() << "no installed nmap-os-db";
  if (!fs::exists(k_data + "/captures/default/fingerprint.txt")) GTEST_SKIP() << "no default capture";
  const fs::path fp = temp_file("firewalled.txt", firewalled_default_fingerprint());
  // Nmap's matching: the R=N lines sink the Linux references below the guess threshold.
  const CommandResult nmap = run_command(k_bin + " match --guess " + fp.string());
  ASSERT_EQ(nmap.status, 0) << nmap.out;
  EXPECT_NE(nmap.out.find("No OS matches for host"), std::string::npos) << nmap.out;
  EXPECT_EQ(nmap.out.find("Missing tests"), std::string::npos) << nmap.out;
  // Without them the Linux references come back.
  const CommandResult partial = run_command(k_bin + " match --guess --filtered T2-T7,U1,IE " + fp.string());
  ASSERT_EQ(partial.status, 0) << partial.out;
  EXPECT_NE(partial.out.find("Aggressive OS guesses: Linux 5.3 - 5.4"), std::string::npos) << partial.out;
  EXPECT_NE(partial.out.find("Missing tests: T2 T3 T4 T5 T6 T7 U1 IE (filtered, matched without them)\n"),
            std::string::npos)
      << partial.out;
  const CommandResult json = run_command(k_bin + " match --json --filtered T5-T7 " + fp.string());
  ASSERT_EQ(json.status, 0) << json.out;
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["missing_tests"]["filtered"], nlohmann::json::array({"T5", "T6", "T7"}));
  EXPECT_TRUE(j["missing_tests"]["absent"].empty());
  EXPECT_EQ(run_command(k_bin + " match --filtered T9 " + fp.string() + " 2>/dev/null").status, 2);
  fs::remove(fp);
}

TEST(MatchCli, AbsentTestLinesAreNamed) {
  if (!fs::exists("/usr/share/nmap/nmap-os-db")) GTEST_SKIP() << "no installed nmap-os-db";
  const fs::path fp = temp_file(
      "absent.txt", "SEQ(SP=107%GCD=1%ISR=10F%TI=Z%CI=Z%II=I%TS=21)\nT1(R=Y%DF=Y%T=40%S=O%A=S+%F=AS%RD=0%Q=)\n");
  const CommandResult r = run_command(k_bin + " match " + fp.string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("Missing tests: OPS WIN ECN T2 T3 T4 T5 T6 T7 U1 IE (not in the fingerprint)\n"),
            std::string::npos)
      << r.out;
  fs::remove(fp);
}

} // namespace
} // namespace stackprint
