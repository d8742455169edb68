#pragma once
// The lines Nmap adds to its normal output with -v, -vv and -d, in Nmap's wording
// (docs/nmap-behaviour.md 5.4): the try announcements of OS detection (5.1), the data-file directory,
// the raw packet totals, and which levels show them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "stackprint/output/host_report.hpp"

namespace stackprint::output {

// Nmap's -d raises the verbosity by one level as well (one per -d): the level the -v options test.
[[nodiscard]] int effective_verbosity(int verbose_flags, int debug_flags);

// The REASON column, "received <reason>" and "Scanned at" lines: -vv, or any -d (--reason).
[[nodiscard]] bool shows_reasons(const OutputOptions& options);

// "Initiating OS detection (try #1) against 10.0.0.1" for try 1, "Retrying OS detection (try #N)
// against ..." after; the target is `single_host` for one host, "K hosts" for several.
[[nodiscard]] std::string os_detection_try_line(int try_number, std::size_t hosts, std::string_view single_host);

// "Read data files from: DIR" (normal output and -oN file, -v, before "OS detection performed").
[[nodiscard]] std::string data_files_line(std::string_view directory);
// The DIR of that line for the database read from `db_path`: its directory, "." for a bare name.
[[nodiscard]] std::string data_files_directory(std::string_view db_path);

// A byte count as Nmap prints it: "28B" below 1000, "1.894KB" below 1,000,000, else "2.500MB"
// (decimal units, three decimals).
[[nodiscard]] std::string nmap_byte_count(std::uint64_t bytes);

struct RawPacketTotals {
  std::uint64_t packets_sent = 0;
  std::uint64_t bytes_sent = 0; // IP total lengths
  std::uint64_t packets_received = 0;
  std::uint64_t bytes_received = 0;
};

// "           Raw packets sent: 25 (1.894KB) | Rcvd: 17 (1.362KB)" (indented under the "done" line;
// standard output only, -v).
[[nodiscard]] std::string raw_packets_line(const RawPacketTotals& totals);

} // namespace stackprint::output
