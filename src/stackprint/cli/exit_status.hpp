#pragma once
// Exit statuses of the stackprint program. k_exit_statuses is the one source of their descriptions:
// the --help footer is generated from it, and tests check the tables of README.md and the man page
// (docs/stackprint.1) against it.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace stackprint::cli {

enum ExitStatus : int {
  k_exit_ok = 0,          // the command did what was asked
  k_exit_failure = 1,     // ran, but the result is negative (e.g. every target was down)
  k_exit_bad_input = 2,   // unusable input: CLI arguments, capture, database or fingerprint file
  k_exit_environment = 3, // missing privilege, interface or other environment problem
  k_exit_interrupted = 130,
};

struct ExitStatusDescription {
  ExitStatus status;
  std::string_view meaning; // one line, lower case first letter, no final full stop
};

inline constexpr std::array<ExitStatusDescription, 5> k_exit_statuses{{
    {k_exit_ok, "the command did what was asked"},
    {k_exit_failure, "it ran, but the result is negative (e.g. every target was down)"},
    {k_exit_bad_input, "unusable input: command-line arguments, capture, database or fingerprint file"},
    {k_exit_environment, "environment problem: missing privilege or interface, an output file that cannot be written"},
    {k_exit_interrupted, "interrupted"},
}};

// The exit status of a scan that ran to its end or was interrupted: interrupted wins, then a report
// file that could not be written, then whether any host was found up.
[[nodiscard]] constexpr ExitStatus scan_exit_status(bool interrupted, bool reports_written, std::uint64_t hosts_up) {
  if (!reports_written) { return k_exit_environment; }
  if (interrupted) { return k_exit_interrupted; }
  return hosts_up > 0 ? k_exit_ok : k_exit_failure;
}

// The "Exit statuses:" block printed at the end of --help.
inline std::string exit_status_footer() {
  std::string text = "Exit statuses:\n";
  for (const auto& entry : k_exit_statuses) {
    std::string number = std::to_string(static_cast<int>(entry.status));
    text += "  " + number + std::string(5 - number.size(), ' ') + std::string(entry.meaning) + "\n";
  }
  return text;
}

} // namespace stackprint::cli
