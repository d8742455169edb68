// Replaying a recorded scan of a host behind a firewall filter (tests/data/partial/README.md): the
// printed fingerprint stays Nmap's, the match leaves the filtered tests out, and the normal, XML
// and JSON reports say which tests were missing; --no-partial-match gives Nmap's matching.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "support/command.hpp"

namespace stackprint {
namespace {

namespace fs = std::filesystem;
using test_support::CommandResult;
using test_support::read_file;
using test_support::run_command;

const std::string k_bin = STACKPRINT_BINARY;
const std::string k_capture = std::string(STACKPRINT_TEST_DATA_DIR) + "/partial/firewalled_linux.pcap";
const std::string k_replay = k_bin + " replay --pcap " + k_capture + " --target 10.203.181.1";
const std::string k_line =
    "Missing tests (filtered): T2 T3 T4 T5 T6 T7 U1 IE; matched without them (the closed TCP port answered the "
    "port scan but never T5)\n";

bool have_db() { return fs::exists("/usr/share/nmap/nmap-os-db"); }

TEST(PartialReplay, FingerprintIsNmapsWithRNLines) {
  const CommandResult r = run_command(k_replay);
  ASSERT_EQ(r.status, 0) << r.out;
  for (const char* line : {"T2(R=N)", "T5(R=N)", "T7(R=N)", "U1(R=N)", "IE(R=N)"}) {
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
  }
  EXPECT_EQ(run_command(k_replay + " --no-partial-match").out, r.out);
}

TEST(PartialReplay, AllThreeReportsSayWhichTestsWereMissing) {
  if (!have_db()) GTEST_SKIP() << "no installed nmap-os-db";
  const fs::path dir = fs::path(testing::TempDir()) / ("stackprint_partial_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const CommandResult r = run_command(k_replay + " -oN " + (dir / "r.nmap").string() + " -oX " +
                                      (dir / "r.xml").string() + " -oJ " + (dir / "r.json").string());
  ASSERT_EQ(r.status, 0) << r.out;

  const std::string normal = read_file(dir / "r.nmap");
  EXPECT_NE(normal.find("OS details: Linux 2.6.32\n" + k_line), std::string::npos) << normal;

  pugi::xml_document xml;
  ASSERT_TRUE(xml.load_file((dir / "r.xml").c_str()));
  const pugi::xml_node script = xml.child("nmaprun").child("host").child("hostscript").child("script");
  EXPECT_STREQ(script.attribute("id").value(), "stackprint-missing-tests");
  EXPECT_EQ(std::string(script.attribute("output").value()) + "\n", k_line);
  EXPECT_STREQ(xml.child("nmaprun").child("host").child("os").child("osmatch").attribute("name").value(),
               "Linux 2.6.32");
  if (fs::exists("/usr/bin/xmllint") && fs::exists("/usr/share/nmap/nmap.dtd")) {
    EXPECT_EQ(
        run_command("xmllint --noout --dtdvalid /usr/share/nmap/nmap.dtd " + (dir / "r.xml").string() + " 2>&1").status,
        0);
  }

  std::ifstream json_in(dir / "r.json");
  std::string first;
  std::getline(json_in, first);
  const auto host = nlohmann::json::parse(first);
  const auto& missing = host.at("os_detection").at("missing_tests");
  EXPECT_EQ(missing.at("filtered"), nlohmann::json::array({"T2", "T3", "T4", "T5", "T6", "T7", "U1", "IE"}));
  EXPECT_EQ(missing.at("matched_without_filtered"), true);
  EXPECT_EQ(host.at("os_detection").at("perfect"), true);
  fs::remove_all(dir);
}

TEST(PartialReplay, NoPartialMatchIsNmapsMatching) {
  if (!have_db()) GTEST_SKIP() << "no installed nmap-os-db";
  const CommandResult r = run_command(k_replay + " --no-partial-match -oN -");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out.find("OS details:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Missing tests (filtered): T2 T3 T4 T5 T6 T7 U1 IE; matched as R=N, as Nmap does"),
            std::string::npos)
      << r.out;
}

} // namespace
} // namespace stackprint
