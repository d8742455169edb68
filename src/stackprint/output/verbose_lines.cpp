#include "stackprint/output/verbose_lines.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

namespace stackprint::output {

int effective_verbosity(int verbose_flags, int debug_flags) {
  return std::max(0, verbose_flags) + std::max(0, debug_flags);
}

bool shows_reasons(const OutputOptions& options) { return options.verbosity > 1 || options.debugging > 0; }

std::string os_detection_try_line(int try_number, std::size_t hosts, std::string_view single_host) {
  const std::string target = hosts == 1 ? std::string(single_host) : fmt::format("{} hosts", hosts);
  return fmt::format("{} OS detection (try #{}) against {}", try_number <= 1 ? "Initiating" : "Retrying",
                     std::max(1, try_number), target);
}

std::string data_files_line(std::string_view directory) { return fmt::format("Read data files from: {}", directory); }

std::string data_files_directory(std::string_view db_path) {
  const std::string directory = std::filesystem::path(db_path).parent_path().string();
  return directory.empty() ? "." : directory;
}

std::string nmap_byte_count(std::uint64_t bytes) {
  if (bytes < 1000) { return fmt::format("{}B", bytes); }
  if (bytes < 1000000) { return fmt::format("{:.3f}KB", static_cast<double>(bytes) / 1e3); }
  return fmt::format("{:.3f}MB", static_cast<double>(bytes) / 1e6);
}

std::string raw_packets_line(const RawPacketTotals& totals) {
  return fmt::format("           Raw packets sent: {} ({}) | Rcvd: {} ({})", totals.packets_sent,
                     nmap_byte_count(totals.bytes_sent), totals.packets_received,
                     nmap_byte_count(totals.bytes_received));
}

} // namespace stackprint::output
