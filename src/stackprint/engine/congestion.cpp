#include "stackprint/engine/congestion.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace stackprint::engine {

std::string describe(const CongestionDecision& decision) {
  const std::string rate = decision.rate > 0.0 ? fmt::format("{:.0f}/s", decision.rate) : std::string("unlimited");
  return fmt::format("congestion: {}: {}/{} sends lost, {} capture drops, {:.0f} packets/s, {} hosts in flight -> "
                     "{} hosts, rate {}",
                     decision.kind == CongestionDecision::Kind::shrink ? "shrink" : "grow", decision.lost,
                     decision.judged, decision.drops, decision.sent_rate, decision.hosts_in_flight,
                     decision.hosts_limit, rate);
}

CongestionController::CongestionController(CongestionConfig config)
    : m_config(config),
      m_hosts_limit(std::clamp<std::size_t>(config.initial_hosts, 1, std::max<std::size_t>(1, config.max_hosts))),
      m_rate(config.max_rate) {
  m_config.max_hosts = std::max<std::size_t>(1, m_config.max_hosts);
  m_config.min_hosts = std::clamp<std::size_t>(m_config.min_hosts, 1, m_hosts_limit);
  if (m_config.max_rate > 0.0) { m_config.min_rate = std::min(m_config.min_rate, m_config.max_rate); }
}

std::optional<CongestionDecision> CongestionController::on_sample(const CongestionSample& sample, Instant now) {
  if (!m_last_eval) {
    m_last_eval = now;
    m_last = sample;
    return std::nullopt;
  }
  if (now - *m_last_eval < m_config.interval) { return std::nullopt; }
  const double elapsed = std::chrono::duration<double>(now - *m_last_eval).count();
  const auto delta = [](std::uint64_t after, std::uint64_t before) { return after >= before ? after - before : 0; };
  CongestionDecision d;
  d.lost = delta(sample.lost_sends, m_last.lost_sends);
  d.judged = d.lost + delta(sample.answered_probes, m_last.answered_probes);
  if (sample.capture_drops && m_last.capture_drops) { d.drops = delta(*sample.capture_drops, *m_last.capture_drops); }
  d.sent_rate = static_cast<double>(delta(sample.packets_sent, m_last.packets_sent)) / elapsed;
  d.hosts_in_flight = sample.hosts_in_flight;
  m_last_eval = now;
  m_last = sample;

  const bool enough = d.judged >= m_config.min_samples;
  const double share = enough ? static_cast<double>(d.lost) / static_cast<double>(d.judged) : 0.0;
  // With the fewest hosts in flight, what is still lost is the path's own loss: fewer hosts do not
  // cure it. The hosts in flight count, not the limit: hosts admitted before a cut are never
  // evicted, so right after a cut to the minimum thousands may still be in flight, and the loss
  // they cause is congestion, not the path's.
  if (enough && m_hosts_limit <= m_config.min_hosts && sample.hosts_in_flight <= m_config.min_hosts) {
    m_floor = m_floor * 0.5 + share * 0.5;
  }
  const bool congested = d.drops > 0 || (enough && share > m_floor + m_config.loss_threshold);

  if (congested) {
    if (m_last_cut && now - *m_last_cut < m_config.hold) { return std::nullopt; }
    // Below --min-rate, neither hosts nor rate are cut (Nmap's --min-rate: send at least that).
    if (m_config.min_rate > 0.0 && d.sent_rate <= m_config.min_rate) { return std::nullopt; }
    const std::size_t hosts =
        std::max(m_config.min_hosts, std::min(m_hosts_limit, std::max<std::size_t>(1, sample.hosts_in_flight)) / 2);
    double rate = std::max(m_config.min_rate, d.sent_rate * 0.75);
    if (m_rate > 0.0) { rate = std::min(rate, m_rate); }
    if (hosts == m_hosts_limit && rate == m_rate) { return std::nullopt; }
    m_rate_before_cut = std::max(m_rate_before_cut, m_rate > 0.0 ? m_rate : d.sent_rate);
    m_hosts_limit = hosts;
    m_rate = rate;
    m_last_cut = now;
    ++m_shrinks;
    d.kind = CongestionDecision::Kind::shrink;
    d.hosts_limit = m_hosts_limit;
    d.rate = m_rate;
    return d;
  }

  // Clean interval: grow what is in use (a limit the scan does not fill would grow without a test).
  bool changed = false;
  if (m_hosts_limit < m_config.max_hosts && sample.hosts_in_flight * 4 >= m_hosts_limit * 3) {
    const std::size_t step = m_shrinks == 0 ? m_hosts_limit : std::max<std::size_t>(4, m_config.max_hosts / 32);
    m_hosts_limit = std::min(m_config.max_hosts, m_hosts_limit + step);
    changed = true;
  }
  if (m_rate > 0.0 && m_rate_before_cut > 0.0 && (m_config.max_rate <= 0.0 || m_rate < m_config.max_rate)) {
    m_rate += m_rate_before_cut / 16.0;
    const double ceiling = m_config.max_rate > 0.0 ? m_config.max_rate : m_rate_before_cut;
    if (m_rate >= ceiling) {
      m_rate = m_config.max_rate; // back to the user's rate, or unlimited
      m_rate_before_cut = 0.0;
    }
    changed = true;
  }
  if (!changed) { return std::nullopt; }
  d.kind = CongestionDecision::Kind::grow;
  d.hosts_limit = m_hosts_limit;
  d.rate = m_rate;
  return d;
}

} // namespace stackprint::engine
