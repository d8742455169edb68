#pragma once
// Each subcommand lives in its own file and registers itself on the top-level CLI11 app.
// The callback stores the subcommand's exit status in `status`.

namespace CLI {
class App;
}

namespace stackprint::cli {

void add_replay_command(CLI::App& app, int& status);
void add_match_command(CLI::App& app, int& status);
void add_db_command(CLI::App& app, int& status);
void add_emulate_command(CLI::App& app, int& status);
void add_scan_command(CLI::App& app, int& status);
void add_merge_command(CLI::App& app, int& status);

} // namespace stackprint::cli
