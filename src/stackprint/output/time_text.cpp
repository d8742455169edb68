#include "stackprint/output/time_text.hpp"

#include <array>

#include <fmt/format.h>

namespace stackprint::output {
namespace {

struct CivilTime {
  std::int64_t year = 1970;
  unsigned month = 1; // 1..12
  unsigned day = 1;   // 1..31
  unsigned hour = 0;
  unsigned minute = 0;
  unsigned second = 0;
  unsigned weekday = 4; // 0 = Sunday
};

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil_from_days).
CivilTime civil(std::int64_t seconds) {
  CivilTime t;
  const std::int64_t days = floor_div(seconds, 86400);
  const std::int64_t rest = seconds - days * 86400;
  t.hour = static_cast<unsigned>(rest / 3600);
  t.minute = static_cast<unsigned>((rest % 3600) / 60);
  t.second = static_cast<unsigned>(rest % 60);
  t.weekday = static_cast<unsigned>(floor_div(days + 4, 7) * -7 + days + 4);
  const std::int64_t z = days + 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  t.day = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  t.year = yoe + era * 400 + (t.month <= 2 ? 1 : 0);
  return t;
}

constexpr std::array<const char*, 7> k_days{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> k_months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

} // namespace

std::string ctime_text(std::int64_t seconds, const TimeZone& zone) {
  const CivilTime t = civil(seconds + zone.utc_offset_s);
  return fmt::format("{} {} {:2} {:02}:{:02}:{:02} {}", k_days[t.weekday % 7], k_months[(t.month - 1) % 12], t.day,
                     t.hour, t.minute, t.second, t.year);
}

std::string scanned_at_text(std::int64_t seconds, const TimeZone& zone) {
  const CivilTime t = civil(seconds + zone.utc_offset_s);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} {}", t.year, t.month, t.day, t.hour, t.minute, t.second,
                     zone.name);
}

std::string starting_at_text(std::int64_t seconds, const TimeZone& zone) {
  const CivilTime t = civil(seconds + zone.utc_offset_s);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02} {}", t.year, t.month, t.day, t.hour, t.minute, zone.name);
}

std::string duration_hms(std::int64_t seconds) {
  if (seconds < 0) seconds = 0;
  return fmt::format("{}:{:02}:{:02}", seconds / 3600, (seconds / 60) % 60, seconds % 60);
}

} // namespace stackprint::output
