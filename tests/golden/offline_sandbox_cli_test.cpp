// `stackprint replay` and `stackprint match` parse untrusted files under the seccomp allow-list
// (cli/offline_sandbox.hpp): fed through a pipe, they are seen blocked on their input with
// "Seccomp: 2" in /proc/PID/status (the filter went on before the input was read), and they then
// print exactly what they print for the same file given by path.

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "stackprint/io/sandbox.hpp"
#include "support/command.hpp"

namespace stackprint {
namespace {

using test_support::read_file;
using test_support::run_command;

const std::string k_bin = STACKPRINT_BINARY;
const std::string k_data = STACKPRINT_TEST_DATA_DIR;

struct PipedRun {
  bool filter_seen_before_input = false;
  int status = -1;
  std::string out;
};

bool seccomp_filter_on(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Seccomp:", 0) == 0) return line.find('2') != std::string::npos;
  }
  return false;
}

// Runs the binary with `args`, its standard input a pipe that stays empty until the filter is seen
// (at most 10 s), then gets `input`; standard error goes to /dev/null.
PipedRun run_piped(const std::vector<std::string>& args, const std::string& input) {
  std::array<int, 2> in_pipe{};
  std::array<int, 2> out_pipe{};
  EXPECT_EQ(::pipe2(in_pipe.data(), O_CLOEXEC), 0);
  EXPECT_EQ(::pipe2(out_pipe.data(), O_CLOEXEC), 0);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(k_bin.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t child = ::fork();
  if (child == 0) {
    ::dup2(in_pipe[0], STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDERR_FILENO);
    ::execv(k_bin.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  PipedRun run;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (seccomp_filter_on(child)) {
      run.filter_seen_before_input = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::size_t written = 0;
  while (written < input.size()) {
    const ssize_t n = ::write(in_pipe[1], input.data() + written, input.size() - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  ::close(in_pipe[1]);
  std::array<char, 4096> buffer{};
  ssize_t n = 0;
  while ((n = ::read(out_pipe[0], buffer.data(), buffer.size())) > 0) run.out.append(buffer.data(), n);
  ::close(out_pipe[0]);
  int status = 0;
  EXPECT_EQ(::waitpid(child, &status, 0), child);
  if (WIFEXITED(status)) run.status = WEXITSTATUS(status);
  return run;
}

TEST(OfflineSandboxCli, ReplayReadsTheCaptureUnderTheFilter) {
  if (!io::sandbox_supported()) GTEST_SKIP() << "sanitizer build: no filter is installed (io/sandbox.hpp)";
  const std::string capture = k_data + "/captures/default/capture.pcap";
  const auto by_path = run_command(k_bin + " replay --pcap " + capture + " --target 10.99.10.2 2>/dev/null");
  ASSERT_EQ(by_path.status, 0);
  ASSERT_NE(by_path.out.find("SEQ("), std::string::npos) << by_path.out;
  const PipedRun piped = run_piped({"replay", "--pcap", "/dev/stdin", "--target", "10.99.10.2"}, read_file(capture));
  EXPECT_TRUE(piped.filter_seen_before_input);
  EXPECT_EQ(piped.status, 0);
  EXPECT_EQ(piped.out, by_path.out);
}

TEST(OfflineSandboxCli, ReplayWritesReportsOpenedBeforeTheFilter) {
  if (!io::sandbox_supported()) GTEST_SKIP() << "sanitizer build: no filter is installed (io/sandbox.hpp)";
  const std::string capture = k_data + "/captures/default/capture.pcap";
  const std::string db = k_data + "/osdb/small.db";
  const std::string report = ::testing::TempDir() + "offline_sandbox_report_" + std::to_string(::getpid()) + ".json";
  const PipedRun piped = run_piped(
      {"replay", "--pcap", "/dev/stdin", "--target", "10.99.10.2", "--db", db, "--services", "", "-oJ", report},
      read_file(capture));
  EXPECT_TRUE(piped.filter_seen_before_input);
  EXPECT_EQ(piped.status, 0);
  const std::string written = read_file(report);
  EXPECT_NE(written.find("\"10.99.10.2\""), std::string::npos) << written;
  (void)::unlink(report.c_str());
}

TEST(OfflineSandboxCli, MatchReadsTheFingerprintUnderTheFilter) {
  if (!io::sandbox_supported()) GTEST_SKIP() << "sanitizer build: no filter is installed (io/sandbox.hpp)";
  const std::string fp = k_data + "/captures/default/fingerprint.txt";
  const std::string db = k_data + "/osdb/small.db";
  const auto by_path = run_command(k_bin + " match --guess --db " + db + " " + fp + " 2>/dev/null");
  ASSERT_EQ(by_path.status, 0);
  ASSERT_FALSE(by_path.out.empty());
  const PipedRun piped = run_piped({"match", "--guess", "--db", db, "-"}, read_file(fp));
  EXPECT_TRUE(piped.filter_seen_before_input);
  EXPECT_EQ(piped.status, 0);
  EXPECT_EQ(piped.out, by_path.out);
}

} // namespace
} // namespace stackprint
