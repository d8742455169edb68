#include "stackprint/output/normal_output.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "stackprint/base/ipv4_address.hpp"
#include "stackprint/output/os_section.hpp"
#include "stackprint/output/time_text.hpp"
#include "stackprint/output/verbose_lines.hpp"

namespace stackprint::output {
namespace {

std::string mac_text(const std::array<std::uint8_t, 6>& mac) {
  return fmt::format("{:02X}:{:02X}:{:02X}:{:02X}:{:02X}:{:02X}", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

std::string reason_text(const PortLine& port) {
  std::string text = port.reason.empty() ? "unknown" : port.reason;
  if (port.reason_ttl) text += fmt::format(" ttl {}", *port.reason_ttl);
  return text;
}

// Nmap's port table: columns padded to the widest cell plus one space; the last column unpadded.
std::string port_table(const std::vector<PortLine>& ports, bool with_reason) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header{"PORT", "STATE", "SERVICE"};
  if (with_reason) header.emplace_back("REASON");
  rows.push_back(header);
  for (const PortLine& p : ports) {
    std::vector<std::string> row{fmt::format("{}/{}", p.port, protocol_name(p.protocol)), port_state_name(p.state),
                                 p.service.empty() ? "unknown" : p.service};
    if (with_reason) row.push_back(reason_text(p));
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> widths(header.size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 1, ' ');
    }
    out += line + '\n';
  }
  return out;
}

} // namespace

std::string two_significant_digits(double value) {
  if (!(value > 0.0) || !std::isfinite(value)) return "0";
  const int magnitude = static_cast<int>(std::floor(std::log10(value)));
  const int decimals = std::max(0, 1 - magnitude);
  return fmt::format("{:.{}f}", value, decimals);
}

std::string normal_file_header(const RunInfo& run, const TimeZone& zone) {
  return fmt::format("# stackprint {} scan initiated {} as: {}\n", run.program_version, ctime_text(run.start_s, zone),
                     run.args);
}

std::string terminal_header(const RunInfo& run, const TimeZone& zone) {
  return fmt::format("Starting stackprint {} at {}\n", run.program_version, starting_at_text(run.start_s, zone));
}

std::string normal_os_part(const database::OsDb& db, const HostReport& host, const OutputOptions& options,
                           std::int64_t now_s) {
  std::string out;
  if (!host.os_detection) return out;
  const OsSection section = build_os_section(db, host, options);
  for (const auto& line : section.lines) out += line + '\n';
  // Nmap: "TCP/IP fingerprint:\n%s\n" where the fingerprint already ends in '\n'.
  if (section.fingerprint) out += "TCP/IP fingerprint:\n" + *section.fingerprint + '\n';
  for (const auto& line : host_detail_lines(host, options, now_s)) out += line + '\n';
  return out;
}

std::string normal_host(const database::OsDb& db, const HostReport& host, const OutputOptions& options,
                        std::int64_t now_s) {
  std::string out = fmt::format("Nmap scan report for {}\n", to_string(Ipv4Address{host.address}));
  if (!host.up) {
    out += "Host is down.\n\n";
    return out;
  }
  std::string up = "Host is up";
  if (shows_reasons(options) && !host.status_reason.empty()) up += ", received " + host.status_reason;
  if (host.latency_s) up += " (" + two_significant_digits(*host.latency_s) + "s latency)";
  out += up + ".\n";
  if (shows_reasons(options)) {
    out += fmt::format("Scanned at {} for {}s\n", scanned_at_text(host.start_s, options.zone),
                       std::max<std::int64_t>(0, host.end_s - host.start_s));
  }
  if (!host.ports.empty()) out += "\n" + port_table(host.ports, shows_reasons(options));
  if (host.mac) {
    out += fmt::format("MAC Address: {} ({})\n", mac_text(*host.mac),
                       host.mac_vendor.empty() ? "Unknown" : host.mac_vendor);
  }
  out += normal_os_part(db, host, options, now_s);
  out += '\n';
  return out;
}

std::string normal_footer(const RunSummary& summary, const TimeZone& zone, bool file) {
  std::string out;
  if (!summary.data_directory.empty()) { out += data_files_line(summary.data_directory) + "\n"; }
  if (summary.hosts_up > 0) {
    out += "OS detection performed. Please report any incorrect results at https://nmap.org/submit/ .\n";
  }
  const unsigned total = summary.hosts_up + summary.hosts_down;
  const std::string counts =
      fmt::format("{} IP address{} ({} host{} up) scanned in {:.2f} seconds", total, total == 1 ? "" : "es",
                  summary.hosts_up, summary.hosts_up == 1 ? "" : "s", summary.elapsed_s);
  if (file) {
    out += fmt::format("# stackprint done at {} -- {}\n", ctime_text(summary.end_s, zone), counts);
  } else {
    out += fmt::format("stackprint done: {}\n", counts);
  }
  return out;
}

} // namespace stackprint::output
