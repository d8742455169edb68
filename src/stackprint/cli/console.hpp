#pragma once
// Text for the person at the terminal: diagnostics on standard error, results on standard output.
// A failed write to the terminal has nowhere better to be reported (the exit status still tells
// what happened), so these return nothing. Reports written to files go through ReportWriter.

#include <cstdio>
#include <string_view>

namespace stackprint::cli {

// "stackprint COMMAND: MESSAGE" and a newline on standard error ("stackprint: MESSAGE" when
// COMMAND is empty).
void print_error(std::string_view command, std::string_view message);

// TEXT as it is on `stream` (stdout or stderr), then flushed when `flush`.
void print_text(std::FILE* stream, std::string_view text, bool flush = false);

} // namespace stackprint::cli
