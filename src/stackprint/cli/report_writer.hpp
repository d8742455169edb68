#pragma once
// Writing reports to -oN / -oX / -oJ destinations (a path, or "-" for standard output) as hosts
// finish: shared by `stackprint replay` and `stackprint scan`. The formats themselves are pure
// functions in output/; this class only owns the files and the order of header, hosts, footer.
//
// Usage:
//   ReportWriter writer;
//   if (auto ok = writer.open(destinations, run_info, options); !ok) -> exit 3 (cannot write)
//   writer.write_host(db, host, now_s);      // per finished host (flushed at once)
//   writer.finish(summary);                  // footers; closes the files
// or, to open every file before the run is known (replay opens them before the seccomp allow-list
// goes on, io/sandbox.hpp): writer.open_files(destinations) ... writer.write_headers(run_info, options).

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "stackprint/base/expected.hpp"
#include "stackprint/database/os_db.hpp"
#include "stackprint/output/host_report.hpp"

namespace CLI {
class App;
}

namespace stackprint::cli {

struct ReportDestinations {
  std::string normal; // -oN
  std::string xml;    // -oX
  std::string json;   // -oJ
  // Also print Nmap's interactive output (normal output with the "Starting ..." header and the
  // "stackprint done:" footer) on standard output, as Nmap does. Ignored when a destination is "-".
  bool terminal = false;
  [[nodiscard]] bool any() const { return !normal.empty() || !xml.empty() || !json.empty(); }
};

// Registers -oN/--output-normal, -oX/--output-xml, -oJ/--output-json on a subcommand.
// (run.cpp rewrites Nmap's "-oN FILE" spelling into the long names before CLI11 parses.)
void add_report_options(CLI::App& command, ReportDestinations& destinations);

// Nmap's -oN/-oX/-oJ (also -oG/-oA, rejected later as unknown) into --output-*; other arguments
// unchanged. "-oNfile" (attached) becomes "--output-normal" "file".
[[nodiscard]] std::vector<std::string> rewrite_nmap_output_options(const std::vector<std::string>& args);

// The process's local time zone at a given time (localtime_r), for ctime-like texts.
[[nodiscard]] output::TimeZone local_time_zone(std::int64_t at_s);

class ReportWriter {
public:
  ReportWriter() = default;
  ReportWriter(const ReportWriter&) = delete;
  ReportWriter& operator=(const ReportWriter&) = delete;
  ReportWriter(ReportWriter&&) = default;
  ReportWriter& operator=(ReportWriter&&) = default;
  ~ReportWriter();

  // Opens every destination and writes the headers. Errors: "cannot write PATH: reason".
  [[nodiscard]] Expected<void> open(const ReportDestinations& destinations, const output::RunInfo& run,
                                    const output::OutputOptions& options);
  // open() in two steps: create or truncate every destination (errors as open's), then write the headers.
  [[nodiscard]] Expected<void> open_files(const ReportDestinations& destinations);
  void write_headers(const output::RunInfo& run, const output::OutputOptions& options);
  void write_host(const database::OsDb& db, const output::HostReport& host, std::int64_t now_s);
  // Writes the footers and closes. Returns false if any write failed (disk full, closed pipe).
  [[nodiscard]] bool finish(const output::RunSummary& summary);

private:
  struct Closer {
    void operator()(std::FILE* f) const;
  };
  using File = std::unique_ptr<std::FILE, Closer>;
  [[nodiscard]] static Expected<File> open_file(const std::string& path);
  static void put(const File& f, const std::string& text);

  output::OutputOptions m_options;
  File m_terminal;
  File m_normal;
  File m_xml;
  File m_json;
  bool m_finished = false;
};

} // namespace stackprint::cli
