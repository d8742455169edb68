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

Expected<OpenTextFile> open_text_file(const std::string& path) {
  OpenTextFile file;
  file.path = path;
  if (path == "-") return file;
  file.owned.reset(std::fopen(path.c_str(), "rb"));
  if (!file.owned) return fail("cannot read " + path + ": " + std::strerror(errno));
  return file;
}

Expected<std::string> read_text_file(OpenTextFile& file) {
  std::FILE* f = file.stream();
  std::string text;
  std::array<char, 1 << 16> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), f)) > 0) text.append(buffer.data(), n);
  if (std::ferror(f) != 0) return fail("cannot read " + file.path + ": read error");
  return text;
}

Expected<std::string> read_text_file(const std::string& path) {
  auto file = open_text_file(path);
  if (!file) return tl::unexpected(file.error());
  return read_text_file(*file);
}

Expected<database::OsDb> load_os_db_file(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) return tl::unexpected(text.error());
  return database::parse_os_db(*text, path);
}

} // namespace stackprint::cli
