// The allow-list of `replay` and `match` (cli/offline_sandbox.hpp): reads of files opened before
// it and writes to standard output go on; a new file, an exec or a socket stops the process with
// one line naming the call and exit status 3.

#include "stackprint/cli/offline_sandbox.hpp"

#include <array>
#include <cstdio>
#include <ctime>
#include <string>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "stackprint/io/sandbox.hpp"
#include "support/forked_child.hpp"

namespace stackprint::cli {
namespace {

// Runs `body` in a forked child (stderr captured) after enter_offline_sandbox(); the filter never
// reaches the test process.
template <typename Body> test_support::ChildResult run_offline_child(Body body) {
  return test_support::run_in_child([] { return static_cast<bool>(enter_offline_sandbox("match")); }, body);
}

TEST(OfflineSandbox, ReadsOpenFilesFormatsLocalTimeAndWritesOutput) {
  if (!io::sandbox_supported()) GTEST_SKIP() << "sanitizer build: no filter is installed (io/sandbox.hpp)";
  const int input = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC); // opened before the filter
  ASSERT_GE(input, 0);
  const auto result = run_offline_child([&] {
    std::array<char, 4> magic{};
    if (::read(input, magic.data(), magic.size()) != 4 || magic[1] != 'E') ::_exit(11);
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    if (::localtime_r(&now, &local) == nullptr) ::_exit(12); // report times (cli/report_writer)
    std::string grown(1 << 20, 'y');
    if (std::fprintf(stdout, "%zu\n", grown.size()) <= 0 || std::fflush(stdout) != 0) ::_exit(13);
  });
  ::close(input);
  EXPECT_EQ(result.exit_status, 0) << result.error_output;
}

TEST(OfflineSandbox, OpeningANewFileStopsTheProcessNamingTheCall) {
  if (!io::sandbox_supported()) GTEST_SKIP() << "sanitizer build: no filter is installed (io/sandbox.hpp)";
  const auto result = run_offline_child([] {
    const int fd = ::open("/etc/hostname", O_RDONLY | O_CLOEXEC);
    ::_exit(fd >= 0 ? 20 : 21); // reached only if the filter let open(2) through or failed it softly
  });
  EXPECT_EQ(result.exit_status, 3) << result.error_output;
  EXPECT_NE(result.error_output.find("forbidden system call"), std::string::npos) << result.error_output;
  EXPECT_NE(result.error_output.find("open"), std::string::npos) << result.error_output;
}

TEST(OfflineSandbox, CreatingAFileStopsTheProcess) {
  if (!io::sandbox_supported()) GTEST_SKIP() << "sanitizer build: no filter is installed (io/sandbox.hpp)";
  const std::string path = "/tmp/stackprint_offline_sandbox_" + std::to_string(::getpid());
  const auto result = run_offline_child([&] {
    std::FILE* f = std::fopen(path.c_str(), "w");
    ::_exit(f != nullptr ? 22 : 23);
  });
  EXPECT_EQ(result.exit_status, 3) << result.error_output;
  EXPECT_NE(result.error_output.find("open"), std::string::npos) << result.error_output;
  EXPECT_NE(::access(path.c_str(), F_OK), 0) << path << " was created";
  (void)::unlink(path.c_str());
}

TEST(OfflineSandbox, ExecStopsTheProcessNamingTheCall) {
  if (!io::sandbox_supported()) GTEST_SKIP() << "sanitizer build: no filter is installed (io/sandbox.hpp)";
  const auto result = run_offline_child([] {
    char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
    ::execv("/bin/true", argv);
    ::_exit(30);
  });
  EXPECT_EQ(result.exit_status, 3) << result.error_output;
  EXPECT_NE(result.error_output.find("(execve)"), std::string::npos) << result.error_output;
}

TEST(OfflineSandbox, OpeningASocketStopsTheProcessNamingTheCall) {
  if (!io::sandbox_supported()) GTEST_SKIP() << "sanitizer build: no filter is installed (io/sandbox.hpp)";
  const auto result = run_offline_child([] {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    ::_exit(fd >= 0 ? 40 : 41);
  });
  EXPECT_EQ(result.exit_status, 3) << result.error_output;
  EXPECT_NE(result.error_output.find("(socket)"), std::string::npos) << result.error_output;
}

} // namespace
} // namespace stackprint::cli
