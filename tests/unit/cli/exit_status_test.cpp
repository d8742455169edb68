// The exit statuses are documented once (cli/exit_status.hpp) and every copy agrees with it: the
// table of README.md, the EXIT STATUS section of the man page and the --help footer. Each status is
// also produced by the program: 0, 2 and 3 here; 1 (every target down) and 130 (SIGINT during a
// scan) by the lab test tests/lab/scan_behaviour_test.sh, which needs a lab network.

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "stackprint/cli/exit_status.hpp"
#include "support/command.hpp"

namespace {

namespace fs = std::filesystem;
using stackprint::cli::k_exit_statuses;
using stackprint::test_support::read_file;
using stackprint::test_support::run_command;

const std::string k_bin = STACKPRINT_BINARY;
fs::path repo_dir() { return fs::path(STACKPRINT_TEST_DATA_DIR).parent_path().parent_path(); }

std::map<int, std::string> documented() {
  std::map<int, std::string> table;
  for (const auto& entry : k_exit_statuses) { table[static_cast<int>(entry.status)] = std::string(entry.meaning); }
  return table;
}

std::string lower_first(std::string text) {
  if (!text.empty()) { text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0]))); }
  return text;
}

// README.md: the rows `| N | meaning |` of the "## Exit statuses" section.
std::map<int, std::string> readme_table() {
  const std::string text = read_file(repo_dir() / "README.md");
  const auto start = text.find("\n## Exit statuses\n");
  EXPECT_NE(start, std::string::npos) << "README.md has no \"## Exit statuses\" section";
  if (start == std::string::npos) { return {}; }
  const auto end = text.find("\n## ", start + 1);
  std::istringstream section(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
  std::map<int, std::string> table;
  const std::regex row(R"(^\| ([0-9]+) \| (.*) \|$)");
  std::smatch m;
  for (std::string line; std::getline(section, line);) {
    if (std::regex_match(line, m, row)) { table[std::stoi(m[1].str())] = m[2].str(); }
  }
  return table;
}

// docs/stackprint.1: in .SH EXIT STATUS, each `.TP` / `.B N` / text paragraph.
std::map<int, std::string> man_table() {
  const std::string text = read_file(repo_dir() / "docs" / "stackprint.1");
  const auto start = text.find(".SH EXIT STATUS\n");
  EXPECT_NE(start, std::string::npos) << "the man page has no EXIT STATUS section";
  if (start == std::string::npos) { return {}; }
  const auto end = text.find("\n.SH ", start + 1);
  std::istringstream section(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
  std::map<int, std::string> table;
  const std::regex number(R"(^\.B ([0-9]+)$)");
  std::smatch m;
  for (std::string line; std::getline(section, line);) {
    if (!std::regex_match(line, m, number)) { continue; }
    std::string meaning;
    if (!std::getline(section, meaning)) { break; }
    meaning = std::regex_replace(meaning, std::regex(R"(\\-)"), "-");
    if (!meaning.empty() && meaning.back() == '.') { meaning.pop_back(); }
    meaning = std::regex_replace(meaning, std::regex(R"(for example,)"), "e.g.");
    table[std::stoi(m[1].str())] = lower_first(meaning);
  }
  return table;
}

TEST(ExitStatusTables, ReadmeTableIsTheEnumTable) { EXPECT_EQ(readme_table(), documented()); }

TEST(ExitStatusTables, ManPageTableIsTheEnumTable) { EXPECT_EQ(man_table(), documented()); }

TEST(ExitStatusTables, HelpFooterIsGeneratedFromTheEnum) {
  const auto result = run_command(k_bin + " --help 2>&1");
  EXPECT_EQ(result.status, 0);
  EXPECT_NE(result.out.find(stackprint::cli::exit_status_footer()), std::string::npos) << result.out;
  for (const auto& entry : k_exit_statuses) {
    EXPECT_NE(result.out.find(std::string(entry.meaning)), std::string::npos) << entry.meaning;
  }
}

TEST(ExitStatusProduced, OkForVersion) { EXPECT_EQ(run_command(k_bin + " --version 2>&1").status, 0); }

TEST(ExitStatusProduced, BadInputForAnUnknownOptionAndAnUnreadableFingerprint) {
  EXPECT_EQ(run_command(k_bin + " scan --no-such-option 2>&1").status, 2);
  EXPECT_EQ(run_command(k_bin + " match /nonexistent/fingerprint.txt 2>&1").status, 2);
}

TEST(ExitStatusProduced, BadInputForAScanDelayThatIsNoTimeOrTooLong) {
  for (const char* delay : {"2x", "-1s", "61s", "ms"}) {
    const auto result = run_command(k_bin + " scan --scan-delay=" + delay + " 10.0.0.1 2>&1");
    EXPECT_EQ(result.status, 2) << delay << ": " << result.out;
    EXPECT_NE(result.out.find("--scan-delay"), std::string::npos) << result.out;
    EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 1) << "one line: " << result.out;
  }
}

TEST(ExitStatusProduced, EnvironmentForAMissingPrivilege) {
  // The privilege check comes before any socket is opened, so no packet can leave. As root the
  // scan runs as nobody with every capability cleared; otherwise the test's own user lacks
  // CAP_NET_RAW unless the test binary itself was given it.
  std::string prefix;
  if (geteuid() == 0) {
    ASSERT_EQ(run_command("command -v setpriv >/dev/null").status, 0) << "setpriv (util-linux) is needed as root";
    prefix = "setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all ";
  }
  const auto result = run_command(prefix + k_bin + " scan -p 22 192.0.2.1 2>&1");
  EXPECT_EQ(result.status, 3) << result.out;
  EXPECT_NE(result.out.find("CAP_NET_RAW"), std::string::npos) << result.out;
}

} // namespace
