#include "stackprint/cli/os_db_file.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace stackprint::cli {

std::string resolve_os_db_path(const std::string& cli_path) {
  if (!cli_path.empty()) return cli_path;
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read once, before any thread exists.
  if (const char* env = std::getenv("STACKPRINT_DB"); env != nullptr && *env != '\0') return env;
  return std::string(database::k_default_db_path);
}

Expected<std::string> read_text_file(const std::string& path) {
  const bool use_stdin = path == "-";
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> owned(use_stdin ? nullptr : std::fopen(path.c_str(), "rb"),
                                                        &std::fclose);
  std::FILE* f = use_stdin ? stdin : owned.get();
  if (f == nullptr) return fail("cannot read " + path + ": " + std::strerror(errno));
  std::string text;
  std::array<char, 1 << 16> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), f)) > 0) text.append(buffer.data(), n);
  if (std::ferror(f) != 0) return fail("cannot read " + path + ": read error");
  return text;
}

Expected<database::OsDb> load_os_db_file(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) return tl::unexpected(text.error());
  return database::parse_os_db(*text, path);
}

} // namespace stackprint::cli
