#pragma once
// Privilege handling for live scans. Order of a scan (ARCHITECTURE.md, "Privileges"):
//   1. require_raw_privileges() - fail early with one clear line (the CLI exits with status 3, environment problem);
//   2. open RawIpv4Sender and LiveCapture (the only steps that need privilege);
//   3. drop_privileges() - before any reply, target file or database is parsed;
//   4. install_sandbox() (io/sandbox.hpp) once every file is open.

#include <string>

#include "stackprint/base/expected.hpp"

namespace stackprint::io {

// The one-line message used for every missing-privilege failure.
inline constexpr const char* k_missing_privilege_message =
    "live scanning needs root or the CAP_NET_RAW capability (run with sudo, or "
    "setcap cap_net_raw+ep on the stackprint binary)";

// Succeeds when this process may open raw sockets (probes by opening and closing one). The error
// message is k_missing_privilege_message.
[[nodiscard]] Expected<void> require_raw_privileges();

struct PrivilegeDropOptions {
  // The account to become when running as root (its uid and primary gid; supplementary groups
  // are cleared).
  std::string user = "nobody";
};

// Gives up every privilege for good, keeping already opened descriptors:
// - as root (euid 0): clears supplementary groups, sets real/effective/saved gid and uid to the
//   user's, then checks that uid 0 cannot be regained;
// - otherwise (e.g. file capability cap_net_raw+ep): clears the effective, permitted and
//   inheritable capability sets.
// In both cases it also sets no_new_privs so no later exec can regain privilege.
// Errors: the user does not exist, or a system call refused (message names it).
[[nodiscard]] Expected<void> drop_privileges(const PrivilegeDropOptions& options = {});

// What the process holds now, for diagnostics and tests.
struct PrivilegeState {
  bool effective_root = false; // euid == 0
  bool any_capability = false; // non-empty effective or permitted capability set
};
[[nodiscard]] PrivilegeState current_privileges();

} // namespace stackprint::io
