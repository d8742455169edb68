// `stackprint db check [--db PATH]`: parses nmap-os-db with the strict parser and prints its counts.
// Exit status: 0 when valid, 2 when the file is unreadable or malformed (`file:line: reason`).

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "stackprint/cli/commands.hpp"
#include "stackprint/cli/console.hpp"
#include "stackprint/cli/exit_status.hpp"
#include "stackprint/cli/os_db_file.hpp"

namespace stackprint::cli {

namespace {

int run_db_check(const std::string& db_option) {
  const std::string path = resolve_os_db_path(db_option);
  const auto text = read_text_file(path);
  if (!text) {
    print_error("db check", text.error().message);
    return k_exit_bad_input;
  }
  const auto start = std::chrono::steady_clock::now();
  const auto db = database::parse_os_db(*text, path);
  const auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
  if (!db) {
    print_error("db check", db.error().message);
    return k_exit_bad_input;
  }
  const auto& s = db->stats();
  std::printf("%s: OK\n", path.c_str());
  std::printf("fingerprints: %zu (%zu distinct names)\n", s.fingerprints, s.distinct_names);
  std::printf("classes: %zu\n", s.classes);
  std::printf("CPEs: %zu (%zu auto)\n", s.cpes, s.auto_cpes);
  std::printf("test lines: %zu (%zu distinct)\n", s.test_lines, s.distinct_test_lines);
  std::printf("expressions: %zu distinct, %zu distinct (test, attribute, expression)\n", s.distinct_expressions,
              s.slot_expressions);
  std::printf("lines: %zu (%zu comments)\n", s.lines, s.comment_lines);
  std::printf("parse time: %.1f ms\n", elapsed.count());
  return k_exit_ok;
}

} // namespace

void add_db_command(CLI::App& app, int& status) {
  auto* cmd = app.add_subcommand("db", "nmap-os-db tools");
  cmd->require_subcommand(1);
  auto db_path = std::make_shared<std::string>();
  auto* check = cmd->add_subcommand("check", "validate nmap-os-db and print its counts");
  check->add_option("--db", *db_path, "nmap-os-db path (default: $STACKPRINT_DB or /usr/share/nmap/nmap-os-db)");
  check->callback([db_path, &status] { status = run_db_check(*db_path); });
}

} // namespace stackprint::cli
