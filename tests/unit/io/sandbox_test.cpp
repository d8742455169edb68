#include "stackprint/io/sandbox.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "support/forked_child.hpp"

namespace stackprint::io {
namespace {

// Runs `body` in a forked child whose stderr is captured; the filter never reaches this process.
template <typename Body> test_support::ChildResult run_sandboxed_child(SandboxProfile profile, Body body) {
  return test_support::run_in_child([profile] { return static_cast<bool>(install_sandbox(profile)); }, body);
}

TEST(Sandbox, AllowsTheLoopsCallsOnOpenDescriptors) {
  if (!sandbox_supported()) GTEST_SKIP() << "sanitizer build: no filter is installed (io/sandbox.hpp)";
  std::array<int, 2> fds{};
  ASSERT_EQ(::pipe(fds.data()), 0);
  const auto result = run_sandboxed_child(SandboxProfile::emulate, [&] {
    const char byte = 'x';
    char back = 0;
    if (::write(fds[1], &byte, 1) != 1 || ::read(fds[0], &back, 1) != 1 || back != 'x') ::_exit(11);
    std::string grown(1 << 20, 'y'); // malloc/mmap
    if (grown.size() != 1U << 20) ::_exit(12);
  });
  ::close(fds[0]);
  ::close(fds[1]);
  EXPECT_EQ(result.exit_status, 0) << result.error_output;
}

TEST(Sandbox, OpeningANewFileStopsTheProcessNamingTheCall) {
  if (!sandbox_supported()) GTEST_SKIP() << "sanitizer build: no filter is installed (io/sandbox.hpp)";
  const auto result = run_sandboxed_child(SandboxProfile::scan, [] {
    const int fd = ::open("/etc/hostname", O_RDONLY | O_CLOEXEC);
    ::_exit(fd >= 0 ? 20 : 21); // reached only if the filter let open(2) through or failed it softly
  });
  EXPECT_EQ(result.exit_status, 3) << result.error_output;
  EXPECT_NE(result.error_output.find("forbidden system call"), std::string::npos) << result.error_output;
  EXPECT_NE(result.error_output.find("open"), std::string::npos) << result.error_output;
}

TEST(Sandbox, ExecStopsTheProcessNamingTheCall) {
  if (!sandbox_supported()) GTEST_SKIP() << "sanitizer build: no filter is installed (io/sandbox.hpp)";
  const auto result = run_sandboxed_child(SandboxProfile::emulate, [] {
    char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
    ::execv("/bin/true", argv);
    ::_exit(30);
  });
  EXPECT_EQ(result.exit_status, 3) << result.error_output;
  EXPECT_NE(result.error_output.find("(execve)"), std::string::npos) << result.error_output;
}

} // namespace
} // namespace stackprint::io
