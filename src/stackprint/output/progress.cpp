#include "stackprint/output/progress.hpp"

#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "stackprint/base/decimal.hpp"

#include "stackprint/output/time_text.hpp"

namespace stackprint::output {
namespace {

std::string counts(const Progress& p) {
  if (p.total == 0) return fmt::format("{} hosts done", p.done);
  const double percent = 100.0 * static_cast<double>(p.done) / static_cast<double>(p.total);
  return fmt::format("{}/{} hosts done ({:.1f}%)", p.done, p.total, percent);
}

std::string rate_text(const Progress& p) {
  const auto rate = progress_rate(p);
  return rate ? fmt::format("{:.1f} hosts/s", *rate) : std::string("- hosts/s");
}

std::string eta_text(const Progress& p) {
  const auto eta = progress_eta_s(p);
  return eta ? duration_hms(static_cast<std::int64_t>(std::ceil(*eta))) : std::string("?");
}

} // namespace

std::optional<double> progress_rate(const Progress& p) {
  if (p.done == 0 || !(p.elapsed_s > 0.0)) return std::nullopt;
  return static_cast<double>(p.done) / p.elapsed_s;
}

std::optional<double> progress_eta_s(const Progress& p) {
  const auto rate = progress_rate(p);
  if (!rate || p.total == 0) return std::nullopt;
  if (p.done >= p.total) return 0.0;
  return static_cast<double>(p.total - p.done) / *rate;
}

std::string progress_status_line(const Progress& p) {
  return fmt::format("{}, {} active, {}, ETA {}", counts(p), p.active, rate_text(p), eta_text(p));
}

std::string progress_stats_line(const Progress& p) {
  const auto elapsed = static_cast<std::int64_t>(p.elapsed_s < 0 ? 0 : p.elapsed_s);
  return fmt::format("Stats: {} elapsed; {}; {} active; {}; ETA {}", duration_hms(elapsed), counts(p), p.active,
                     rate_text(p), eta_text(p));
}

std::string progress_redraw(const Progress& p) { return "\r" + progress_status_line(p) + "\x1b[K"; }

std::optional<double> parse_nmap_time_s(const std::string& text) {
  std::size_t i = 0;
  bool digits = false;
  bool dot = false;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || (text[i] == '.' && !dot))) {
    if (text[i] == '.') {
      dot = true;
    } else {
      digits = true;
    }
    ++i;
  }
  if (!digits) return std::nullopt;
  const auto number = parse_decimal_fraction(std::string_view(text).substr(0, i), 19);
  if (!number) return std::nullopt;
  double value = *number;
  const std::string unit = text.substr(i);
  if (unit.empty() || unit == "s") {
  } else if (unit == "ms") {
    value /= 1000.0;
  } else if (unit == "m") {
    value *= 60.0;
  } else if (unit == "h") {
    value *= 3600.0;
  } else {
    return std::nullopt;
  }
  if (!(value > 0.0) || !std::isfinite(value)) return std::nullopt;
  return value;
}

} // namespace stackprint::output
