#include "stackprint/cli/report_writer.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>

#include <CLI/CLI.hpp>

#include "stackprint/output/json_output.hpp"
#include "stackprint/output/normal_output.hpp"
#include "stackprint/output/xml_output.hpp"

namespace stackprint::cli {

void add_report_options(CLI::App& command, ReportDestinations& destinations) {
  command.add_option("--output-normal", destinations.normal,
                     "-oN FILE: Nmap normal output to FILE ('-' for standard output)");
  command.add_option("--output-xml", destinations.xml, "-oX FILE: Nmap XML output to FILE ('-' for standard output)");
  command.add_option("--output-json", destinations.json,
                     "-oJ FILE: JSON Lines, one object per host, to FILE ('-' for standard output)");
}

std::vector<std::string> rewrite_nmap_output_options(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  out.reserve(args.size());
  for (const std::string& a : args) {
    if (a.size() >= 3 && a[0] == '-' && a[1] == 'o' && (a[2] == 'N' || a[2] == 'X' || a[2] == 'J')) {
      const char* name = a[2] == 'N' ? "--output-normal" : a[2] == 'X' ? "--output-xml" : "--output-json";
      out.emplace_back(name);
      if (a.size() > 3) out.push_back(a.substr(a[3] == '=' ? 4 : 3));
      continue;
    }
    out.push_back(a);
  }
  return out;
}

output::TimeZone local_time_zone(std::int64_t at_s) {
  output::TimeZone zone;
  const auto t = static_cast<std::time_t>(at_s);
  std::tm local{};
  if (localtime_r(&t, &local) == nullptr) return zone;
  zone.utc_offset_s = local.tm_gmtoff;
  if (local.tm_zone != nullptr) zone.name = local.tm_zone;
  return zone;
}

void ReportWriter::Closer::operator()(std::FILE* f) const {
  // Only reached when finish() did not run (an error path): finish() checks its own closes.
  if (f != nullptr && f != stdout) (void)std::fclose(f);
  if (f == stdout) (void)std::fflush(stdout);
}

ReportWriter::~ReportWriter() = default;

Expected<ReportWriter::File> ReportWriter::open_file(const std::string& path) {
  if (path.empty()) return File{};
  if (path == "-") return File{stdout};
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return fail("cannot write " + path + ": " + std::strerror(errno));
  return File{f};
}

void ReportWriter::put(const File& f, const std::string& text) {
  if (!f) return;
  // A failed write is not detected here, only a failed close in finish(): a known gap, kept as it was.
  (void)std::fwrite(text.data(), 1, text.size(), f.get());
  (void)std::fflush(f.get());
}

Expected<void> ReportWriter::open(const ReportDestinations& destinations, const output::RunInfo& run,
                                  const output::OutputOptions& options) {
  if (auto opened = open_files(destinations); !opened) return opened;
  write_headers(run, options);
  return {};
}

Expected<void> ReportWriter::open_files(const ReportDestinations& destinations) {
  auto normal = open_file(destinations.normal);
  if (!normal) return tl::unexpected(normal.error());
  auto xml = open_file(destinations.xml);
  if (!xml) return tl::unexpected(xml.error());
  auto json = open_file(destinations.json);
  if (!json) return tl::unexpected(json.error());
  const bool stdout_taken = destinations.normal == "-" || destinations.xml == "-" || destinations.json == "-";
  if (destinations.terminal && !stdout_taken) m_terminal = File{stdout};
  m_normal = std::move(*normal);
  m_xml = std::move(*xml);
  m_json = std::move(*json);
  return {};
}

void ReportWriter::write_headers(const output::RunInfo& run, const output::OutputOptions& options) {
  m_options = options;
  put(m_terminal, output::terminal_header(run, options.zone));
  put(m_normal, output::normal_file_header(run, options.zone));
  put(m_xml, output::xml_header(run, options));
}

void ReportWriter::write_host(const database::OsDb& db, const output::HostReport& host, std::int64_t now_s) {
  if (m_terminal || m_normal) {
    const std::string text = output::normal_host(db, host, m_options, now_s);
    put(m_terminal, text);
    put(m_normal, text);
  }
  if (m_xml) put(m_xml, output::xml_host(db, host, m_options, now_s));
  if (m_json) put(m_json, output::json_host_line(db, host, m_options, now_s));
}

bool ReportWriter::finish(const output::RunSummary& summary) {
  if (m_finished) return true;
  m_finished = true;
  put(m_terminal, output::normal_footer(summary, m_options.zone, false));
  put(m_normal, output::normal_footer(summary, m_options.zone, true));
  put(m_xml, output::xml_footer(summary, m_options.zone));
  bool ok = true;
  for (File* f : {&m_terminal, &m_normal, &m_xml, &m_json}) {
    if (*f && std::ferror(f->get()) != 0) ok = false;
    if (*f && f->get() != stdout && std::fclose(f->release()) != 0) ok = false;
    f->reset();
  }
  return ok;
}

} // namespace stackprint::cli
