#pragma once
// Exit statuses of the stackprint program, documented in the README and the man page.

namespace stackprint::cli {

enum ExitStatus : int {
  k_exit_ok = 0,          // the command did what was asked
  k_exit_failure = 1,     // ran, but the result is negative (e.g. every target was down)
  k_exit_bad_input = 2,   // unusable input: CLI arguments, capture, database or fingerprint file
  k_exit_environment = 3, // missing privilege, interface or other environment problem
  k_exit_interrupted = 130,
};

} // namespace stackprint::cli
