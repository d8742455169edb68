#include "stackprint/engine/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace stackprint::engine {

namespace {

double burst_for(double rate, double fixed) {
  return std::max(RateLimiter::k_min_burst, fixed > 0.0 ? fixed : std::floor(rate * RateLimiter::k_burst_share));
}

} // namespace

RateLimiter::RateLimiter(double packets_per_second, double burst)
    : m_rate(std::max(0.0, packets_per_second)), m_fixed_burst(burst), m_burst(burst_for(m_rate, burst)),
      m_tokens(m_burst) {}

double RateLimiter::tokens_at(Instant now) const {
  if (!m_last || now <= *m_last) { return m_tokens; }
  const double elapsed = std::chrono::duration<double>(now - *m_last).count();
  return std::min(m_burst, m_tokens + elapsed * m_rate);
}

void RateLimiter::refill(Instant now) {
  m_tokens = tokens_at(now);
  if (!m_last || now > *m_last) { m_last = now; }
}

void RateLimiter::set_rate(double packets_per_second, Instant now) {
  refill(now);
  m_rate = std::max(0.0, packets_per_second);
  m_burst = burst_for(m_rate, m_fixed_burst);
  m_tokens = std::min(m_tokens, m_burst);
}

std::size_t RateLimiter::available(Instant now) {
  if (!limited()) { return std::numeric_limits<std::size_t>::max(); }
  refill(now);
  return m_tokens >= 1.0 ? static_cast<std::size_t>(m_tokens) : 0;
}

void RateLimiter::take(std::size_t count, Instant now) {
  if (!limited() || count == 0) { return; }
  refill(now);
  // Never below -burst: a caller that took more than it was allowed waits, but not forever.
  m_tokens = std::max(-m_burst, m_tokens - static_cast<double>(count));
}

std::optional<RateLimiter::Instant> RateLimiter::next_token_at(Instant now) const {
  if (!limited()) { return std::nullopt; }
  const double tokens = tokens_at(now);
  if (tokens >= 1.0) { return std::nullopt; }
  const auto wait = std::chrono::duration<double>((1.0 - tokens) / m_rate);
  return now + std::chrono::ceil<Duration>(wait);
}

} // namespace stackprint::engine
