#include <cstdio>

#include <CLI/CLI.hpp>

#include "stackprint/cli/commands.hpp"
#include "stackprint/cli/exit_status.hpp"

namespace stackprint::cli {

// Placeholder until the subcommand is implemented: says so and fails, never pretends.
void add_match_command(CLI::App& app, int& status) {
  auto* cmd = app.add_subcommand("match", "(not implemented yet)");
  cmd->allow_extras();
  cmd->callback([&status] {
    std::fprintf(stderr, "stackprint: 'match' is not implemented yet\n");
    status = k_exit_failure;
  });
}

} // namespace stackprint::cli
