#pragma once
// The seccomp allow-list of the commands that read untrusted files without the network (`replay`,
// `match`): installed once every input and output file is open, before any of their bytes are
// parsed (io/sandbox.hpp, profile `offline`: no new files, no exec, no sockets).

#include <string_view>

namespace stackprint::cli {

// Loads what later library calls would otherwise open (the local time zone), then installs the
// filter. False after printing one line (`stackprint COMMAND: sandbox: ...`) if it could not be
// installed; the caller exits with k_exit_environment.
[[nodiscard]] bool enter_offline_sandbox(std::string_view command);

} // namespace stackprint::cli
