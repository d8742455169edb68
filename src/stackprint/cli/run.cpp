#include "stackprint/cli/run.hpp"

#include <array>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "stackprint/cli/commands.hpp"
#include "stackprint/cli/console.hpp"
#include "stackprint/cli/exit_status.hpp"
#include "stackprint/cli/report_writer.hpp"

namespace stackprint::cli {
namespace {

// Nmap spells -iL with one dash and two letters; CLI11 would read "-iL" as "-i L". It is rewritten
// to "--iL" before parsing (a value glued to it, -iLfile, is split off). The output options
// (-oN/-oX/-oJ) are rewritten by rewrite_nmap_output_options.
std::vector<std::string> with_nmap_option_names(int argc, char** argv) {
  static constexpr std::array<std::string_view, 1> k_nmap_options{"-iL"};
  std::vector<std::string> args;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    for (const std::string_view name : k_nmap_options) {
      if (i > 0 && arg.size() >= name.size() && arg.compare(0, name.size(), name) == 0) {
        std::string rest = arg.substr(name.size());
        arg = "-" + std::string(name);
        if (!rest.empty()) {
          args.push_back(arg);
          arg = rest;
        }
        break;
      }
    }
    args.push_back(arg);
  }
  return args;
}

} // namespace

int run(int argc, char** argv) {
  CLI::App app{"stackprint: active TCP/IP stack fingerprinting, compatible with Nmap's OS detection"};
  app.set_version_flag("--version", std::string("stackprint ") + STACKPRINT_VERSION);
  app.require_subcommand(1);
  app.footer(exit_status_footer());
  int status = k_exit_ok;
  add_replay_command(app, status);
  add_match_command(app, status);
  add_db_command(app, status);
  add_emulate_command(app, status);
  add_scan_command(app, status);
  add_merge_command(app, status);
  try {
    const std::vector<std::string> args = rewrite_nmap_output_options(with_nmap_option_names(argc, argv));
    std::vector<char*> rewritten;
    rewritten.reserve(args.size());
    for (const auto& a : args) { rewritten.push_back(const_cast<char*>(a.c_str())); }
    app.parse(static_cast<int>(rewritten.size()), rewritten.data());
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? k_exit_ok : k_exit_bad_input;
  } catch (const std::exception& e) {
    print_error("", e.what());
    return k_exit_bad_input;
  }
  return status;
}

} // namespace stackprint::cli
