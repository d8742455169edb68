#pragma once
// Finding and loading nmap-os-db for the subcommands that need it (match, db, replay, scan).
// Path precedence: --db PATH, then the STACKPRINT_DB environment variable, then
// database::k_default_db_path (/usr/share/nmap/nmap-os-db).

#include <cstdio>
#include <memory>
#include <string>

#include "stackprint/base/expected.hpp"
#include "stackprint/database/os_db.hpp"

namespace stackprint::cli {

// `cli_path` is the --db value ("" when not given).
[[nodiscard]] std::string resolve_os_db_path(const std::string& cli_path);

// Reads and parses the file. Errors: "cannot read PATH: reason" or the parser's `file:line: ...`.
[[nodiscard]] Expected<database::OsDb> load_os_db_file(const std::string& path);

// Whole file (or standard input for "-") as text. Errors: "cannot read PATH: reason".
[[nodiscard]] Expected<std::string> read_text_file(const std::string& path);

// The same in two steps, for commands that read untrusted files under the seccomp allow-list
// (io/sandbox.hpp): open_text_file() while files may still be opened, read_text_file() later
// (reads of the open descriptor only).
struct OpenTextFile {
  std::string path;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> owned{nullptr, &std::fclose}; // null for standard input
  [[nodiscard]] std::FILE* stream() const { return owned ? owned.get() : stdin; }
};
[[nodiscard]] Expected<OpenTextFile> open_text_file(const std::string& path);
[[nodiscard]] Expected<std::string> read_text_file(OpenTextFile& file);

} // namespace stackprint::cli
