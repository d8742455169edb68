// The `stackprint match` and `stackprint db check` commands, run as a user would (the built binary).

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

struct CommandRun {
  int status = -1;
  std::string out;
};

// Runs `command` through the shell; stdout captured, stderr merged when asked.
CommandRun run(const std::string& command) {
  CommandRun r;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int raw = pclose(p);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

const std::string k_bin = STACKPRINT_BINARY;
const std::string k_data = STACKPRINT_TEST_DATA_DIR;
const std::string k_small_db = k_data + "/osdb/small.db";

fs::path temp_file(const std::string& name, const std::string& content) {
  const fs::path p = fs::temp_directory_path() / ("stackprint_db_cli_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

TEST(DbCheckCli, SmallDatabaseCounts) {
  const CommandRun r = run(k_bin + " db check --db " + k_small_db);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("fingerprints: 3 (3 distinct names)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("classes: 4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CPEs: 5 (2 auto)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("test lines: 14"), std::string::npos) << r.out;
}

TEST(DbCheckCli, MalformedDatabaseExitsTwoWithFileAndLine) {
  const fs::path bad = temp_file("bad.db", "MatchPoints\nSEQ(TI=100)\n\nFingerprint A\nSEQ(TI=5-\n");
  const CommandRun r = run(k_bin + " db check --db " + bad.string() + " 2>&1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find(bad.string() + ":5: "), std::string::npos) << r.out;
  fs::remove(bad);
  const CommandRun missing = run(k_bin + " db check --db /nonexistent/nmap-os-db 2>&1");
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.out.find("cannot read /nonexistent/nmap-os-db"), std::string::npos) << missing.out;
}

TEST(DbCheckCli, EnvironmentVariableSelectsTheDatabase) {
  const CommandRun r = run("STACKPRINT_DB=" + k_small_db + " " + k_bin + " db check");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("fingerprints: 3"), std::string::npos) << r.out;
  // --db wins over the environment.
  const CommandRun both = run("STACKPRINT_DB=/nonexistent " + k_bin + " db check --db " + k_small_db);
  EXPECT_EQ(both.status, 0) << both.out;
}

constexpr const char* k_example_subject =
    "SEQ(TI=Z%TS=A%SP=5)\n"
    "ECN(R=Y%DF=Y%T=40%W=FAF0%O=M5B4NNSNWA%CC=Y%Q=)\n"
    "T1(R=Y%DF=Y%T=40%S=O%A=S+%F=AS)\n"
    "U1(R=N)\n"
    "IE(R=N)\n";

TEST(MatchCli, TextOutputOnTheSmallDatabase) {
  const fs::path fp = temp_file("fp.txt", k_example_subject);
  const CommandRun r = run(k_bin + " match --db " + k_small_db + " " + fp.string());
  EXPECT_EQ(r.status, 0) << r.out;
  // Example OS 2.0 is perfect (U1/IE R=N, OPS has no attributes); 1.0 misses nothing either: its
  // U1/IE lines have no R, so nothing overlaps there, and ECN W/O alternatives accept these values.
  EXPECT_NE(r.out.find("OS details: Example OS 1.0, Example OS 2.0\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Running: Example ExampleOS 1.X|2.X\n"), std::string::npos) << r.out;
  fs::remove(fp);
}

TEST(MatchCli, JsonOutputFromStandardInput) {
  const fs::path fp = temp_file("fp2.txt", k_example_subject);
  const CommandRun r = run(k_bin + " match --json --db " + k_small_db + " - < " + fp.string());
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
  EXPECT_EQ(run(k_bin + " match --db " + k_small_db + " " + fp.string() + " 2>/dev/null").status, 2);
  EXPECT_EQ(run(k_bin + " match --semantics 8.0 --db " + k_small_db + " " + fp.string() + " 2>/dev/null").status, 2);
  fs::remove(fp);
}

TEST(MatchCli, CaptureAgainstInstalledDatabaseAsJson) {
  if (!fs::exists("/usr/share/nmap/nmap-os-db")) GTEST_SKIP() << "no installed nmap-os-db";
  const std::string fp = k_data + "/captures/default/fingerprint.txt";
  if (!fs::exists(fp)) GTEST_SKIP() << "no default capture";
  const CommandRun r = run(k_bin + " match --json " + fp);
  ASSERT_EQ(r.status, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["outcome"], "success");
  EXPECT_EQ(j["perfect"], false);
  EXPECT_EQ(j["matches"].size(), 36U);
  EXPECT_EQ(j["matches"][0]["name"], "Linux 5.3 - 5.4");
  EXPECT_EQ(j["matches"][0]["accuracy"], 96);
  EXPECT_EQ(j["matches"][0]["line"], 68140);
  const CommandRun guess = run(k_bin + " match --guess " + fp);
  EXPECT_NE(guess.out.find("Aggressive OS guesses: Linux 5.3 - 5.4 (96%), Linux 3.2 (95%)"), std::string::npos)
      << guess.out;
  EXPECT_NE(guess.out.find("TCP/IP fingerprint:\nOS:SCAN(V=7.93"), std::string::npos) << guess.out;
}

} // namespace
