#pragma once
// The one send-rate limit of a scan (--max-rate, and the rate the congestion controller allows):
// a token bucket, sans-I/O (it is told the time). Every packet a scan sends, port discovery and OS
// detection alike, takes a token from the same bucket (docs/congestion.md).
//
// Tokens accrue at `rate` per second up to `burst`; a send takes one. So over any window of T
// seconds at most burst + rate * T packets leave: with the default burst of 4% of the rate, a 1 s
// window holds at most 1.04 * rate.

#include <chrono>
#include <cstddef>
#include <optional>

namespace stackprint::engine {

class RateLimiter {
public:
  using Instant = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;

  // Burst as a share of the rate, and its floor (one packet must always fit).
  static constexpr double k_burst_share = 0.04;
  static constexpr double k_min_burst = 1.0;

  // `packets_per_second` <= 0: unlimited. `burst` <= 0: k_burst_share of the rate.
  explicit RateLimiter(double packets_per_second = 0.0, double burst = 0.0);

  // Changes the rate (0: unlimited) from `now` on; tokens already earned are kept up to the new burst.
  void set_rate(double packets_per_second, Instant now);
  [[nodiscard]] double rate() const { return m_rate; }
  [[nodiscard]] bool limited() const { return m_rate > 0.0; }
  [[nodiscard]] double burst() const { return m_burst; }

  // Whole packets that may leave at `now` (SIZE_MAX when unlimited).
  [[nodiscard]] std::size_t available(Instant now);
  // `count` packets left at `now` (at most what available() allowed).
  void take(std::size_t count, Instant now);
  // When the next packet may leave, if none may now; nullopt when one may leave at `now` already.
  [[nodiscard]] std::optional<Instant> next_token_at(Instant now) const;

private:
  void refill(Instant now);
  [[nodiscard]] double tokens_at(Instant now) const;

  double m_rate = 0.0;
  double m_fixed_burst = 0.0; // as constructed; 0: a share of the rate
  double m_burst = k_min_burst;
  double m_tokens = 0.0;
  std::optional<Instant> m_last;
};

} // namespace stackprint::engine
