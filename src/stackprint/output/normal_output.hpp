#pragma once
// Nmap's normal output (-oN and the terminal) for OS detection, Nmap 7.93's layout:
//
//   # stackprint 0.1.0 scan initiated Fri Nov 27 04:56:58 2026 as: <args>     (file header)
//   Nmap scan report for 10.99.10.2
//   Host is up, received arp-response (0.000079s latency).                  (reason with -vv)
//   Scanned at 2026-11-27 04:56:58 UTC for 1s                               (-vv)
//   <blank>
//   PORT      STATE  SERVICE REASON                                         (REASON with -vv)
//   22/tcp    closed ssh     reset ttl 64
//   MAC Address: 02:00:0A:63:0A:02 (Unknown)
//   <OS section, see os_section.hpp>
//   <host-level lines>
//   <blank>
//   OS detection performed. ...                                              (footer)
//   # stackprint done at Fri Nov 27 04:56:59 2026 -- 1 IP address (1 host up) scanned in 1.47 seconds
//
// Every function returns complete lines ending in '\n'. Pure: `now_s` is the print time.

#include <cstdint>
#include <string>

#include "stackprint/database/os_db.hpp"
#include "stackprint/output/host_report.hpp"

namespace stackprint::output {

// A positive number with two significant digits and no exponent: 0.000079 -> "0.000079",
// 0.0123 -> "0.012", 1.5 -> "1.5" (Nmap's latency text).
[[nodiscard]] std::string two_significant_digits(double value);

// "# stackprint VERSION scan initiated <ctime> as: ARGS\n" (the -oN file's first line).
[[nodiscard]] std::string normal_file_header(const RunInfo& run, const TimeZone& zone);

// "Starting stackprint VERSION at 2026-11-27 04:58 UTC\n" (the terminal's first line).
[[nodiscard]] std::string terminal_header(const RunInfo& run, const TimeZone& zone);

// The whole block of one host, ending with its blank line.
[[nodiscard]] std::string normal_host(const database::OsDb& db, const HostReport& host, const OutputOptions& options,
                                      std::int64_t now_s);

// Only the OS section and the host-level lines (from "Warning:"/"Device type:" to
// "IP ID Sequence Generation:"), fingerprint block included.
[[nodiscard]] std::string normal_os_part(const database::OsDb& db, const HostReport& host, const OutputOptions& options,
                                         std::int64_t now_s);

// "OS detection performed. ..." (when a host was up) and the "done" line. `file` selects the
// -oN form ("# stackprint done at <ctime> -- ...") or the terminal's ("stackprint done: ...").
[[nodiscard]] std::string normal_footer(const RunSummary& summary, const TimeZone& zone, bool file);

} // namespace stackprint::output
