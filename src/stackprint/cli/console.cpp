#include "stackprint/cli/console.hpp"

#include <fmt/format.h>

namespace stackprint::cli {

void print_error(std::string_view command, std::string_view message) {
  print_text(stderr, command.empty() ? fmt::format("stackprint: {}\n", message)
                                     : fmt::format("stackprint {}: {}\n", command, message));
}

void print_text(std::FILE* stream, std::string_view text, bool flush) {
  (void)std::fwrite(text.data(), 1, text.size(), stream);
  if (flush) (void)std::fflush(stream);
}

} // namespace stackprint::cli
