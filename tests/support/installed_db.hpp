#pragma once
// Test support: the system's nmap-os-db (Debian's nmap-common), parsed once per test binary.
// Tests that need it skip when it is absent or does not parse, so unit tests still run without Nmap.

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "stackprint/database/os_db.hpp"

namespace stackprint::test_support {

// nullptr when the installed database is missing or does not parse.
inline const database::OsDb* installed_db() {
  static const std::optional<database::OsDb> db = []() -> std::optional<database::OsDb> {
    const std::string path(database::k_default_db_path);
    if (!std::filesystem::exists(path)) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = database::parse_os_db(text.str(), path);
    if (!parsed) return std::nullopt;
    return std::move(*parsed);
  }();
  return db ? &*db : nullptr;
}

} // namespace stackprint::test_support
