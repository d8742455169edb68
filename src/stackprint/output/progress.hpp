#pragma once
// Progress texts for long scans (pure; the scan loop supplies counts and elapsed time).
//
// Terminal status line (stderr, redrawn in place by the caller with '\r' and clear-to-end):
//   "12/256 hosts done (4.7%), 3 active, 1.9 hosts/s, ETA 0:02:08"
// --stats-every line (one per interval, for logs):
//   "Stats: 0:00:06 elapsed; 12/256 hosts done (4.7%); 3 active; 1.9 hosts/s; ETA 0:02:08"
// Rate = done / elapsed. ETA = remaining / rate, shown as "?" until one host is done and time has
// passed.

#include <cstddef>
#include <optional>
#include <string>

namespace stackprint::output {

struct Progress {
  std::size_t done = 0;   // hosts finished (up or down)
  std::size_t total = 0;  // hosts in the scan (0 when unknown, e.g. still reading targets)
  std::size_t active = 0; // hosts being fingerprinted now
  double elapsed_s = 0.0; // since the scan started
};

// Hosts per second, nullopt before the first host finished or with no elapsed time.
[[nodiscard]] std::optional<double> progress_rate(const Progress& p);
// Seconds left, nullopt when unknown (no rate or no total).
[[nodiscard]] std::optional<double> progress_eta_s(const Progress& p);

[[nodiscard]] std::string progress_status_line(const Progress& p);
[[nodiscard]] std::string progress_stats_line(const Progress& p);

// The status line redrawn in place on a terminal: "\r" + status line + "\x1b[K" (erase the rest
// of the previous, possibly longer, line). No newline; print "\r\x1b[K" to clear it at the end.
[[nodiscard]] std::string progress_redraw(const Progress& p);

// Parses a --stats-every TIME in Nmap's time syntax: a number with an optional unit ms, s, m, h
// (default seconds), e.g. "10s", "1m", "500ms", "2.5". nullopt for anything else, zero or negative.
[[nodiscard]] std::optional<double> parse_nmap_time_s(const std::string& text);

} // namespace stackprint::output
