#include "stackprint/io/privileges.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include <grp.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace stackprint::io {
namespace {

std::string system_error(const char* what) { return std::string(what) + " failed: " + std::strerror(errno); }

bool read_capabilities(std::array<__user_cap_data_struct, 2>& data) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  return ::syscall(SYS_capget, &header, data.data()) == 0;
}

} // namespace

Expected<void> require_raw_privileges() {
  const int fd = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
  if (fd < 0) {
    if (errno == EPERM || errno == EACCES) { return fail(k_missing_privilege_message); }
    return fail(std::string("cannot open a raw IPv4 socket: ") + std::strerror(errno));
  }
  ::close(fd);
  return {};
}

Expected<void> drop_privileges(const PrivilegeDropOptions& options) {
  if (::geteuid() == 0) {
    // getpwnam_r: no shared static buffer.
    long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(static_cast<std::size_t>(size > 0 ? size : 16384));
    passwd entry{};
    passwd* found = nullptr;
    if (::getpwnam_r(options.user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
      return fail("cannot drop privileges: no user \"" + options.user + "\"");
    }
    const uid_t uid = found->pw_uid;
    const gid_t gid = found->pw_gid;
    if (uid == 0) { return fail("cannot drop privileges: user \"" + options.user + "\" is root"); }
    if (::setgroups(0, nullptr) != 0) { return fail(system_error("setgroups")); }
    if (::setresgid(gid, gid, gid) != 0) { return fail(system_error("setresgid")); }
    if (::setresuid(uid, uid, uid) != 0) { return fail(system_error("setresuid")); }
    if (::setuid(0) == 0 || ::seteuid(0) == 0) { return fail("cannot drop privileges: uid 0 could be regained"); }
  } else {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    std::array<__user_cap_data_struct, 2> none{};
    if (::syscall(SYS_capset, &header, none.data()) != 0) { return fail(system_error("capset")); }
  }
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) { return fail(system_error("prctl(PR_SET_NO_NEW_PRIVS)")); }
  const PrivilegeState state = current_privileges();
  if (state.effective_root || state.any_capability) {
    return fail("cannot drop privileges: capabilities remain after the drop");
  }
  return {};
}

PrivilegeState current_privileges() {
  PrivilegeState state;
  state.effective_root = ::geteuid() == 0;
  std::array<__user_cap_data_struct, 2> data{};
  if (read_capabilities(data)) {
    for (const auto& word : data) {
      state.any_capability = state.any_capability || word.effective != 0 || word.permitted != 0;
    }
  }
  return state;
}

} // namespace stackprint::io
