#pragma once
// A seccomp allow-list for the loops that read untrusted packets (ARCHITECTURE.md, "Privileges").
// Installed after the privilege drop, once every file the command needs is open: from then on the
// process may only read, write, poll and send on descriptors it already holds, allocate memory,
// read clocks, handle signals and exit. Any other system call (execve, open, socket, ...) stops
// the process: a SIGSYS handler prints one line naming the call and exits with status 3.
//
// Under AddressSanitizer/LeakSanitizer no filter is installed (sandbox_supported() is false): the
// sanitizer runtime opens /proc files, clones a tracer thread and ptraces at exit, which an
// allow-list for the loops must not permit.

#include "stackprint/base/expected.hpp"

namespace stackprint::io {

// Which loop the filter is for; each adds what its descriptors need to the common list.
enum class SandboxProfile {
  emulate, // a TUN device: read, write, poll
  scan,    // a raw socket and a packet capture: sendto, recvfrom/recvmsg, poll, getsockopt (stats)
  offline, // replay/match: reads of files already open, writes to standard output
};

// False when this build cannot install the filter (sanitizer builds, see above).
[[nodiscard]] bool sandbox_supported();

// Installs the filter for good (needs no_new_privs or CAP_SYS_ADMIN: call after drop_privileges()).
// A no-op returning success when sandbox_supported() is false.
// Errors: libseccomp refused the filter (the message names the step).
[[nodiscard]] Expected<void> install_sandbox(SandboxProfile profile);

} // namespace stackprint::io
