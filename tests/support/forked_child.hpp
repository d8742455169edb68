#pragma once
// Runs a piece of test code in a forked child whose standard error is captured, so that what the
// code installs (a seccomp filter) or how it ends (a signal, an exit status) never reaches the test
// process itself.

#include <array>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace stackprint::test_support {

struct ChildResult {
  int exit_status = -1; // -1: the child did not exit normally
  std::string error_output;
};

// In the child: `setup()` (returns false: exit status 10), then `body()`, then exit status 0.
template <typename Setup, typename Body> ChildResult run_in_child(Setup setup, Body body) {
  std::array<int, 2> pipe_fds{};
  EXPECT_EQ(::pipe(pipe_fds.data()), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    ::dup2(pipe_fds[1], STDERR_FILENO);
    ::close(pipe_fds[0]);
    if (!setup()) ::_exit(10);
    body();
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  ChildResult result;
  std::array<char, 512> buffer{};
  ssize_t n = 0;
  while ((n = ::read(pipe_fds[0], buffer.data(), buffer.size())) > 0) result.error_output.append(buffer.data(), n);
  ::close(pipe_fds[0]);
  int status = 0;
  EXPECT_EQ(::waitpid(child, &status, 0), child);
  if (WIFEXITED(status)) result.exit_status = WEXITSTATUS(status);
  return result;
}

} // namespace stackprint::test_support
