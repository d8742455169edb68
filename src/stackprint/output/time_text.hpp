#pragma once
// Date and time texts of Nmap's outputs, computed from seconds since the Unix epoch and a
// TimeZone value (no libc time zone, no clock): pure and thread-safe.

#include <cstdint>
#include <string>

#include "stackprint/output/host_report.hpp"

namespace stackprint::output {

// ctime() without the newline: "Fri Nov 27 04:56:58 2026" (day of month space-padded to 2).
[[nodiscard]] std::string ctime_text(std::int64_t seconds, const TimeZone& zone);

// "2026-11-27 04:56:58 UTC" ("Scanned at ..." of -vv normal output).
[[nodiscard]] std::string scanned_at_text(std::int64_t seconds, const TimeZone& zone);

// "2026-11-27 04:58 UTC" (the "Starting ... at" line).
[[nodiscard]] std::string starting_at_text(std::int64_t seconds, const TimeZone& zone);

// "H:MM:SS" for a non-negative number of seconds (hours are not capped).
[[nodiscard]] std::string duration_hms(std::int64_t seconds);

} // namespace stackprint::output
