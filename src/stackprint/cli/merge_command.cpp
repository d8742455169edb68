// `stackprint merge [-oN FILE] [-oX FILE] [-oJ FILE] [--db PATH] [-v] [-d] [--osscan-guess] SHARD_OUTPUT...`
// Merges the JSON Lines outputs (-oJ) of the shards of one sharded scan (scan --shard I/N) into one
// report ordered by address, and checks that they fit together (output/shard_merge.hpp): shards of
// different scans (a different seed, shard count or target list), an address in two shards,
// missing shards. A truncated or foreign file costs one line on stderr; the good hosts of every
// file are kept.
//
// -oJ writes the host objects unchanged (standard output when no report is asked for). -oN and -oX
// read every host back into the report model (output/json_input.hpp) and write it with the scan's
// own writers, against the nmap-os-db the scan used; a host object that does not read back costs
// one line on stderr and is left out of those two reports only.
//
// Exit status: 0 when the shards fit together, 2 when a file is unreadable or bad or a check
// fails (the merged report is written all the same), 1 when no host was found at all.

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "stackprint/cli/commands.hpp"
#include "stackprint/cli/console.hpp"
#include "stackprint/cli/exit_status.hpp"
#include "stackprint/cli/os_db_file.hpp"
#include "stackprint/cli/report_writer.hpp"
#include "stackprint/output/json_input.hpp"
#include "stackprint/output/shard_merge.hpp"
#include "stackprint/output/verbose_lines.hpp"

namespace stackprint::cli {
namespace {

struct MergeArgs {
  std::vector<std::string> inputs;
  ReportDestinations outputs;
  std::string db;
  int verbosity = 0;
  int debugging = 0;
  bool osscan_guess = false;
  std::string command_line;
};

// The file's lines, or nullopt when it cannot be opened. A read error ends the lines early and is
// reported by the caller like a truncated file.
std::optional<std::vector<std::string>> read_lines(const std::string& path, bool& read_error) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) { return std::nullopt; }
  std::vector<std::string> lines;
  std::string line;
  int c = 0;
  while ((c = std::fgetc(file.get())) != EOF) {
    if (c == '\n') {
      lines.push_back(std::move(line));
      line.clear();
    } else {
      line.push_back(static_cast<char>(c));
    }
  }
  read_error = std::ferror(file.get()) != 0;
  if (!line.empty()) { lines.push_back(std::move(line)); } // no final newline: a cut line fails to parse
  return lines;
}

// The host objects, one a line, unchanged.
int write_json(const std::string& path, const output::ShardMerge& merged) {
  std::unique_ptr<FILE, int (*)(FILE*)> out(path == "-" ? stdout : std::fopen(path.c_str(), "w"),
                                            path == "-" ? +[](FILE* f) { return std::fflush(f); } : &std::fclose);
  if (!out) {
    print_error("merge", "cannot write " + path);
    return k_exit_environment;
  }
  for (const output::MergedHost& host : merged.hosts) {
    const std::string line = host.object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    if (std::fwrite(line.data(), 1, line.size(), out.get()) != line.size()) {
      print_error("merge", "cannot write " + path);
      return k_exit_environment;
    }
  }
  if (std::fflush(out.get()) != 0) {
    print_error("merge", "cannot write " + path);
    return k_exit_environment;
  }
  return k_exit_ok;
}

// -oN and -oX: every host read back and written by the report writers. The run starts at the
// earliest shard start and ends at the latest host end; args and scaninfo are the first shard's.
int write_reports(const MergeArgs& args, const output::ShardMerge& merged, std::size_t& unread_hosts) {
  const std::string db_path = resolve_os_db_path(args.db);
  const auto db = load_os_db_file(db_path);
  if (!db) {
    print_error("merge", db.error().message);
    return k_exit_bad_input;
  }
  const output::JsonHostReader reader(*db);
  std::vector<output::JsonHost> hosts;
  std::optional<output::ShardLabel> run_label;
  output::RunSummary summary;
  for (const output::MergedHost& merged_host : merged.hosts) {
    auto label = output::shard_from_json(merged_host.object["shard"]);
    auto host = label ? reader.read(merged_host.object) : tl::unexpected(label.error());
    if (!host) {
      print_error("merge", merged_host.file + ": " + merged_host.object.value("target", std::string("?")) + ": " +
                               host.error().message + " (left out of -oN/-oX)");
      ++unread_hosts;
      continue;
    }
    if (!run_label) {
      run_label = *label;
    } else if (label->start_s < run_label->start_s) {
      run_label->start_s = label->start_s;
    }
    summary.end_s = std::max(summary.end_s, host->report.end_s);
    ++(host->report.up ? summary.hosts_up : summary.hosts_down);
    hosts.push_back(std::move(*host));
  }
  output::RunInfo info;
  info.program_version = STACKPRINT_VERSION;
  info.args = run_label && !run_label->args.empty() ? run_label->args : args.command_line;
  info.start_s = run_label ? run_label->start_s : 0;
  if (run_label) { info.scaninfo = run_label->scaninfo; }
  summary.end_s = std::max(summary.end_s, info.start_s);
  summary.elapsed_s = static_cast<double>(summary.end_s - info.start_s);
  output::OutputOptions options;
  options.verbosity = output::effective_verbosity(args.verbosity, args.debugging);
  options.debugging = args.debugging;
  if (options.verbosity > 0) { summary.data_directory = output::data_files_directory(db_path); }
  options.osscan_guess = args.osscan_guess;
  options.zone = local_time_zone(info.start_s);

  ReportDestinations destinations;
  destinations.normal = args.outputs.normal;
  destinations.xml = args.outputs.xml;
  ReportWriter writer;
  if (auto opened = writer.open(destinations, info, options); !opened) {
    print_error("merge", opened.error().message);
    return k_exit_environment;
  }
  for (const output::JsonHost& host : hosts) { writer.write_host(*db, host.report, host.now_s); }
  if (!writer.finish(summary)) {
    print_error("merge", "writing the reports failed");
    return k_exit_environment;
  }
  return k_exit_ok;
}

int run_merge(const MergeArgs& args) {
  output::ShardMerger merger;
  std::size_t unreadable = 0;
  for (const std::string& path : args.inputs) {
    bool read_error = false;
    auto lines = read_lines(path, read_error);
    if (!lines) {
      print_error("merge", "cannot read " + path);
      ++unreadable;
      continue;
    }
    if (read_error) {
      print_error("merge", path + ": read error; using the lines read before it");
      ++unreadable;
    }
    merger.add_file(path, *lines);
  }
  const output::ShardMerge merged = std::move(merger).finish();
  for (const std::string& problem : merged.problems) { print_error("merge", problem); }

  if (!args.outputs.json.empty()) {
    if (const int written = write_json(args.outputs.json, merged); written != k_exit_ok) { return written; }
  }
  std::size_t unread_hosts = 0;
  if (!args.outputs.normal.empty() || !args.outputs.xml.empty()) {
    const int written = write_reports(args, merged, unread_hosts);
    if (written != k_exit_ok) { return written; }
  }
  if (unreadable > 0 || unread_hosts > 0 || !merged.problems.empty()) { return k_exit_bad_input; }
  return merged.hosts.empty() ? k_exit_failure : k_exit_ok;
}

} // namespace

void add_merge_command(CLI::App& app, int& status) {
  auto args = std::make_shared<MergeArgs>();
  auto* cmd = app.add_subcommand("merge", "Merge the JSON Lines outputs of the shards of one scan (--shard I/N)");
  cmd->add_option("inputs", args->inputs, "JSON Lines files written by scan --shard I/N -oJ FILE")->required();
  add_report_options(*cmd, args->outputs);
  cmd->add_option("--db", args->db,
                  "nmap-os-db the scan used, for -oN/-oX (default: $STACKPRINT_DB, else /usr/share/nmap/nmap-os-db)");
  cmd->add_flag("-v,--verbose", args->verbosity, "More output in -oN/-oX, as Nmap's -v (repeat: -vv)");
  cmd->add_flag("-d,--debug", args->debugging, "Debug level for -oN/-oX, as Nmap's -d");
  cmd->add_flag("--osscan-guess,--fuzzy", args->osscan_guess, "Guess OS more aggressively in -oN/-oX (as Nmap)");
  cmd->footer("Without -oN/-oX/-oJ, writes the merged JSON Lines to standard output.");
  cmd->callback([args, &status] {
    if (!args->outputs.any()) { args->outputs.json = "-"; }
    args->command_line = "stackprint merge";
    for (const auto& input : args->inputs) { args->command_line += " " + input; }
    status = run_merge(*args);
  });
}

} // namespace stackprint::cli
