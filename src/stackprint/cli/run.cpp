#include "stackprint/cli/run.hpp"

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "stackprint/cli/commands.hpp"
#include "stackprint/cli/exit_status.hpp"
#include "stackprint/cli/report_writer.hpp"

namespace stackprint::cli {

int run(int argc, char** argv) {
  CLI::App app{"stackprint: active TCP/IP stack fingerprinting, compatible with Nmap's OS detection"};
  app.set_version_flag("--version", std::string("stackprint ") + STACKPRINT_VERSION);
  app.require_subcommand(1);
  int status = k_exit_ok;
  add_replay_command(app, status);
  add_match_command(app, status);
  add_db_command(app, status);
  add_emulate_command(app, status);
  add_scan_command(app, status);
  try {
    // Nmap spells its output options -oN/-oX; CLI11 only knows one-letter short options.
    const std::vector<std::string> args = rewrite_nmap_output_options(std::vector<std::string>(argv, argv + argc));
    std::vector<char*> rewritten;
    rewritten.reserve(args.size());
    for (const auto& a : args) rewritten.push_back(const_cast<char*>(a.c_str()));
    app.parse(static_cast<int>(rewritten.size()), rewritten.data());
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? k_exit_ok : k_exit_bad_input;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stackprint: %s\n", e.what());
    return k_exit_bad_input;
  }
  return status;
}

} // namespace stackprint::cli
