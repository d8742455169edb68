// Golden test: `stackprint replay` on each recorded Nmap 7.93 run (tests/data/captures/<name>/)
// must print the subject fingerprint Nmap printed for that run (fingerprint.txt):
//   - the same tests in the same order (rounds merged as Nmap merges them), each with the same
//     attributes in the same order and the same values;
//   - except SEQ's SP and ISR, and TS when it is a measured rate, which may differ by at most 1:
//     Nmap times the SEQ probes with its own send clock, replay with the capture's timestamps;
//   - the SCAN line has the same attributes in the same order with the same values (OT, CT, CU, PV,
//     DS, DC, G, M, and the constants V, E, P), except D and TM, which are print times.
// (The comparison is test_support::expect_same_fingerprint, shared with output_replay_test.cpp.)
// The test runs the real binary, so it also covers the command line and the capture reader.

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/captures.hpp"
#include "support/command.hpp"

namespace stackprint {
namespace {

namespace fs = std::filesystem;

using test_support::captures_dir;
using test_support::read_file;

using test_support::CommandResult;
using test_support::run_command;

class ReplayMatchesNmap : public ::testing::TestWithParam<std::string> {};

TEST_P(ReplayMatchesNmap, PrintsNmapsFingerprint) {
  const fs::path dir = captures_dir() / GetParam();
  const auto meta = nlohmann::json::parse(read_file(dir / "meta.json"));
  std::string command = std::string(STACKPRINT_BINARY) + " replay --pcap '" + (dir / "capture.pcap").string() +
                        "' --target " + meta.at("target_ip").get<std::string>();
  for (const auto& word : meta.at("nmap_command")) {
    if (word == "-T5") { command += " -T5"; }
  }
  const CommandResult replay = run_command(command + " 2>/dev/null");
  ASSERT_EQ(replay.status, 0) << command;
  test_support::expect_same_fingerprint(replay.out, read_file(dir / "fingerprint.txt"), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Captures, ReplayMatchesNmap,
                         ::testing::ValuesIn(test_support::captures_with({"fingerprint.txt", "capture.pcap"})),
                         [](const auto& param_info) { return param_info.param; });

TEST(ReplayMatchesNmapData, EveryRecordedRunIsACase) {
  EXPECT_GE(test_support::captures_with({"fingerprint.txt", "capture.pcap"}).size(),
            test_support::k_min_recorded_nmap_runs);
}

TEST(ReplayCommand, RejectsAFileThatIsNotACapture) {
  const CommandResult r =
      run_command(std::string(STACKPRINT_BINARY) + " replay --pcap '" +
                  (captures_dir() / "default" / "meta.json").string() + "' --target 10.99.10.2 2>&1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("not a readable pcap"), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
}

TEST(ReplayCommand, RejectsACaptureWithoutProbesToTheTarget) {
  const CommandResult r =
      run_command(std::string(STACKPRINT_BINARY) + " replay --pcap '" +
                  (captures_dir() / "default" / "capture.pcap").string() + "' --target 10.99.10.77 2>&1");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("no OS-detection probe"), std::string::npos) << r.out;
}

TEST(ReplayCommand, RejectsABadTargetAddress) {
  const CommandResult r =
      run_command(std::string(STACKPRINT_BINARY) + " replay --pcap '" +
                  (captures_dir() / "default" / "capture.pcap").string() + "' --target 10.99.300.2 2>&1");
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
