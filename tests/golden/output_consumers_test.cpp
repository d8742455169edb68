// Real consumers of Nmap's formats read stackprint's reports unchanged, on
// reports made offline from recorded runs (`stackprint replay`):
//   - xmllint --dtdvalid /usr/share/nmap/nmap.dtd accepts the XML;
//   - python3-libnmap parses it and reports the same OS matches and accuracies as our JSON Lines;
//   - Nmap's ndiff compares two of our XML files (no difference with itself, the OS change between
//     two different targets);
//   - xsltproc with Nmap's nmap.xsl renders an HTML report with the OS section;
//   - docs/stackprint-host.schema.json accepts every JSON line (and rejects a broken one).
// A test is skipped when its tool is not installed (scripts/setup.sh installs them all).

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include "support/command.hpp"
#include <nlohmann/json.hpp>

namespace stackprint {
namespace {

namespace fs = std::filesystem;

const fs::path k_dtd = "/usr/share/nmap/nmap.dtd";
const fs::path k_xsl = "/usr/share/nmap/nmap.xsl";
const char* const k_python = "/usr/bin/python3";

fs::path data_dir() { return fs::path(STACKPRINT_TEST_DATA_DIR); }
fs::path repo_dir() { return data_dir().parent_path().parent_path(); }
fs::path helper() { return repo_dir() / "tests" / "golden" / "consumers.py"; }

using test_support::CommandResult;
using test_support::run_command;

bool have(const std::string& program) { return run_command("command -v " + program + " >/dev/null 2>&1").status == 0; }

bool python_has(const std::string& module) {
  return run_command(std::string(k_python) + " -c 'import " + module + "' 2>/dev/null").status == 0;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Representative runs: guesses, a perfect match, no open port (too many matches), no closed port,
// non-ideal conditions, several rounds.
const std::vector<std::string> k_runs{"default", "ts2", "noopen", "noclosed", "scandelay", "loss30tries5", "t5"};

struct Reports {
  fs::path xml;
  fs::path json;
};

// Replays one recorded run into XML and JSON reports (cached per run within one test process).
Reports reports_for(const std::string& run) {
  const fs::path dir = data_dir() / "captures" / run;
  // Per process, so a rebuilt binary never reuses reports of an older one.
  const fs::path out = fs::path(testing::TempDir()) / ("stackprint_consumers_" + std::to_string(getpid()) + "_" + run);
  Reports r{out / "report.xml", out / "report.json"};
  if (fs::exists(r.xml) && fs::exists(r.json)) return r;
  fs::create_directories(out);
  const auto meta = nlohmann::json::parse(read_file(dir / "meta.json"));
  std::string command = std::string(STACKPRINT_BINARY) + " replay --pcap '" + (dir / "capture.pcap").string() +
                        "' --target " + meta.at("target_ip").get<std::string>() + " -vv --osscan-guess";
  for (const auto& w : meta.at("nmap_command")) {
    if (w == "-T5") command += " -T5";
  }
  command += " -oX '" + r.xml.string() + "' -oJ '" + r.json.string() + "' 2>&1";
  const auto result = run_command(command);
  EXPECT_EQ(result.status, 0) << command << "\n" << result.out;
  return r;
}

TEST(OutputConsumers, XmllintAcceptsTheXmlAgainstNmapsDtd) {
  if (!have("xmllint") || !fs::exists(k_dtd)) GTEST_SKIP() << "xmllint or nmap.dtd missing";
  for (const auto& run : k_runs) {
    const Reports r = reports_for(run);
    const auto result = run_command("xmllint --noout --dtdvalid " + k_dtd.string() + " '" + r.xml.string() + "' 2>&1");
    EXPECT_EQ(result.status, 0) << run << ":\n" << result.out;
  }
}

TEST(OutputConsumers, XmllintRejectsAnInvalidDocument) {
  // The check above can fail: an osmatch without its required line attribute is refused.
  if (!have("xmllint") || !fs::exists(k_dtd)) GTEST_SKIP() << "xmllint or nmap.dtd missing";
  const Reports r = reports_for("default");
  std::string text = read_file(r.xml);
  const auto at = text.find(" line=\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 6, " lines");
  const fs::path broken = r.xml.parent_path() / "broken.xml";
  std::ofstream(broken) << text;
  const auto result = run_command("xmllint --noout --dtdvalid " + k_dtd.string() + " '" + broken.string() + "' 2>&1");
  EXPECT_NE(result.status, 0) << result.out;
}

TEST(OutputConsumers, LibnmapReportsTheSameMatchesAsOurJson) {
  if (!python_has("libnmap")) GTEST_SKIP() << "python3-libnmap missing";
  for (const auto& run : k_runs) {
    const Reports r = reports_for(run);
    const auto result =
        run_command(std::string(k_python) + " '" + helper().string() + "' libnmap '" + r.xml.string() + "' 2>&1");
    ASSERT_EQ(result.status, 0) << result.out;
    std::istringstream json_lines(read_file(r.json));
    std::string expected;
    std::string line;
    while (std::getline(json_lines, line)) {
      const auto host = nlohmann::json::parse(line);
      std::string matches;
      for (const auto& m : host.at("os_detection").at("matches")) {
        if (!m.at("reported").get<bool>()) continue;
        if (!matches.empty()) matches += ';';
        matches += m.at("name").get<std::string>() + "|" + std::to_string(m.at("percent").get<int>());
      }
      expected += host.at("target").get<std::string>() + " " + matches + "\n";
    }
    EXPECT_EQ(result.out, expected) << run;
    if (run == "default") { EXPECT_NE(expected.find("Linux 5.3 - 5.4|96"), std::string::npos) << expected; }
  }
}

TEST(OutputConsumers, NdiffComparesTwoRuns) {
  if (!have("ndiff")) GTEST_SKIP() << "ndiff missing";
  const Reports a = reports_for("default");
  const Reports b = reports_for("ts2");
  const auto same = run_command("ndiff '" + a.xml.string() + "' '" + a.xml.string() + "' 2>&1");
  EXPECT_EQ(same.status, 0) << same.out;
  const auto differ = run_command("ndiff '" + a.xml.string() + "' '" + b.xml.string() + "' 2>&1");
  EXPECT_EQ(differ.status, 1) << differ.out; // 1: the scans differ
  EXPECT_NE(differ.out.find("OS details"), std::string::npos) << differ.out;
  EXPECT_EQ(differ.out.find("Traceback"), std::string::npos) << differ.out;
}

TEST(OutputConsumers, XsltprocRendersTheOsSection) {
  if (!have("xsltproc") || !fs::exists(k_xsl)) GTEST_SKIP() << "xsltproc or nmap.xsl missing";
  const Reports r = reports_for("ts2");
  const auto html = run_command("xsltproc '" + k_xsl.string() + "' '" + r.xml.string() + "' 2>&1");
  ASSERT_EQ(html.status, 0) << html.out;
  EXPECT_NE(html.out.find("Remote Operating System Detection"), std::string::npos);
  EXPECT_NE(html.out.find("OS match: <b>Linux 5.3 - 5.4</b> (<b>100%</b>)"), std::string::npos) << html.out;
  EXPECT_NE(html.out.find("Used port: <b>80/tcp</b> (<b>open</b>)"), std::string::npos);
}

TEST(OutputConsumers, JsonSchemaAcceptsEveryLine) {
  if (!python_has("jsonschema")) GTEST_SKIP() << "python3-jsonschema missing";
  const fs::path schema = repo_dir() / "docs" / "stackprint-host.schema.json";
  for (const auto& run : k_runs) {
    const Reports r = reports_for(run);
    const auto result = run_command(std::string(k_python) + " '" + helper().string() + "' schema '" + schema.string() +
                                    "' '" + r.json.string() + "' 2>&1");
    EXPECT_EQ(result.status, 0) << run << ": " << result.out;
    EXPECT_EQ(result.out, "ok 1\n") << run;
  }
}

TEST(OutputConsumers, JsonSchemaRejectsABrokenLine) {
  if (!python_has("jsonschema")) GTEST_SKIP() << "python3-jsonschema missing";
  const fs::path schema = repo_dir() / "docs" / "stackprint-host.schema.json";
  const Reports r = reports_for("default");
  auto host = nlohmann::json::parse(read_file(r.json));
  host["os_detection"]["matches"][0]["percent"] = "96";
  const fs::path broken = r.json.parent_path() / "broken.json";
  std::ofstream(broken) << host.dump() << "\n";
  const auto result = run_command(std::string(k_python) + " '" + helper().string() + "' schema '" + schema.string() +
                                  "' '" + broken.string() + "' 2>&1");
  EXPECT_EQ(result.status, 1) << result.out;
  EXPECT_NE(result.out.find("percent"), std::string::npos) << result.out;
}

} // namespace
} // namespace stackprint
