#include "stackprint/io/sandbox.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include <seccomp.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define STACKPRINT_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define STACKPRINT_SANITIZED 1
#endif
#endif

namespace stackprint::io {
namespace {

// Names of the system calls, resolved before the filter goes on: the SIGSYS handler may not
// allocate, so it only reads this table. Written once by install_sandbox(), read by the handler
// (process-wide because a signal handler has no other way to reach it).
constexpr int k_named_calls = 512;
std::array<const char*, k_named_calls> g_call_names{}; // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

void write_all(const char* text) {
  std::size_t left = std::strlen(text);
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, text, left);
    if (n <= 0) return;
    text += n;
    left -= static_cast<std::size_t>(n);
  }
}

extern "C" void on_forbidden_call(int /*signal*/, siginfo_t* info, void* /*context*/) {
  // Async-signal-safe only: write(2) and _exit(2).
  const int call = info->si_syscall;
  std::array<char, 16> digits{};
  int at = static_cast<int>(digits.size()) - 1;
  unsigned value = call < 0 ? 0U : static_cast<unsigned>(call);
  do {
    digits[static_cast<std::size_t>(--at)] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0 && at > 0);
  write_all("stackprint: error: the sandbox stopped the process: forbidden system call ");
  write_all(&digits[static_cast<std::size_t>(at)]);
  if (call >= 0 && call < k_named_calls && g_call_names[static_cast<std::size_t>(call)] != nullptr) {
    write_all(" (");
    write_all(g_call_names[static_cast<std::size_t>(call)]);
    write_all(")");
  }
  write_all("\n");
  ::_exit(3);
}

// What every profile needs: memory, clocks, signals, threads' futexes, stdio on open descriptors, exit.
constexpr std::array k_common_calls{
    "read",      "write",           "writev",      "readv",         "pread64",        "lseek",           "close",
    "fstat",     "newfstatat",      "statx",       "brk",           "mmap",           "munmap",          "mremap",
    "mprotect",  "madvise",         "futex",       "clock_gettime", "clock_getres",   "gettimeofday",    "time",
    "nanosleep", "clock_nanosleep", "sched_yield", "rt_sigaction",  "rt_sigprocmask", "rt_sigreturn",    "sigaltstack",
    "getpid",    "gettid",          "tgkill",      "exit",          "exit_group",     "restart_syscall", "getrandom",
    "fcntl",     "ioctl",           "poll",        "ppoll",         "getuid",         "geteuid",         "getgid",
    "getegid",   "prlimit64",
};

std::vector<const char*> calls_for(SandboxProfile profile) {
  std::vector<const char*> calls(k_common_calls.begin(), k_common_calls.end());
  switch (profile) {
  case SandboxProfile::emulate: break;
  case SandboxProfile::scan:
    for (const char* name : {"sendto", "sendmsg", "recvfrom", "recvmsg", "getsockopt", "setsockopt", "select",
                             "pselect6", "epoll_wait", "epoll_pwait"}) {
      calls.push_back(name);
    }
    break;
  case SandboxProfile::offline: break;
  }
  return calls;
}

} // namespace

bool sandbox_supported() {
#ifdef STACKPRINT_SANITIZED
  return false;
#else
  return true;
#endif
}

Expected<void> install_sandbox(SandboxProfile profile) {
  if (!sandbox_supported()) return {};
  for (int call = 0; call < k_named_calls; ++call) {
    // Strings from libseccomp live for the rest of the process (this runs once).
    g_call_names[static_cast<std::size_t>(call)] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, call);
  }
  struct sigaction action {};
  action.sa_sigaction = on_forbidden_call;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  if (::sigaction(SIGSYS, &action, nullptr) != 0) {
    return fail(std::string("sandbox: sigaction(SIGSYS) failed: ") + std::strerror(errno));
  }
  scmp_filter_ctx filter = seccomp_init(SCMP_ACT_TRAP);
  if (filter == nullptr) return fail("sandbox: seccomp_init failed");
  std::string error;
  for (const char* name : calls_for(profile)) {
    const int call = seccomp_syscall_resolve_name(name);
    if (call == __NR_SCMP_ERROR) continue; // not on this architecture (e.g. "time" on arm64)
    if (const int rc = seccomp_rule_add(filter, SCMP_ACT_ALLOW, call, 0); rc != 0) {
      error = std::string("sandbox: cannot allow ") + name + ": " + std::strerror(-rc);
      break;
    }
  }
  if (error.empty()) {
    if (const int rc = seccomp_load(filter); rc != 0)
      error = std::string("sandbox: seccomp_load failed: ") + std::strerror(-rc);
  }
  seccomp_release(filter);
  if (!error.empty()) return fail(error);
  return {};
}

} // namespace stackprint::io
