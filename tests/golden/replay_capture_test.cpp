// Golden test: `stackprint replay` on each recorded Nmap 7.93 run (tests/data/captures/<name>/)
// must print the subject fingerprint Nmap printed for that run (fingerprint.txt):
//   - the same tests in the same order (rounds merged as Nmap merges them), each with the same
//     attributes in the same order and the same values;
//   - except SEQ's SP and ISR, and TS when it is a measured rate, which may differ by at most 1:
//     Nmap times the SEQ probes with its own send clock, replay with the capture's timestamps;
//   - the SCAN line agrees on OT, CT, CU, PV, DS, DC, G and M (V, E and P are constants; D and TM
//     are print times).
// The test runs the real binary, so it also covers the command line and the capture reader.

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

#include <gtest/gtest.h>

#include "support/command.hpp"
#include <nlohmann/json.hpp>

#include "stackprint/fingerprint/text.hpp"

namespace stackprint {
namespace {

namespace fs = std::filesystem;

fs::path captures_dir() { return fs::path(STACKPRINT_TEST_DATA_DIR) / "captures"; }

std::vector<std::string> captures_with_nmap_fingerprint() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(captures_dir())) {
    if (fs::exists(entry.path() / "fingerprint.txt") && fs::exists(entry.path() / "capture.pcap")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

using test_support::read_file;

using test_support::CommandResult;
using test_support::run_command;

bool hex_within_one(const std::string& a, const std::string& b) {
  char* end_a = nullptr;
  char* end_b = nullptr;
  const long va = std::strtol(a.c_str(), &end_a, 16);
  const long vb = std::strtol(b.c_str(), &end_b, 16);
  return !a.empty() && !b.empty() && *end_a == '\0' && *end_b == '\0' && std::labs(va - vb) <= 1;
}

class ReplayMatchesNmap : public ::testing::TestWithParam<std::string> {};

TEST_P(ReplayMatchesNmap, PrintsNmapsFingerprint) {
  const fs::path dir = captures_dir() / GetParam();
  const auto meta = nlohmann::json::parse(read_file(dir / "meta.json"));
  std::string command = std::string(STACKPRINT_BINARY) + " replay --pcap '" + (dir / "capture.pcap").string() +
                        "' --target " + meta.at("target_ip").get<std::string>();
  for (const auto& word : meta.at("nmap_command")) {
    if (word == "-T5") {
      command += " -T5";
    }
  }
  const CommandResult replay = run_command(command + " 2>/dev/null");
  ASSERT_EQ(replay.status, 0) << command;
  const auto ours = fingerprint::parse_fingerprint(replay.out);
  ASSERT_TRUE(ours) << ours.error().message << "\n" << replay.out;
  const auto nmap = fingerprint::parse_fingerprint(read_file(dir / "fingerprint.txt"));
  ASSERT_TRUE(nmap) << nmap.error().message;

  ASSERT_TRUE(ours->scan && nmap->scan);
  for (const char* field : {"OT", "CT", "CU", "PV", "DS", "DC", "G", "M", "V", "E"}) {
    const std::string* a = ours->scan->find(field);
    const std::string* b = nmap->scan->find(field);
    EXPECT_EQ(a != nullptr, b != nullptr) << "SCAN." << field;
    if (a != nullptr && b != nullptr) {
      EXPECT_EQ(*a, *b) << "SCAN." << field;
    }
  }

  std::vector<std::string> our_names;
  std::vector<std::string> nmap_names;
  for (const auto& t : ours->tests) {
    our_names.push_back(t.name);
  }
  for (const auto& t : nmap->tests) {
    nmap_names.push_back(t.name);
  }
  ASSERT_EQ(our_names, nmap_names) << replay.out;
  for (std::size_t i = 0; i < ours->tests.size(); ++i) {
    const auto& a = ours->tests[i];
    const auto& b = nmap->tests[i];
    ASSERT_EQ(a.attributes.size(), b.attributes.size()) << a.name << " in\n" << replay.out;
    for (std::size_t j = 0; j < a.attributes.size(); ++j) {
      const auto& x = a.attributes[j];
      const auto& y = b.attributes[j];
      ASSERT_EQ(x.name, y.name) << a.name;
      const bool timing_based = a.name == "SEQ" && (x.name == "SP" || x.name == "ISR" || x.name == "TS");
      if (timing_based && x.value != y.value) {
        EXPECT_TRUE(hex_within_one(x.value, y.value)) << a.name << "." << x.name << ": " << x.value << " vs Nmap's "
                                                      << y.value;
      } else {
        EXPECT_EQ(x.value, y.value) << a.name << "." << x.name;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Captures, ReplayMatchesNmap, ::testing::ValuesIn(captures_with_nmap_fingerprint()),
                         [](const auto& param_info) { return param_info.param; });

TEST(ReplayCommand, RejectsAFileThatIsNotACapture) {
  const CommandResult r = run_command(std::string(STACKPRINT_BINARY) + " replay --pcap '" +
                                      (captures_dir() / "default" / "meta.json").string() +
                                      "' --target 10.99.10.2 2>&1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("not a readable pcap"), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
}

TEST(ReplayCommand, RejectsACaptureWithoutProbesToTheTarget) {
  const CommandResult r = run_command(std::string(STACKPRINT_BINARY) + " replay --pcap '" +
                                      (captures_dir() / "default" / "capture.pcap").string() +
                                      "' --target 10.99.10.77 2>&1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("no OS-detection probe"), std::string::npos) << r.out;
}

TEST(ReplayCommand, RejectsABadTargetAddress) {
  const CommandResult r = run_command(std::string(STACKPRINT_BINARY) + " replay --pcap '" +
                                      (captures_dir() / "default" / "capture.pcap").string() +
                                      "' --target 10.99.300.2 2>&1");
  EXPECT_EQ(r.status, 2);
}

TEST(ReplayCommand, WrappedFormIsNmapsForm) {
  const fs::path dir = captures_dir() / "default";
  const CommandResult r = run_command(std::string(STACKPRINT_BINARY) + " replay --wrapped --pcap '" +
                                      (dir / "capture.pcap").string() + "' --target 10.99.10.2 2>/dev/null");
  ASSERT_EQ(r.status, 0);
  std::istringstream lines(r.out);
  std::string line;
  std::size_t count = 0;
  while (std::getline(lines, line)) {
    EXPECT_EQ(line.rfind("OS:", 0), 0U) << line;
    EXPECT_LE(line.size(), 75U);
    ++count;
  }
  EXPECT_GT(count, 5U);
}

} // namespace
} // namespace stackprint
