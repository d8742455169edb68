#pragma once
// Entry point of the command-line program: parses arguments, runs one subcommand and maps every
// outcome to a documented exit status (see exit_status.hpp). Nothing below cli/ exits the process.

namespace stackprint::cli {

[[nodiscard]] int run(int argc, char** argv);

} // namespace stackprint::cli
