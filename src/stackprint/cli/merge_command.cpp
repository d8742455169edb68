// `stackprint merge [-oJ FILE] SHARD_OUTPUT...`
// Merges the JSON Lines outputs (-oJ) of the shards of one sharded scan (scan --shard I/N) into one
// JSON Lines report ordered by address, and checks that they fit together (output/shard_merge.hpp):
// shards of different scans (a different seed, shard count or target list), an address in two
// shards, missing shards. A truncated or foreign file costs one line on stderr; the good hosts of
// every file are kept.
//
// Exit status: 0 when the shards fit together, 2 when a file is unreadable or bad or a check
// fails (the merged report is written all the same), 1 when no host was found at all.

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "stackprint/cli/commands.hpp"
#include "stackprint/cli/console.hpp"
#include "stackprint/cli/exit_status.hpp"
#include "stackprint/output/shard_merge.hpp"

namespace stackprint::cli {
namespace {

struct MergeArgs {
  std::vector<std::string> inputs;
  std::string json_output = "-";
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

  std::unique_ptr<FILE, int (*)(FILE*)> out(
      args.json_output == "-" ? stdout : std::fopen(args.json_output.c_str(), "w"),
      args.json_output == "-" ? +[](FILE* f) { return std::fflush(f); } : &std::fclose);
  if (!out) {
    print_error("merge", "cannot write " + args.json_output);
    return k_exit_environment;
  }
  for (const output::MergedHost& host : merged.hosts) {
    const std::string line = host.object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    if (std::fwrite(line.data(), 1, line.size(), out.get()) != line.size()) {
      print_error("merge", "cannot write " + args.json_output);
      return k_exit_environment;
    }
  }
  if (std::fflush(out.get()) != 0) {
    print_error("merge", "cannot write " + args.json_output);
    return k_exit_environment;
  }
  if (unreadable > 0 || !merged.problems.empty()) { return k_exit_bad_input; }
  return merged.hosts.empty() ? k_exit_failure : k_exit_ok;
}

} // namespace

void add_merge_command(CLI::App& app, int& status) {
  auto args = std::make_shared<MergeArgs>();
  auto* cmd = app.add_subcommand("merge", "Merge the JSON Lines outputs of the shards of one scan (--shard I/N)");
  cmd->add_option("inputs", args->inputs, "JSON Lines files written by scan --shard I/N -oJ FILE")->required();
  cmd->add_option("--output-json", args->json_output, "-oJ FILE: the merged JSON Lines report ('-': standard output)");
  cmd->callback([args, &status] { status = run_merge(*args); });
}

} // namespace stackprint::cli
