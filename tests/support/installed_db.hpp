#pragma once
// Test support: the system's nmap-os-db (Debian's nmap-common), parsed once per test binary.
// Tests that need it skip when it is absent (unit tests still run without Nmap; scripts/test.sh, which
// installs Nmap, fails on any such skip). A database that exists but cannot be read or parsed is a
// failure of every test that asks for it, never a skip.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "stackprint/database/os_db.hpp"

namespace stackprint::test_support {

// nullptr when the installed database is missing; also nullptr, with a test failure recorded in the
// calling test, when it exists but does not read or parse.
inline const database::OsDb* installed_db() {
  struct Loaded {
    std::optional<database::OsDb> db;
    std::string error; // non-empty when the file exists but is unusable
  };
  static const Loaded loaded = []() -> Loaded {
    const std::string path(database::k_default_db_path);
    if (!std::filesystem::exists(path)) return {};
    std::ifstream in(path, std::ios::binary);
    if (!in) return {std::nullopt, path + ": cannot be read"};
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = database::parse_os_db(text.str(), path);
    if (!parsed) return {std::nullopt, parsed.error().message};
    return {std::move(*parsed), {}};
  }();
  if (!loaded.error.empty()) ADD_FAILURE() << "the installed nmap-os-db exists but is unusable: " << loaded.error;
  return loaded.db ? &*loaded.db : nullptr;
}

} // namespace stackprint::test_support
